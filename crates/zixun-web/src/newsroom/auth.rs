//! Who is asking: a session cookie (the editors' pages) or a Bearer token (the write API);
//! CSRF tokens; login throttling.

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use zixun_core::{SiteClock, newsroom::Actor};
use zixun_newsroom::{same_secret, token_hash};
use zixun_store::User;

use crate::{Ctx, error::ApiError};

pub const SESSION_COOKIE: &str = "zixun_session";
pub const LOGIN_CSRF_COOKIE: &str = "zixun_login_csrf";

pub fn actor(u: &User) -> Actor {
    Actor { user_id: u.id, name: u.name.clone(), role: u.role }
}

/// The value of cookie `name` in a request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

/// `Set-Cookie` value: HttpOnly always, `Secure` when the site is served over HTTPS.
pub fn set_cookie(name: &str, value: &str, path: &str, same_site: &str, secure: bool, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path={path}; HttpOnly; SameSite={same_site}");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    c
}

/// A signed-in newsroom user (pages under `/admin`). Without a live session the request is
/// sent to the login page, which brings the user back afterwards.
pub struct SessionActor {
    pub actor: Actor,
    pub csrf: String,
}

impl SessionActor {
    /// A state-changing form must carry the session's CSRF token.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), crate::error::PageError> {
        match sent {
            Some(t) if same_secret(t, &self.csrf) => Ok(()),
            _ => Err(crate::error::PageError {
                status: axum::http::StatusCode::FORBIDDEN,
                message: "表单已过期或来源不明（CSRF 校验失败），请返回重新提交".into(),
            }),
        }
    }
}

impl FromRequestParts<Ctx> for SessionActor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, ctx: &Ctx) -> Result<Self, Self::Rejection> {
        let login = || {
            let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/admin");
            let next = url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>();
            Redirect::to(&format!("/admin/login?next={next}")).into_response()
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(login());
        };
        let idle = ctx.newsroom.config.session_idle.as_secs() as i64;
        match ctx.newsroom.store.session(&token_hash(token), SiteClock::now(), idle).await {
            Ok(Some((user, csrf))) => Ok(SessionActor { actor: actor(&user), csrf }),
            Ok(None) => Err(login()),
            Err(e) => Err(crate::error::PageError::from(e).into_response()),
        }
    }
}

/// The user of an `Authorization: Bearer` token (the write API); 401 without a valid one.
pub struct ApiActor(pub Actor);

impl FromRequestParts<Ctx> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &Ctx) -> Result<Self, Self::Rejection> {
        match bearer_actor(&parts.headers, ctx).await? {
            Some(a) => Ok(ApiActor(a)),
            None => Err(ApiError::unauthorized()),
        }
    }
}

/// The token's user when a valid token is sent, `None` when no token is sent; an invalid or
/// revoked token is 401 either way.
pub async fn bearer_actor(headers: &HeaderMap, ctx: &Ctx) -> Result<Option<Actor>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim).unwrap_or("");
    if token.is_empty() {
        return Err(ApiError::unauthorized());
    }
    match ctx.newsroom.store.token_user(&token_hash(token), SiteClock::now()).await? {
        Some(u) => Ok(Some(actor(&u))),
        None => Err(ApiError::unauthorized()),
    }
}

/// The client's address: the socket's peer, or, when the peer is a trusted proxy
/// (`trusted_proxies`), the address the proxies name (see [`crate::client_addr`]).
pub struct ClientAddr(pub String);

impl FromRequestParts<Ctx> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, ctx: &Ctx) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
        let addr = match peer {
            Some(ip) => crate::client_addr::client_ip(ip, &parts.headers, &ctx.config.trusted_proxies).to_string(),
            None => "unknown".to_string(),
        };
        Ok(ClientAddr(addr))
    }
}
