//! A unix-socket proxy in front of the test server, for faults only a network can make:
//! every connection cut at once, or the acknowledgement of one `COMMIT` lost (the
//! server commits, the client never hears it).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UnixListener, UnixStream};
use tokio_postgres::config::Host;

/// What to do to the next `COMMIT` sent after a statement holding the marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtCommit {
    /// Forward it, drop the server's answer, close the connection.
    LoseAck,
    /// Forward it and the answer, then close the connection.
    CutAfterAck,
}

struct Armed {
    marker: Vec<u8>,
    action: AtCommit,
}

pub struct Proxy {
    dir: tempfile::TempDir,
    port: u16,
    dbname: String,
    armed: Arc<Mutex<Option<Armed>>>,
    cut: tokio::sync::watch::Sender<u64>,
}

enum Target {
    Unix(PathBuf),
    Tcp(String, u16),
}

impl Proxy {
    /// Listens on a unix socket of its own and forwards to the server of `config`.
    pub fn start(config: &tokio_postgres::Config) -> Proxy {
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let target = match config.get_hosts().first() {
            Some(Host::Unix(dir)) => Target::Unix(dir.join(format!(".s.PGSQL.{port}"))),
            Some(Host::Tcp(host)) => Target::Tcp(host.clone(), port),
            None => panic!("the test database has no host"),
        };
        let target = Arc::new(target);
        let dir = tempfile::tempdir().expect("a temporary directory");
        let listener = UnixListener::bind(dir.path().join(format!(".s.PGSQL.{port}")))
            .expect("the proxy listens");
        let armed: Arc<Mutex<Option<Armed>>> = Arc::new(Mutex::new(None));
        let (cut, cut_rx) = tokio::sync::watch::channel(0u64);
        let shared = armed.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (target, armed, cut) = (target.clone(), shared.clone(), cut_rx.clone());
                tokio::spawn(async move {
                    match &*target {
                        Target::Unix(path) => {
                            if let Ok(server) = UnixStream::connect(path).await {
                                pipe(client, server, armed, cut).await;
                            }
                        }
                        Target::Tcp(host, port) => {
                            if let Ok(server) = TcpStream::connect((host.as_str(), *port)).await {
                                pipe(client, server, armed, cut).await;
                            }
                        }
                    }
                });
            }
        });
        let dbname = config.get_dbname().unwrap_or("postgres").to_string();
        Proxy {
            dir,
            port,
            dbname,
            armed,
            cut,
        }
    }

    /// The connection string for pgrecon, through the proxy (same user as the harness).
    pub fn url(&self, user: &str) -> String {
        let dir = self.dir.path().to_str().expect("a UTF-8 path");
        format!(
            "postgresql://{user}@{}:{}/{}",
            dir.replace('/', "%2F"),
            self.port,
            self.dbname
        )
    }

    /// Acts on the first `COMMIT` sent on a connection after a statement holding
    /// `marker`; once.
    pub fn arm(&self, marker: &str, action: AtCommit) {
        *self.armed.lock().unwrap() = Some(Armed {
            marker: marker.as_bytes().to_vec(),
            action,
        });
    }

    /// Closes every open connection, both ways.
    pub fn cut_all(&self) {
        self.cut.send_modify(|n| *n += 1);
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

async fn pipe<S: AsyncRead + AsyncWrite + Unpin>(
    client: UnixStream,
    server: S,
    armed: Arc<Mutex<Option<Armed>>>,
    mut cut: tokio::sync::watch::Receiver<u64>,
) {
    let (mut cr, mut cw) = tokio::io::split(client);
    let (mut sr, mut sw) = tokio::io::split(server);
    let (mut up, mut down) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    // This connection sent the marker; then the COMMIT that follows it.
    let mut marked = false;
    let mut commit_sent: Option<AtCommit> = None;
    cut.borrow_and_update();
    loop {
        tokio::select! {
            n = cr.read(&mut up) => {
                let Ok(n @ 1..) = n else { return };
                let chunk = &up[..n];
                {
                    let mut guard = armed.lock().unwrap();
                    if let Some(a) = guard.as_ref() {
                        if contains(chunk, &a.marker) {
                            marked = true;
                        }
                        if marked && contains(chunk, b"COMMIT\0") {
                            commit_sent = Some(a.action);
                            *guard = None;
                        }
                    }
                }
                if sw.write_all(chunk).await.is_err() { return }
            }
            n = sr.read(&mut down) => {
                let Ok(n @ 1..) = n else { return };
                match commit_sent {
                    Some(AtCommit::LoseAck) => return,
                    Some(AtCommit::CutAfterAck) => {
                        let _ = cw.write_all(&down[..n]).await;
                        return;
                    }
                    None => if cw.write_all(&down[..n]).await.is_err() { return },
                }
            }
            _ = cut.changed() => return,
        }
    }
}
