use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
};

use crate::{Ctx, error::PageError};

/// Static assets: hashed names, so they are cached for a year.
pub async fn asset(State(ctx): State<Ctx>, Path(name): Path<String>) -> Response {
    match ctx.theme.asset(&name) {
        Some(a) => (
            [(header::CONTENT_TYPE, a.content_type), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")],
            a.bytes.clone(),
        )
            .into_response(),
        None => PageError::not_found().into_response(),
    }
}

/// `/favicon.ico`, which browsers and crawlers ask for whatever the page links: the theme's
/// icon (SVG, which every current browser takes as a favicon).
pub async fn favicon(State(ctx): State<Ctx>) -> Response {
    match ctx.theme.asset_url("favicon.svg") {
        Some(url) => Redirect::permanent(url).into_response(),
        None => PageError::not_found().into_response(),
    }
}
