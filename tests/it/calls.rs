//! One way to call AWS (src/aws/call.rs), through groundwork's own reads with the real SDK parsing
//! replayed answers: throttling is retried with backoff until it answers, `Retry-After` is
//! honoured, a call throttled past the limit is reported as throttled with plain advice, our own
//! pacing keeps to the documented burst, and nothing else is retried (a 500 fails at once).

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_securityhub::config::http::{HttpRequest, HttpResponse};
use aws_sdk_sts::config::Region;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;
use groundwork::aws::{At, Aws, ErrorKind, Settings, WaitReason};
use std::time::Duration;

const HUB: &str = r#"{"HubArn":"arn:aws:securityhub:eu-west-1:111111111111:hub/default"}"#;
const THROTTLED: &str = r#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#;

fn answer(status: u16, body: &str, headers: &[(&'static str, &str)]) -> ReplayEvent {
    let mut response = HttpResponse::new(status.try_into().expect("a status"), SdkBody::from(body.to_owned()));
    response.headers_mut().insert("Content-Type", "application/json");
    for (k, v) in headers {
        response.headers_mut().insert(*k, v.to_string());
    }
    ReplayEvent::new(HttpRequest::empty(), response)
}

fn throttled(extra: &[(&'static str, &str)]) -> ReplayEvent {
    let mut headers = vec![("x-amzn-ErrorType", "TooManyRequestsException")];
    headers.extend_from_slice(extra);
    answer(429, THROTTLED, &headers)
}

/// A session whose every request gets the next of `events`, with the SDK's own retries off (as in
/// every test): what retries here is groundwork's helper.
fn session(events: Vec<ReplayEvent>, throttle_limit_seconds: Option<f64>) -> (Aws, StaticReplayClient) {
    let http = StaticReplayClient::new(events);
    let conf = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new("AKID", "SECRET", None, None, "t")))
        .http_client(http.clone())
        .retry_config(RetryConfig::disabled())
        .build();
    let settings = Settings { concurrency: 8, throttle_limit_seconds, ..Settings::default() };
    (Aws::from_config(conf, &settings), http)
}

fn at() -> At {
    At::new("111111111111", "eu-west-1")
}

#[tokio::test]
async fn a_call_throttled_twice_then_answered_succeeds() {
    let (aws, http) = session(vec![throttled(&[]), throttled(&[]), answer(200, HUB, &[])], None);
    let enabled = groundwork::aws::securityhub::hub_enabled(&aws, &at()).await;
    assert_eq!(enabled, Ok(true), "throttling is not the step's failure while retries remain");
    assert_eq!(http.actual_requests().count(), 3);
    let waits = aws.waits();
    assert_eq!(waits.len(), 2, "{waits:?}");
    assert!(waits.iter().all(|w| w.reason == WaitReason::Throttled && w.action == "securityhub:DescribeHub"));
    // Backoff with jitter: the second wait's step is twice the first's.
    assert!(waits[0].waited >= Duration::from_millis(125) && waits[0].waited <= Duration::from_millis(250));
    assert!(waits[1].waited >= Duration::from_millis(250) && waits[1].waited <= Duration::from_millis(500));
}

#[tokio::test]
async fn every_page_of_a_read_is_retried_when_throttled() {
    let list = r#"{"detectorIds":[]}"#;
    let (aws, http) = session(vec![throttled(&[]), answer(200, list, &[])], None);
    let found = groundwork::aws::guardduty::detector(&aws, &at()).await;
    assert_eq!(found, Ok(None));
    assert_eq!(http.actual_requests().count(), 2);
    assert_eq!(aws.waits().len(), 1);
}

#[tokio::test]
async fn retry_after_is_honoured_and_shown_while_it_lasts() {
    let (aws, _http) = session(vec![throttled(&[("Retry-After", "1")]), answer(200, HUB, &[])], None);
    let (tx, mut shown) = tokio::sync::mpsc::unbounded_channel();
    aws.watch_waits(tx);
    assert_eq!(groundwork::aws::securityhub::hub_enabled(&aws, &at()).await, Ok(true));
    // The progress line heard of the wait when it began (a second or more is worth showing).
    assert_eq!(shown.try_recv(), Ok(("securityhub:DescribeHub", Duration::from_secs(1))));
    let waits = aws.waits();
    assert_eq!(waits.len(), 1, "{waits:?}");
    assert_eq!((waits[0].reason, waits[0].waited), (WaitReason::RetryAfter, Duration::from_secs(1)));
}

#[tokio::test]
async fn a_call_throttled_past_the_limit_is_reported_as_throttled_with_advice() {
    let (aws, http) = session((0..10).map(|_| throttled(&[])).collect(), Some(0.3));
    let err = groundwork::aws::securityhub::hub_enabled(&aws, &at()).await.expect_err("still throttled");
    assert_eq!(err.kind, ErrorKind::Throttled, "{err:?}");
    let said = err.explain();
    assert!(said.contains("securityhub:DescribeHub") && said.contains("run again in a few minutes"), "{said}");
    let sent = http.actual_requests().count();
    assert!((2..10).contains(&sent), "retried, then stopped within the limit: {sent} requests");
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    let body = r#"{"__type":"InternalException","message":"boom"}"#;
    let (aws, http) =
        session(vec![answer(500, body, &[("x-amzn-ErrorType", "InternalException")]), answer(200, HUB, &[])], None);
    let err = groundwork::aws::securityhub::hub_enabled(&aws, &at()).await.expect_err("a 500");
    assert_eq!(err.kind, ErrorKind::Other, "{err:?}");
    assert_eq!(http.actual_requests().count(), 1, "asked once");
    assert!(aws.waits().is_empty());
}

#[tokio::test]
async fn our_own_pacing_keeps_to_the_documented_burst() {
    // Security Hub's documented rate for DescribeHub (its default): 10 a second, a burst of 30.
    // 60 calls in a row: the bucket refills at 10 a second while they run, so unless they took
    // three seconds, some must wait; none waits longer than the bucket needs for its turn.
    let (aws, _http) = session((0..60).map(|_| answer(200, HUB, &[])).collect(), None);
    for _ in 0..60 {
        assert_eq!(groundwork::aws::securityhub::hub_enabled(&aws, &at()).await, Ok(true));
    }
    let waits = aws.waits();
    assert!(!waits.is_empty(), "past the burst, calls wait for a token");
    assert!(waits.len() <= 30, "the burst is free: {} waits", waits.len());
    // One token's time at the rate groundwork keeps to (a little under the documented one).
    let turn = Duration::from_secs_f64(1.0 / (10.0 * groundwork::aws::rates::HEADROOM));
    assert!(waits.iter().all(|w| w.reason == WaitReason::Rate && w.waited <= turn), "{waits:?}");
}
