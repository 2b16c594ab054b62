//! The theme: minijinja templates and assets embedded in the binary, each overridable by a file
//! of the same name in a theme folder. Autoescaping is on for every `.html` template.

use std::{collections::HashMap, path::Path, sync::Arc};

use minijinja::{Environment, Value};
use zixun_core::SiteClock;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../theme/templates/base.html")),
    ("article.html", include_str!("../theme/templates/article.html")),
    ("list.html", include_str!("../theme/templates/list.html")),
    ("search.html", include_str!("../theme/templates/search.html")),
    ("error.html", include_str!("../theme/templates/error.html")),
    ("hot.html", include_str!("../theme/templates/hot.html")),
    ("admin_nav.html", include_str!("../theme/templates/admin_nav.html")),
    ("admin_login.html", include_str!("../theme/templates/admin_login.html")),
    ("admin_list.html", include_str!("../theme/templates/admin_list.html")),
    ("admin_edit.html", include_str!("../theme/templates/admin_edit.html")),
    ("admin_uploaded.html", include_str!("../theme/templates/admin_uploaded.html")),
    ("admin_audit.html", include_str!("../theme/templates/admin_audit.html")),
    ("admin_sources.html", include_str!("../theme/templates/admin_sources.html")),
    ("admin_source.html", include_str!("../theme/templates/admin_source.html")),
    ("admin_users.html", include_str!("../theme/templates/admin_users.html")),
    ("admin_slots.html", include_str!("../theme/templates/admin_slots.html")),
    ("admin_dashboard.html", include_str!("../theme/templates/admin_dashboard.html")),
    ("admin_history.html", include_str!("../theme/templates/admin_history.html")),
];

const ASSETS: &[(&str, &str, &[u8])] = &[
    ("style.css", "text/css; charset=utf-8", include_bytes!("../theme/assets/style.css")),
    ("reader.js", "text/javascript; charset=utf-8", include_bytes!("../theme/assets/reader.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../theme/assets/favicon.svg")),
    ("police.svg", "image/svg+xml", include_bytes!("../theme/assets/police.svg")),
];

/// A static asset, served under a name with its content hash (`style.3f2a1b9c.css`) so that
/// it can be cached for a year.
pub struct Asset {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

#[derive(Clone)]
pub struct Theme {
    env: Arc<Environment<'static>>,
    /// hashed name → asset
    assets: Arc<HashMap<String, Asset>>,
    /// plain name → hashed URL path
    asset_urls: Arc<HashMap<String, String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("theme file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("template {name}: {source}")]
    Template { name: String, source: minijinja::Error },
}

impl Theme {
    /// The embedded theme, with files from `dir` (if any) taking precedence.
    pub fn load(dir: Option<&Path>, clock: SiteClock) -> Result<Self, ThemeError> {
        let read = |kind: &str, name: &str| -> Result<Option<Vec<u8>>, ThemeError> {
            let Some(dir) = dir else { return Ok(None) };
            let path = dir.join(kind).join(name);
            match std::fs::read(&path) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(ThemeError::File { path: path.display().to_string(), reason: e.to_string() }),
            }
        };
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            let source = match read("templates", name)? {
                Some(bytes) => String::from_utf8(bytes)
                    .map_err(|_| ThemeError::File { path: name.to_string(), reason: "not UTF-8".into() })?,
                None => source.to_string(),
            };
            env.add_template_owned(name.to_string(), source)
                .map_err(|source| ThemeError::Template { name: name.to_string(), source })?;
        }
        env.add_filter("cut", |s: String, n: usize| zixun_core::html::cut(&s, n));
        let c = clock.clone();
        env.add_filter("datetime", move |ts: i64| c.format(ts));
        let mut assets = HashMap::new();
        let mut asset_urls = HashMap::new();
        for (name, content_type, bytes) in ASSETS {
            let bytes = read("assets", name)?.unwrap_or_else(|| bytes.to_vec());
            let hash = blake3::hash(&bytes).to_hex();
            let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
            let hashed = format!("{stem}.{}.{ext}", &hash[..10]);
            asset_urls.insert(name.to_string(), format!("/static/{hashed}"));
            assets.insert(hashed, Asset { content_type, bytes });
        }
        env.add_global("assets", Value::from(minijinja::value::Serde(&asset_urls)));
        Ok(Theme { env: Arc::new(env), assets: Arc::new(assets), asset_urls: Arc::new(asset_urls) })
    }

    /// Renders `name`; a reader page also sees `page_view` (its path and view, see
    /// [`crate::script`])
    /// and, in the 繁體 view, comes out in Traditional characters.
    pub fn render(&self, name: &str, ctx: Value) -> Result<String, minijinja::Error> {
        let page = crate::script::current();
        let scope = page.as_ref().map(|p| minijinja::context! { path => p.path.clone(), hant => p.hant });
        let html = self.env.get_template(name)?.render(minijinja::context! { page_view => scope, ..ctx })?;
        Ok(match page {
            Some(p) if p.hant => crate::script::to_traditional(&html),
            _ => html,
        })
    }

    pub fn asset(&self, hashed_name: &str) -> Option<&Asset> {
        self.assets.get(hashed_name)
    }

    pub fn asset_url(&self, name: &str) -> Option<&str> {
        self.asset_urls.get(name).map(String::as_str)
    }
}
