//! The sanitizer's time against nesting depth, at a fixed size (about 960 KB, the size of the
//! probe's 80,000 nested `<blockquote>`s): `cargo run --release -p zixun-core --example
//! sanitize_depth`. Below `MAX_NESTING` the time per byte should not grow with the depth;
//! above it the body is refused after one linear scan.

use std::time::Instant;

use zixun_core::html::{MAX_NESTING, nesting_depth, sanitize};

fn nested(depth: usize, size: usize) -> String {
    let unit = format!("{}新闻正文{}", "<blockquote>".repeat(depth), "</blockquote>".repeat(depth));
    unit.repeat((size / unit.len()).max(1))
}

fn main() {
    const SIZE: usize = 960 * 1024;
    println!("{:>7} {:>9} {:>10} {:>9}", "depth", "KB", "ms", "ns/byte");
    for depth in [1, 4, 16, 64, 128, MAX_NESTING] {
        let html = nested(depth, SIZE);
        let runs = 3;
        let started = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(sanitize(&html));
        }
        let secs = started.elapsed().as_secs_f64() / runs as f64;
        println!("{depth:>7} {:>9} {:>10.1} {:>9.1}", html.len() / 1024, secs * 1e3, secs * 1e9 / html.len() as f64);
    }
    let deep = nested(80_000, SIZE);
    let started = Instant::now();
    let depth = nesting_depth(&deep);
    println!(
        "80,000 nested: depth {depth} found in {:.2} ms, over {MAX_NESTING}: refused without parsing",
        started.elapsed().as_secs_f64() * 1e3
    );
}
