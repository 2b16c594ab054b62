//! Extractive summaries: TextRank over sentences, cut at a sentence end.

use std::collections::HashSet;

use super::TextAnalyzer;

/// Sentences beyond this many are not ranked (the lead of a news story carries it).
const MAX_SENTENCES: usize = 60;
const DAMPING: f64 = 0.85;
const ITERATIONS: usize = 30;

impl TextAnalyzer {
    /// The most central sentences of `text`, in their order in the text, at most `max_chars`
    /// characters, always ending at a sentence end. If no whole sentence fits, the first sentence
    /// is cut at its last clause break (，；、) within the limit and ends with `…`.
    pub fn summary(&self, text: &str, max_chars: usize) -> String {
        let sentences = split_sentences(text);
        if sentences.is_empty() {
            return String::new();
        }
        let ranked = self.rank_sentences(&sentences);
        let mut chosen: Vec<usize> = Vec::new();
        let mut used = 0;
        for &i in &ranked {
            let n = sentences[i].chars().count();
            if used + n <= max_chars {
                chosen.push(i);
                used += n;
            }
        }
        if chosen.is_empty() {
            return cut_at_clause(sentences[ranked[0]], max_chars);
        }
        chosen.sort_unstable();
        chosen.iter().map(|&i| sentences[i]).collect::<String>()
    }

    /// Sentence indices, most central first. Similarity is TextRank's: shared words over the
    /// log lengths. A small lead bonus favours the first sentences, as news is written.
    fn rank_sentences(&self, sentences: &[&str]) -> Vec<usize> {
        let words: Vec<HashSet<&str>> = sentences
            .iter()
            .map(|s| self.cut(s).into_iter().filter(|w| w.chars().count() >= 2 && !self.is_stop_word(w)).collect())
            .collect();
        let n = sentences.len();
        let mut weights = vec![vec![0f64; n]; n];
        for i in 0..n {
            for j in i + 1..n {
                let common = words[i].intersection(&words[j]).count() as f64;
                let (a, b) = (words[i].len() as f64, words[j].len() as f64);
                if common > 0.0 && a > 1.0 && b > 1.0 {
                    let w = common / (a.ln() + b.ln());
                    weights[i][j] = w;
                    weights[j][i] = w;
                }
            }
        }
        let out_sums: Vec<f64> = weights.iter().map(|row| row.iter().sum()).collect();
        let mut score = vec![1.0f64; n];
        for _ in 0..ITERATIONS {
            let mut next = vec![1.0 - DAMPING; n];
            for (i, next_i) in next.iter_mut().enumerate() {
                for j in 0..n {
                    if weights[j][i] > 0.0 && out_sums[j] > 0.0 {
                        *next_i += DAMPING * weights[j][i] / out_sums[j] * score[j];
                    }
                }
            }
            score = next;
        }
        for (i, s) in score.iter_mut().enumerate() {
            *s *= 1.0 + 0.5 / (1.0 + i as f64);
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
        order
    }
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?' | '…')
}

/// Sentences with their end punctuation (and a closing quote after it) kept.
fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let mut start = 0;
        let mut iter = line.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            if is_sentence_end(c) {
                let mut end = i + c.len_utf8();
                while let Some(&(j, next)) = iter.peek() {
                    if matches!(next, '”' | '’' | '"' | '）' | ')') || is_sentence_end(next) {
                        end = j + next.len_utf8();
                        iter.next();
                    } else {
                        break;
                    }
                }
                let s = line[start..end].trim();
                if s.chars().count() > 1 {
                    out.push(s);
                }
                start = end;
            }
        }
        let rest = line[start..].trim();
        // A line without an end mark (a head such as 小结:) is not a sentence of the story.
        if rest.chars().count() > 24 {
            out.push(rest);
        }
        if out.len() >= MAX_SENTENCES {
            out.truncate(MAX_SENTENCES);
            break;
        }
    }
    out
}

fn cut_at_clause(sentence: &str, max_chars: usize) -> String {
    let head: String = sentence.chars().take(max_chars.saturating_sub(1)).collect();
    let cut = head.rfind(['，', '；', '、', ',', ';']).map(|i| &head[..i]).unwrap_or(&head);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_ends_at_a_sentence_end() {
        let a = TextAnalyzer::new(None).expect("analyzer");
        let text = "今年秋季流感疫苗接种工作全面启动。全市两百余家社区卫生服务中心提供流感疫苗接种服务！\n\
            小结:\n疾控部门提醒，老年人和儿童应尽早接种流感疫苗。天气转凉，注意保暖。专家说：“接种疫苗是预防流感最有效的手段。”";
        let s = a.summary(text, 80);
        assert!(!s.is_empty());
        assert!(s.chars().count() <= 80, "{s}");
        let last = s.chars().last().unwrap_or(' ');
        assert!(matches!(last, '。' | '！' | '？' | '”'), "{s}");
        assert!(!s.contains("小结"));
        // One long sentence: cut at a clause break, never mid-character.
        let long = "这是一个非常长的句子，".repeat(30);
        let s = a.summary(&long, 40);
        assert!(s.chars().count() <= 40 && s.ends_with('…'), "{s}");
    }
}
