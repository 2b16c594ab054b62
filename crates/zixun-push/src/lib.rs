//! zixun-push: announcing new stories to search engines.
//!
//! Chinese operators push every new URL to Baidu's 普通收录 API instead of waiting for
//! Baiduspider; Bing, Yandex and others take IndexNow. Each story's URL goes out once, when
//! it is first published (re-pushing edits gets a site's quota cut), in batches, retried with
//! backoff, and never in the way of a publish: the [`Pusher`] follows the store's change feed
//! into the push log ([`zixun_store::PushStore`]) and sends from there, so every node can run
//! it and each URL is still sent by one.

mod baidu;
mod engine;
mod indexnow;
mod pusher;

pub use baidu::{BAIDU_ENDPOINT, Baidu};
pub use engine::{Attempt, Engine};
pub use indexnow::{INDEXNOW_ENDPOINT, IndexNow, KeyError, check_key};
pub use pusher::{Pusher, PusherSettings, retry_delay};
