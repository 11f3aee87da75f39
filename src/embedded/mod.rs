//! A throwaway PostgreSQL cluster started from the locally installed server binaries: what
//! the CLI runs against when no connection is configured, and what every test gets.
//!
//! `initdb` runs once per bin dir into a cached template (see `base_dir`); each `start`
//! copies the template, so a cluster is up in a fraction of a second. Access is trust
//! auth over a unix socket in a private 0700 directory, so no password exists anywhere.
//! PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.

mod binaries;
mod dirs;
mod template;

pub use binaries::{find_bin_dir, find_bin_dir_for_major};

use dirs::{base_dir, sweep_stale};
use template::{copy_tree, prepare};

use std::fs::{self, File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, Uid, User, geteuid};
use tempfile::TempDir;

/// Overrides the search for the server binaries.
pub const BIN_DIR_ENV: &str = "PGRECON_PG_BIN_DIR";

const SUPERUSER: &str = "postgres";
const READY_TIMEOUT: Duration = Duration::from_secs(30);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// Leftovers of killed processes older than this are swept (a start takes seconds).
const STALE_AFTER: Duration = Duration::from_secs(600);
const CLUSTER_PREFIX: &str = "pgrecon-pg-";
const TEMPLATE_PREFIX: &str = "pgrecon-template-";
const SHM_DIR: &str = "/dev/shm";
/// Clusters go to /dev/shm only with this much room (a test may load a big schema).
const SHM_MIN_FREE: u64 = 2 << 30;

/// Durability is pointless for a throwaway cluster; the small sizes let many clusters
/// (one per test) run side by side on a small machine.
const SERVER_SETTINGS: &[&str] = &[
    "listen_addresses=",
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "shared_buffers=16MB",
    "max_connections=30",
    "autovacuum=off",
    "jit=off",
    "huge_pages=off",
    "unix_socket_permissions=0700",
];

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "no PostgreSQL server binaries (initdb and postgres) found; install the PostgreSQL server, set {BIN_DIR_ENV} to its bin directory, or configure a connection"
    )]
    BinariesNotFound,
    #[error(
        "{BIN_DIR_ENV} is {}, which does not contain initdb and postgres; point it at the bin directory of a PostgreSQL server",
        .0.display()
    )]
    BadBinDir(PathBuf),
    #[error(
        "no PostgreSQL {0} server binaries found to canonicalise the desired state with (the target runs PostgreSQL {0}); install its server package, set {BIN_DIR_ENV} to its bin directory, or give --dev-url with an empty database of that version"
    )]
    NoBinariesForMajor(u32),
    #[error(
        "running as root, but there is no `postgres` OS user to run the server as (PostgreSQL refuses root); create one (useradd --system postgres) or run as an unprivileged user"
    )]
    NoServerUser,
    #[error("could not read the server version from `{} --version`: {reason}", .path.display())]
    Version { path: PathBuf, reason: String },
    #[error("could not {action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "{} is owned by another user; remove it or set TMPDIR to a private directory",
        .0.display()
    )]
    ForeignTemplate(PathBuf),
    #[error("initdb failed ({status}); check the installation, its output ends with:\n{log_tail}")]
    Initdb { status: String, log_tail: String },
    #[error("the embedded PostgreSQL server {what}; its log ends with:\n{log_tail}")]
    Start { what: String, log_tail: String },
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> EmbeddedError {
    let path = path.to_path_buf();
    move |source| EmbeddedError::Io {
        action,
        path,
        source,
    }
}

/// A running throwaway cluster. Dropping it stops the server (immediate shutdown) and
/// removes its directories.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    /// Holds the socket and `data/`; removed when dropped, after the server stopped
    /// (fields drop after `Drop::drop`).
    root: TempDir,
    data_dir: PathBuf,
    port: u16,
    version: String,
    bin_dir: PathBuf,
    /// `-c` settings beyond `SERVER_SETTINGS`, for every start.
    settings: Vec<String>,
    child: Option<Child>,
}

impl EmbeddedPostgres {
    /// Starts a fresh cluster (blocking; call from sync code or `spawn_blocking`).
    pub fn start() -> Result<Self, EmbeddedError> {
        Self::start_in(find_bin_dir()?)
    }

    /// Starts a fresh cluster of the binaries in `bin_dir` (blocking).
    pub fn start_in(bin_dir: PathBuf) -> Result<Self, EmbeddedError> {
        Self::start_with(bin_dir, &[])
    }

    /// [`start_in`](Self::start_in) with server settings (`name=value`) on top of the
    /// embedded defaults.
    pub fn start_with(bin_dir: PathBuf, settings: &[&str]) -> Result<Self, EmbeddedError> {
        let settings: Vec<String> = settings.iter().map(|s| s.to_string()).collect();
        let owner = server_owner()?;
        let install = prepare(&bin_dir, owner.as_ref())?;
        sweep_stale(owner.as_ref());

        let root = tempfile::Builder::new()
            .prefix(CLUSTER_PREFIX)
            .tempdir_in(base_dir())
            .map_err(io_err("create a directory in", &base_dir()))?;
        chown_to(root.path(), owner.as_ref())
            .map_err(io_err("change the owner of", root.path()))?;
        let data_dir = root.path().join("data");
        copy_tree(&install.template, &data_dir, owner.as_ref())
            .map_err(io_err("copy the cluster template to", &data_dir))?;

        let log_path = data_dir.join("server.log");
        let log =
            create_private_file(&log_path, owner.as_ref()).map_err(io_err("create", &log_path))?;

        let port = random_port();
        let child = spawn_server(
            &bin_dir,
            &data_dir,
            root.path(),
            port,
            owner.as_ref(),
            log,
            &settings,
        )?;

        let mut cluster = EmbeddedPostgres {
            root,
            data_dir,
            port,
            version: install.version.clone(),
            bin_dir,
            settings,
            child: Some(child),
        };
        // On failure `cluster` drops here, which stops whatever did start.
        cluster.wait_ready()?;
        Ok(cluster)
    }

    /// `tokio_postgres::Config` for a database on this cluster (superuser `postgres`,
    /// unix socket, no password).
    pub fn config(&self, dbname: &str) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config
            .host_path(self.socket_dir())
            .port(self.port)
            .user(SUPERUSER)
            .dbname(dbname);
        config
    }

    /// A libpq-style URL (`postgresql://postgres@%2Fpath%2Fto%2Fsocket:PORT/db`), for
    /// child processes and CLI tests.
    pub fn url(&self, dbname: &str) -> String {
        format!(
            "postgresql://{SUPERUSER}@{}:{}/{}",
            percent_encode(self.socket_dir().as_os_str().as_bytes()),
            self.port,
            percent_encode(dbname.as_bytes())
        )
    }

    /// The directory holding the server's unix socket.
    pub fn socket_dir(&self) -> &Path {
        self.root.path()
    }

    /// The port; with unix sockets only it just names the socket file.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server version, e.g. `15.18`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The directory holding the server binaries this cluster runs from.
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// The postmaster's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Stops the server (fast shutdown: sessions are terminated, every commit is
    /// kept) and keeps its data, socket directory and port, so that
    /// [`start_again`](Self::start_again) brings the same cluster back: what a database
    /// restart looks like to a client. Does nothing if it is stopped.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            stop_fast(&mut child);
        }
    }

    /// Starts the server again after [`stop`](Self::stop), on the same socket and port
    /// (blocking). Does nothing if it runs.
    pub fn start_again(&mut self) -> Result<(), EmbeddedError> {
        if self.child.is_some() {
            return Ok(());
        }
        let owner = server_owner()?;
        let log_path = self.data_dir.join("server.log");
        let log = OpenOptions::new()
            .append(true)
            .open(&log_path)
            .map_err(io_err("open", &log_path))?;
        let child = spawn_server(
            &self.bin_dir,
            &self.data_dir,
            self.root.path(),
            self.port,
            owner.as_ref(),
            log,
            &self.settings,
        )?;
        self.child = Some(child);
        self.wait_ready()
    }

    /// [`stop`](Self::stop), then [`start_again`](Self::start_again).
    pub fn restart(&mut self) -> Result<(), EmbeddedError> {
        self.stop();
        self.start_again()
    }

    fn wait_ready(&mut self) -> Result<(), EmbeddedError> {
        let deadline = Instant::now() + READY_TIMEOUT;
        let pid_file = self.data_dir.join("postmaster.pid");
        let socket = self.socket_dir().join(format!(".s.PGSQL.{}", self.port));
        loop {
            let exited = match self.child.as_mut().map(Child::try_wait) {
                Some(Ok(None)) => None,
                Some(Ok(Some(status))) => Some(format!("exited during startup ({status})")),
                Some(Err(e)) => Some(format!("could not be waited for ({e})")),
                None => Some("was not started".to_owned()),
            };
            if let Some(what) = exited {
                return Err(self.start_error(what));
            }
            // Line 8 of postmaster.pid is the status, `ready` once connections are
            // accepted; line 1 the pid (a file left by an earlier server is not ours).
            let pid = self.pid().map(|p| p.to_string());
            let ready = fs::read_to_string(&pid_file).ok().is_some_and(|text| {
                let mut lines = text.lines();
                lines.next().map(str::trim) == pid.as_deref()
                    && lines.nth(6).is_some_and(|l| l.trim() == "ready")
            });
            if ready && socket.exists() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(self.start_error(format!(
                    "did not become ready within {} s",
                    READY_TIMEOUT.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn start_error(&self, what: String) -> EmbeddedError {
        EmbeddedError::Start {
            what,
            log_tail: log_tail(&self.data_dir.join("server.log")),
        }
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            stop(&mut child);
        }
    }
}

/// Starts `postgres` on `data_dir`, its socket in `socket_dir`, output to `log`.
fn spawn_server(
    bin_dir: &Path,
    data_dir: &Path,
    socket_dir: &Path,
    port: u16,
    owner: Option<&User>,
    log: File,
    settings: &[String],
) -> Result<Child, EmbeddedError> {
    let log_path = data_dir.join("server.log");
    let log_out = log.try_clone().map_err(io_err("open", &log_path))?;
    let mut cmd = Command::new(bin_dir.join("postgres"));
    cmd.arg("-D")
        .arg(data_dir)
        .arg("-k")
        .arg(socket_dir)
        .arg("-p")
        .arg(port.to_string());
    for setting in SERVER_SETTINGS
        .iter()
        .copied()
        .chain(settings.iter().map(String::as_str))
    {
        cmd.arg("-c").arg(setting);
    }
    cmd.stdin(Stdio::null())
        .stdout(log_out)
        .stderr(log)
        .current_dir(socket_dir);
    prepare_command(&mut cmd, owner);
    spawn(cmd).map_err(io_err("start", &bin_dir.join("postgres")))
}

/// Fast shutdown (SIGINT: terminate the sessions, checkpoint, exit), which keeps the
/// commits `synchronous_commit=off` has not flushed yet; immediate if it does not go
/// in time.
fn stop_fast(child: &mut Child) {
    if !matches!(child.try_wait(), Ok(None)) {
        return;
    }
    let Ok(raw) = i32::try_from(child.id()) else {
        return;
    };
    let _ = kill(Pid::from_raw(raw), Signal::SIGINT);
    let deadline = Instant::now() + STOP_TIMEOUT;
    while Instant::now() < deadline {
        match child.try_wait() {
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            _ => return,
        }
    }
    stop(child);
}

/// Immediate shutdown: SIGQUIT makes the postmaster kill its backends and exit without a
/// checkpoint; SIGKILL if it does not go in time.
fn stop(child: &mut Child) {
    if !matches!(child.try_wait(), Ok(None)) {
        return;
    }
    let Ok(raw) = i32::try_from(child.id()) else {
        return;
    };
    let _ = kill(Pid::from_raw(raw), Signal::SIGQUIT);
    let deadline = Instant::now() + STOP_TIMEOUT;
    while Instant::now() < deadline {
        match child.try_wait() {
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            _ => return,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The OS user that runs the server: `None` means the current user; as root the
/// `postgres` user, since PostgreSQL refuses to run as root.
fn server_owner() -> Result<Option<User>, EmbeddedError> {
    if !geteuid().is_root() {
        return Ok(None);
    }
    match User::from_name(SUPERUSER) {
        Ok(Some(user)) => Ok(Some(user)),
        _ => Err(EmbeddedError::NoServerUser),
    }
}

fn owner_uid(owner: Option<&User>) -> Uid {
    owner.map_or_else(geteuid, |u| u.uid)
}

fn chown_to(path: &Path, owner: Option<&User>) -> io::Result<()> {
    match owner {
        Some(user) => {
            std::os::unix::fs::lchown(path, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
        }
        None => Ok(()),
    }
}

fn create_private_file(path: &Path, owner: Option<&User>) -> io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    chown_to(path, owner)?;
    Ok(file)
}

/// Runs the child as `owner`, in a clean environment as far as libpq/server variables go.
fn prepare_command(cmd: &mut Command, owner: Option<&User>) {
    if let Some(user) = owner {
        // std drops the supplementary groups (setgroups(0)) when switching from root.
        cmd.uid(user.uid.as_raw()).gid(user.gid.as_raw());
        cmd.env("HOME", &user.dir).env("USER", &user.name);
    }
    for (key, _) in std::env::vars_os() {
        if key.as_bytes().starts_with(b"PG") {
            cmd.env_remove(key);
        }
    }
    cmd.env("LC_ALL", "C");
}

/// Children are forked from one thread that lives as long as the process, so that
/// `PR_SET_PDEATHSIG` (which fires when the forking *thread* ends) fires only when the
/// process dies: a test binary killed by a timeout then takes its servers with it.
fn spawn(mut cmd: Command) -> io::Result<Child> {
    type Request = (Command, mpsc::Sender<io::Result<Child>>);
    static SPAWNER: Mutex<Option<mpsc::Sender<Request>>> = Mutex::new(None);

    let parent = nix::unistd::getpid();
    // SAFETY: the closure runs between fork and exec and only makes two system calls
    // (prctl, getppid); it allocates nothing and takes no lock.
    unsafe {
        cmd.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(Signal::SIGQUIT)?;
            // The parent may have died before the prctl took effect.
            if nix::unistd::getppid() != parent {
                return Err(nix::errno::Errno::ESRCH.into());
            }
            Ok(())
        });
    }

    let sender = {
        let mut guard = SPAWNER.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            let (tx, rx) = mpsc::channel::<Request>();
            std::thread::Builder::new()
                .name("pgrecon-spawner".into())
                .spawn(move || {
                    for (mut cmd, reply) in rx {
                        let _ = reply.send(cmd.spawn());
                    }
                })?;
            *guard = Some(tx);
        }
        guard.clone().expect("spawner initialised above")
    };
    let (reply_tx, reply_rx) = mpsc::channel();
    sender
        .send((cmd, reply_tx))
        .map_err(|_| io::Error::other("the process spawner thread is gone"))?;
    reply_rx
        .recv()
        .map_err(|_| io::Error::other("the process spawner thread is gone"))?
}

fn random_port() -> u16 {
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    20000 + u16::try_from(random % 40000).expect("below 40000")
}

/// The last lines of a log file, for error messages.
fn log_tail(path: &Path) -> String {
    const MAX: u64 = 4000;
    let mut text = String::new();
    if let Ok(mut file) = File::open(path) {
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let _ = file.seek(SeekFrom::Start(len.saturating_sub(MAX)));
        let mut bytes = Vec::new();
        let _ = file.read_to_end(&mut bytes);
        text = String::from_utf8_lossy(&bytes).into_owned();
    }
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(20)..].join("\n");
    if tail.trim().is_empty() {
        "(empty)".to_owned()
    } else {
        tail
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encodes_socket_paths() {
        assert_eq!(percent_encode(b"/tmp/pg-x_1.s"), "%2Ftmp%2Fpg-x_1.s");
        assert_eq!(percent_encode("é".as_bytes()), "%C3%A9");
    }

    #[test]
    fn random_ports_stay_in_range() {
        for _ in 0..100 {
            assert!((20000..60000).contains(&random_port()));
        }
    }
}
