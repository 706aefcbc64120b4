//! Fingerprints of stored secrets: equal values tell themselves apart without showing.

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// A short fingerprint of a stored secret, to tell whether two secrets are the same
/// value without showing it: the first 8 hex digits of SHA-256 over a domain tag, the
/// service and user, and the value.
///
/// Why it cannot leak the secret: SHA-256 is one-way, and only 32 of its 256 bits are
/// shown, so each fingerprint fits about 2^(entropy − 32) different values; for a
/// random client secret or a signed JWT that is astronomically many, so it narrows
/// nothing down. Salting with the entry's own name means equal values under two names
/// give different fingerprints and no table precomputed for one entry works on
/// another. What it allows is what it is for: someone who already holds a candidate
/// value can check whether that is the stored one.
pub fn fingerprint(service: &str, user: &str, value: &SecretString) -> String {
    let mut hash = Sha256::new();
    for part in [
        "wfm-wizard secret fingerprint v1",
        service,
        user,
        value.expose_secret(),
    ] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hex8(&hash.finalize())
}

/// The first four bytes as eight lower-case hex digits.
pub(crate) fn hex8(bytes: &[u8]) -> String {
    format!(
        "{:08x}",
        u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_short_stable_and_depend_on_the_entry_name() {
        let value = SecretString::from("Zz0Yy1Xx2Ww3Vv4Uu5Tt6Ss7Rr8Qq9Pp0Oo1Nn2Mm3Ll".to_owned());
        let a = fingerprint("wfm-wizard", "p/o/default/jwt", &value);
        assert_eq!(a.len(), 8);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()), "{a}");
        assert_eq!(a, fingerprint("wfm-wizard", "p/o/default/jwt", &value));
        assert_ne!(a, fingerprint("wfm-wizard", "p/o/east/jwt", &value));
        let other = SecretString::from("another value".to_owned());
        assert_ne!(a, fingerprint("wfm-wizard", "p/o/default/jwt", &other));
        // Not a plain hash of the value: the salt is in.
        let plain = hex8(&Sha256::digest(value.expose_secret().as_bytes()));
        assert_ne!(a, plain);
    }
}
