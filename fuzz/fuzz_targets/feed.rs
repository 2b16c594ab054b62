//! A feed as a fetch returns it: bytes of any encoding, any content type, through decoding,
//! dialect detection (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed, the upgrade of old dialects)
//! and parsing. Whatever comes in, an error or a feed; never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zixun_ingest::feed::{decode_feed, parse_feed};

const CONTENT_TYPES: [Option<&str>; 5] = [
    None,
    Some("application/rss+xml"),
    Some("application/atom+xml; charset=gbk"),
    Some("application/feed+json"),
    Some("text/html; charset=utf-8"),
];

fuzz_target!(|data: &[u8]| {
    let ctype = CONTENT_TYPES[data.first().map_or(0, |b| *b as usize % CONTENT_TYPES.len())];
    let _ = decode_feed(data, ctype);
    if let Ok(feed) = parse_feed(data, ctype, Some("https://outlet.example/feed.xml")) {
        for e in &feed.entries {
            // What the poller makes of an entry must hold: links are absolute web addresses.
            if let Some(link) = &e.link {
                assert!(!link.is_empty());
            }
        }
    }
});
