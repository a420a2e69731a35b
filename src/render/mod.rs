//! The writers: each turns one job's positioned `Pages` (PDF, PNG previews) or
//! `Document` (DOCX) into bytes in memory; none touches the file system.
//! `subset` makes the font subsets both page writers draw from.

pub mod docx;
pub mod pdf;
pub mod png;
pub mod subset;

/// A finished file's bytes and their SHA-256 (the manifest's `sha256`),
/// computed by the writer that made them: it knows what its files share.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Their SHA-256.
    pub sha256: [u8; 32],
}

impl Output {
    /// A file hashed whole.
    pub fn hashed(bytes: Vec<u8>) -> Output {
        use sha2::Digest;
        let sha256 = sha2::Sha256::digest(&bytes).into();
        Output { bytes, sha256 }
    }
}
