//! `zixun eval related`: the quality harness for 相关内容, against a brute-force TF-IDF baseline.

use std::{
    collections::HashMap,
    io::BufRead,
    time::{Duration, Instant},
};

use anyhow::{Context, Result};
use zixun_core::{
    Article,
    eval::{StoryPairs, TfIdfBaseline, list_quality},
};
use zixun_ingest::Importer;
use zixun_search::TermVectorIndex;
use zixun_store::Store;
use zixun_web::{RELATED_CANDIDATES, RelatedFinder, RelatedSources};

use crate::{cli::EvalRelatedArgs, config::Config, runtime};

pub async fn related(config: &Config, args: &EvalRelatedArgs) -> Result<()> {
    if let Some(dir) = &args.keep_data {
        return run(config, args, dir).await;
    }
    let dir = std::env::temp_dir().join(format!("zixun-eval-{}", std::process::id()));
    let result = run(config, args, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn run(config: &Config, args: &EvalRelatedArgs, dir: &std::path::Path) -> Result<()> {
    let config = Config { data_dir: dir.to_path_buf(), ..config.clone() };
    let store = runtime::open_store(&config).await?;
    let analyzer = runtime::analyzer(&config)?;
    let started = Instant::now();
    if store.max_seq().await? == 0 {
        let file =
            std::fs::File::open(&args.corpus).with_context(|| format!("cannot open {}", args.corpus.display()))?;
        let importer =
            Importer { store: store.as_ref(), preparer: runtime::preparer(&config, analyzer.clone())?, images: None };
        importer
            .run(
                &mut std::io::BufReader::with_capacity(1 << 20, file),
                |line, reason| eprintln!("line {line}: {reason}"),
                |_| {},
            )
            .await?;
    } else {
        eprintln!("{} already holds articles: not imported again", dir.display());
    }
    let articles = all_articles(store.as_ref()).await?;
    let index_of: HashMap<&str, usize> =
        articles.iter().enumerate().filter_map(|(i, a)| a.ext_id.as_deref().map(|e| (e, i))).collect();
    let row_of: HashMap<i64, usize> = articles.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
    let pairs = match &args.pairs {
        Some(path) => read_pairs(path, &index_of)?,
        None => StoryPairs::default(),
    };
    let category: Vec<Option<String>> = articles.iter().map(|a| a.category.clone()).collect();
    let sample = sample(&articles, args.sample, &pairs);

    let settings = config.related_settings()?;
    let vectors = TermVectorIndex::new(analyzer.clone());
    let finder = RelatedFinder::new();
    let sources = RelatedSources { store: store.as_ref(), vectors: &vectors, settings: &settings };
    let resident_before = resident_mb();
    vectors.follow(store.as_ref()).await?;
    eprintln!(
        "imported and loaded term vectors of {} articles in {:.1} s",
        store.count_published().await?,
        started.elapsed().as_secs_f64()
    );
    if let (Some(before), Some(after)) = (resident_before, resident_mb()) {
        eprintln!(
            "resident memory {before:.0} MB -> {after:.0} MB while following the store (the term vectors in memory; \
             with --keep-data on a second run, nothing else)"
        );
    }
    // The in-memory part alone (candidates from the term-vector index), to tell it from the
    // store's round trips.
    let mut candidate_times = Vec::with_capacity(sample.len());
    for &i in &sample {
        let t = Instant::now();
        std::hint::black_box(vectors.similar(articles[i].id, &[], RELATED_CANDIDATES));
        candidate_times.push(t.elapsed());
    }
    let mut ours: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut our_times = Vec::with_capacity(sample.len());
    for &i in &sample {
        let t = Instant::now();
        let list = finder.related(sources, &articles[i], args.k).await?;
        our_times.push(t.elapsed());
        ours.insert(i, list.iter().filter_map(|r| row_of.get(&r.article.id).copied()).collect());
    }

    let texts: Vec<(&str, &str)> = articles.iter().map(|a| (a.title.as_str(), a.body_text.as_str())).collect();
    let t = Instant::now();
    let baseline = TfIdfBaseline::new(&analyzer, &texts);
    let baseline_build = t.elapsed();
    let mut theirs: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut their_times = Vec::with_capacity(sample.len());
    for &i in &sample {
        let t = Instant::now();
        theirs.insert(i, baseline.top_k(i, args.k));
        their_times.push(t.elapsed());
    }

    println!(
        "{} articles, {} related lists of {} (copies of a story are not asked for a list)",
        articles.len(),
        sample.len(),
        args.k
    );
    println!(
        "{:<38} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9}",
        "lists", "prec@k", "full", "copy-leak", "rewrites", "p50 ms", "p99 ms"
    );
    for (name, lists, times) in [
        ("zixun (term vectors, signals, dedup)", &ours, &mut our_times),
        ("baseline TF-IDF cosine, brute force", &theirs, &mut their_times),
    ] {
        let q = list_quality(lists, &category, &pairs, args.k);
        println!(
            "{:<38} {:>8.3} {:>7.3} {:>9.3} {:>9} {:>9.3} {:>9.3}",
            name,
            q.precision_at_k,
            q.full,
            q.copy_leakage,
            q.rewrite_recall.map_or("-".into(), |r| format!("{r:.3}")),
            percentile(times, 50.0),
            percentile(times, 99.0),
        );
    }
    println!(
        "{:<38} {:>8} {:>7} {:>9} {:>9} {:>9.3} {:>9.3}",
        "zixun: term-vector candidates alone",
        "",
        "",
        "",
        "",
        percentile(&mut candidate_times, 50.0),
        percentile(&mut candidate_times, 99.0),
    );
    if args.show_leaks {
        print_leaks(&articles, &ours, &pairs);
    }
    println!(
        "(baseline index built in {:.1} s; rewrites: share of rewrite pairs listed for each other)",
        baseline_build.as_secs_f64()
    );
    store.close().await;
    Ok(())
}

/// Each list holding a copy of its article or two copies of one story: the list's article and
/// the copies, by external id.
fn print_leaks(articles: &[Article], lists: &HashMap<usize, Vec<usize>>, pairs: &StoryPairs) {
    let name = |i: usize| articles[i].ext_id.clone().unwrap_or_else(|| articles[i].id.to_string());
    let mut docs: Vec<&usize> = lists.keys().collect();
    docs.sort_unstable();
    for &doc in docs {
        let with_article = std::iter::once(doc).chain(lists[&doc].iter().copied()).collect::<Vec<_>>();
        for (i, &a) in with_article.iter().enumerate() {
            for &b in &with_article[i + 1..] {
                if pairs.is_copy(a, b) {
                    println!("leak: list of {} holds copies {} and {}", name(doc), name(a), name(b));
                }
            }
        }
    }
}

async fn all_articles(store: &dyn Store) -> Result<Vec<Article>> {
    let mut out = Vec::new();
    let mut seq = 0;
    loop {
        let batch = store.changes_since(seq, 2000).await?;
        let Some(last) = batch.last() else { break };
        seq = last.seq;
        out.extend(batch);
    }
    Ok(out)
}

fn read_pairs(path: &std::path::Path, index_of: &HashMap<&str, usize>) -> Result<StoryPairs> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut pairs = StoryPairs::default();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(&line).with_context(|| format!("{} line {}", path.display(), n + 1))?;
        let id = |k: &str| v.get(k).and_then(|x| x.as_str()).and_then(|s| index_of.get(s).copied());
        let (Some(a), Some(b)) = (id("a"), id("b")) else { continue };
        match v.get("kind").and_then(|k| k.as_str()) {
            Some("copy") => {
                pairs.copies.insert((a, b));
            }
            Some("rewrite") => pairs.rewrites.push((a, b)),
            _ => {}
        }
    }
    Ok(pairs)
}

/// Every story head, or a seeded sample of them that always keeps the articles of story pairs.
fn sample(articles: &[Article], size: Option<usize>, pairs: &StoryPairs) -> Vec<usize> {
    let heads: Vec<usize> = (0..articles.len()).filter(|&i| articles[i].copy_of.is_none()).collect();
    let Some(size) = size.filter(|&s| s < heads.len()) else { return heads };
    let in_pairs: std::collections::HashSet<usize> =
        pairs.rewrites.iter().chain(pairs.copies.iter()).flat_map(|&(a, b)| [a, b]).collect();
    let mut state: u64 = 42;
    let mut picked: Vec<usize> = heads.iter().copied().filter(|i| in_pairs.contains(i)).collect();
    let mut rest: Vec<usize> = heads.into_iter().filter(|i| !in_pairs.contains(i)).collect();
    while picked.len() < size && !rest.is_empty() {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let j = (state >> 33) as usize % rest.len();
        picked.push(rest.swap_remove(j));
    }
    picked.sort_unstable();
    picked
}

/// This process's resident memory in MB (Linux; `None` elsewhere).
fn resident_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 =
        status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb / 1024.0)
}

fn percentile(times: &mut [Duration], p: f64) -> f64 {
    times.sort_unstable();
    let i = ((p / 100.0 * times.len() as f64).ceil() as usize).saturating_sub(1);
    times.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}
