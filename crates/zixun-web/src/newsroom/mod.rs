//! The newsroom: sign-in, the editors' pages under `/admin`, uploads, and what the write API
//! shares with them (authentication, the one edit path, the audit log).

mod auth;
pub(crate) mod dashboard;
mod history;
mod pages;
mod security;
mod slots;
mod sources;
mod uploads;
mod users;

pub use auth::{ApiActor, bearer_actor};
use axum::{
    Router,
    extract::DefaultBodyLimit,
    routing::{get, post},
};
pub use security::{content_security_policy, security_headers};
pub use zixun_newsroom::{
    EditError, EditRequest, LoginThrottle, Newsroom, NewsroomConfig, apply_edit, audit, delete, visible_article,
};

use crate::Ctx;

pub fn router(upload_max_bytes: usize) -> Router<Ctx> {
    Router::new()
        .route("/admin/login", get(pages::login_form).post(pages::login))
        .route("/admin/logout", post(pages::logout))
        .route("/admin", get(pages::article_list))
        .route("/admin/new", get(pages::new_article))
        .route("/admin/a/{id}", get(pages::edit_article))
        .route("/admin/save", post(pages::save))
        .route("/admin/a/{id}/history", get(history::history))
        .route("/admin/a/{id}/restore", post(history::restore))
        .route("/admin/upload", post(uploads::upload).layer(DefaultBodyLimit::max(upload_max_bytes + 64 * 1024)))
        .route("/admin/audit", get(pages::audit_log))
        .route("/admin/sources", get(sources::list).post(sources::add))
        .route("/admin/sources.opml", get(sources::export))
        .route("/admin/sources/import", post(sources::import))
        .route("/admin/sources/{id}", get(sources::show).post(sources::save))
        .route("/admin/sources/{id}/pause", post(sources::pause))
        .route("/admin/sources/{id}/fetch", post(sources::fetch_now))
        .route("/admin/sources/{id}/remove", post(sources::remove))
        .route("/admin/users", get(users::list).post(users::add))
        .route("/admin/users/role", post(users::set_role))
        .route("/admin/users/disable", post(users::set_disabled))
        .route("/admin/users/password", post(users::reset_password))
        .route("/admin/tokens/revoke", post(users::revoke_token))
        .route("/admin/slots", get(slots::list).post(slots::add))
        .route("/admin/slots/move", post(slots::move_item))
        .route("/admin/slots/remove", post(slots::remove))
        .route("/uploads/{name}", get(uploads::serve_upload))
}
