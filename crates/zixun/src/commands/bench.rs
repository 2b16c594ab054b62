//! `zixun bench search`: known-item search over this data folder, timed in-process; and
//! `zixun bench password`: the cost of a login.
//!
//! Reads JSON Lines `{"q": "两个 词", "target": "external id"}` (bench/search_bench.py writes
//! them, with the same title-derived queries as the peers' script) and prints one JSON object:
//! latency percentiles of `SearchIndex::search` (the same call `/search` makes, highlighting
//! included, and without it, as the peers are timed), the share of queries with no hit, and MRR@10 of the target article. A hit counts
//! when its external id is the target or a repeat of it (`target-rN`, in scaled corpora).

use std::{
    collections::HashMap,
    io::BufRead,
    time::{Duration, Instant},
};

use anyhow::{Context, Result};
use serde::Deserialize;
use serde_json::json;
use zixun_search::{SearchIndex, SearchRequest};

use zixun_newsroom::{hash_password, new_token, token_hash, verify_password};

use crate::{cli::BenchSearchArgs, config::Config, runtime};

#[derive(Deserialize)]
struct KnownItemQuery {
    q: String,
    target: String,
}

pub async fn search(config: &Config, args: &BenchSearchArgs) -> Result<()> {
    let file = std::fs::File::open(&args.queries).with_context(|| format!("cannot open {}", args.queries.display()))?;
    let mut queries = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        queries.push(serde_json::from_str::<KnownItemQuery>(&line).with_context(|| format!("line {}", i + 1))?);
    }
    let store = runtime::open_store(config).await?;
    let index = SearchIndex::open(&config.index_dir(), runtime::analyzer(config)?)?;
    let behind = store.max_seq().await? - index.indexed_seq();
    anyhow::ensure!(behind == 0, "the index is {behind} changes behind the store: run `zixun reindex` first");
    let request =
        |q: &str, plain: bool| SearchRequest { q: q.to_string(), limit: 10, plain, ..SearchRequest::default() };
    for q in queries.iter().take(20) {
        index.search(&request(&q.q, false))?;
    }
    // Ids only (what the peers' timings cover), then with highlighting (what /search does).
    let mut plain_latencies: Vec<Duration> = Vec::with_capacity(queries.len());
    let mut results = Vec::with_capacity(queries.len());
    for q in &queries {
        let t = Instant::now();
        let r = index.search(&request(&q.q, true))?;
        plain_latencies.push(t.elapsed());
        results.push(r.hits.iter().map(|h| h.id).collect::<Vec<i64>>());
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(queries.len());
    let mut totals = Vec::with_capacity(queries.len());
    for q in &queries {
        let t = Instant::now();
        let r = index.search(&request(&q.q, false))?;
        latencies.push(t.elapsed());
        totals.push(r.total);
    }
    // The slowest queries with highlighting, and how many articles each matched.
    let mut order: Vec<usize> = (0..queries.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(latencies[i]));
    let slowest: Vec<_> = order
        .iter()
        .take(5)
        .map(|&i| json!({"q": queries[i].q, "ms": latencies[i].as_secs_f64() * 1000.0, "matches": totals[i]}))
        .collect();
    // Scoring happens after timing: external ids come from the store.
    let mut ext: HashMap<i64, String> = HashMap::new();
    let (mut reciprocal, mut zero, mut found) = (0.0, 0, 0);
    for (q, ids) in queries.iter().zip(&results) {
        if ids.is_empty() {
            zero += 1;
        }
        for (rank, id) in ids.iter().enumerate() {
            if !ext.contains_key(id) {
                let e = store.article(*id).await?.and_then(|a| a.ext_id).unwrap_or_default();
                ext.insert(*id, e);
            }
            let e = &ext[id];
            if e == &q.target || e.strip_prefix(q.target.as_str()).is_some_and(|rest| rest.starts_with("-r")) {
                reciprocal += 1.0 / (rank as f64 + 1.0);
                found += 1;
                break;
            }
        }
    }
    let pct = |lat: &mut Vec<Duration>, p: f64| {
        lat.sort_unstable();
        let i = ((p / 100.0 * lat.len() as f64).ceil() as usize).saturating_sub(1);
        lat.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let n = queries.len().max(1) as f64;
    let out = json!({
        "engine": "zixun",
        "docs": index.num_docs(),
        "queries": queries.len(),
        "p50_ms": pct(&mut plain_latencies, 50.0),
        "p99_ms": pct(&mut plain_latencies, 99.0),
        "highlighted_p50_ms": pct(&mut latencies, 50.0),
        "highlighted_p99_ms": pct(&mut latencies, 99.0),
        "zero_hit_pct": 100.0 * zero as f64 / n,
        "found_in_top10_pct": 100.0 * found as f64 / n,
        "mrr_at_10": reciprocal / n,
        "slowest": slowest,
    });
    println!("{out}");
    Ok(())
}

/// `zixun bench password`: what a login costs the server (and a guesser, per guess).
pub fn password(rounds: u32) -> Result<()> {
    let rounds = rounds.max(1);
    let mut hash = String::new();
    let started = Instant::now();
    for i in 0..rounds {
        hash = hash_password(&format!("bench password {i}")).map_err(|e| anyhow::anyhow!(e))?;
    }
    let per_hash = started.elapsed() / rounds;
    let started = Instant::now();
    for _ in 0..rounds {
        verify_password("wrong guess", &hash);
    }
    let per_verify = started.elapsed() / rounds;
    let token = new_token();
    let started = Instant::now();
    for _ in 0..10_000 {
        std::hint::black_box(token_hash(std::hint::black_box(&token)));
    }
    let per_token = started.elapsed() / 10_000;
    let params = hash.split('$').nth(3).unwrap_or("");
    println!(
        "{}",
        json!({
            "algorithm": "argon2id",
            "params": params,
            "rounds": rounds,
            "hash_ms": per_hash.as_secs_f64() * 1e3,
            "verify_ms": per_verify.as_secs_f64() * 1e3,
            "token_hash_us": per_token.as_secs_f64() * 1e6,
            "verify_over_token": per_verify.as_secs_f64() / per_token.as_secs_f64().max(1e-12),
        })
    );
    Ok(())
}
