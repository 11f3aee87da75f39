//! Compares a desired password with the verifier PostgreSQL stores, without ever
//! sending or printing the password. SCRAM-SHA-256 verifiers are recomputed with the
//! stored salt and iteration count (RFC 5802/7677, as PostgreSQL's `scram_build_secret`
//! does); MD5 verifiers with the role name as salt.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// Whether `password` (plaintext or a SCRAM verifier as written in the desired state)
/// produces the `stored` verifier. `None` when the stored form is not understood.
pub fn matches(password: &str, stored: &str, role: &str) -> Option<bool> {
    if password.starts_with("SCRAM-SHA-256$") {
        return Some(password == stored);
    }
    if let Some(rest) = stored.strip_prefix("SCRAM-SHA-256$") {
        return scram_matches(password, rest);
    }
    if let Some(hex) = stored.strip_prefix("md5") {
        let digest = md5_hex(password, role);
        return Some(digest == hex);
    }
    None
}

fn scram_matches(password: &str, rest: &str) -> Option<bool> {
    // <iterations>:<salt>$<StoredKey>:<ServerKey>
    let (params, keys) = rest.split_once('$')?;
    let (iterations, salt) = params.split_once(':')?;
    let (stored_key, server_key) = keys.split_once(':')?;
    let iterations: u32 = iterations.parse().ok()?;
    let salt = STANDARD.decode(salt).ok()?;
    let stored_key = STANDARD.decode(stored_key).ok()?;
    let server_key = STANDARD.decode(server_key).ok()?;

    // SASLprep as the server applies it; passwords it rejects are used as raw bytes.
    let prepared = match stringprep::saslprep(password) {
        Ok(p) => p.into_owned().into_bytes(),
        Err(_) => password.as_bytes().to_vec(),
    };
    let mut salted = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(&prepared, &salt, iterations, &mut salted);

    let client_key = hmac(&salted, b"Client Key");
    let computed_stored: [u8; 32] = Sha256::digest(client_key).into();
    let computed_server = hmac(&salted, b"Server Key");
    Some(computed_stored[..] == stored_key[..] && computed_server[..] == server_key[..])
}

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("hmac accepts any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

fn md5_hex(password: &str, role: &str) -> String {
    let verifier = postgres_protocol::password::md5(password.as_bytes(), role);
    verifier.trim_start_matches("md5").to_string()
}

/// The verifier to send in `ALTER ROLE … PASSWORD`: the plaintext never leaves the
/// process, so it cannot end up in server logs or `pg_stat_activity`.
pub fn verifier_for(password: &str) -> String {
    if password.starts_with("SCRAM-SHA-256$") {
        password.to_string()
    } else {
        postgres_protocol::password::scram_sha_256(password.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scram_verifier_is_recomputed_from_its_salt() {
        let stored = verifier_for("correct horse");
        assert_eq!(matches("correct horse", &stored, "r"), Some(true));
        assert_eq!(matches("wrong horse", &stored, "r"), Some(false));
    }

    #[test]
    fn md5_verifier_uses_the_role_name() {
        let stored = postgres_protocol::password::md5(b"pw", "alice");
        assert_eq!(matches("pw", &stored, "alice"), Some(true));
        assert_eq!(matches("pw", &stored, "bob"), Some(false));
    }

    #[test]
    fn declared_verifier_compares_verbatim() {
        let v = verifier_for("x");
        assert_eq!(matches(&v, &v, "r"), Some(true));
        assert_eq!(matches(&verifier_for("x"), &v, "r"), Some(false));
        assert_eq!(matches("x", "garbage", "r"), None);
    }
}
