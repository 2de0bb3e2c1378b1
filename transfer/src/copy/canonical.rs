//! The canonical form of rows, the same whichever backend they were read from: JSON in the exact
//! canonical form of [`super::json_text`] (keys sorted, numbers as exact decimals), timestamps in UTC at microseconds,
//! floats as the shortest text that reads back to the same bits, UUIDs lowercase hyphenated,
//! bytes in hex. A row's digest is the SHA-256 of its cells' canonical texts; a table's checksum
//! is the SHA-256 of its rows' digests in sorted order, so the order rows are read in (which
//! differs between backends for text keys) does not matter.

use std::fmt::Write as _;

use sha2::{Digest as _, Sha256};

use super::cell::Cell;

/// A row's digest.
pub(crate) type RowDigest = [u8; 32];

/// The digest of a row's cells, in the order given (the copy's column order: by name). Each
/// cell is hashed as a marker, its length and its content: bytes as they are (hashing their
/// hex text would cost twice the bytes), every other value as its canonical text.
pub(crate) fn row_digest(cells: &[Cell]) -> RowDigest {
    let mut hash = Sha256::new();
    for cell in cells {
        let text;
        let (marker, content): (&[u8], &[u8]) = match cell {
            Cell::Bytes(bytes) => (b"B", bytes),
            other => {
                text = other.canonical();
                (b"T", text.as_bytes())
            }
        };
        hash.update(marker);
        hash.update((content.len() as u64).to_le_bytes());
        hash.update(content);
    }
    hash.finalize().into()
}

/// The checksum of a set of rows: SHA-256 over their digests in sorted order, in hex.
pub(crate) fn table_checksum(digests: &mut [RowDigest]) -> String {
    digests.sort_unstable();
    let mut hash = Sha256::new();
    for digest in digests.iter() {
        hash.update(digest);
    }
    hex(&hash.finalize())
}

/// The checksum of rows streamed in a given order (verification: both sides in the source's
/// key order): SHA-256 over their digests, without keeping them.
#[derive(Default)]
pub(crate) struct StreamChecksum {
    hash: Sha256,
    rows: u64,
}

impl StreamChecksum {
    /// Adds the next row's digest.
    pub(crate) fn add(&mut self, digest: &RowDigest) {
        self.hash.update(digest);
        self.rows += 1;
    }

    /// How many rows were added.
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }

    /// The checksum, in hex.
    pub(crate) fn finish(self) -> String {
        hex(&self.hash.finalize())
    }
}

/// A string as a JSON string literal (escaped, quoted).
pub(crate) fn string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// A float as the shortest decimal that reads back to the same bits (`0.1`, `1e300`, `-0.0`,
/// `NaN`, `inf`).
pub(crate) fn float(v: f64) -> String {
    format!("{v:?}")
}

/// Bytes in lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Bytes from [`hex`]; `None` for text that is not hex.
pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Cell, float, hex, row_digest, unhex};

    #[test]
    fn floats_are_exact_and_null_differs_from_empty() {
        assert_eq!(float(0.1), "0.1");
        assert_eq!(float(1e300), "1e300");
        assert_ne!(float(0.1 + 0.2), float(0.3));
        assert_ne!(
            row_digest(&[Cell::Null]),
            row_digest(&[Cell::Text(String::new())])
        );
        assert_eq!(unhex(&hex(&[0, 15, 255])), Some(vec![0, 15, 255]));
    }
}
