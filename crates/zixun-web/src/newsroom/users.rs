//! `/admin/users`: accounts kept by admins in the browser — create with a role, change the role,
//! disable and enable (ends their sessions; their tokens stop), reset a password (ends their
//! sessions), each user's API tokens and revoking them. The last enabled admin cannot be demoted
//! or disabled; every act is in the audit log. The first admin still comes from the CLI.

use axum::{
    Form,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use minijinja::{context, value::Serde};
use serde::Serialize;
use zixun_core::{
    SiteClock,
    newsroom::{Role, check_password, user_name},
};
use zixun_store::{NewsroomStore, StoreError};

use super::{
    audit,
    auth::SessionActor,
    pages::{FormFields, admin_page, field},
};
use crate::{AppContext, Ctx, error::PageError};
use zixun_newsroom::hash_password;

#[derive(Serialize)]
struct TokenView {
    id: i64,
    label: Option<String>,
    created: String,
    last_used: Option<String>,
}

#[derive(Serialize)]
struct UserView {
    name: String,
    role: &'static str,
    role_label: &'static str,
    disabled: bool,
    created: String,
    tokens: Vec<TokenView>,
}

#[derive(Serialize, Default)]
struct NewUserForm {
    name: String,
    role: String,
}

async fn render(
    ctx: &AppContext,
    user: &SessionActor,
    notice: Option<&str>,
    error: Option<String>,
    form: &NewUserForm,
    status: StatusCode,
) -> Result<Response, PageError> {
    let store: &dyn NewsroomStore = ctx.store.as_ref();
    let tokens = store.tokens().await?;
    let users: Vec<UserView> = store
        .users()
        .await?
        .into_iter()
        .map(|u| UserView {
            tokens: tokens
                .iter()
                .filter(|t| t.user_name == u.name && t.revoked_at.is_none())
                .map(|t| TokenView {
                    id: t.id,
                    label: t.label.clone(),
                    created: ctx.clock.format(t.created_at),
                    last_used: t.last_used_at.map(|at| ctx.clock.format(at)),
                })
                .collect(),
            role: u.role.as_str(),
            role_label: u.role.label(),
            disabled: u.disabled,
            created: ctx.clock.format(u.created_at),
            name: u.name,
        })
        .collect();
    let roles: Vec<_> = [Role::Author, Role::Editor, Role::Admin]
        .into_iter()
        .map(|r| context! { value => r.as_str(), label => r.label() })
        .collect();
    admin_page(
        ctx,
        user,
        "admin_users.html",
        context! { users => Serde(users), roles => roles, notice => notice, error => error, form => Serde(form) },
        status,
    )
}

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "added" => "已创建用户",
        "role" => "已修改角色",
        "disabled" => "已停用：该用户的会话已结束，API 令牌失效",
        "enabled" => "已启用",
        "password" => "已重设密码：该用户的会话已结束",
        "revoked" => "已吊销令牌",
        "unchanged" => "没有变化",
        _ => return None,
    })
}

pub async fn list(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Query(q): Query<FormFields>,
) -> Result<Response, PageError> {
    user.actor.require_admin()?;
    let notice = q.get("done").and_then(|d| done_message(d));
    let form = NewUserForm { role: "author".into(), ..NewUserForm::default() };
    render(&ctx, &user, notice, None, &form, StatusCode::OK).await
}

/// A form's answer: back to the list with what was done, or the list again with why not.
async fn refused(ctx: &AppContext, user: &SessionActor, message: String) -> Result<Response, PageError> {
    let form = NewUserForm { role: "author".into(), ..NewUserForm::default() };
    render(ctx, user, None, Some(message), &form, StatusCode::UNPROCESSABLE_ENTITY).await
}

fn done(what: &str) -> Response {
    Redirect::to(&format!("/admin/users?done={what}")).into_response()
}

/// Hashing is CPU work (argon2): off the async threads.
async fn new_hash(password: String) -> Result<String, PageError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(PageError::internal)?
        .map_err(PageError::internal)
}

fn role_field(f: &FormFields) -> Result<Role, String> {
    Role::parse(&field(f, "role")).ok_or_else(|| "角色须为作者、编辑或管理员".to_string())
}

pub async fn add(State(ctx): State<Ctx>, user: SessionActor, Form(f): Form<FormFields>) -> Result<Response, PageError> {
    user.check_csrf(f.get("csrf").map(String::as_str))?;
    user.actor.require_admin()?;
    let form = NewUserForm { name: field(&f, "name"), role: field(&f, "role") };
    let reject = |message: String| render(&ctx, &user, None, Some(message), &form, StatusCode::UNPROCESSABLE_ENTITY);
    let name = match user_name(&form.name) {
        Ok(n) => n.to_string(),
        Err(e) => return reject(e.to_string()).await,
    };
    let role = match role_field(&f) {
        Ok(r) => r,
        Err(m) => return reject(m).await,
    };
    let password = f.get("password").cloned().unwrap_or_default();
    if let Err(e) = check_password(&password) {
        return reject(e.to_string()).await;
    }
    let hash = new_hash(password).await?;
    match ctx.store.add_user(&name, role, &hash).await {
        Ok(_) => {}
        Err(StoreError::Conflict(_)) => return reject(format!("用户名 {name:?} 已被使用")).await,
        Err(e) => return Err(e.into()),
    }
    audit(&ctx.newsroom, &user.actor, "user_add", None, &format!("{name} ({})", role.as_str())).await?;
    Ok(done("added"))
}

/// Runs a change that may leave the site without an admin; says so in words if it would.
async fn guarded(
    ctx: &AppContext,
    user: &SessionActor,
    name: &str,
    change: Result<bool, StoreError>,
) -> Result<Option<Response>, PageError> {
    match change {
        Ok(true) => Ok(None),
        Ok(false) => Ok(Some(refused(ctx, user, format!("没有名为 {name:?} 的用户")).await?)),
        Err(StoreError::LastAdmin) => {
            Ok(Some(refused(ctx, user, "不能降级或停用最后一位启用中的管理员".into()).await?))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn set_role(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Form(f): Form<FormFields>,
) -> Result<Response, PageError> {
    user.check_csrf(f.get("csrf").map(String::as_str))?;
    user.actor.require_admin()?;
    let name = field(&f, "name");
    let role = match role_field(&f) {
        Ok(r) => r,
        Err(m) => return refused(&ctx, &user, m).await,
    };
    let store: &dyn NewsroomStore = ctx.store.as_ref();
    if store.user_by_name(&name).await?.is_some_and(|u| u.role == role) {
        return Ok(done("unchanged"));
    }
    if let Some(res) = guarded(&ctx, &user, &name, store.set_role(&name, role).await).await? {
        return Ok(res);
    }
    audit(&ctx.newsroom, &user.actor, "user_role", None, &format!("{name} → {}", role.as_str())).await?;
    Ok(done("role"))
}

pub async fn set_disabled(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Form(f): Form<FormFields>,
) -> Result<Response, PageError> {
    user.check_csrf(f.get("csrf").map(String::as_str))?;
    user.actor.require_admin()?;
    let name = field(&f, "name");
    let disabled = field(&f, "disabled") != "0";
    let store: &dyn NewsroomStore = ctx.store.as_ref();
    if store.user_by_name(&name).await?.is_some_and(|u| u.disabled == disabled) {
        return Ok(done("unchanged"));
    }
    if let Some(res) = guarded(&ctx, &user, &name, store.set_disabled(&name, disabled).await).await? {
        return Ok(res);
    }
    let action = if disabled { "user_disable" } else { "user_enable" };
    audit(&ctx.newsroom, &user.actor, action, None, &name).await?;
    Ok(done(if disabled { "disabled" } else { "enabled" }))
}

pub async fn reset_password(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Form(f): Form<FormFields>,
) -> Result<Response, PageError> {
    user.check_csrf(f.get("csrf").map(String::as_str))?;
    user.actor.require_admin()?;
    let name = field(&f, "name");
    let password = f.get("password").cloned().unwrap_or_default();
    if let Err(e) = check_password(&password) {
        return refused(&ctx, &user, e.to_string()).await;
    }
    let hash = new_hash(password).await?;
    if !ctx.store.set_password(&name, &hash).await? {
        return refused(&ctx, &user, format!("没有名为 {name:?} 的用户")).await;
    }
    audit(&ctx.newsroom, &user.actor, "user_password", None, &name).await?;
    Ok(done("password"))
}

pub async fn revoke_token(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Form(f): Form<FormFields>,
) -> Result<Response, PageError> {
    user.check_csrf(f.get("csrf").map(String::as_str))?;
    user.actor.require_admin()?;
    let Ok(id) = field(&f, "id").parse::<i64>() else {
        return refused(&ctx, &user, "令牌编号无效".into()).await;
    };
    if !ctx.store.revoke_token(id, SiteClock::now()).await? {
        return refused(&ctx, &user, "没有这个令牌，或它已被吊销".into()).await;
    }
    audit(&ctx.newsroom, &user.actor, "token_revoke", None, &format!("token {id}")).await?;
    Ok(done("revoked"))
}
