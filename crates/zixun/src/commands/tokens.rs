//! `zixun tokens add|list|revoke`

use std::process::ExitCode;

use anyhow::{Result, bail};
use zixun_core::SiteClock;
use zixun_newsroom::{new_token, token_hash};

use crate::{cli::TokensCommand, config::Config, runtime};

pub async fn run(config: &Config, cmd: &TokensCommand) -> Result<ExitCode> {
    let store = runtime::open_store(config).await?;
    let clock = runtime::clock(config)?;
    match cmd {
        TokensCommand::Add { user, label } => {
            let Some(u) = store.user_by_name(user).await? else { bail!("no user named {user:?}") };
            if u.disabled {
                bail!("{user} is disabled");
            }
            let token = new_token();
            let id = store.add_token(u.id, &token_hash(&token), label.as_deref(), SiteClock::now()).await?;
            eprintln!("token {id} for {} ({}); it is shown only this once:", u.name, u.role.as_str());
            println!("{token}");
        }
        TokensCommand::List => {
            for t in store.tokens().await? {
                let used =
                    t.last_used_at.map_or("never used".to_string(), |at| format!("last used {}", clock.format(at)));
                let state = t.revoked_at.map_or("active".to_string(), |at| format!("revoked {}", clock.format(at)));
                println!(
                    "{}\t{}\t{}\tcreated {}\t{used}\t{state}",
                    t.id,
                    t.user_name,
                    t.label.as_deref().unwrap_or("-"),
                    clock.format(t.created_at)
                );
            }
        }
        TokensCommand::Revoke { id } => {
            if !store.revoke_token(*id, SiteClock::now()).await? {
                bail!("no active token with id {id} (see `zixun tokens list`)");
            }
            println!("revoked token {id}");
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
