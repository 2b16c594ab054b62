//! `GET /api/openapi.json`: the OpenAPI 3.1 document of the JSON API, generated (utoipa) from
//! the handlers' own annotations and the types they answer with.

use std::sync::OnceLock;

use axum::{
    Json,
    http::header,
    response::{IntoResponse, Response},
};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use super::{articles, hot, search, slots, trending, write};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "zixun 资讯 API",
        description = "Articles, 相关内容, 热门资讯, 热词 and search of a zixun news portal; writes with a newsroom token.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(
        articles::list,
        articles::get_one,
        articles::related,
        write::create,
        write::update,
        write::remove,
        hot::hot,
        search::search,
        slots::slot,
        trending::trending,
    ),
    modifiers(&BearerToken),
    tags(
        (name = "articles", description = "what readers see"),
        (name = "lists", description = "热门资讯, 热词 and the editors' slots (推荐位)"),
        (name = "search", description = "Chinese full-text search with highlights"),
        (name = "newsroom", description = "writes, with `Authorization: Bearer <token>` (`zixun tokens add`)"),
    )
)]
pub struct ApiDoc;

/// The `bearer` scheme the write operations name.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn document() -> Response {
    static DOCUMENT: OnceLock<serde_json::Value> = OnceLock::new();
    let doc = DOCUMENT.get_or_init(|| serde_json::to_value(ApiDoc::openapi()).unwrap_or_default());
    ([(header::CACHE_CONTROL, "public, max-age=300")], Json(doc.clone())).into_response()
}
