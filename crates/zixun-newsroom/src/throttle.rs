//! Failed logins, counted in the store so that every node sees them.

use std::time::Duration;

use zixun_core::SiteClock;
use zixun_store::{NewsroomStore, StoreError};

/// Login attempts counted in the shared store before the password is checked, so that however
/// many guesses arrive at once, on however many nodes, only so many are checked. Counted per
/// account *and* address (`max_failures` in the window), so that nobody can lock an account
/// for its owner from elsewhere, and per address over all accounts (`ADDRESS_FACTOR` times as
/// many: one address spraying passwords over many accounts). Each refused attempt counts too,
/// and restarts the window: a client that keeps guessing stays paused.
pub struct LoginThrottle {
    max_failures: u32,
    window: Duration,
}

impl LoginThrottle {
    /// An address may fail this many times `max_failures` over all accounts.
    pub const ADDRESS_FACTOR: u32 = 4;

    pub fn new(max_failures: u32, window: Duration) -> Self {
        LoginThrottle { max_failures, window }
    }

    fn keys(user: &str, addr: &str) -> [String; 2] {
        [format!("user:{user}|addr:{addr}"), format!("addr:{addr}")]
    }

    /// Counts this attempt; false when it is over a limit (refuse it unchecked).
    pub async fn admit(&self, store: &dyn NewsroomStore, user: &str, addr: &str) -> Result<bool, StoreError> {
        let [pair, address] = Self::keys(user, addr);
        let (now, window) = (SiteClock::now(), self.window.as_secs() as i64);
        let pair_count = store.login_attempt(&[pair], now, window).await?;
        let address_count = store.login_attempt(&[address], now, window).await?;
        Ok(pair_count <= self.max_failures && address_count <= self.max_failures.saturating_mul(Self::ADDRESS_FACTOR))
    }

    /// The attempt succeeded: the account starts again from this address, and the address is
    /// not charged for it.
    pub async fn succeeded(&self, store: &dyn NewsroomStore, user: &str, addr: &str) -> Result<(), StoreError> {
        let [pair, address] = Self::keys(user, addr);
        store.login_succeeded(&pair, &address).await
    }
}
