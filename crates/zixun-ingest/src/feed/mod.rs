//! Feeds in: fetch other outlets' RSS/Atom/JSON Feed, decode, parse, sanitize, and store their
//! entries as syndicated articles through the same preparation as import.

mod address_guard;
mod decode;
mod dialect;
mod fetch;
mod opml;
mod parse;
mod poll;
mod schedule;

pub use decode::{DecodedFeed, decode_feed};
pub use fetch::{FeedFetcher, FetchError, FetchPolicy, Fetched, Probe, ProbeError, USER_AGENT, Validators};
pub use opml::{OpmlError, OpmlFeed, OpmlImport, OpmlImportError, export_opml, import_opml, parse_opml, write_opml};
pub use parse::{FeedEntry, FeedError, ParsedFeed, parse_feed};
pub use poll::{BACKOFF_CEILING_SECS, EntryCounts, FeedPoller, PollReport, next_delay};
pub use schedule::FeedScheduler;
