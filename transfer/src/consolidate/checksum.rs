//! A table's content checksum, computed the same way from the source's converted values and
//! from the rows read back from PostgreSQL: each row's cells in canonical form
//! ([`Cell::canonical`]), length-prefixed, hashed with SHA-256; the row digests added up as
//! four wrapping 64-bit lanes (so neither side's row order matters, no collation has to agree,
//! and a table of any size takes the same few bytes; a sum, unlike XOR, does not cancel
//! duplicate rows), and the row count with the sums hashed again.

use sha2::{Digest, Sha256};

use super::values::{Cell, hex};

/// The row count and the lane sums of a table's row digests so far.
#[derive(Debug, Default)]
pub(crate) struct TableChecksum {
    rows: u64,
    lanes: [u64; 4],
}

impl TableChecksum {
    /// Adds a row.
    pub(crate) fn add(&mut self, cells: &[Cell]) {
        let digest = row_digest(cells);
        for (lane, bytes) in self.lanes.iter_mut().zip(digest.chunks_exact(8)) {
            let mut word = [0_u8; 8];
            word.copy_from_slice(bytes);
            *lane = lane.wrapping_add(u64::from_le_bytes(word));
        }
        self.rows += 1;
    }

    /// How many rows were added.
    #[must_use]
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }

    /// The SHA-256 of the row count and the lane sums, in hex.
    #[must_use]
    pub(crate) fn finish(self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.rows.to_le_bytes());
        for lane in self.lanes {
            hasher.update(lane.to_le_bytes());
        }
        hex(&hasher.finalize())
    }
}

/// The SHA-256 of a row's cells in canonical form, each prefixed with its length (so cells
/// cannot run into each other).
#[must_use]
pub(crate) fn row_digest(cells: &[Cell]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for cell in cells {
        let text = cell.canonical();
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    hasher.finalize().into()
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
        // Duplicate rows count: two copies of a row are not zero copies, nor one.
        assert_ne!(checksum(&[first, first]), checksum(&[]));
        assert_ne!(checksum(&[first, first, second]), checksum(&[second]));
        assert_ne!(checksum(&[first, first]), checksum(&[first]));
    }
}
