//! Where clusters and templates live, and sweeping what killed processes left there.

use super::{CLUSTER_PREFIX, SHM_DIR, SHM_MIN_FREE, STALE_AFTER, TEMPLATE_PREFIX, owner_uid};
use nix::sys::signal::kill;
use nix::unistd::{Pid, User};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::SystemTime;

/// Where templates and clusters go: `TMPDIR` when set; else `/dev/shm` when it is a
/// roomy tmpfs (creating files on disk can be slower than the rest of a start, and
/// nothing here has to survive a reboot); else `/tmp`. Falls back to `/tmp` when the
/// path is too long for a unix socket address (107 bytes).
pub(super) fn base_dir() -> PathBuf {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    BASE.get_or_init(|| {
        let base = if std::env::var_os("TMPDIR").is_some_and(|v| !v.is_empty()) {
            std::env::temp_dir()
        } else if roomy_tmpfs(Path::new(SHM_DIR)) {
            PathBuf::from(SHM_DIR)
        } else {
            std::env::temp_dir()
        };
        // "/pgrecon-pg-XXXXXX/.s.PGSQL.NNNNN" is 34 bytes.
        if base.as_os_str().len() + 34 < 100 {
            base
        } else {
            PathBuf::from("/tmp")
        }
    })
    .clone()
}

fn roomy_tmpfs(dir: &Path) -> bool {
    let is_tmpfs = nix::sys::statfs::statfs(dir)
        .is_ok_and(|s| s.filesystem_type() == nix::sys::statfs::TMPFS_MAGIC);
    // The field types differ between platforms, hence the conversions.
    #[allow(clippy::useless_conversion)]
    let free = nix::sys::statvfs::statvfs(dir)
        .map(|s| u64::from(s.blocks_available()).saturating_mul(u64::from(s.fragment_size())))
        .unwrap_or(0);
    // World-writable with the sticky bit, like /tmp, so the server user can use it too.
    let shared = fs::metadata(dir).is_ok_and(|m| m.permissions().mode() & 0o1777 == 0o1777);
    is_tmpfs && shared && free >= SHM_MIN_FREE
}

/// Removes cluster directories whose server is gone and interrupted template builds:
/// what a killed process left behind (its server died with it, see `spawn`). Best
/// effort, once per process.
pub(super) fn sweep_stale(owner: Option<&User>) {
    static SWEPT: OnceLock<()> = OnceLock::new();
    SWEPT.get_or_init(|| {
        let Ok(entries) = fs::read_dir(base_dir()) else {
            return;
        };
        let uid = owner_uid(owner).as_raw();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let is_cluster = name.as_bytes().starts_with(CLUSTER_PREFIX.as_bytes());
            // A template build interrupted by a kill.
            let is_staging = name.as_bytes().starts_with(TEMPLATE_PREFIX.as_bytes())
                && name.as_bytes().windows(7).any(|w| w == b".build-");
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            let old = meta
                .modified()
                .ok()
                .and_then(|m| SystemTime::now().duration_since(m).ok())
                .is_some_and(|age| age > STALE_AFTER);
            if !(is_cluster || is_staging) || !meta.is_dir() || meta.uid() != uid || !old {
                continue;
            }
            let path = entry.path();
            if is_staging || !postmaster_alive(&path.join("data")) {
                let _ = fs::remove_dir_all(&path);
            }
        }
    });
}

pub(super) fn postmaster_alive(data_dir: &Path) -> bool {
    let Ok(text) = fs::read_to_string(data_dir.join("postmaster.pid")) else {
        return false;
    };
    let Some(pid) = text
        .lines()
        .next()
        .and_then(|l| l.trim().parse::<i32>().ok())
    else {
        return false;
    };
    // EPERM means it exists but belongs to someone else: leave it.
    !matches!(
        kill(Pid::from_raw(pid), None),
        Err(nix::errno::Errno::ESRCH)
    )
}
