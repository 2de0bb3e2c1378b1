//! A table's content checksum, computed the same way from the source's converted values and
//! from the rows read back from PostgreSQL: each row's cells in canonical form
//! ([`Cell::canonical`]), length-prefixed, hashed with SHA-256; the row digests sorted (so
//! neither side's row order matters, and no collation has to agree) and hashed again.

use sha2::{Digest, Sha256};

use super::values::{Cell, hex};

/// The digests of a table's rows so far.
#[derive(Debug, Default)]
pub(crate) struct TableChecksum {
    rows: Vec<[u8; 32]>,
}

impl TableChecksum {
    /// Adds a row.
    pub(crate) fn add(&mut self, cells: &[Cell]) {
        let mut hasher = Sha256::new();
        for cell in cells {
            let text = cell.canonical();
            hasher.update((text.len() as u64).to_le_bytes());
            hasher.update(text.as_bytes());
        }
        self.rows.push(hasher.finalize().into());
    }

    /// How many rows were added.
    #[must_use]
    pub(crate) fn rows(&self) -> u64 {
        self.rows.len() as u64
    }

    /// The SHA-256 of the sorted row digests, in hex.
    #[must_use]
    pub(crate) fn finish(mut self) -> String {
        self.rows.sort_unstable();
        let mut hasher = Sha256::new();
        for row in &self.rows {
            hasher.update(row);
        }
        hex(&hasher.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checksum(rows: &[&[Cell]]) -> String {
        let mut sum = TableChecksum::default();
        for row in rows {
            sum.add(row);
        }
        sum.finish()
    }

    #[test]
    fn order_does_not_matter_content_does() {
        let first: &[Cell] = &[Cell::BigInt(1), Cell::Text("x".into())];
        let second: &[Cell] = &[Cell::BigInt(2), Cell::Null];
        assert_eq!(checksum(&[first, second]), checksum(&[second, first]));
        let changed: &[Cell] = &[Cell::BigInt(2), Cell::Text(String::new())];
        assert_ne!(checksum(&[first, second]), checksum(&[first, changed]));
        // Cells cannot run into each other.
        let ab_empty: &[Cell] = &[Cell::Text("ab".into()), Cell::Text(String::new())];
        let a_b: &[Cell] = &[Cell::Text("a".into()), Cell::Text("b".into())];
        assert_ne!(checksum(&[ab_empty]), checksum(&[a_b]));
    }
}
