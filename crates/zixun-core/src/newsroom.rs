//! The newsroom's rules: roles, the editorial workflow and who may do what. Pure functions,
//! so that the web pages, the JSON API and the tests share one answer.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Writes and edits their own articles and submits them.
    Author,
    /// Publishes, edits, schedules and unpublishes anyone's.
    Editor,
    /// An editor who also manages users, sources and settings.
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "author" => Some(Role::Author),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Author => "author",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Author => "作者",
            Role::Editor => "编辑",
            Role::Admin => "管理员",
        }
    }

    pub fn publishes(self) -> bool {
        self >= Role::Editor
    }
}

/// Where an article stands in the newsroom. Only `Published` is visible to readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Workflow {
    Draft,
    /// Waiting for an editor.
    Submitted,
    /// Published by the scheduler at `publish_at`.
    Scheduled,
    Published,
    /// Taken down by an editor; kept, not shown.
    Unpublished,
    /// Deleted: kept for the audit trail, shown to no one.
    Deleted,
}

impl Workflow {
    pub fn parse(s: &str) -> Option<Workflow> {
        match s {
            "draft" => Some(Workflow::Draft),
            "submitted" => Some(Workflow::Submitted),
            "scheduled" => Some(Workflow::Scheduled),
            "published" => Some(Workflow::Published),
            "unpublished" => Some(Workflow::Unpublished),
            "deleted" => Some(Workflow::Deleted),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Workflow::Draft => "draft",
            Workflow::Submitted => "submitted",
            Workflow::Scheduled => "scheduled",
            Workflow::Published => "published",
            Workflow::Unpublished => "unpublished",
            Workflow::Deleted => "deleted",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Workflow::Draft => "草稿",
            Workflow::Submitted => "待审",
            Workflow::Scheduled => "定时发布",
            Workflow::Published => "已发布",
            Workflow::Unpublished => "已撤下",
            Workflow::Deleted => "已删除",
        }
    }
}

/// Someone acting in the newsroom (a session or an API token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub name: String,
    pub role: Role,
}

/// Why an act is refused (shown to the user; the HTTP layer answers 403).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Forbidden {
    #[error("只能修改自己的文章")]
    NotYours,
    #[error("作者不能修改已发布的文章，请联系编辑")]
    PublishedByAuthor,
    #[error("只有编辑和管理员可以发布、定时发布或撤下文章")]
    NotAnEditor,
    #[error("只有管理员可以执行此操作")]
    NotAnAdmin,
    #[error("只有编辑和管理员可以执行此操作")]
    EditorsOnly,
}

/// Shorter passwords are refused.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest account name.
pub const MAX_USER_NAME_CHARS: usize = 64;

/// Why an account cannot be made as asked (the form names the field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("用户名须为 1 到 {MAX_USER_NAME_CHARS} 个字符，不含控制字符")]
    Name,
    #[error("密码至少需要 {MIN_PASSWORD_CHARS} 个字符")]
    ShortPassword,
}

impl AccountError {
    pub fn field(&self) -> &'static str {
        match self {
            AccountError::Name => "name",
            AccountError::ShortPassword => "password",
        }
    }
}

/// An account name as it is stored (trimmed), if it is one.
pub fn user_name(name: &str) -> Result<&str, AccountError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_USER_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(AccountError::Name);
    }
    Ok(name)
}

pub fn check_password(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS { Err(AccountError::ShortPassword) } else { Ok(()) }
}

/// An article as far as permissions go: who owns it and where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owned {
    pub owner_id: Option<i64>,
    pub workflow: Workflow,
}

impl Actor {
    /// The 责任编辑 of an article this actor writes into `workflow`: the one given, else the
    /// one it has, else, when it goes out now, this (publishing) account.
    pub fn responsible_editor(
        &self,
        given: Option<String>,
        stored: Option<String>,
        workflow: Workflow,
    ) -> Option<String> {
        given.or(stored).or_else(|| (workflow == Workflow::Published).then(|| self.name.clone()))
    }

    /// Whether the actor may see an article that is not published.
    pub fn may_see(&self, a: Owned) -> bool {
        a.workflow != Workflow::Deleted && (self.role.publishes() || a.owner_id == Some(self.user_id))
    }

    /// Whether the actor may change (or delete) an existing article.
    pub fn may_edit(&self, a: Owned) -> Result<(), Forbidden> {
        if self.role.publishes() {
            return Ok(());
        }
        if a.owner_id != Some(self.user_id) {
            return Err(Forbidden::NotYours);
        }
        if matches!(a.workflow, Workflow::Published | Workflow::Scheduled) {
            return Err(Forbidden::PublishedByAuthor);
        }
        Ok(())
    }

    /// The state an article ends in when the actor asks for `wanted`: an author's "publish"
    /// becomes a submission; scheduling and unpublishing are an editor's.
    pub fn resulting_workflow(&self, wanted: Workflow) -> Result<Workflow, Forbidden> {
        match wanted {
            Workflow::Published if !self.role.publishes() => Ok(Workflow::Submitted),
            Workflow::Scheduled | Workflow::Unpublished if !self.role.publishes() => Err(Forbidden::NotAnEditor),
            other => Ok(other),
        }
    }

    pub fn require_admin(&self) -> Result<(), Forbidden> {
        if self.role == Role::Admin { Ok(()) } else { Err(Forbidden::NotAnAdmin) }
    }

    /// Sources and slots are kept by editors and admins.
    pub fn require_editor(&self) -> Result<(), Forbidden> {
        if self.role.publishes() { Ok(()) } else { Err(Forbidden::EditorsOnly) }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_publishing_account_answers_for_an_article_unless_another_is_named() {
        let editor = Actor { user_id: 2, name: "王宁".into(), role: Role::Editor };
        assert_eq!(editor.responsible_editor(None, None, Workflow::Published).as_deref(), Some("王宁"));
        assert_eq!(editor.responsible_editor(None, None, Workflow::Draft), None, "not out yet");
        assert_eq!(editor.responsible_editor(Some("李娜".into()), None, Workflow::Published).as_deref(), Some("李娜"));
        assert_eq!(
            editor.responsible_editor(None, Some("张明".into()), Workflow::Published).as_deref(),
            Some("张明"),
            "a correction keeps who published it"
        );
    }

    use super::*;

    fn actor(role: Role) -> Actor {
        Actor { user_id: 7, name: "x".into(), role }
    }

    #[test]
    fn authors_touch_only_their_unpublished_work() {
        let author = actor(Role::Author);
        let mine = Owned { owner_id: Some(7), workflow: Workflow::Draft };
        let theirs = Owned { owner_id: Some(8), workflow: Workflow::Draft };
        let live = Owned { owner_id: Some(7), workflow: Workflow::Published };
        let imported = Owned { owner_id: None, workflow: Workflow::Published };
        assert_eq!(author.may_edit(mine), Ok(()));
        assert_eq!(author.may_edit(theirs), Err(Forbidden::NotYours));
        assert_eq!(author.may_edit(live), Err(Forbidden::PublishedByAuthor));
        assert_eq!(author.may_edit(imported), Err(Forbidden::NotYours));
        assert!(author.may_see(mine) && !author.may_see(theirs));
        assert_eq!(author.resulting_workflow(Workflow::Published), Ok(Workflow::Submitted));
        assert_eq!(author.resulting_workflow(Workflow::Scheduled), Err(Forbidden::NotAnEditor));
        assert_eq!(author.require_admin(), Err(Forbidden::NotAnAdmin));
        assert_eq!(author.require_editor(), Err(Forbidden::EditorsOnly));
    }

    #[test]
    fn editors_and_admins_publish_anything() {
        for role in [Role::Editor, Role::Admin] {
            let a = actor(role);
            assert_eq!(a.may_edit(Owned { owner_id: Some(99), workflow: Workflow::Published }), Ok(()));
            assert_eq!(a.resulting_workflow(Workflow::Published), Ok(Workflow::Published));
            assert_eq!(a.resulting_workflow(Workflow::Unpublished), Ok(Workflow::Unpublished));
            assert!(!a.may_see(Owned { owner_id: Some(99), workflow: Workflow::Deleted }));
        }
        assert_eq!(actor(Role::Editor).require_admin(), Err(Forbidden::NotAnAdmin));
        assert_eq!(actor(Role::Admin).require_admin(), Ok(()));
        assert_eq!(actor(Role::Editor).require_editor(), Ok(()));
    }

    #[test]
    fn account_names_and_passwords_follow_one_rule() {
        assert_eq!(user_name("  王宁 "), Ok("王宁"));
        assert_eq!(user_name(" "), Err(AccountError::Name));
        assert_eq!(user_name("a\nb"), Err(AccountError::Name));
        assert_eq!(user_name(&"名".repeat(65)), Err(AccountError::Name));
        assert_eq!(check_password("短密码"), Err(AccountError::ShortPassword));
        assert_eq!(check_password("正确的马电池订书钉"), Err(AccountError::ShortPassword));
        assert_eq!(check_password("correct horse"), Ok(()));
    }
}
