//! Conformance run of zixun's feed parser against two outside suites:
//!
//! - feedparser's test feeds (2,106 files), compared with what feedparser 6.0.14 itself produced
//!   (`golden-feedparser-6.0.14.jsonl`): for every file feedparser calls well-formed, zixun must
//!   parse it, and the feed's title and link, the entry count, and each entry's title and link
//!   must match where feedparser has them;
//! - feed-rs's fixtures, compared with their `.serde.json` expectations.
//!
//! Every file, well-formed or not, must come back (no panic) within 10 s (no hang).
//!
//! `cargo run --release -p zixun-ingest --example feed_conformance -- ../shared/data/feeds`
//! Exit status 1 on a panic or a hang, or when the pass rate drops under `--min-pass` (a share).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::mpsc,
    time::Duration,
};

use serde_json::Value;
use zixun_core::html::html_to_text;
use zixun_ingest::feed::{ParsedFeed, parse_feed};

const PER_FILE_LIMIT: Duration = Duration::from_secs(10);
const EXAMPLES_PER_REASON: usize = 3;

#[derive(Default)]
struct Tally {
    checked: usize,
    passed: usize,
    /// reason -> files
    failures: BTreeMap<String, Vec<String>>,
    crashed: usize,
}

impl Tally {
    fn fail(&mut self, reason: impl Into<String>, file: &str) {
        self.failures.entry(reason.into()).or_default().push(file.to_string());
    }

    fn print(&self, name: &str) {
        println!(
            "{name}: {} of {} pass ({:.1}%)",
            self.passed,
            self.checked,
            100.0 * self.passed as f64 / self.checked.max(1) as f64
        );
        let mut reasons: Vec<_> = self.failures.iter().collect();
        reasons.sort_by_key(|(_, files)| std::cmp::Reverse(files.len()));
        for (reason, files) in reasons {
            let examples: Vec<_> = files.iter().take(EXAMPLES_PER_REASON).map(String::as_str).collect();
            println!("  {:>4}  {reason}  (e.g. {})", files.len(), examples.join(", "));
        }
    }
}

enum Run {
    Parsed(Result<ParsedFeed, String>),
    Panicked,
    Hung,
}

/// Parses on a thread of its own, so that a panic or a hang is seen and reported.
fn run_parser(bytes: Vec<u8>, content_type: Option<String>) -> Run {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(|| parse_feed(&bytes, content_type.as_deref(), None));
        let _ = tx.send(result);
    });
    match rx.recv_timeout(PER_FILE_LIMIT) {
        Ok(Ok(parsed)) => Run::Parsed(parsed.map_err(|e| e.to_string())),
        Ok(Err(_)) => Run::Panicked,
        Err(_) => Run::Hung,
    }
}

fn norm(s: &str) -> String {
    let text = if s.contains('<') || s.contains('&') { html_to_text(s) } else { s.to_string() };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap_or_default().lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

fn compare(
    tally: &mut Tally,
    file: &str,
    ours: &ParsedFeed,
    title: Option<&str>,
    link: Option<&str>,
    entries: &[Value],
) {
    let mut ok = true;
    if let Some(t) = title
        && ours.title.as_deref().map(norm) != Some(norm(t))
    {
        tally.fail("feed title differs", file);
        ok = false;
    }
    if let Some(l) = link
        && ours.link.as_deref() != Some(l)
    {
        tally.fail("feed link differs", file);
        ok = false;
    }
    if ours.entries.len() != entries.len() {
        tally.fail("entry count differs", file);
        ok = false;
    } else {
        for (e, want) in ours.entries.iter().zip(entries) {
            if let Some(t) = want.get("title").and_then(Value::as_str)
                && e.title.as_deref().map(norm).unwrap_or_default() != norm(t)
            {
                tally.fail("entry title differs", file);
                ok = false;
                break;
            }
            if let Some(l) = want.get("link").and_then(Value::as_str)
                && e.link.as_deref() != Some(l)
            {
                tally.fail("entry link differs", file);
                ok = false;
                break;
            }
        }
    }
    if ok {
        tally.passed += 1;
    }
}

fn feedparser_suite(dir: &Path) -> Tally {
    let mut tally = Tally::default();
    let manifest: BTreeMap<String, Value> = read_jsonl(&dir.join("manifest.jsonl"))
        .into_iter()
        .filter_map(|v| Some((v.get("path")?.as_str()?.to_string(), v)))
        .collect();
    for golden in read_jsonl(&dir.join("golden-feedparser-6.0.14.jsonl")) {
        let Some(path) = golden.get("path").and_then(Value::as_str) else { continue };
        let Ok(bytes) = std::fs::read(dir.join(path)) else {
            tally.checked += 1;
            tally.fail("file missing", path);
            continue;
        };
        let content_type = manifest
            .get(path)
            .and_then(|m| m.get("http_headers"))
            .and_then(Value::as_object)
            .and_then(|h| h.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-type")))
            .and_then(|(_, v)| v.as_str())
            .map(str::to_string);
        let well_formed = golden.get("bozo") == Some(&Value::Bool(false));
        let run = run_parser(bytes, content_type);
        match run {
            Run::Panicked => {
                tally.checked += 1;
                tally.crashed += 1;
                tally.fail("PANIC", path);
            }
            Run::Hung => {
                tally.checked += 1;
                tally.crashed += 1;
                tally.fail("HANG", path);
            }
            // Ill-formed files only have to come back; feedparser itself salvages some.
            Run::Parsed(_) if !well_formed => {}
            Run::Parsed(Err(e)) => {
                tally.checked += 1;
                let kind = e.split(" at ").next().unwrap_or(&e).chars().take(60).collect::<String>();
                tally.fail(format!("not parsed: {kind}"), path);
            }
            Run::Parsed(Ok(ours)) => {
                tally.checked += 1;
                let feed = golden.get("feed");
                let field = |k: &str| feed.and_then(|f| f.get(k)).and_then(Value::as_str);
                let entries = golden.get("entries").and_then(Value::as_array).cloned().unwrap_or_default();
                compare(&mut tally, path, &ours, field("title"), field("link"), &entries);
            }
        }
    }
    tally
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn feed_rs_suite(dir: &Path) -> Tally {
    let mut tally = Tally::default();
    for path in files(dir) {
        let name = path.to_string_lossy().to_string();
        if name.ends_with(".serde.json") || !(name.ends_with(".xml") || name.ends_with(".json")) {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let stem = name.trim_end_matches(".xml").trim_end_matches(".json");
        let expected: Option<Value> =
            std::fs::read_to_string(format!("{stem}.serde.json")).ok().and_then(|t| serde_json::from_str(&t).ok());
        let short = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().to_string();
        let run = run_parser(bytes, None);
        // Files without expectations (plain XML samples) only have to come back.
        if expected.is_none() && !short.contains("invalid") && matches!(run, Run::Parsed(_)) {
            continue;
        }
        tally.checked += 1;
        match (run, expected) {
            (Run::Panicked, _) => {
                tally.crashed += 1;
                tally.fail("PANIC", &short);
            }
            (Run::Hung, _) => {
                tally.crashed += 1;
                tally.fail("HANG", &short);
            }
            (Run::Parsed(result), _) if short.contains("invalid") => match result {
                Err(_) => tally.passed += 1,
                Ok(_) => tally.fail("invalid feed accepted", &short),
            },
            (Run::Parsed(Ok(_)), None) => tally.passed += 1,
            (Run::Parsed(Err(e)), _) => {
                tally.fail(format!("not parsed: {}", e.chars().take(60).collect::<String>()), &short)
            }
            (Run::Parsed(Ok(ours)), Some(want)) => {
                let title = want.pointer("/title/content").and_then(Value::as_str);
                let links = want.get("links").and_then(Value::as_array).cloned().unwrap_or_default();
                let link = links
                    .iter()
                    .find(|l| l.get("rel").and_then(Value::as_str).is_none_or(|r| r == "alternate"))
                    .or_else(|| links.first())
                    .and_then(|l| l.get("href"))
                    .and_then(Value::as_str);
                let entries: Vec<Value> = want
                    .get("entries")
                    .and_then(Value::as_array)
                    .map(|es| {
                        es.iter()
                            .map(|e| serde_json::json!({ "title": e.pointer("/title/content").cloned() }))
                            .collect()
                    })
                    .unwrap_or_default();
                compare(&mut tally, &short, &ours, title, link, &entries);
            }
        }
    }
    tally
}

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().unwrap_or_else(|| "../shared/data/feeds".into()));
    let min_pass: f64 = match (args.next().as_deref(), args.next()) {
        (Some("--min-pass"), Some(v)) => v.parse().unwrap_or(0.0),
        _ => 0.0,
    };
    let fp = feedparser_suite(&root.join("feedparser-tests"));
    fp.print("feedparser suite (files feedparser calls well-formed; the rest must only come back)");
    let fr = feed_rs_suite(&root.join("feed-rs-fixtures/fixture"));
    fr.print("feed-rs fixtures");
    let crashed = fp.crashed + fr.crashed;
    let rate = (fp.passed + fr.passed) as f64 / (fp.checked + fr.checked).max(1) as f64;
    if crashed > 0 {
        println!("FAIL: {crashed} files panicked or hung");
        return std::process::ExitCode::from(1);
    }
    if rate < min_pass {
        println!("FAIL: pass rate {rate:.3} under {min_pass}");
        return std::process::ExitCode::from(1);
    }
    std::process::ExitCode::SUCCESS
}
