//! `zixun push log`

use std::process::ExitCode;

use anyhow::Result;
use zixun_store::PushState;

use crate::{config::Config, runtime};

pub async fn log(config: &Config, limit: u32) -> Result<ExitCode> {
    let store = runtime::open_store(config).await?;
    let clock = runtime::clock(config)?;
    let entries = store.push_log(limit).await?;
    if entries.is_empty() {
        let state = if config.push_engines()?.is_empty() {
            "no engine is configured (baidu_push_token, indexnow_key)"
        } else {
            "nothing pushed yet: stories first published while `zixun serve` runs are pushed"
        };
        println!("push log is empty: {state}");
    }
    for p in &entries {
        let when = clock.format(p.tried_at.unwrap_or(p.queued_at));
        let result = p.result.as_deref().unwrap_or("-");
        println!("{when}\t{}\t{}\t{} attempts\t{}\t{result}", p.target, p.state.as_str(), p.attempts, p.url);
    }
    // The quota as each engine last said, and what still waits.
    let mut targets: Vec<&str> = entries.iter().map(|p| p.target.as_str()).collect();
    targets.sort_unstable();
    targets.dedup();
    for target in targets {
        let of = || entries.iter().filter(move |p| p.target == target);
        let waiting = of().filter(|p| p.state == PushState::Pending).count();
        match of().filter(|p| p.state == PushState::Pushed).find_map(|p| p.remain) {
            Some(remain) => println!("{target}: {remain} left today (as last answered); {waiting} of these waiting"),
            None => println!("{target}: {waiting} of these waiting"),
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
