//! AWS's request id in error messages: kept from the answer (the `x-amzn-RequestId` header, which
//! is where AWS sends it), shown with `--verbose` and only then. Errors shaped with aws-smithy-mocks,
//! parsed by the real SDK, classified and explained by groundwork. Its own test binary: the switch
//! is one per process.

use aws_credential_types::Credentials;
use aws_sdk_guardduty::config::http::HttpResponse;
use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_smithy_mocks::{MockResponseInterceptor, RuleMode, create_mock_http_client, mock};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;
use groundwork::aws::ErrorKind;
use groundwork::aws::error::{classify, set_verbose};

const REQUEST_ID: &str = "5d8e2a6c-1f3b-4c7d-9e0a-6b2f8c4d1e7a";

#[tokio::test]
async fn the_request_id_is_kept_and_shown_only_with_verbose() {
    let body = r#"{"__type":"BadRequestException","message":"The request is rejected because the input detectorId is not owned by the current account.","type":"InvalidInputException"}"#;
    let rule = mock!(aws_sdk_guardduty::Client::get_detector)
        .sequence()
        .http_response(move || {
            let mut response = HttpResponse::new(400.try_into().expect("a status"), SdkBody::from(body));
            response.headers_mut().insert("x-amzn-RequestId", REQUEST_ID);
            response.headers_mut().insert("x-amzn-ErrorType", "BadRequestException");
            response.headers_mut().insert("Content-Type", "application/json");
            response
        })
        .build();
    let conf = aws_sdk_guardduty::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "tests"))
        .http_client(create_mock_http_client())
        .interceptor(MockResponseInterceptor::new().rule_mode(RuleMode::Sequential).with_rule(&rule))
        .retry_config(RetryConfig::disabled())
        .build();
    let err =
        aws_sdk_guardduty::Client::from_conf(conf).get_detector().detector_id("abc").send().await.expect_err("refused");
    let e = classify(&err, "guardduty:GetDetector", "222222222222", Some("eu-west-1"));
    assert_eq!((e.kind, e.code.as_deref()), (ErrorKind::Other, Some("BadRequestException")), "{e:?}");
    assert_eq!(e.request_id(), Some(REQUEST_ID), "kept from AWS's answer");

    set_verbose(false);
    let plain = e.explain();
    assert!(plain.contains("is not owned by the current account"), "AWS's words: {plain}");
    assert!(!plain.contains(REQUEST_ID), "without --verbose, no request id: {plain}");

    set_verbose(true);
    let verbose = e.explain_for(Some("acme-admin"));
    set_verbose(false);
    assert!(verbose.starts_with(&plain), "the same message, then the id: {verbose}");
    assert!(verbose.contains(&format!("request id {REQUEST_ID}")), "with --verbose: {verbose}");
}

#[test]
fn verbose_is_a_global_option() {
    // `--verbose` after any command (and `-v`), as `--profile` and `--region` are.
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("groundwork"))
        .args(["log", "--verbose", "--help"])
        .output()
        .expect("run groundwork");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--verbose") && help.contains("request id"), "{help}");
}
