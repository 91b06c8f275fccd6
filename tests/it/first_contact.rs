//! First contact: what a person sees on a machine where AWS is not set up, with a mistyped profile,
//! or with an IAM Identity Center profile that has never signed in. Each says the one thing to do.

use crate::common;

use std::path::Path;

use common::groundwork;

/// Nothing listens here; none of these runs gets as far as a call.
const NOWHERE: &str = "http://127.0.0.1:9";

fn run(state: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = groundwork(NOWHERE, state)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_REGION")
        .env("HOME", state)
        .args(args)
        .output()
        .expect("run groundwork");
    assert!(out.stdout.is_empty(), "nothing on stdout");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn nothing_configured_says_everything_missing_at_once() {
    let state = tempfile::tempdir().expect("tempdir");
    let (code, said) = run(state.path(), &["check"]);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("no Region and no credentials"), "{said}");
    assert!(said.contains("aws configure sso") && said.contains("aws sso login"), "{said}");
    assert!(said.contains("groundwork sandbox"), "{said}");
}

#[test]
fn an_unknown_profile_is_named_with_the_ones_that_exist() {
    let state = tempfile::tempdir().expect("tempdir");
    std::fs::write(state.path().join("no-aws-config"), "[default]\nregion = eu-west-1\n[profile acme-admin]\n")
        .expect("config");
    let (code, said) = run(state.path(), &["check", "--profile", "acme-admn"]);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("acme-admn is not defined"), "{said}");
    assert!(said.contains("acme-admin") && said.contains("default"), "the profiles that exist: {said}");
    assert!(!said.contains("Region"), "not mistaken for a missing Region: {said}");
}

#[test]
fn an_identity_center_profile_without_a_sign_in_says_aws_sso_login() {
    let state = tempfile::tempdir().expect("tempdir");
    let config = "[profile dev]\nsso_session = acme\nsso_account_id = 123456789012\nsso_role_name = Admin\n\
                  region = us-east-1\n[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\n\
                  sso_region = us-east-1\n[profile old]\nsso_start_url = https://acme.awsapps.com/start\n\
                  sso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Admin\nregion = us-east-1\n";
    std::fs::write(state.path().join("no-aws-config"), config).expect("config");
    for profile in ["dev", "old"] {
        let (code, said) = run(state.path(), &["check", "--profile", profile]);
        assert_eq!(code, Some(2), "{profile}: {said}");
        assert!(said.contains(&format!("aws sso login --profile {profile}")), "{profile}: {said}");
        assert!(!said.contains("did not accept these credentials"), "{profile}: {said}");
    }
}
