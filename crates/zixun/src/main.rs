//! `zixun`: the command line. Wiring only; the logic lives in the library crates.

mod cli;
mod commands;
mod config;
mod demo;
mod demo_art;
mod runtime;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{BenchCommand, Cli, Command, EvalCommand, PushCommand, StoreCommand, WordsCommand};

/// jemalloc rather than glibc's malloc: glibc gave each of the many threads that serve, search
/// and compress an arena of its own and returned little of it, so a node grew hundreds of MB
/// past its caches' budget under a crawler (`docs/measurements.md`).
#[cfg(all(unix, not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's settings, read at its start: a background thread returns freed pages to the
/// system after a second, instead of waiting for the next allocation to do it.
#[cfg(all(unix, not(target_env = "musl")))]
#[allow(non_upper_case_globals)]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static malloc_conf: &[u8] = b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:1000\0";

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match config::Config::load(&cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(1);
        }
    };
    runtime::init_logging(&config);
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = rt.block_on(async {
        match &cli.command {
            Command::Serve(args) => commands::serve::run(&config, args).await.map(|_| ExitCode::SUCCESS),
            Command::Import(args) => commands::import::run(&config, args).await,
            Command::Reindex => commands::reindex::run(&config).await.map(|_| ExitCode::SUCCESS),
            Command::Sources(cmd) => commands::sources::run(&config, cmd).await,
            Command::Fetch(args) => commands::fetch::run(&config, args).await,
            Command::Users(cmd) => commands::users::run(&config, cmd).await,
            Command::Tokens(cmd) => commands::tokens::run(&config, cmd).await,
            Command::Bench(BenchCommand::Search(args)) => {
                commands::bench::search(&config, args).await.map(|_| ExitCode::SUCCESS)
            }
            Command::Bench(BenchCommand::Password { rounds }) => {
                commands::bench::password(*rounds).map(|_| ExitCode::SUCCESS)
            }
            Command::Eval(EvalCommand::Related(args)) => {
                commands::eval::related(&config, args).await.map(|_| ExitCode::SUCCESS)
            }
            Command::Store(StoreCommand::Copy(args)) => commands::store::copy(&config, args).await,
            Command::Push(PushCommand::Log { limit }) => commands::push::log(&config, *limit).await,
            Command::Words(WordsCommand::Check { file, text }) => {
                commands::words::check(&config, file.as_deref(), *text)
            }
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
