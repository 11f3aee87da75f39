//! A `COMMIT` whose acknowledgement never arrived (the connection dropped while it was
//! in flight): the transaction may or may not have committed. Apply never claims an
//! outcome it does not know; it says so ([`CommitUnknown`]), and the caller, once
//! reconnected, finds out with [`resolve`]: the live fingerprint of the managed scope is
//! compared with the one read before the steps ran and the one verified inside the
//! transaction just before `COMMIT`.

use super::ApplyError;
use crate::escape::text_line;
use crate::introspect::{self, IntrospectError};
use crate::saved::fingerprint::{self, Detail, Fingerprint, FingerprintScope};

/// What became of a transaction whose `COMMIT` was not acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitOutcome {
    /// The live catalog is the state verified inside the transaction: it committed.
    Committed,
    /// The live catalog is the state read before the steps: nothing was changed.
    NotCommitted,
    /// Neither (another session changed the catalog since, or the two states hash
    /// alike), or the database could not be read again: still unknown.
    Unknown,
}

/// The lost `COMMIT`, with what tells its outcome.
#[derive(Debug, Clone)]
pub struct CommitUnknown {
    /// Why `COMMIT` got no answer (the driver's or the server's error).
    pub message: String,
    /// The managed scope before the steps ran, and as verified before `COMMIT`.
    pub before: Fingerprint,
    pub planned: Fingerprint,
    pub scope: FingerprintScope,
    /// Steps planned to run after the commit (none of them ran).
    pub deferred: usize,
    /// Set by the caller once it found out (see [`resolve`]).
    pub resolved: Option<CommitOutcome>,
}

impl std::fmt::Display for CommitUnknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lost = format!(
            "the connection was lost while the transaction was committing ({})",
            text_line(&self.message)
        );
        match self.resolved {
            None | Some(CommitOutcome::Unknown) => write!(
                f,
                "{lost}; whether the changes were committed is unknown\n  help: run pgrecon plan: an empty plan means they were, otherwise re-run apply"
            ),
            Some(CommitOutcome::NotCommitted) => write!(
                f,
                "{lost}; reconnected: the live catalog is the one read before the steps, nothing was changed\n  help: re-run apply"
            ),
            Some(CommitOutcome::Committed) => write!(
                f,
                "{lost}; reconnected: the changes are committed, but the {} step{} to run after the commit did not run\n  help: re-run apply",
                self.deferred,
                if self.deferred == 1 { "" } else { "s" }
            ),
        }
    }
}

/// The error of a failed `COMMIT`. A serialization failure or a deferred constraint
/// (SQLSTATE classes 40 and 23) is the server's answer that it rolled back; anything
/// else (the connection closed, the backend terminated) leaves the outcome unknown.
pub(super) fn commit_failed(
    e: tokio_postgres::Error,
    before: Fingerprint,
    planned: Fingerprint,
    scope: FingerprintScope,
    deferred: usize,
) -> ApplyError {
    let rolled_back = e
        .code()
        .is_some_and(|c| c.code().starts_with("40") || c.code().starts_with("23"));
    if rolled_back {
        return ApplyError::Database(e);
    }
    ApplyError::CommitUnknown(Box::new(CommitUnknown {
        message: crate::conn::error_chain(&e),
        before,
        planned,
        scope,
        deferred,
        resolved: None,
    }))
}

/// Finds out, on a new connection, whether the lost `COMMIT` took effect.
pub async fn resolve(
    client: &mut tokio_postgres::Client,
    unknown: &CommitUnknown,
) -> Result<CommitOutcome, IntrospectError> {
    let live = introspect::snapshot(client).await?;
    Ok(judge(
        unknown,
        &fingerprint::live(&live, &unknown.scope, Detail::Hash),
    ))
}

fn judge(unknown: &CommitUnknown, now: &Fingerprint) -> CommitOutcome {
    if unknown.before.hash == unknown.planned.hash {
        CommitOutcome::Unknown
    } else if now.hash == unknown.planned.hash {
        CommitOutcome::Committed
    } else if now.hash == unknown.before.hash {
        CommitOutcome::NotCommitted
    } else {
        CommitOutcome::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(hash: &str) -> Fingerprint {
        Fingerprint {
            hash: hash.into(),
            count: 0,
            objects: Default::default(),
        }
    }

    fn unknown(before: &str, planned: &str) -> CommitUnknown {
        CommitUnknown {
            message: "connection closed".into(),
            before: fp(before),
            planned: fp(planned),
            scope: FingerprintScope::default(),
            deferred: 0,
            resolved: None,
        }
    }

    #[test]
    fn the_live_state_tells_the_outcome() {
        let u = unknown("a", "b");
        assert_eq!(judge(&u, &fp("b")), CommitOutcome::Committed);
        assert_eq!(judge(&u, &fp("a")), CommitOutcome::NotCommitted);
        assert_eq!(judge(&u, &fp("c")), CommitOutcome::Unknown);
        // Steps that change nothing in scope cannot be told apart.
        assert_eq!(judge(&unknown("a", "a"), &fp("a")), CommitOutcome::Unknown);
    }
}
