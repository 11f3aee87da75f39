//! One command run as a whole process: wall clock from spawn to reap, and the peak RSS
//! the kernel accounted to that one child (`wait4`'s `ru_maxrss`).

use std::fs::File;
use std::io;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one run cost.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    pub wall: Duration,
    /// Peak resident set size of the child, in KiB.
    pub peak_rss_kib: u64,
    /// Exit code, `None` if a signal ended it.
    pub code: Option<i32>,
}

/// Runs `cmd` with stdout and stderr written to `out` and `err` (as a user redirects
/// them), and waits for it with `wait4`.
pub fn run(cmd: &mut Command, out: &Path, err: &Path) -> io::Result<Sample> {
    cmd.stdin(Stdio::null())
        .stdout(File::create(out)?)
        .stderr(File::create(err)?);
    let started = Instant::now();
    let child = cmd.spawn()?;
    let pid = libc::pid_t::try_from(child.id()).map_err(io::Error::other)?;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of that plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child, not reaped yet (`Child` never waits on drop),
        // and both pointers are to live locals.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
    let wall = started.elapsed();
    drop(child);
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Ok(Sample {
        wall,
        // Linux reports it in KiB.
        peak_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        code,
    })
}

/// The median of `values` (the upper one of an even count); `None` when empty.
pub fn median<T: Copy + PartialOrd>(values: &[T]) -> Option<T> {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).expect("comparable figures"));
    sorted.get(sorted.len() / 2).copied()
}
