//! One way to call AWS. Every SDK call in src/aws goes through [`Aws::call`] (one request),
//! [`Aws::pages`] (a paginated read, page by page) or [`Aws::send`] (the same, leaving the error
//! to the caller): each waits for a token of AWS's documented rate (assets/rates.toml, see
//! [`super::rates`]), holds a concurrency permit only while its request is in flight, retries
//! throttling with backoff and jitter (honouring `Retry-After`) for a bounded time, and classifies
//! what failed.
//!
//! Throttling retries are ours, not the SDK's: only here is the wait known, so `--verbose` and the
//! progress line can say it, and only here does it last long enough for an organization's worth of
//! calls (the SDK's standard retry gives up after 3 attempts). In production the SDK keeps its own
//! standard retry for transient failures (a 500, a reset connection); tests turn the SDK's off.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_async::future::pagination_stream::PaginationStream;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::error::classify;
use super::rates::Buckets;
use super::{At, Aws, AwsError, ErrorKind, lock};

/// How long one call may keep being throttled before it is reported as throttled.
const RETRY_BUDGET: Duration = Duration::from_mins(2);
/// The first backoff after a throttling error; it doubles per attempt up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(20);
/// How many more calls may be in flight in total than in one account. AWS's limits are per account
/// (and Region), so calls to different accounts do not compete for them; what they share is this
/// machine and its connection pool, for which a few dozen connections are little.
pub const ACCOUNTS_IN_FLIGHT: usize = 4;
/// Waits at least this long are shown on the progress line (shorter ones only with `--verbose`:
/// at organization scale there are hundreds of tenths of a second).
const SHOWN_WAIT: Duration = Duration::from_secs(1);

/// Services whose answers name no Region (IAM, Organizations, Account Management): their errors
/// say "global".
const GLOBAL: &[&str] = &["iam", "organizations", "account"];

/// Why a call waited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitReason {
    /// Our own pacing: the documented rate's bucket was empty.
    Rate,
    /// AWS throttled the call; backoff with jitter.
    Throttled,
    /// AWS throttled the call and said how long to wait (`Retry-After`).
    RetryAfter,
}

/// One wait, as `--verbose` and the tests see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    pub action: &'static str,
    pub account: String,
    pub region: String,
    pub reason: WaitReason,
    pub waited: Duration,
}

/// The run's call machinery: rate buckets, the bounds on calls in flight, and what waited.
pub(crate) struct Calls {
    buckets: Buckets,
    total: Arc<Semaphore>,
    per_account: Mutex<HashMap<String, Arc<Semaphore>>>,
    per_account_limit: usize,
    /// How long one call may keep being throttled ([`RETRY_BUDGET`] unless the settings say).
    budget: Duration,
    waits: Mutex<Vec<Wait>>,
    /// Whoever shows progress: told when a call starts a wait worth showing.
    watchers: Mutex<Vec<UnboundedSender<(&'static str, Duration)>>>,
}

impl Calls {
    /// `concurrency` calls in flight per account (`--concurrency`, 8 unless told), four times that
    /// in all.
    pub(crate) fn new(concurrency: usize, budget: Option<Duration>) -> Calls {
        let per = concurrency.max(1);
        Calls {
            buckets: Buckets::default(),
            total: Arc::new(Semaphore::new(per * ACCOUNTS_IN_FLIGHT)),
            per_account: Mutex::new(HashMap::new()),
            per_account_limit: per,
            budget: budget.unwrap_or(RETRY_BUDGET),
            waits: Mutex::new(Vec::new()),
            watchers: Mutex::new(Vec::new()),
        }
    }

    /// A slot for one request to `account`: its account's and the run's. Held while in flight only.
    async fn slot(&self, account: &str) -> (OwnedSemaphorePermit, OwnedSemaphorePermit) {
        let own = lock(&self.per_account)
            .entry(account.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_account_limit)))
            .clone();
        // The semaphores are never closed.
        let a = own.acquire_owned().await.unwrap_or_else(|_| unreachable!("the call limiter is never closed"));
        let t = self.total.clone().acquire_owned().await.unwrap_or_else(|_| unreachable!("never closed"));
        (a, t)
    }

    /// Waits for a token of `action`'s documented rate in `at` (a call made outside [`Aws::call`]).
    pub(crate) async fn pace(&self, action: &'static str, at: &At) {
        self.wait(action, at, WaitReason::Rate, self.buckets.reserve(action, &at.account, &at.region)).await;
    }

    /// Sleeps `d` (if any), showing the wait while it lasts and recording it.
    pub(crate) async fn wait(&self, action: &'static str, at: &At, reason: WaitReason, d: Duration) {
        if d.is_zero() {
            return;
        }
        if d >= SHOWN_WAIT {
            // A send never blocks; a watcher that has gone away is forgotten.
            lock(&self.watchers).retain(|w| w.send((action, d)).is_ok());
        }
        tokio::time::sleep(d).await;
        let wait = Wait { action, account: at.account.clone(), region: at.region.clone(), reason, waited: d };
        if SAY_WAITS.load(Ordering::Relaxed) {
            eprintln!("groundwork: {}", say_wait(&wait));
        }
        lock(&self.waits).push(wait);
    }
}

/// Whether each wait is said on stderr as it ends (`--verbose`, outside the wizard's screen).
static SAY_WAITS: AtomicBool = AtomicBool::new(false);

/// Turns saying waits on stderr on or off (once, from the command line).
pub fn set_say_waits(on: bool) {
    SAY_WAITS.store(on, Ordering::Relaxed);
}

/// "waited 1.2 s for AWS's rate limit on securityhub:BatchEnableStandards in 111111111111 (eu-west-1)".
pub fn say_wait(w: &Wait) -> String {
    let key = match w.reason {
        WaitReason::Rate => "wait-rate",
        WaitReason::Throttled => "wait-throttled",
        WaitReason::RetryAfter => "wait-retry-after",
    };
    let secs = format!("{:.1}", w.waited.as_secs_f64());
    crate::catalog::say(
        key,
        &[("action", w.action), ("account", &w.account), ("region", &w.region), ("seconds", &secs)],
    )
}

impl Aws {
    /// One request: paced, bounded, retried while throttled, its failure classified.
    pub(crate) async fn call<T, E, F, Fut>(&self, action: &'static str, at: &At, send: F) -> Result<T, AwsError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + StdError + 'static,
    {
        self.send(action, at, send).await.map_err(|e| classify_at(&e, action, at))
    }

    /// The same, handing back AWS's own error (for a caller that reads "not found" as an answer).
    /// Throttling has been retried already.
    pub(crate) async fn send<T, E, F, Fut>(
        &self,
        action: &'static str,
        at: &At,
        mut send: F,
    ) -> Result<T, SdkError<E, HttpResponse>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + StdError + 'static,
    {
        let calls = &self.shared.calls;
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            calls.pace(action, at).await;
            let result = {
                let _slot = calls.slot(&at.account).await;
                send().await
            };
            match result {
                Err(e) => {
                    let (reason, pause) = match retry_after(&e, action, at, attempt) {
                        Some(p) if started.elapsed() + p.1 <= calls.budget => p,
                        _ => return Err(e),
                    };
                    attempt += 1;
                    calls.wait(action, at, reason, pause).await;
                }
                ok => return ok,
            }
        }
    }

    /// Every page of a paginated read, each page paced and bounded like one call. A page throttled
    /// past the SDK's paginator cannot be asked again alone: the read starts over (after the wait),
    /// so what it returns is always one whole listing.
    pub(crate) async fn pages<P, E, F>(&self, action: &'static str, at: &At, mut start: F) -> Result<Vec<P>, AwsError>
    where
        F: FnMut() -> PaginationStream<Result<P, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + StdError + 'static,
    {
        let calls = &self.shared.calls;
        let started = Instant::now();
        let mut attempt = 0;
        'read: loop {
            let mut stream = start();
            let mut pages = Vec::new();
            loop {
                calls.pace(action, at).await;
                let next = {
                    let _slot = calls.slot(&at.account).await;
                    stream.next().await
                };
                match next {
                    None => return Ok(pages),
                    Some(Ok(page)) => pages.push(page),
                    Some(Err(e)) => {
                        let (reason, pause) = match retry_after(&e, action, at, attempt) {
                            Some(p) if started.elapsed() + p.1 <= calls.budget => p,
                            _ => return Err(classify_at(&e, action, at)),
                        };
                        attempt += 1;
                        calls.wait(action, at, reason, pause).await;
                        continue 'read;
                    }
                }
            }
        }
    }

    /// What this run has waited for so far (for `--verbose` summaries and tests).
    pub fn waits(&self) -> Vec<Wait> {
        lock(&self.shared.calls.waits).clone()
    }

    /// Tells `to` of every wait of a second or more from now on (until its receiver is dropped):
    /// the action waited on and for how long. Sending never waits, so a screen that reads these
    /// never waits on the network.
    pub fn watch_waits(&self, to: UnboundedSender<(&'static str, Duration)>) {
        lock(&self.shared.calls.watchers).push(to);
    }
}

/// Classifies a failure of `action` in `at`, naming no Region for a global service.
pub(crate) fn classify_at<E>(e: &SdkError<E, HttpResponse>, action: &'static str, at: &At) -> AwsError
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let global = action.split_once(':').is_some_and(|(s, _)| GLOBAL.contains(&s));
    classify(e, action, &at.account, (!global).then_some(at.region.as_str()))
}

/// When `e` is throttling, how long to wait before attempt `attempt + 1` and why: AWS's
/// `Retry-After` when it sent one, else exponential backoff with jitter. `None`: not throttling.
fn retry_after<E>(
    e: &SdkError<E, HttpResponse>,
    action: &'static str,
    at: &At,
    attempt: u32,
) -> Option<(WaitReason, Duration)>
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    if classify_at(e, action, at).kind != ErrorKind::Throttled {
        return None;
    }
    let told = e.raw_response().and_then(|r| {
        let h = r.headers();
        // Retry-After in seconds (RFC 9110); some AWS services send x-amz-retry-after in milliseconds.
        h.get("retry-after").and_then(|v| v.trim().parse::<f64>().ok()).map(Duration::from_secs_f64).or_else(|| {
            h.get("x-amz-retry-after").and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_millis)
        })
    });
    if let Some(d) = told {
        return Some((WaitReason::RetryAfter, d));
    }
    Some((WaitReason::Throttled, backoff(attempt)))
}

/// Exponential backoff with "equal jitter": half the step fixed, half random, so retries spread out
/// but never come back at once.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let step = FIRST_BACKOFF.saturating_mul(1 << attempt.min(16)).min(MAX_BACKOFF);
    let half = step / 2;
    half + half.mul_f64(jitter())
}

/// A number in [0, 1): no cryptography needed, only that concurrent retries differ.
fn jitter() -> f64 {
    static SEED: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let mut x = SEED.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ u64::from(nanos);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    f64::from(u32::try_from(x >> 32).unwrap_or(0)) / (f64::from(u32::MAX) + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_bound_is_per_account_and_four_times_that_in_all() {
        let calls = Calls::new(2, None);
        let a = [calls.slot("111111111111").await, calls.slot("111111111111").await];
        let own = lock(&calls.per_account).get("111111111111").cloned().expect("the account's bound");
        assert_eq!(own.available_permits(), 0, "a third call to this account waits");
        // Another account still gets its slots, from the same run-wide bound of 2 × 4.
        let b = [calls.slot("222222222222").await, calls.slot("222222222222").await];
        assert_eq!(calls.total.available_permits(), 2 * ACCOUNTS_IN_FLIGHT - 4);
        drop((a, b));
        assert_eq!((own.available_permits(), calls.total.available_permits()), (2, 2 * ACCOUNTS_IN_FLIGHT));
    }

    #[test]
    fn backoff_grows_is_capped_and_never_zero() {
        for attempt in 0..30 {
            let b = backoff(attempt);
            let step = FIRST_BACKOFF.saturating_mul(1 << attempt.min(16)).min(MAX_BACKOFF);
            assert!(b >= step / 2 && b <= step, "attempt {attempt}: {b:?}");
        }
        assert!(backoff(30) <= MAX_BACKOFF);
    }
}
