//! The `initdb` template every cluster is copied from, built once per bin dir.

use super::binaries::server_version;
use super::dirs::base_dir;
use super::{
    EmbeddedError, TEMPLATE_PREFIX, chown_to, create_private_file, io_err, log_tail, owner_uid,
    prepare_command, spawn,
};
use nix::fcntl::{Flock, FlockArg, OFlag};
use nix::unistd::{User, geteuid};
use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// A server installation ready to start clusters from.
pub(super) struct Installation {
    pub(super) version: String,
    pub(super) template: PathBuf,
}

/// Reads the version and makes sure the template exists, once per bin dir and process.
pub(super) fn prepare(
    bin_dir: &Path,
    owner: Option<&User>,
) -> Result<Arc<Installation>, EmbeddedError> {
    static PREPARED: Mutex<Option<HashMap<PathBuf, Arc<Installation>>>> = Mutex::new(None);
    // Held while building, so threads of this process wait instead of racing.
    let mut guard = PREPARED.lock().unwrap_or_else(|e| e.into_inner());
    let map = guard.get_or_insert_with(HashMap::new);
    if let Some(install) = map.get(bin_dir)
        && install.template.join("PG_VERSION").is_file()
    {
        return Ok(Arc::clone(install));
    }
    let version = server_version(bin_dir)?;
    let template = ensure_template(bin_dir, &version, owner)?;
    let install = Arc::new(Installation { version, template });
    map.insert(bin_dir.to_path_buf(), Arc::clone(&install));
    Ok(install)
}

/// Runs `initdb` into `<base dir>/pgrecon-template-<version>-<uid>-<bin dir hash>` unless a
/// complete template is there. Built in a staging directory and renamed into place under
/// an exclusive file lock, so concurrent test processes neither race nor see half a
/// template.
fn ensure_template(
    bin_dir: &Path,
    version: &str,
    owner: Option<&User>,
) -> Result<PathBuf, EmbeddedError> {
    let tmp = base_dir();
    let bin_hash = blake3::hash(bin_dir.as_os_str().as_bytes()).to_hex();
    let name = format!(
        "{TEMPLATE_PREFIX}{version}-{}-{}",
        geteuid().as_raw(),
        &bin_hash[..8]
    );
    let template = tmp.join(&name);
    let lock_path = tmp.join(format!("{name}.lock"));
    let lock_file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .custom_flags(OFlag::O_NOFOLLOW.bits())
        .open(&lock_path)
        .map_err(io_err("open the lock file", &lock_path))?;
    let _lock = Flock::lock(lock_file, FlockArg::LockExclusive).map_err(|(_, errno)| {
        EmbeddedError::Io {
            action: "lock",
            path: lock_path.clone(),
            source: errno.into(),
        }
    })?;

    match fs::symlink_metadata(&template) {
        Ok(meta) => {
            if !meta.is_dir() || meta.uid() != owner_uid(owner).as_raw() {
                return Err(EmbeddedError::ForeignTemplate(template));
            }
            if template.join("PG_VERSION").is_file() {
                return Ok(template);
            }
            // Not ours to have left half-done (renames are atomic), but clear it anyway.
            fs::remove_dir_all(&template).map_err(io_err("remove", &template))?;
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err("inspect", &template)(e)),
    }

    let staging = tempfile::Builder::new()
        .prefix(&format!("{name}.build-"))
        .tempdir_in(&tmp)
        .map_err(io_err("create a directory in", &tmp))?;
    chown_to(staging.path(), owner).map_err(io_err("change the owner of", staging.path()))?;
    let data = staging.path().join("data");
    let log_path = staging.path().join("initdb.log");
    let log = create_private_file(&log_path, owner).map_err(io_err("create", &log_path))?;
    let log_out = log.try_clone().map_err(io_err("open", &log_path))?;

    let initdb = bin_dir.join("initdb");
    let mut cmd = Command::new(&initdb);
    cmd.arg("-D")
        .arg(&data)
        .args([
            "--auth=trust",
            "--username=postgres",
            "--encoding=UTF8",
            "--locale=C",
            // A cache: durability would only cost time.
            "--no-sync",
            // 1 MB WAL segments instead of 16 MB: less to copy at every start.
            "--wal-segsize=1",
        ])
        .stdin(Stdio::null())
        .stdout(log_out)
        .stderr(log)
        .current_dir(staging.path());
    prepare_command(&mut cmd, owner);
    let status = spawn(cmd)
        .and_then(|mut child| child.wait())
        .map_err(io_err("run", &initdb))?;
    if !status.success() {
        return Err(EmbeddedError::Initdb {
            status: status.to_string(),
            log_tail: log_tail(&log_path),
        });
    }
    fs::rename(&data, &template).map_err(io_err("move the new template to", &template))?;
    Ok(template)
}

/// Copies a data directory, keeping permission bits (PostgreSQL insists on 0700/0600)
/// and handing every entry to `owner`.
pub(super) fn copy_tree(src: &Path, dst: &Path, owner: Option<&User>) -> io::Result<()> {
    let mode = fs::symlink_metadata(src)?.permissions().mode() & 0o7777;
    fs::DirBuilder::new().mode(0o700).create(dst)?;
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        let from = entry.path();
        let to = dst.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&from, &to, owner)?;
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&from)?, &to)?;
            chown_to(&to, owner)?;
        } else {
            fs::copy(&from, &to)?;
            chown_to(&to, owner)?;
        }
    }
    fs::set_permissions(dst, fs::Permissions::from_mode(mode))?;
    chown_to(dst, owner)
}
