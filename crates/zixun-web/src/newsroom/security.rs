//! Headers on every response: a Content-Security-Policy that allows no inline or outside
//! script and no framing, no MIME sniffing, and a referrer policy.

use axum::{
    extract::{Request, State},
    http::{HeaderValue, header},
    middleware::Next,
    response::Response,
};

use crate::Ctx;

/// The policy of every page: images may come from anywhere (syndicated bodies keep their
/// images where they are); scripts, styles, forms and frames only from the site itself, and no
/// one may frame us. A configured analytics script's origin (`analytics_script`) may also run
/// scripts and receive its beacons; nothing else may.
pub fn content_security_policy(analytics_origin: Option<&str>) -> String {
    let extra = analytics_origin.map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'self'; img-src 'self' https: http: data:; style-src 'self'; script-src 'self'{extra}; \
         connect-src 'self'{extra}; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub async fn security_headers(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, ctx.csp.clone());
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}
