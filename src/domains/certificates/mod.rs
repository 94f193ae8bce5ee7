//! Certificates of completion: finishing every published post of a series
//! earns a certificate, signed by the server (Ed25519) so that anyone with its
//! public code can check it, and the server's public key lets a third party
//! check it without asking. Admins revoke and restore them; owners download
//! them as PDFs. Owns the `certificates` table.
//!
//! - `service`: issuing (the `issue_certificate` job, requests), checks,
//!   lists, revocation, PDFs through the file store;
//! - `signature`: the canonical encoding that is signed, verification codes;
//! - `pdf`: the page itself.

pub mod loaders;
pub mod pdf;
pub mod schema;
pub mod service;
pub mod signature;
