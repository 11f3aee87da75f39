//! How a server error is shown. A leaf module, so that `canon`, `checks` and `apply`
//! can all use it without depending on each other.

/// The server's message, DETAIL, HINT and SQLSTATE, never the statement text (it may
/// hold a verifier). DETAIL and HINT often carry the actual reason ("Key columns … are
/// of incompatible types") and what to do, so they are passed on.
pub fn db_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut out = db.message().to_string();
            if let Some(detail) = db.detail() {
                out.push_str("; detail: ");
                out.push_str(detail.trim_end_matches('.'));
            }
            if let Some(hint) = db.hint() {
                out.push_str("; hint: ");
                out.push_str(hint.trim_end_matches('.'));
            }
            out.push_str(&format!(" (SQLSTATE {})", db.code().code()));
            out
        }
        None => e.to_string(),
    }
}

/// Whether the server refused with a lock timeout (SQLSTATE 55P03 `lock_not_available`),
/// read from the error code, never from the message text.
pub fn is_lock_timeout(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE)
}
