//! Passwords (argon2id) and random tokens (sessions, CSRF, API), stored only as hashes.

use argon2::{Argon2, PasswordHasher, PasswordVerifier, password_hash::phc::PasswordHash};

/// argon2id with the crate's defaults (RFC 9106's second recommendation: m = 19 MiB, t = 2,
/// p = 1); the parameters live in each PHC string, so old hashes verify after a change.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Constant-time, and false for a malformed stored hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash of a password no one has, verified when the account does not exist, so that a wrong
/// name costs as long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&new_token()).unwrap_or_default())
}

/// 256 random bits, hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    // The OS's generator failing is not something a web server can go on from.
    if getrandom::fill(&mut bytes).is_err() {
        tracing::error!("the operating system's random number generator failed");
        std::process::abort();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A token the server can later tell from one a client made up: a random nonce and its keyed
/// hash under `key` (the site's secret, the same on every node).
pub fn signed_token(key: &[u8; 32]) -> String {
    let nonce = new_token();
    let mac = blake3::keyed_hash(key, nonce.as_bytes()).to_hex();
    format!("{nonce}.{mac}")
}

/// Was `token` made by [`signed_token`] with `key`?
pub fn is_signed_token(key: &[u8; 32], token: &str) -> bool {
    token.split_once('.').is_some_and(|(nonce, mac)| {
        nonce.len() == 64 && same_secret(mac, blake3::keyed_hash(key, nonce.as_bytes()).to_hex().as_str())
    })
}

/// What the store keeps of a session or API token.
pub fn token_hash(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

/// Equal strings, compared in time that does not depend on where they differ (`subtle`).
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_tokens() {
        let h = hash_password("正确的密码 horse").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("正确的密码 horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(same_secret(&a, &a.clone()) && !same_secret(&a, &b) && !same_secret("a", "ab"));
    }
}
