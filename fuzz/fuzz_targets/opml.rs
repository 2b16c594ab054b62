//! An OPML file given to `zixun sources import`: a list of feeds or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zixun_ingest::feed::parse_opml;

fuzz_target!(|text: &str| {
    if let Ok(feeds) = parse_opml(text) {
        for f in feeds {
            assert!(!f.url.is_empty(), "a feed without an address");
        }
    }
});
