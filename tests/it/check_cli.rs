//! `groundwork check` end to end: the real binary against the emulator, through the real SDK.

use crate::common;

use common::{Emulator, check_json, seed, step_status};

const STEPS: [&str; 15] = [
    "root-mfa",
    "contacts",
    "organization",
    "control-tower",
    "identity-center",
    "guardduty",
    "security-hub",
    "alerts",
    "guardrails",
    "iam-users",
    "access-analyzer",
    "ebs-encryption",
    "root-access",
    "s3-public-access",
    "budget",
];

#[test]
fn a_fresh_account_has_everything_left_to_do() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let (code, json) = check_json(&emu, state.path());
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["schema"], 1);
    assert_eq!(json["account"], common::MGMT);
    assert!(json["principal"].as_str().is_some_and(|p| p.starts_with("arn:aws:")));
    let ids: Vec<&str> = json["steps"].as_array().expect("steps").iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(ids, STEPS);
    for id in [
        "root-mfa",
        "contacts",
        "organization",
        "control-tower",
        "guardduty",
        "security-hub",
        "alerts",
        "guardrails",
        "access-analyzer",
        "ebs-encryption",
        "root-access",
        "s3-public-access",
        "budget",
    ] {
        assert_eq!(step_status(&json, id), "not-done", "{id}: {json}");
    }
    // moto gives every account an Identity Center instance, but nobody has a user yet.
    assert_eq!(step_status(&json, "identity-center"), "partial", "{json}");
    // A fresh account has no IAM user: nobody to move to Identity Center, no key to deactivate.
    assert_eq!(step_status(&json, "iam-users"), "done", "{json}");

    // The record remembers the verdicts, and never the credentials it ran with.
    let record = std::fs::read_to_string(state.path().join("state/123456789012.json")).expect("record written");
    assert!(record.contains("\"root-mfa\"") && record.contains("not-done"), "{record}");
    assert!(!record.contains("testing"), "the access key or secret leaked into the record");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fully_configured_organization_is_all_done() {
    let emu = Emulator::start();
    seed::everything(&emu, &["us-east-1", "eu-west-1"]).await;
    let state = tempfile::tempdir().expect("tempdir");
    let (code, json) = tokio::task::spawn_blocking({
        let state = state.path().to_owned();
        move || check_json(&emu, &state)
    })
    .await
    .expect("join");
    // guardrails: no OU holds a member account, so none is registered and there is nothing to put
    // controls on (never done, never a failure).
    for id in STEPS.iter().filter(|id| **id != "guardrails") {
        assert_eq!(step_status(&json, id), "done", "{id}: {json:#}");
    }
    assert_eq!(step_status(&json, "guardrails"), "not-applicable", "{json:#}");
    assert_eq!(code, 0);
}
