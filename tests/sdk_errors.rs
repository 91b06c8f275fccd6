//! Errors the emulator cannot produce (AccessDenied on a JSON service, throttling, an expired
//! token), shaped with aws-smithy-mocks and parsed by the real SDK, then classified by groundwork.

use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
use aws_smithy_types::retry::RetryConfig;
use groundwork::aws::ErrorKind;
use groundwork::aws::error::classify;

fn creds() -> Credentials {
    Credentials::new("AKID", "SECRET", None, None, "tests")
}

/// The retry policy groundwork runs with (the SDK's standard one), with a short backoff to keep
/// the test quick.
fn retries() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(3).with_initial_backoff(Duration::from_millis(5))
}

fn guardduty(rule: &Rule) -> aws_sdk_guardduty::Client {
    let conf = aws_sdk_guardduty::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(creds())
        .http_client(create_mock_http_client())
        .interceptor(MockResponseInterceptor::new().rule_mode(RuleMode::Sequential).with_rule(rule))
        .retry_config(retries())
        .build();
    aws_sdk_guardduty::Client::from_conf(conf)
}

#[tokio::test]
async fn access_denied_on_a_json_service_names_the_action_and_the_policy() {
    let body = r#"{"__type":"AccessDeniedException","message":"User: arn:aws:sts::222222222222:assumed-role/x/y is not authorized to perform: guardduty:ListDetectors"}"#;
    let rule = mock!(aws_sdk_guardduty::Client::list_detectors).sequence().http_status(403, Some(body.into())).build();
    let err = guardduty(&rule).list_detectors().send().await.expect_err("denied");
    let e = classify(&err, "guardduty:ListDetectors", "222222222222", Some("eu-west-1"));
    assert_eq!(e.kind, ErrorKind::AccessDenied, "{e:?}");
    let words = e.explain();
    assert!(words.contains("guardduty:ListDetectors") && words.contains("222222222222"), "{words}");
    assert!(words.contains("assets/policies/groundwork-check.json"), "{words}");
    assert_eq!(rule.num_calls(), 1, "access denied is not retried");
}

#[tokio::test]
async fn throttling_is_retried_with_backoff_then_succeeds() {
    let throttled = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
    let rule = mock!(aws_sdk_guardduty::Client::list_detectors)
        .sequence()
        .http_status(429, Some(throttled.into()))
        .times(2)
        .output(|| aws_sdk_guardduty::operation::list_detectors::ListDetectorsOutput::builder().build())
        .build();
    let out = guardduty(&rule).list_detectors().send().await.expect("third attempt succeeds");
    assert!(out.detector_ids().is_empty());
    assert_eq!(rule.num_calls(), 3);
}

#[tokio::test]
async fn persistent_throttling_is_reported_as_such() {
    let throttled = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
    let rule = mock!(aws_sdk_guardduty::Client::list_detectors)
        .sequence()
        .http_status(429, Some(throttled.into()))
        .repeatedly()
        .build();
    let err = guardduty(&rule).list_detectors().send().await.expect_err("throttled");
    let e = classify(&err, "guardduty:ListDetectors", "222222222222", Some("us-east-1"));
    assert_eq!(e.kind, ErrorKind::Throttled, "{e:?}");
    assert!(e.explain().contains("run again in a few minutes"), "{}", e.explain());
    assert_eq!(rule.num_calls(), 3, "the standard policy makes three attempts");
}

#[tokio::test]
async fn an_expired_token_says_how_to_sign_in_again() {
    let body = r"<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>1</RequestId></ErrorResponse>";
    let rule = mock!(aws_sdk_sts::Client::get_caller_identity).sequence().http_status(400, Some(body.into())).build();
    let conf = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(creds())
        .http_client(create_mock_http_client())
        .interceptor(MockResponseInterceptor::new().with_rule(&rule))
        .retry_config(retries())
        .build();
    let err = aws_sdk_sts::Client::from_conf(conf).get_caller_identity().send().await.expect_err("expired");
    let e = classify(&err, "sts:GetCallerIdentity", "unknown", Some("us-east-1"));
    assert_eq!(e.kind, ErrorKind::ExpiredCredentials, "{e:?}");
    assert!(e.is_fatal());
    assert!(e.explain_for(Some("dev")).contains("aws sso login --profile dev"), "{}", e.explain_for(Some("dev")));
}

#[tokio::test]
async fn an_html_page_is_not_an_aws_answer() {
    let rule = mock!(aws_sdk_guardduty::Client::list_detectors)
        .sequence()
        .http_status(404, Some("<!doctype html><title>404 Not Found</title>".into()))
        .build();
    let err = guardduty(&rule).list_detectors().send().await.expect_err("html");
    let e = classify(&err, "guardduty:ListDetectors", "222222222222", Some("us-east-1"));
    assert_eq!(e.kind, ErrorKind::NotSupported, "{e:?}");
    assert!(e.explain().contains("not supported here"));
}
