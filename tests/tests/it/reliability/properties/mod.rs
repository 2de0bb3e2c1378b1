//! Property tests (proptest) over hostile input: names, file paths, search terms, JSON
//! metadata, numeric ranges and memory namespace prefixes. Every property runs its cases on one database created for the
//! property (the cases share it, so each property checks what earlier cases left too) and
//! requires, per case, either the correct result or a typed error — never a panic, never a
//! generic `Db` error, never a LIKE wildcard matching as one.
//!
//! Cases per property: [`CASES`] (names, paths, JSON, numbers), [`SEARCH_CASES`] and the
//! memory prefix property's own count (`memory_prefixes::CASES`); the seed is
//! fixed so CI runs the same cases every time (`PROPTEST_RNG_SEED=<n>` explores others,
//! `PROPTEST_CASES=<n>` runs more).

mod json_numbers;
mod memory_prefixes;
mod names_paths;
mod search_terms;

use std::future::Future;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

/// Cases of each property but the search ones.
const CASES: u32 = 96;
/// Cases of each search property (each case adds rows and runs two searches).
const SEARCH_CASES: u32 = 48;

/// Runs `test` on `cases` values of `strategy` (or `PROPTEST_CASES`), each case's future on
/// the test's runtime, and panics with the smallest failing input proptest finds.
pub(crate) fn check<S, F, Fut>(cases: u32, strategy: S, test: F)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
    F: Fn(S::Value) -> Fut,
    Fut: Future<Output = Result<(), TestCaseError>>,
{
    let mut config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    if matches!(config.rng_seed, RngSeed::Random) {
        config.rng_seed = RngSeed::Fixed(0x6d65_6d64_6221);
    }
    let runtime = tokio::runtime::Handle::current();
    let outcome = TestRunner::new(config).run(&strategy, |value| {
        tokio::task::block_in_place(|| runtime.block_on(test(value)))
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

/// Characters that break naive code: NUL and other controls, zero-width and combining marks,
/// SQL and LIKE metacharacters, quotes, non-BMP, and anything else.
pub(super) fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        3 => proptest::char::range('a', 'e'),
        1 => Just('\0'),
        1 => Just('\u{1}'),
        1 => Just('\u{7f}'),
        1 => Just('\n'),
        1 => Just('\t'),
        1 => Just(' '),
        1 => Just('\u{200b}'),
        1 => Just('\u{301}'),
        1 => Just('\u{e9}'),
        1 => Just('%'),
        1 => Just('_'),
        1 => Just('\\'),
        1 => Just('\''),
        1 => Just('"'),
        1 => Just('/'),
        1 => Just('\u{1f600}'),
    ]
}

/// A string of hostile characters, short or around `limit` characters long.
pub(super) fn hostile_string(limit: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::collection::vec(hostile_char(), 0..24),
        1 => proptest::collection::vec(hostile_char(), limit - 2..limit + 3),
        1 => (limit - 2..limit + 3).prop_map(|n| vec!['x'; n]),
    ]
    .prop_map(|chars| chars.into_iter().collect())
}
