//! `/{key}.txt`: the IndexNow key file, by which the engines check that a submission comes
//! from the site (its body is the key).

use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};

use crate::{Ctx, error::PageError};

pub async fn key_file(State(ctx): State<Ctx>, Path(file): Path<String>) -> Response {
    match (&ctx.config.indexnow_key, file.strip_suffix(".txt")) {
        (Some(key), Some(asked)) if asked == key => {
            ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], key.clone()).into_response()
        }
        _ => PageError::not_found().into_response(),
    }
}
