//! What the graph's traversals must answer, computed in memory over a small graph: the
//! reference the database's recursive statements are compared with.
//!
//! - Reach: breadth-first search, depths counted in edges, the start left out, ordered by
//!   depth then id.
//! - Cheapest path: the best walk of exactly `h` edges to each node, for `h` up to the depth
//!   (Bellman-Ford by rounds). Plain Dijkstra settles each node once by weight and cannot
//!   honour a depth limit: the lightest way to a node may be too long while a heavier one
//!   fits. Walks are ranked as the repository ranks paths (weight, then edges, then the
//!   sequence of ids); the best walk is always a simple path, since cutting a cycle out never
//!   adds weight and always removes edges.
//!
//! The generated weights are multiples of 0.5, so every sum is exact and ties are real ties.

use std::cmp::Ordering;
use std::collections::{BTreeMap, VecDeque};

use memdb_enhanced_repository::graph::Direction;
use uuid::Uuid;

/// An edge of a reference graph.
#[derive(Clone, Debug)]
pub(super) struct Edge {
    pub(super) source: Uuid,
    pub(super) target: Uuid,
    pub(super) relation: &'static str,
    pub(super) weight: f64,
}

/// A graph to check traversals on.
#[derive(Clone, Debug, Default)]
pub(super) struct Graph {
    pub(super) nodes: Vec<Uuid>,
    pub(super) edges: Vec<Edge>,
}

/// A path as the reference ranks it: weight, then edges, then the sequence of ids.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Walk {
    pub(super) nodes: Vec<Uuid>,
    pub(super) weight: f64,
}

impl Walk {
    fn rank(&self, other: &Self) -> Ordering {
        self.weight
            .total_cmp(&other.weight)
            .then(self.nodes.len().cmp(&other.nodes.len()))
            .then_with(|| self.nodes.cmp(&other.nodes))
    }
}

impl Graph {
    /// The nodes one step from `node`, with the weight of the edge taken.
    fn steps(
        &self,
        node: Uuid,
        direction: Direction,
        relation: Option<&str>,
    ) -> impl Iterator<Item = (Uuid, f64)> + '_ {
        let relation = relation.map(str::to_owned);
        self.edges
            .iter()
            .filter(move |e| relation.as_deref().is_none_or(|r| e.relation == r))
            .filter_map(move |e| {
                let forward = (e.source == node).then_some((e.target, e.weight));
                let backward = (e.target == node).then_some((e.source, e.weight));
                match direction {
                    Direction::Outgoing => forward,
                    Direction::Incoming => backward,
                    Direction::Both => forward.or(backward),
                }
            })
    }

    /// Every node reachable from `start` within `max_depth` steps, with the fewest steps,
    /// ordered by depth then id; `start` left out.
    pub(super) fn reach(
        &self,
        start: Uuid,
        direction: Direction,
        relation: Option<&str>,
        max_depth: u32,
    ) -> Vec<(Uuid, u32)> {
        let mut depth = BTreeMap::from([(start, 0)]);
        let mut queue = VecDeque::from([start]);
        while let Some(node) = queue.pop_front() {
            let next_depth = depth[&node] + 1;
            if next_depth > max_depth {
                continue;
            }
            for (next, _) in self.steps(node, direction, relation) {
                depth.entry(next).or_insert_with(|| {
                    queue.push_back(next);
                    next_depth
                });
            }
        }
        depth.remove(&start);
        let mut reached: Vec<(Uuid, u32)> = depth.into_iter().collect();
        reached.sort_by_key(|&(id, depth)| (depth, id));
        reached
    }

    /// The cheapest path from `from` to `to` within `max_depth` steps, ranked as the
    /// repository ranks them.
    pub(super) fn cheapest(
        &self,
        from: Uuid,
        to: Uuid,
        direction: Direction,
        relation: Option<&str>,
        max_depth: u32,
    ) -> Option<Walk> {
        let start = Walk {
            nodes: vec![from],
            weight: 0.0,
        };
        let mut best = (from == to).then(|| start.clone());
        // The best walk of exactly `round` edges to each node.
        let mut round: BTreeMap<Uuid, Walk> = BTreeMap::from([(from, start)]);
        for _ in 0..max_depth {
            let mut next_round: BTreeMap<Uuid, Walk> = BTreeMap::new();
            for (node, walk) in &round {
                if *node == to {
                    continue;
                }
                for (next, weight) in self.steps(*node, direction, relation) {
                    let mut nodes = walk.nodes.clone();
                    nodes.push(next);
                    let longer = Walk {
                        nodes,
                        weight: walk.weight + weight,
                    };
                    match next_round.get(&next) {
                        Some(held) if held.rank(&longer) != Ordering::Greater => {}
                        _ => {
                            next_round.insert(next, longer);
                        }
                    }
                }
            }
            if let Some(arrived) = next_round.get(&to)
                && best
                    .as_ref()
                    .is_none_or(|b| arrived.rank(b) == Ordering::Less)
            {
                best = Some(arrived.clone());
            }
            round = next_round;
        }
        best
    }
}

/// A small deterministic pseudo-random sequence (xorshift64*), so a failing graph can be
/// rebuilt from its seed.
pub(super) struct Dice(u64);

impl Dice {
    pub(super) fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// A number in `0..n`.
    pub(super) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let roll = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33;
        (roll % n as u64) as usize
    }
}

/// The weights generated edges get: few and exact, so many paths tie, zero included.
pub(super) const WEIGHTS: [f64; 6] = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0];

/// The relations generated edges get.
pub(super) const RELATIONS: [&str; 2] = ["a", "b"];

/// The edges of a generated graph over node indexes `0..nodes`: a ring (a cycle through every
/// node) plus `extra` random edges, some of them back along the ring (two-node cycles) or
/// beside another edge with the other relation. No self-loops, no repeated (source, target,
/// relation).
pub(super) fn generated_edges(
    dice: &mut Dice,
    nodes: usize,
    extra: usize,
) -> Vec<(usize, usize, &'static str, f64)> {
    let mut edges: Vec<(usize, usize, &'static str, f64)> = (0..nodes)
        .map(|i| (i, (i + 1) % nodes, "a", WEIGHTS[dice.below(WEIGHTS.len())]))
        .collect();
    while edges.len() < nodes + extra {
        let source = dice.below(nodes);
        let target = dice.below(nodes);
        let relation = RELATIONS[dice.below(RELATIONS.len())];
        let taken = edges
            .iter()
            .any(|&(s, t, r, _)| (s, t, r) == (source, target, relation));
        if source != target && !taken {
            edges.push((source, target, relation, WEIGHTS[dice.below(WEIGHTS.len())]));
        }
    }
    edges
}
