//! Advice that fits the cause, with AWS's own words kept: errors shaped with aws-smithy-mocks in
//! AWS's real wording, parsed by the real SDK, then classified and explained by groundwork.

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
use aws_smithy_types::retry::RetryConfig;
use groundwork::aws::ErrorKind;
use groundwork::aws::error::{classify, from_credentials};

fn guardduty(rule: &Rule, region: &str) -> aws_sdk_guardduty::Client {
    let conf = aws_sdk_guardduty::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "tests"))
        .http_client(create_mock_http_client())
        .interceptor(MockResponseInterceptor::new().rule_mode(RuleMode::Sequential).with_rule(rule))
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_guardduty::Client::from_conf(conf)
}

async fn list_detectors_error(status: u16, body: &str, region: &str) -> groundwork::aws::AwsError {
    let rule =
        mock!(aws_sdk_guardduty::Client::list_detectors).sequence().http_status(status, Some(body.to_owned())).build();
    let err = guardduty(&rule, region).list_detectors().send().await.expect_err("an error");
    classify(&err, "guardduty:ListDetectors", "222222222222", Some(region))
}

#[tokio::test]
async fn a_service_control_policy_deny_says_who_must_change_it() {
    let body = r#"{"__type":"AccessDeniedException","message":"User: arn:aws:sts::222222222222:assumed-role/AWSControlTowerExecution/groundwork is not authorized to perform: guardduty:ListDetectors with an explicit deny in a service control policy"}"#;
    let e = list_detectors_error(403, body, "eu-west-1").await;
    assert_eq!(e.kind, ErrorKind::DeniedByOrganization, "{e:?}");
    let words = e.explain();
    assert!(words.contains("service or resource control policy"), "{words}");
    assert!(!words.contains("Grant it"), "granting can't help: {words}");
    assert!(words.contains("with an explicit deny in a service control policy"), "AWS's words kept: {words}");
}

#[tokio::test]
async fn a_missing_permission_says_grant_it_and_keeps_aws_words() {
    let body = r#"{"__type":"AccessDeniedException","message":"User: arn:aws:iam::222222222222:user/ada is not authorized to perform: guardduty:ListDetectors because no identity-based policy allows the guardduty:ListDetectors action"}"#;
    let e = list_detectors_error(403, body, "eu-west-1").await;
    assert_eq!(e.kind, ErrorKind::AccessDenied, "{e:?}");
    let words = e.explain();
    assert!(words.contains("Grant it") && words.contains("groundwork-check.json"), "{words}");
    assert!(words.contains("because no identity-based policy allows"), "AWS's words kept: {words}");
}

#[tokio::test]
async fn an_explicit_deny_in_an_identity_policy_is_not_fixed_by_granting() {
    let body = r#"{"__type":"AccessDeniedException","message":"User: arn:aws:iam::222222222222:user/ada is not authorized to perform: guardduty:ListDetectors with an explicit deny in an identity-based policy"}"#;
    let e = list_detectors_error(403, body, "eu-west-1").await;
    assert_eq!(e.kind, ErrorKind::AccessDenied, "{e:?}");
    let words = e.explain();
    assert!(words.contains("explicitly denied") && !words.contains("Grant it"), "{words}");
}

#[tokio::test]
async fn an_opt_in_region_not_enabled_is_not_a_credentials_problem() {
    let body = r#"{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}"#;
    let e = list_detectors_error(400, body, "af-south-1").await;
    assert_eq!(e.kind, ErrorKind::RegionNotEnabled, "{e:?}");
    assert!(!e.is_fatal(), "other Regions still work");
    let words = e.explain();
    assert!(words.contains("opt-in Region") && words.contains("enable-region"), "{words}");
    assert!(words.contains("The security token included in the request is invalid"), "{words}");

    // The same answer in a Region every account has is a credentials problem.
    let e = list_detectors_error(400, body, "eu-west-1").await;
    assert_eq!(e.kind, ErrorKind::InvalidCredentials, "{e:?}");
}

#[tokio::test]
async fn sts_says_region_disabled_plainly() {
    let body = r"<ErrorResponse><Error><Type>Sender</Type><Code>RegionDisabledException</Code><Message>STS is not activated in this region for account:222222222222. Your account administrator can activate STS in this region using the IAM Console.</Message></Error><RequestId>1</RequestId></ErrorResponse>";
    let rule = mock!(aws_sdk_sts::Client::get_caller_identity).sequence().http_status(403, Some(body.into())).build();
    let conf = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("me-central-1"))
        .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "tests"))
        .http_client(create_mock_http_client())
        .interceptor(MockResponseInterceptor::new().with_rule(&rule))
        .retry_config(RetryConfig::disabled())
        .build();
    let err = aws_sdk_sts::Client::from_conf(conf).get_caller_identity().send().await.expect_err("disabled");
    let e = classify(&err, "sts:GetCallerIdentity", "222222222222", Some("me-central-1"));
    assert_eq!(e.kind, ErrorKind::RegionNotEnabled, "{e:?}");
}

#[test]
fn an_expired_sso_session_behind_an_assume_role_says_sign_in_again() {
    // What a member account's credentials say when the base SSO session has expired (the SDK's
    // own wording for the token, behind groundwork's member-role provider).
    let err = CredentialsError::provider_error(
        "could not assume a role in account 222222222222: arn:aws:iam::222222222222:role/AWSControlTowerExecution: \
         the SSO token has expired and cannot be refreshed",
    );
    let e = from_credentials(&err);
    assert_eq!(e.kind, ErrorKind::ExpiredCredentials, "{e:?}");
    assert!(e.explain_for(Some("acme")).contains("aws sso login --profile acme"), "{}", e.explain_for(Some("acme")));
}

#[tokio::test]
async fn throttling_keeps_aws_words() {
    let body = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
    let e = list_detectors_error(429, body, "eu-west-1").await;
    assert_eq!(e.kind, ErrorKind::Throttled, "{e:?}");
    let words = e.explain();
    assert!(words.contains("run again in a few minutes") && words.contains("Rate exceeded"), "{words}");
}
