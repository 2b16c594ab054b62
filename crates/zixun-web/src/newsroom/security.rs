//! Headers on every response: a Content-Security-Policy that allows no inline or outside
//! script and no framing, no MIME sniffing, and a referrer policy.

use axum::{
    extract::Request,
    http::{HeaderValue, header},
    middleware::Next,
    response::Response,
};

/// Images may come from anywhere (syndicated bodies keep their images where they are); scripts,
/// styles, forms and frames only from the site itself, and no one may frame us.
pub const CSP: &str = "default-src 'self'; img-src 'self' https: http: data:; style-src 'self'; script-src 'self'; \
                       object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}
