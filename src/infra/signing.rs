//! The server's Ed25519 key for certificates (`CERTIFICATE_SIGNING_KEY`, or the
//! key generated under `DATA_DIR` in embedded mode). It signs and verifies
//! bytes; what is signed is the certificates domain's business. The public
//! half is published so anyone can verify without asking the server. The
//! secret half never leaves this type: it has no accessor, and `Debug` shows
//! only the key id.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

pub struct Ed25519Key {
    signing: SigningKey,
    verifying: VerifyingKey,
}

impl Ed25519Key {
    /// The key whose 32-byte seed (RFC 8032's private key) is `seed`; None
    /// unless it is exactly 32 bytes.
    pub fn from_seed(seed: &[u8]) -> Option<Ed25519Key> {
        let seed: &[u8; 32] = seed.try_into().ok()?;
        let signing = SigningKey::from_bytes(seed);
        Some(Ed25519Key { verifying: signing.verifying_key(), signing })
    }

    /// The 64-byte signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    /// Whether `signature` is this key's signature of `message` (strict
    /// verification: no malleable or small-order encodings).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(signature) = Signature::from_slice(signature) else { return false };
        self.verifying.verify_strict(message, &signature).is_ok()
    }

    /// The public key, 32 bytes (RFC 8032 encoding).
    pub fn public_key(&self) -> [u8; 32] {
        self.verifying.to_bytes()
    }

    /// A short name for the key: the first 8 bytes of SHA-256 of the public key, in hex.
    pub fn key_id(&self) -> String {
        hex::encode(&Sha256::digest(self.public_key())[..8])
    }
}

impl std::fmt::Debug for Ed25519Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ed25519Key").field("key_id", &self.key_id()).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_for_their_message_and_key() {
        let key = Ed25519Key::from_seed(&[7u8; 32]).unwrap();
        let other = Ed25519Key::from_seed(&[8u8; 32]).unwrap();
        let signature = key.sign(b"a message");
        assert!(key.verify(b"a message", &signature));
        assert!(!key.verify(b"a massage", &signature));
        assert!(!other.verify(b"a message", &signature));
        let mut flipped = signature;
        flipped[10] ^= 1;
        assert!(!key.verify(b"a message", &flipped));
        assert!(!key.verify(b"a message", &signature[..63]));
        assert!(!key.verify(b"a message", &[]));
        assert!(Ed25519Key::from_seed(&[1u8; 31]).is_none());
        assert!(Ed25519Key::from_seed(&[1u8; 33]).is_none());
    }

    #[test]
    fn rfc_8032_test_vector_one() {
        // RFC 8032, section 7.1, TEST 1: the empty message.
        let seed = hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60").unwrap();
        let key = Ed25519Key::from_seed(&seed).unwrap();
        assert_eq!(hex::encode(key.public_key()), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        assert_eq!(
            hex::encode(key.sign(b"")),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
    }

    #[test]
    fn debug_output_shows_the_key_id_only() {
        let key = Ed25519Key::from_seed(&[42u8; 32]).unwrap();
        let shown = format!("{key:?}");
        assert!(shown.contains(&key.key_id()), "{shown}");
        assert!(!shown.contains(&hex::encode([42u8; 32])), "{shown}");
        assert!(!shown.contains("42, 42"), "{shown}");
    }
}
