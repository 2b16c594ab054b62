//! 64-bit SimHash, for near-duplicate detection.

use super::{CorpusStats, TextAnalyzer, keywords::TermCounts};

impl TextAnalyzer {
    /// SimHash of the body alone (syndicated copies are often retitled): every keyword candidate,
    /// weighted tf × idf (the site's IDF when the corpus is big enough, else tf alone).
    pub(super) fn story_simhash(counts: &TermCounts<'_>, corpus: Option<&CorpusStats>) -> u64 {
        let corpus = corpus.filter(|c| c.is_usable());
        let weighted: Vec<(String, f64)> =
            counts.body.iter().map(|(w, n)| (w.to_string(), n * corpus.map_or(1.0, |c| c.idf(w)))).collect();
        simhash(&weighted)
    }
}

/// SimHash of weighted terms: each term's 64-bit hash votes its weight for or against every bit.
pub fn simhash(terms: &[(String, f64)]) -> u64 {
    let mut votes = [0f64; 64];
    for (term, weight) in terms {
        let h = term_hash(term);
        for (bit, vote) in votes.iter_mut().enumerate() {
            if h >> bit & 1 == 1 {
                *vote += weight;
            } else {
                *vote -= weight;
            }
        }
    }
    votes.iter().enumerate().fold(0u64, |acc, (bit, v)| if *v > 0.0 { acc | 1 << bit } else { acc })
}

pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// FNV-1a, then the splitmix64 finaliser so that short terms spread over all 64 bits.
/// Stable across builds and machines (stored hashes must stay comparable).
fn term_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d049bb133111eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use crate::text::TextAnalyzer;

    use super::*;

    const ORIGINAL: &str = "本市今年秋季流感疫苗接种工作全面启动，全市两百余家社区卫生服务中心提供接种服务。\
        疾控部门提醒，老年人、儿童和慢性病患者是流感高危人群，应尽早接种疫苗。\
        今年的流感疫苗包括三价和四价两种，市民可通过预约平台选择就近接种点。\
        专家表示，接种疫苗后约两周产生保护性抗体，保护效果可持续六到八个月。\
        此外，学校和养老机构将开展集中接种，减少聚集性疫情的发生。";

    #[test]
    fn light_edit_is_near_unrelated_is_far() {
        let a = TextAnalyzer::new(None).expect("analyzer");
        let edited = ORIGINAL.replace("两百余家", "二百多家").replace("此外，", "同时，");
        let unrelated =
            "国产大飞机完成新一轮试飞，航空公司计划明年引进更多机型，机场将扩建跑道和航站楼，民航运力持续提升。";
        let h = |title: &str, body: &str| a.analyze(title, body, None).simhash;
        let base = h("秋季流感疫苗接种启动", ORIGINAL);
        let copy = h("流感疫苗接种全面启动", &edited);
        let other = h("大飞机试飞成功", unrelated);
        assert!(hamming(base, copy) <= 8, "copy distance {}", hamming(base, copy));
        assert!(hamming(base, other) >= 16, "unrelated distance {}", hamming(base, other));
    }
}
