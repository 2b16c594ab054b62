//! The one normalisation that search and analysis share: full-width to half-width, case
//! folding and Traditional to Simplified, one output character per input character so that
//! token offsets still point into the original text.

/// Normalises `s`. The result has exactly as many characters as `s`.
pub fn normalize(s: &str) -> String {
    let folded: String = s.chars().map(fold_char).collect();
    if !folded.chars().any(|c| c.len_utf8() == 3) {
        return folded;
    }
    let simplified = fast2s::convert(&folded);
    // fast2s maps char to char; keep the guarantee even if a table entry ever did not.
    if simplified.chars().count() == folded.chars().count() { simplified } else { folded }
}

fn fold_char(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    };
    if c.is_uppercase() { c.to_lowercase().next().unwrap_or(c) } else { c }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn folds_width_case_and_script() {
        assert_eq!(normalize("ＸＡＩ"), "xai");
        assert_eq!(normalize("馬斯克"), "马斯克");
        assert_eq!(normalize("英偉達ＧＰＵ　晶片"), "英伟达gpu 晶片");
        let s = "繁體中文，Ｆｕｌｌ";
        assert_eq!(normalize(s).chars().count(), s.chars().count());
    }
}
