//! AWS's documented request rates (assets/rates.toml), read once, and the token buckets that keep
//! groundwork's own calls under them: one bucket per (operation, account, Region), per account
//! alone for a `global` service.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use serde::Deserialize;
use tokio::time::Instant;

/// A steady rate (requests per second) and the bucket it refills (the burst AWS allows).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Rate {
    pub rate: f64,
    pub burst: u32,
}

#[derive(Debug, Deserialize)]
pub struct Service {
    pub doc: String,
    pub error: String,
    pub status: u16,
    #[serde(default)]
    pub global: bool,
    pub default: Rate,
    #[serde(default)]
    pub operations: HashMap<String, Rate>,
}

#[derive(Debug, Deserialize)]
pub struct Table {
    #[serde(default)]
    pub services: HashMap<String, Service>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    // The file ships inside the binary and a unit test parses it: a bad edit fails the tests, not a run.
    toml::from_str(include_str!("../../assets/rates.toml")).unwrap_or_else(|e| panic!("assets/rates.toml: {e}"))
});

/// The table, parsed once per process.
pub fn table() -> &'static Table {
    &TABLE
}

/// The documented rate for `action` (`service:Operation`, the IAM action name), and whether the
/// service's limit is per account alone. `None`: not in the table, so not paced.
pub fn of(action: &str) -> Option<(Rate, bool)> {
    let (service, operation) = action.split_once(':')?;
    let s = table().services.get(service)?;
    Some((s.operations.get(operation).copied().unwrap_or(s.default), s.global))
}

/// Token buckets, keyed by action, account and Region ("" for a global service).
#[derive(Default)]
pub(crate) struct Buckets {
    buckets: Mutex<HashMap<(&'static str, String, String), Bucket>>,
}

/// groundwork refills its buckets at this share of the documented rate. Requests reach AWS with
/// jitter: a client sending at exactly the documented rate is throttled whenever two of its calls
/// arrive closer together than they left, and each throttle costs a backoff far longer than the
/// tenth given up here.
pub const HEADROOM: f64 = 0.9;

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Buckets {
    /// Takes a token for one call of `action` in `account`/`region`, and says how long to wait
    /// before sending it (zero when a token was there). A call that must wait reserves its token
    /// now (the bucket goes below zero), so callers queue in order and nobody spins.
    pub(crate) fn reserve(&self, action: &'static str, account: &str, region: &str) -> Duration {
        let Some((rate, global)) = of(action) else {
            return Duration::ZERO;
        };
        if rate.rate <= 0.0 {
            return Duration::ZERO;
        }
        let steady = rate.rate * HEADROOM;
        let region = if global { "" } else { region };
        let now = Instant::now();
        let mut map = super::lock(&self.buckets);
        let burst = f64::from(rate.burst.max(1));
        let bucket =
            map.entry((action, account.to_owned(), region.to_owned())).or_insert(Bucket { tokens: burst, at: now });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * steady).min(burst);
        bucket.at = now;
        bucket.tokens -= 1.0;
        if bucket.tokens >= 0.0 { Duration::ZERO } else { Duration::from_secs_f64(-bucket.tokens / steady) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_every_entry_is_sane() {
        let t = table();
        assert!(!t.services.is_empty(), "assets/rates.toml names no service");
        for (name, s) in &t.services {
            // AWS's own pages: its documentation, or its knowledge center where the docs are silent.
            let aws_page = ["https://docs.aws.amazon.com/", "https://repost.aws/", "https://aws.amazon.com/"];
            assert!(aws_page.iter().any(|p| s.doc.starts_with(p)), "{name}: doc is not an AWS page: {}", s.doc);
            assert!(!s.error.is_empty(), "{name}: no throttling error");
            assert!((400..600).contains(&s.status), "{name}: status {}", s.status);
            for (op, r) in
                std::iter::once(("default", &s.default)).chain(s.operations.iter().map(|(k, v)| (k.as_str(), v)))
            {
                assert!(r.rate > 0.0 && r.rate.is_finite(), "{name}.{op}: rate {}", r.rate);
                assert!(r.burst >= 1, "{name}.{op}: burst {}", r.burst);
                assert!(
                    op == "default" || op.chars().next().is_some_and(|c| c.is_ascii_uppercase()),
                    "{name}.{op}: not an operation name"
                );
            }
        }
        assert_eq!(of("securityhub:BatchEnableStandards").map(|r| r.0), Some(Rate { rate: 1.0, burst: 1 }));
        assert_eq!(of("nosuchservice:Anything"), None);
    }

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let b = Buckets::default();
        let ask = || b.reserve("securityhub:GetFindings", "111111111111", "eu-west-1");
        let burst = of("securityhub:GetFindings").map_or(1, |r| r.0.burst);
        for _ in 0..burst {
            assert_eq!(ask(), Duration::ZERO);
        }
        let wait = ask();
        assert!(wait > Duration::ZERO, "past the burst, a call waits");
        // Another Region, or another account, has its own bucket.
        assert_eq!(b.reserve("securityhub:GetFindings", "111111111111", "us-east-1"), Duration::ZERO);
        assert_eq!(b.reserve("securityhub:GetFindings", "222222222222", "eu-west-1"), Duration::ZERO);
        assert_eq!(b.reserve("nosuchservice:Anything", "111111111111", "eu-west-1"), Duration::ZERO);
    }
}
