//! Embeddings as stored (little-endian `f32` bytes), their checks, cosine similarity and the
//! bounded best-`k` list the nearest-neighbour scan keeps.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use memdb_repository::{RepoError, RepoResult};
use uuid::Uuid;

use crate::limits;

/// The stored form of `vector`: each component's little-endian bytes, in order.
#[must_use]
pub fn to_bytes(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// The vector stored as `bytes`, or `None` when their length is not a multiple of 4.
#[must_use]
pub fn from_bytes(bytes: &[u8]) -> Option<Vec<f32>> {
    let chunks = bytes.chunks_exact(4);
    if !chunks.remainder().is_empty() {
        return None;
    }
    Some(chunks.map(component).collect())
}

/// One component from its 4 little-endian bytes.
fn component(chunk: &[u8]) -> f32 {
    f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]])
}

/// `vector` checked as an embedding or query named `field`: 1 to
/// [`EMBEDDING_DIMS`](limits::EMBEDDING_DIMS) finite components, not all zeros (a zero
/// vector has no direction, so no cosine similarity). Returns its Euclidean norm.
///
/// # Errors
/// `Validation` of `field` otherwise.
pub(super) fn checked(field: &'static str, vector: &[f32]) -> RepoResult<f64> {
    if vector.is_empty() || vector.len() > limits::EMBEDDING_DIMS {
        return Err(RepoError::invalid(
            field,
            format!(
                "must have 1 to {} components, got {}",
                limits::EMBEDDING_DIMS,
                vector.len()
            ),
        ));
    }
    if let Some(i) = vector.iter().position(|x| !x.is_finite()) {
        return Err(RepoError::invalid(
            field,
            format!("component {i} is {}, must be finite", vector[i]),
        ));
    }
    let norm = vector
        .iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        .sqrt();
    if norm == 0.0 {
        return Err(RepoError::invalid(field, "must not be all zeros"));
    }
    Ok(norm)
}

/// A query ready to be compared with stored vectors: its components in `f64` and its norm.
pub(super) struct Query {
    components: Vec<f64>,
    norm: f64,
}

impl Query {
    /// `query`, checked as field `query`.
    pub(super) fn new(query: &[f32]) -> RepoResult<Self> {
        let norm = checked("query", query)?;
        Ok(Self {
            components: query.iter().map(|&x| f64::from(x)).collect(),
            norm,
        })
    }

    /// Its dimension.
    pub(super) fn dims(&self) -> usize {
        self.components.len()
    }

    /// Cosine similarity with the vector stored as `bytes`; `None` when the bytes do not hold
    /// a vector of the query's dimension with a finite, non-zero norm (a row changed behind
    /// memdb's back).
    pub(super) fn similarity(&self, bytes: &[u8]) -> Option<f64> {
        if bytes.len() != 4 * self.components.len() {
            return None;
        }
        let (mut dot, mut norm) = (0.0_f64, 0.0_f64);
        for (q, chunk) in self.components.iter().zip(bytes.chunks_exact(4)) {
            let x = f64::from(component(chunk));
            dot += q * x;
            norm += x * x;
        }
        let norm = norm.sqrt();
        let similarity = dot / (self.norm * norm);
        (norm > 0.0 && similarity.is_finite()).then(|| similarity.clamp(-1.0, 1.0))
    }
}

/// A scored row; greater is better: a higher similarity, then the smaller id.
#[derive(Clone, Copy, Debug)]
pub(super) struct Scored {
    pub(super) similarity: f64,
    pub(super) id: Uuid,
}

impl Ord for Scored {
    fn cmp(&self, other: &Self) -> Ordering {
        self.similarity
            .total_cmp(&other.similarity)
            .then_with(|| other.id.cmp(&self.id))
    }
}

impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Scored {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Scored {}

/// The best `k` rows offered so far, in `O(k)` memory: a min-heap whose top is the worst kept.
pub(super) struct TopK {
    k: usize,
    heap: BinaryHeap<Reverse<Scored>>,
}

impl TopK {
    /// An empty list keeping at most `k` rows.
    pub(super) fn new(k: usize) -> Self {
        Self {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    /// Keeps `scored` when it is among the best `k` so far.
    pub(super) fn offer(&mut self, scored: Scored) {
        if self.heap.len() < self.k {
            self.heap.push(Reverse(scored));
        } else if self.heap.peek().is_some_and(|worst| scored > worst.0) {
            self.heap.pop();
            self.heap.push(Reverse(scored));
        }
    }

    /// The kept rows, best first.
    pub(super) fn into_sorted(self) -> Vec<Scored> {
        // Ascending `Reverse` is descending `Scored`: best first.
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|r| r.0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_bit_exactly() {
        let v = [0.0, -0.0, 1.5, f32::MIN_POSITIVE / 4.0, -f32::MAX, 1e-45];
        let back = from_bytes(&to_bytes(&v)).unwrap();
        assert_eq!(
            back.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(to_bytes(&[1.0]), vec![0, 0, 0x80, 0x3f]);
        assert!(from_bytes(&[1, 2, 3]).is_none());
    }

    #[test]
    fn checks_refuse_what_has_no_direction() {
        assert!(checked("q", &[]).is_err());
        assert!(checked("q", &[0.0, -0.0]).is_err());
        assert!(checked("q", &[1.0, f32::NAN]).is_err());
        assert!(checked("q", &[f32::INFINITY]).is_err());
        assert!(checked("q", &vec![1.0; limits::EMBEDDING_DIMS + 1]).is_err());
        assert!((checked("q", &[3.0, 4.0]).unwrap() - 5.0).abs() < 1e-12);
        // Subnormals square to non-zero in f64.
        assert!(checked("q", &[1e-45]).is_ok());
    }

    #[test]
    fn similarity_is_cosine() {
        let q = Query::new(&[1.0, 0.0]).unwrap();
        assert!((q.similarity(&to_bytes(&[2.0, 0.0])).unwrap() - 1.0).abs() < 1e-12);
        assert!(q.similarity(&to_bytes(&[0.0, 3.0])).unwrap().abs() < 1e-12);
        assert!((q.similarity(&to_bytes(&[-1.0, 0.0])).unwrap() + 1.0).abs() < 1e-12);
        assert!(q.similarity(&to_bytes(&[0.0, 0.0])).is_none());
        assert!(q.similarity(&to_bytes(&[1.0])).is_none());
    }

    #[test]
    fn top_k_keeps_the_best_and_breaks_ties_by_id() {
        let mut top = TopK::new(3);
        for (i, s) in [0.1, 0.9, 0.5, 0.9, 0.2, 0.5].into_iter().enumerate() {
            top.offer(Scored {
                similarity: s,
                id: Uuid::from_u128(i as u128),
            });
        }
        let kept: Vec<(f64, u128)> = top
            .into_sorted()
            .iter()
            .map(|s| (s.similarity, s.id.as_u128()))
            .collect();
        assert_eq!(kept, vec![(0.9, 1), (0.9, 3), (0.5, 2)]);
    }
}
