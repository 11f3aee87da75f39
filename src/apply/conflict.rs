//! Concurrent changes that a step loses to, and which a retry of the whole transaction
//! gets past.
//!
//! The advisory lock apply takes is per database, but roles, memberships, role
//! settings and role comments live in catalogs the whole cluster shares. Two applies to
//! two databases of one cluster may both plan `CREATE ROLE app` (or `ALTER ROLE app`,
//! or `GRANT reader TO app`): the server serialises the two writes on the catalog row
//! (the second waits until the first commits) and then fails the second one with a
//! unique violation on a catalog index (`pg_authid_rolname_index`, SQLSTATE 23505) or
//! with the internal error `tuple concurrently updated` (XX000); when the first had
//! already committed, `CREATE ROLE` says `role … already exists` (42710), as its check
//! reads the newest catalog, not the transaction's snapshot. Deadlocks (40P01) and
//! serialization failures (40001) are the same story with another session.
//!
//! Such a step failure is not the desired state's fault and not the server's: the
//! transaction is rolled back whole and retried, and the retry plans again on a fresh
//! snapshot that holds the other session's change (the role now exists: nothing to do
//! for it). No lock could do this better without a privilege or a database every
//! pgrecon can reach (ARCHITECTURE.md, "Cluster-wide changes are serialised").

use crate::model::ObjectRef;
use crate::plan::Step;
use tokio_postgres::error::SqlState;

/// Whether `error`, from `step` in the apply transaction, says the statement lost to a
/// change another session made to the same catalog rows meanwhile.
pub(super) fn lost_to_concurrent_change(step: &Step, error: &tokio_postgres::Error) -> bool {
    let Some(db) = error.as_db_error() else {
        return false;
    };
    let code = db.code();
    if code == &SqlState::DUPLICATE_OBJECT {
        // The plan creates only roles the transaction's snapshot lacks, and no other
        // apply to this database runs meanwhile (the advisory lock): a role that exists
        // now was created by a session on another database since.
        matches!(step.object, ObjectRef::Role { .. })
    } else if code == &SqlState::UNIQUE_VIOLATION {
        // A catalog's unique index: the object was created meanwhile. A unique
        // violation on a user table (a unique index over duplicate data) is not retried.
        db.schema() == Some("pg_catalog")
    } else if code == &SqlState::INTERNAL_ERROR {
        // `elog` texts are never translated, so this match holds in every locale.
        db.message().starts_with("tuple concurrently ")
    } else {
        code == &SqlState::T_R_SERIALIZATION_FAILURE || code == &SqlState::T_R_DEADLOCK_DETECTED
    }
}
