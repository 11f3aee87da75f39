//! SIGTERM and SIGINT: stop after the current run, or at once on a second signal.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::Notify;

/// SIGTERM / SIGINT: the first asks the loop to stop after the current run, a second
/// exits at once.
pub(super) struct Shutdown {
    requested: Arc<AtomicBool>,
    notify: Arc<Notify>,
}

impl Shutdown {
    pub(super) fn install() -> std::io::Result<Shutdown> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        let requested = Arc::new(AtomicBool::new(false));
        let notify = Arc::new(Notify::new());
        let (r, n) = (Arc::clone(&requested), Arc::clone(&notify));
        tokio::spawn(async move {
            loop {
                let name = tokio::select! {
                    _ = term.recv() => "SIGTERM",
                    _ = int.recv() => "SIGINT",
                };
                if r.swap(true, Ordering::SeqCst) {
                    tracing::warn!(signal = name, "second signal: exiting now");
                    std::process::exit(130);
                }
                tracing::info!(
                    signal = name,
                    "stopping: the current run finishes, no new run starts"
                );
                n.notify_one();
            }
        });
        Ok(Shutdown { requested, notify })
    }

    pub(super) fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    pub(super) async fn wait(&self) {
        self.notify.notified().await;
    }
}
