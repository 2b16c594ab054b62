//! Images for articles: uploaded by signed-in users, recognised by their bytes (not by the name
//! or the type the browser claims), stored under their content hash, served with a fixed type.

use axum::{
    extract::{Multipart, Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use minijinja::{context, value::Serde};

use super::{auth::SessionActor, edit::audit};
use crate::{Ctx, error::PageError};

/// The image formats accepted, by their leading bytes.
fn image_kind(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    match bytes {
        [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, ..] => Some(("png", "image/png")),
        [0xff, 0xd8, 0xff, ..] => Some(("jpg", "image/jpeg")),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some(("gif", "image/gif")),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(("webp", "image/webp")),
        _ => None,
    }
}

fn content_type(name: &str) -> Option<&'static str> {
    let (stem, ext) = name.split_once('.')?;
    if stem.len() != 32 || !stem.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
        return None;
    }
    match ext {
        "png" => Some("image/png"),
        "jpg" => Some("image/jpeg"),
        "gif" => Some("image/gif"),
        "webp" => Some("image/webp"),
        _ => None,
    }
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
    let (ext, _) = image_kind(&bytes).ok_or_else(|| PageError::bad_request("只接受 PNG、JPEG、GIF 或 WebP 图片"))?;
    let name = format!("{}.{ext}", &blake3::hash(&bytes).to_hex()[..32]);
    // In the backend: the data folder with SQLite, the database with PostgreSQL (every node).
    ctx.store.put_upload(&name, &bytes).await?;
    audit(&ctx, &user.actor, "upload", None, &name).await?;
    let url = format!("/uploads/{name}");
    let page = ctx.theme.render(
        "admin_uploaded.html",
        context! { site => ctx.site_globals(), user => Serde(&user.actor), url => url, bytes => bytes.len() },
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
    fn images_are_known_by_their_bytes() {
        assert_eq!(image_kind(b"\x89PNG\r\n\x1a\n...."), Some(("png", "image/png")));
        assert_eq!(image_kind(b"\xff\xd8\xff\xe0"), Some(("jpg", "image/jpeg")));
        assert_eq!(image_kind(b"<svg onload=alert(1)>"), None);
        assert_eq!(image_kind(b"<html><script>"), None);
        assert_eq!(content_type("0123456789abcdef0123456789abcdef.png"), Some("image/png"));
        assert_eq!(content_type("../../zixun.db"), None);
        assert_eq!(content_type("0123456789abcdef0123456789abcdef.svg"), None);
    }
}
