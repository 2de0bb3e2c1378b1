//! `SplitMix64`: a tiny seeded generator, so every run builds and reads the same data set.

/// A `SplitMix64` state (Steele, Lea and Flood, 2014): fast, and good enough to spread keys.
#[derive(Clone, Debug)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting at `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound` > 0); the modulo bias is irrelevant at these sizes.
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    /// A whole number in `0..bound` as a float, exactly.
    pub(crate) fn below_f64(&mut self, bound: u32) -> f64 {
        f64::from(u32::try_from(self.below(u64::from(bound))).unwrap_or_default())
    }

    /// `words` lowercase pseudo-words separated by spaces.
    pub(crate) fn text(&mut self, words: usize) -> String {
        const SYLLABLES: [&str; 16] = [
            "ka", "lo", "mi", "ne", "ru", "ta", "shi", "po", "de", "va", "zu", "fe", "go", "ri",
            "bo", "xe",
        ];
        let mut out = String::new();
        for i in 0..words {
            if i > 0 {
                out.push(' ');
            }
            for _ in 0..=self.below(3) {
                out.push_str(SYLLABLES[self.below(16) as usize]);
            }
        }
        out
    }
}
