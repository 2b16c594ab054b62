//! What the law and the search engines ask every page to carry besides its content: the ICP
//! 备案 number (linked to the MIIT's register), the 公安 备案 number (linked to the MPS's
//! register, with its icon) and the engines' site verification tags.

use serde::Serialize;

/// The site's registrations (config `icp_beian`, `police_beian`, `[verification]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registrations {
    /// `京ICP备12345678号-1`
    pub icp_beian: Option<String>,
    /// `京公网安备11010502030143号`
    pub police_beian: Option<String>,
    pub verification: Verification,
}

/// Site verification codes, one per engine (config `[verification] baidu = "…"`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    pub baidu: Option<String>,
    pub google: Option<String>,
    pub bing: Option<String>,
    pub sogou: Option<String>,
    pub so360: Option<String>,
}

/// The MIIT's register, where every ICP number links.
pub const ICP_REGISTER: &str = "https://beian.miit.gov.cn/";
/// The MPS's register; the number's digits follow `code=`.
const POLICE_REGISTER: &str = "https://beian.mps.gov.cn/#/query/webSearch?code=";

/// A `<meta name content>` pair.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MetaTag {
    pub name: &'static str,
    pub content: String,
}

/// The 备案 part of the footer as templates show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Beian {
    pub text: String,
    pub url: String,
}

impl Registrations {
    pub fn icp(&self) -> Option<Beian> {
        let text = self.icp_beian.as_deref()?.trim();
        (!text.is_empty()).then(|| Beian { text: text.to_string(), url: ICP_REGISTER.to_string() })
    }

    /// The 公安 number and its register link; the link's code is the number's digits.
    pub fn police(&self) -> Option<Beian> {
        let text = self.police_beian.as_deref()?.trim();
        let code: String = text.chars().filter(char::is_ascii_digit).collect();
        (!code.is_empty()).then(|| Beian { text: text.to_string(), url: format!("{POLICE_REGISTER}{code}") })
    }

    /// The verification meta tags, under the names each engine reads.
    pub fn meta_tags(&self) -> Vec<MetaTag> {
        let v = &self.verification;
        [
            ("baidu-site-verification", &v.baidu),
            ("google-site-verification", &v.google),
            ("msvalidate.01", &v.bing),
            ("sogou_site_verification", &v.sogou),
            ("360-site-verification", &v.so360),
        ]
        .into_iter()
        .filter_map(|(name, code)| {
            let code = code.as_deref()?.trim();
            (!code.is_empty()).then(|| MetaTag { name, content: code.to_string() })
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_link_to_their_registers() {
        let r = Registrations {
            icp_beian: Some("京ICP备12345678号-1".into()),
            police_beian: Some("京公网安备11010502030143号".into()),
            verification: Verification {
                baidu: Some("codeva-abc".into()),
                so360: Some(" ".into()),
                ..Default::default()
            },
        };
        assert_eq!(r.icp().map(|b| b.url), Some("https://beian.miit.gov.cn/".to_string()));
        assert_eq!(
            r.police(),
            Some(Beian {
                text: "京公网安备11010502030143号".into(),
                url: "https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143".into()
            })
        );
        assert_eq!(r.meta_tags(), vec![MetaTag { name: "baidu-site-verification", content: "codeva-abc".into() }]);
        let none = Registrations { police_beian: Some("公网安备".into()), ..Default::default() };
        assert_eq!(none.police(), None, "a number without digits links nowhere");
        assert_eq!(none.icp(), None);
    }
}
