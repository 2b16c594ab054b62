//! `zixun users add|list|passwd|disable`

use std::{
    io::{BufRead, IsTerminal},
    process::ExitCode,
};

use anyhow::{Context, Result, bail};
use zixun_core::newsroom::{MAX_USER_NAME_CHARS, MIN_PASSWORD_CHARS, Role, check_password, user_name};
use zixun_newsroom::hash_password;

use crate::{cli::UsersCommand, config::Config, runtime};

pub async fn run(config: &Config, cmd: &UsersCommand) -> Result<ExitCode> {
    let store = runtime::open_store(config).await?;
    let clock = runtime::clock(config)?;
    match cmd {
        UsersCommand::Add { name, role } => {
            let name = user_name(name).map_err(|_| {
                anyhow::anyhow!("a user name is 1 to {MAX_USER_NAME_CHARS} characters, without control characters")
            })?;
            let role = Role::parse(role).context("role must be admin, editor or author")?;
            let hash = new_password_hash()?;
            let user = store.add_user(name, role, &hash).await?;
            println!("added {} ({})", user.name, user.role.as_str());
        }
        UsersCommand::List => {
            for u in store.users().await? {
                let state = if u.disabled { "disabled" } else { "active" };
                println!("{}\t{}\t{}\tsince {}", u.name, u.role.as_str(), state, clock.format(u.created_at));
            }
        }
        UsersCommand::Passwd { name } => {
            if store.user_by_name(name).await?.is_none() {
                bail!("no user named {name:?}");
            }
            let hash = new_password_hash()?;
            store.set_password(name, &hash).await?;
            println!("password changed for {name}; their sessions are ended");
        }
        UsersCommand::Disable { name, enable } => {
            if !store.set_disabled(name, !enable).await? {
                bail!("no user named {name:?}");
            }
            println!("{name} {}", if *enable { "enabled" } else { "disabled; their sessions are ended" });
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Asks twice on a terminal; reads one line from standard input otherwise (scripts, tests).
fn new_password_hash() -> Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("password: ").context("cannot read the password")?;
        let again = rpassword::prompt_password("again: ").context("cannot read the password")?;
        if first != again {
            bail!("the two passwords differ");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    if check_password(&password).is_err() {
        bail!("a password needs at least {MIN_PASSWORD_CHARS} characters");
    }
    hash_password(&password).map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}
