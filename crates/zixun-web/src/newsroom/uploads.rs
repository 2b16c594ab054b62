//! Images for articles: uploaded by signed-in users, recognised by their bytes (not by the name
//! or the type the browser claims), stored under their content hash, served with a fixed type.

use axum::{
    extract::{Multipart, Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use minijinja::{context, value::Serde};
use zixun_media::ImageName;

use super::{audit, auth::SessionActor};
use crate::{Ctx, error::PageError};

/// The content type of a stored name; `None` for anything that is not one.
fn content_type(name: &str) -> Option<&'static str> {
    ImageName::parse(name).map(|n| n.format.mime())
}

pub async fn upload(State(ctx): State<Ctx>, user: SessionActor, mut form: Multipart) -> Result<Response, PageError> {
    let limit = ctx.newsroom.config.upload_max_bytes;
    let (mut csrf, mut file) = (None, None);
    while let Some(field) = form.next_field().await.map_err(|e| PageError::bad_request(format!("上传失败：{e}")))?
    {
        match field.name() {
            Some("csrf") => csrf = field.text().await.ok(),
            Some("image") => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| PageError::bad_request(format!("图片过大：不能超过 {} MB", limit / (1024 * 1024))))?;
                file = Some(bytes);
            }
            _ => {}
        }
    }
    user.check_csrf(csrf.as_deref())?;
    let bytes = file.filter(|b| !b.is_empty()).ok_or_else(|| PageError::bad_request("没有选择图片"))?;
    if bytes.len() > limit {
        return Err(PageError::bad_request(format!("图片过大：不能超过 {} MB", limit / (1024 * 1024))));
    }
    let watermark = ctx.newsroom.config.watermark.clone();
    // Decoding, resizing and encoding are CPU work: off the async threads.
    let processed = tokio::task::spawn_blocking(move || zixun_media::process(&bytes, limit, watermark.as_deref()))
        .await
        .map_err(|e| PageError::internal(format!("image task: {e}")))?
        .map_err(|e| PageError::bad_request(e.to_string()))?;
    // In the backend: the data folder with SQLite, the database with PostgreSQL (every node).
    // The variants first: an image's address never shows before its variants exist.
    for f in processed.in_store_order() {
        ctx.store.put_upload(&f.name.to_string(), &f.bytes).await?;
    }
    let name = processed.image.name.to_string();
    let bytes = processed.image.bytes.len();
    audit(&ctx.newsroom, &user.actor, "upload", None, &name).await?;
    let url = format!("/uploads/{name}");
    let page = ctx.theme.render(
        "admin_uploaded.html",
        context! { site => ctx.site_globals(), user => Serde(&user.actor), url => url, bytes => bytes,
        width => processed.image.name.size.map(|s| s.0), height => processed.image.name.size.map(|s| s.1),
        variants => processed.variants.len() },
    )?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response())
}

pub async fn serve_upload(State(ctx): State<Ctx>, Path(name): Path<String>) -> Response {
    let Some(ctype) = content_type(&name) else { return PageError::not_found().into_response() };
    match ctx.store.upload(&name).await {
        Ok(Some(bytes)) => {
            let mut res = (StatusCode::OK, bytes).into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
            // Even if a browser were talked into rendering it, it would run nothing.
            h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
            res
        }
        Ok(None) => PageError::not_found().into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_stored_names_are_served() {
        let h = "0123456789abcdef0123456789abcdef";
        assert_eq!(content_type(&format!("{h}.png")), Some("image/png"));
        assert_eq!(content_type(&format!("{h}-1600x900-640.webp")), Some("image/webp"));
        assert_eq!(content_type(&format!("{h}-1600x900.jpg")), Some("image/jpeg"));
        assert_eq!(content_type("../../zixun.db"), None);
        assert_eq!(content_type(&format!("{h}.svg")), None);
    }
}
