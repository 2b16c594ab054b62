//! One story, one entry: which stored article a newcomer is a copy of, and whether two texts
//! are copies of one story.

use crate::text::hamming;

/// Share of the shorter text's character 5-grams found in the other above which two bodies are
/// copies of one story. Copies lightly edited (a new lead, a credit line) stay above it;
/// rewrites of one event in other words fall well below (0.68–0.90 on the news2018 pairs).
pub const COPY_CONTAINMENT: f64 = 0.9;
/// Letters and digits of a body compared: whole news bodies, mostly (a long feature is cut, so
/// that a comparison stays cheap). On news2018 this separates every labelled copy from every
/// rewrite; at 1,500, 7 of 314 copies that a syndicator re-led or trimmed fell under 0.9.
const SHINGLED_CHARS: usize = 4000;

/// The character 5-grams of a text, hashed, sorted and deduplicated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shingles(Vec<u32>);

impl Shingles {
    /// Bytes this set holds (for weighing a cache of them).
    pub fn heap_bytes(&self) -> usize {
        self.0.len() * std::mem::size_of::<u32>()
    }
}

/// Letters and digits: the CJK ideographs (most of a Chinese text) and the punctuation and
/// spaces around them (the rest) without Unicode's slow table lookup, anything else through it.
fn is_letter_or_digit(c: char) -> bool {
    match c {
        '\u{4E00}'..='\u{9FFF}' => true,
        // General punctuation (“” … —), CJK symbols and punctuation (、。《》「」) and the
        // full-width ！，：？ forms: none is a letter or digit.
        '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{3004}' | '\u{3008}'..='\u{3020}' => false,
        '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' => false,
        c => c.is_alphanumeric(),
    }
}

/// Characters in a window: 21 bits each, five to a `u128`.
const WINDOW_MASK: u128 = (1 << 105) - 1;

/// Hashes of the character 5-grams of `text`, letters and digits only (spacing, punctuation
/// and markup do not make two copies differ). 32-bit hashes: two of a body's 4,000 5-grams
/// hold a colliding pair with odds of about 1 in 500, which moves a containment by 1/4,000.
/// The sets are compared with each other only, in memory: the hash is not stored anywhere.
pub fn shingles(text: &str) -> Shingles {
    // The last five characters side by side in one integer, so that each window is read once
    // and hashed with two multiplications.
    let mut window: u128 = 0;
    let mut hashes = Vec::with_capacity(text.len().min(SHINGLED_CHARS));
    for (n, c) in text.chars().filter(|&c| is_letter_or_digit(c)).take(SHINGLED_CHARS).enumerate() {
        window = ((window << 21) | u128::from(u32::from(c))) & WINDOW_MASK;
        if n >= 4 {
            let (low, high) = (window as u64, (window >> 64) as u64);
            let h = (low ^ high.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            hashes.push((h >> 32) as u32);
        }
    }
    hashes.sort_unstable();
    hashes.dedup();
    Shingles(hashes)
}

/// `|A ∩ B| / min(|A|, |B|)`; 0 when either is empty.
pub fn containment(a: &Shingles, b: &Shingles) -> f64 {
    let (a, b) = (&a.0, &b.0);
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared as f64 / a.len().min(b.len()) as f64
}

/// Whether `containment(a, b) >= COPY_CONTAINMENT`, stopping as soon as the smaller set has
/// missed more of its 5-grams than a copy may (most pairs are not copies: they stop early).
pub fn is_copy(a: &Shingles, b: &Shingles) -> bool {
    let (small, large) = if a.0.len() <= b.0.len() { (&a.0, &b.0) } else { (&b.0, &a.0) };
    if small.is_empty() {
        return false;
    }
    // Misses allowed: the largest m with (|small| - m) / |small| >= COPY_CONTAINMENT.
    let allowed = ((1.0 - COPY_CONTAINMENT) * small.len() as f64 + 1e-9).floor() as usize;
    let (mut j, mut missed) = (0, 0usize);
    for &x in small.iter() {
        while j < large.len() && large[j] < x {
            j += 1;
        }
        if j < large.len() && large[j] == x {
            j += 1;
        } else {
            missed += 1;
            if missed > allowed {
                return false;
            }
        }
    }
    true
}

/// How near-duplicates are recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoryPolicy {
    /// Largest SimHash distance (bits) between two copies of one story.
    pub max_bits: u32,
    /// Only articles published this close in time can be copies of each other.
    pub window_secs: i64,
}

impl StoryPolicy {
    /// The largest distance within which the four bands of [`bands`] find every pair (four bits
    /// of difference can fall one in each band, and then no band is shared).
    pub const MAX_BITS: u32 = 3;
}

impl Default for StoryPolicy {
    fn default() -> Self {
        StoryPolicy { max_bits: Self::MAX_BITS, window_secs: 7 * 24 * 3600 }
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
    #[test]
    fn the_fast_paths_say_what_unicode_says() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let unicode = matches!(c, '\u{4E00}'..='\u{9FFF}') || c.is_alphanumeric();
            assert_eq!(is_letter_or_digit(c), unicode, "{c:?} U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn five_grams_of_letters_and_digits_only() {
        // Punctuation and spacing do not count; the 5-grams of what is left do.
        let a = shingles("江州马拉松，今天开跑！ “3万” 名跑者。");
        let b = shingles("江州马拉松今天开跑3万名跑者");
        assert_eq!(a, b);
        assert_eq!(a.0.len(), "江州马拉松今天开跑3万名跑者".chars().count() - 4);
        assert!(shingles("江州马拉").0.is_empty(), "four characters make no 5-gram");
        // Each window is its own: one character changed moves the five 5-grams that hold it.
        let c = shingles(&"江州马拉松今天开跑3万名跑者".replace('松', "树"));
        assert_eq!(containment(&b, &c), (b.0.len() - 5) as f64 / b.0.len() as f64);
    }

    #[test]
    fn is_copy_says_what_containment_says() {
        let base = "江州国际马拉松今日开跑三万名跑者沿江奔跑赛道风景秀丽沿途观众热情加油组委会表示明年将扩大规模";
        let chars: Vec<char> = base.chars().collect();
        let mut texts: Vec<String> = Vec::new();
        for cut in [0, 3, 8, 15, 25, 40] {
            texts.push(chars[cut..].iter().collect());
            texts.push(chars[..chars.len() - cut].iter().collect());
            let mut edited = chars.clone();
            for k in (cut..edited.len()).step_by(7).take(cut / 3 + 1) {
                edited[k] = '改';
            }
            texts.push(edited.into_iter().collect());
        }
        texts.push("完全无关的一篇文章讲述芯片工厂投产".into());
        texts.push(String::new());
        for a in &texts {
            for b in &texts {
                let (sa, sb) = (shingles(a), shingles(b));
                assert_eq!(is_copy(&sa, &sb), containment(&sa, &sb) >= COPY_CONTAINMENT, "{a} / {b}");
            }
        }
    }

    use super::*;

    #[test]
    fn copies_contain_each_other_rewrites_do_not() {
        let original = "火箭客场以18分的分差惨败给了雷霆，80分也创下了德安东尼执教火箭以来的新低。保罗仅得到10分5次助攻，还出现了5次失误。";
        let copy = format!("{original}（来源：某体育网）");
        let rewrite =
            "雷霆主场大胜火箭18分，火箭全场只得到80分，为德安东尼执教以来最低。保罗10分5助攻5失误，状态低迷。";
        let (a, b, c) = (shingles(original), shingles(&copy), shingles(rewrite));
        assert!(containment(&a, &b) >= COPY_CONTAINMENT);
        assert!(containment(&a, &c) < 0.5);
        assert_eq!(containment(&a, &shingles("")), 0.0);
    }

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
