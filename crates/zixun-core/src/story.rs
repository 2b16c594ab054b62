//! One story, one entry: which stored article a newcomer is a copy of.

use crate::text::hamming;

/// How near-duplicates are recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoryPolicy {
    /// Largest SimHash distance (bits) between two copies of one story.
    pub max_bits: u32,
    /// Only articles published this close in time can be copies of each other.
    pub window_secs: i64,
}

impl Default for StoryPolicy {
    fn default() -> Self {
        StoryPolicy { max_bits: 3, window_secs: 7 * 24 * 3600 }
    }
}

/// A stored story head that may be the same story as a newcomer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoryCandidate {
    pub id: i64,
    pub simhash: u64,
    pub original: bool,
}

/// The four 16-bit bands of a SimHash (as stored, signed). Two hashes within 3 bits share at
/// least one band, so an index on each band finds every candidate.
pub fn bands(simhash: u64) -> [i64; 4] {
    [0, 16, 32, 48].map(|shift| ((simhash >> shift) & 0xFFFF) as i64)
}

/// The head a newcomer with `simhash` should point at: among the candidates within the policy's
/// distance, the one marked 原创, else the first seen (lowest id). An original newcomer is never
/// a copy (it becomes the head; see [`heads_to_adopt`]).
pub fn story_head(policy: &StoryPolicy, simhash: u64, original: bool, candidates: &[StoryCandidate]) -> Option<i64> {
    if original {
        return None;
    }
    candidates
        .iter()
        .filter(|c| hamming(c.simhash, simhash) <= policy.max_bits)
        .min_by_key(|c| (!c.original, c.id))
        .map(|c| c.id)
}

/// Syndicated heads an original newcomer takes over (they, and their copies, become its copies).
pub fn heads_to_adopt(policy: &StoryPolicy, simhash: u64, original: bool, candidates: &[StoryCandidate]) -> Vec<i64> {
    if !original || candidates.iter().any(|c| c.original && hamming(c.simhash, simhash) <= policy.max_bits) {
        return Vec::new();
    }
    candidates.iter().filter(|c| hamming(c.simhash, simhash) <= policy.max_bits).map(|c| c.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_point_at_the_original_else_the_first_seen() {
        let p = StoryPolicy::default();
        let c = |id, simhash, original| StoryCandidate { id, simhash, original };
        let near = 0b1011u64; // 3 bits from 0
        let cands = [c(5, near, false), c(3, 0b1, false), c(9, 0b11, true), c(2, u64::MAX, false)];
        assert_eq!(story_head(&p, 0, false, &cands), Some(9), "the original wins");
        assert_eq!(story_head(&p, 0, false, &cands[..2]), Some(3), "else the first seen");
        assert_eq!(story_head(&p, 0, false, &cands[3..]), None, "too far");
        assert_eq!(story_head(&p, 0, true, &cands), None, "an original is never a copy");
        assert_eq!(heads_to_adopt(&p, 0, true, &cands[..2]), vec![5, 3]);
        assert!(heads_to_adopt(&p, 0, true, &cands).is_empty(), "another original stays its own story");
        let h = 0x1234_5678_9abc_def0u64;
        assert_eq!(bands(h), [0xdef0, 0x9abc, 0x5678, 0x1234]);
    }
}
