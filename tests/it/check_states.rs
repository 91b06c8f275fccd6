//! Each step's check against realistic half-way states in the emulator, through the library (the
//! same code `groundwork check` runs), and the multi-account model: Audit reached by assuming a role.

use crate::common;

use common::{Emulator, MGMT, REGION, seed, session};
use groundwork::catalog::StepId;
use groundwork::verdict::{Status, StepResult};
use groundwork::{checks, facts};

async fn check(emu: &Emulator, id: StepId) -> StepResult {
    let aws = session(emu, 8).await;
    let facts = facts::gather(&aws).await.expect("identity");
    checks::check(&aws, &facts, id).await
}

#[tokio::test]
async fn root_mfa_needs_mfa_and_no_keys() {
    let emu = Emulator::start();
    seed::root_mfa(&emu, MGMT, true, true);
    let r = check(&emu, StepId::RootMfa).await;
    assert_eq!(r.status, Status::Partial, "{r:?}");
    assert!(r.findings[0].detail.contains("access keys"), "{r:?}");
    seed::root_mfa(&emu, MGMT, true, false);
    assert_eq!(check(&emu, StepId::RootMfa).await.status, Status::Done);
}

#[tokio::test]
async fn contacts_are_partial_with_only_security_and_cover_member_accounts() {
    let emu = Emulator::start();
    seed::contacts(&emu, MGMT, &["SECURITY"]).await;
    let r = check(&emu, StepId::Contacts).await;
    assert_eq!(r.status, Status::Partial, "{r:?}");
    assert!(r.findings[0].detail.contains("BILLING"), "{r:?}");

    let org = seed::organization(&emu).await;
    seed::trusted_access(&emu, "account.amazonaws.com").await; // members are read with AccountId
    seed::contacts(&emu, MGMT, &["BILLING", "OPERATIONS"]).await;
    let r = check(&emu, StepId::Contacts).await;
    // The management account is now complete, the two new members have nothing.
    assert_eq!(r.findings.len(), 3, "{r:?}");
    assert_eq!(r.status, Status::Partial);
    for account in [&org.audit, &org.log_archive] {
        let f = r.findings.iter().find(|f| &f.account == account).expect("member finding");
        assert_eq!(f.status, Status::NotDone, "{f:?}");
        seed::contacts(&emu, account, &["SECURITY", "BILLING", "OPERATIONS"]).await;
    }
    assert_eq!(check(&emu, StepId::Contacts).await.status, Status::Done);
}

#[tokio::test]
async fn organization_with_all_features_is_done() {
    let emu = Emulator::start();
    assert_eq!(check(&emu, StepId::Organization).await.status, Status::NotDone);
    seed::organization(&emu).await;
    assert_eq!(check(&emu, StepId::Organization).await.status, Status::Done);
}

#[tokio::test]
async fn landing_zone_processing_or_drifted_is_partial() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    for (status, drift, expected, word) in [
        ("PROCESSING", "IN_SYNC", Status::Partial, "being set up"),
        ("ACTIVE", "DRIFTED", Status::Partial, "drifted"),
        ("FAILED", "IN_SYNC", Status::Partial, "failed"),
        ("ACTIVE", "IN_SYNC", Status::Done, "in sync"),
    ] {
        seed::landing_zone(&emu, &org, &["eu-west-1"], status, drift);
        let r = check(&emu, StepId::ControlTower).await;
        assert_eq!(r.status, expected, "{status}/{drift}: {r:?}");
        assert!(r.findings[0].detail.contains(word), "{r:?}");
        // Read in its home Region, not the configured one.
        assert_eq!(r.findings[0].region.as_deref(), Some("eu-west-1"));
    }
}

#[tokio::test]
async fn identity_center_needs_a_user_with_an_assignment() {
    let emu = Emulator::start();
    seed::identity_center_user(&emu, REGION, false).await;
    let r = check(&emu, StepId::IdentityCenter).await;
    assert_eq!(r.status, Status::Partial, "{r:?}");
    assert!(r.findings[0].detail.contains("none is assigned"), "{r:?}");
}

#[tokio::test]
async fn a_suspended_detector_is_never_done() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    seed::guardduty(&emu, &org, REGION, false, "ALL").await;
    let r = check(&emu, StepId::Guardduty).await;
    assert_eq!(r.status, Status::Partial, "{r:?}");
    assert!(r.findings[0].detail.contains("suspended"), "{r:?}");
    assert_eq!(r.findings[0].account, org.audit);
}

#[tokio::test]
async fn guardduty_auto_enable_new_only_is_partial() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    seed::guardduty(&emu, &org, REGION, true, "NEW").await;
    let r = check(&emu, StepId::Guardduty).await;
    assert_eq!(r.status, Status::Partial, "{r:?}");
    assert!(r.findings[0].detail.contains("NEW"), "{r:?}");
}

#[tokio::test]
async fn security_hub_without_fsbp_is_partial() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    seed::security_hub(&emu, &org, REGION, false, true).await;
    let r = check(&emu, StepId::SecurityHub).await;
    assert_eq!(r.status, Status::Partial, "{r:?}");
    assert!(r.findings[0].detail.contains("Foundational Security Best Practices is not enabled"), "{r:?}");
}

#[tokio::test]
async fn security_hub_with_fsbp_incomplete_is_partial() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    seed::security_hub(&emu, &org, REGION, true, true).await;
    seed::security_hub_members(&emu, &org, REGION).await;
    assert_eq!(check(&emu, StepId::SecurityHub).await.status, Status::Done);
    emu.hook(
        "/_groundwork/securityhub/standard-status",
        serde_json::json!({"account": org.audit, "region": REGION,
            "standardsArn": groundwork::aws::securityhub::fsbp_arn(REGION),
            "status": "INCOMPLETE", "reason": "NO_AVAILABLE_CONFIGURATION_RECORDER"}),
    );
    let r = check(&emu, StepId::SecurityHub).await;
    assert_eq!(r.status, Status::Partial, "{r:?}");
    assert!(r.findings[0].detail.contains("NO_AVAILABLE_CONFIGURATION_RECORDER"), "{r:?}");
    let audit = r.findings.iter().find(|f| f.region.is_none() && f.account == org.audit).expect("Audit's finding");
    assert_eq!(audit.status, Status::Partial, "{audit:?}");
}

#[tokio::test]
async fn a_pending_email_subscription_is_partial() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let topic = seed::alerts(&emu, &org.audit, REGION, false).await;
    let r = check(&emu, StepId::Alerts).await;
    assert_eq!(r.status, Status::Partial, "{r:?}");
    assert!(r.findings[0].detail.contains("not confirmed"), "{r:?}");
    emu.hook(
        "/_groundwork/sns/confirm",
        serde_json::json!({"account": org.audit, "region": REGION, "topicArn": topic, "endpoint": "alerts@example.com"}),
    );
    assert_eq!(check(&emu, StepId::Alerts).await.status, Status::Done);
}

#[tokio::test]
async fn a_topic_that_eventbridge_cannot_publish_to_is_partial() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let topic = seed::alerts(&emu, &org.audit, REGION, true).await;
    aws_sdk_sns::Client::new(&common::config(&emu, &org.audit, REGION).await)
        .set_topic_attributes()
        .topic_arn(&topic)
        .attribute_name("Policy")
        .attribute_value(r#"{"Version":"2012-10-17","Statement":[]}"#)
        .send()
        .await
        .expect("replace policy");
    let r = check(&emu, StepId::Alerts).await;
    assert_eq!(r.status, Status::Partial, "{r:?}");
    assert!(r.findings[0].detail.contains("policy"), "{r:?}");
}

/// The multi-account model: Log Archive and Audit from the manifest, GuardDuty delegated to Audit,
/// Audit's detector read through an assumed role, in both governed Regions.
#[tokio::test]
async fn guardduty_is_read_in_audit_in_every_governed_region() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let regions = ["us-east-1", "eu-west-1"];
    seed::landing_zone(&emu, &org, &regions, "ACTIVE", "IN_SYNC");
    seed::guardduty(&emu, &org, "us-east-1", true, "ALL").await;

    let aws = session(&emu, 8).await;
    let facts = facts::gather(&aws).await.expect("identity");
    assert_eq!(facts.audit.as_ref().map(|a| a.id.as_str()), Some(org.audit.as_str()));
    assert_eq!(facts.log_archive.as_ref().map(|a| a.id.as_str()), Some(org.log_archive.as_str()));
    assert_eq!(facts.governed_regions, regions);

    let r = checks::check(&aws, &facts, StepId::Guardduty).await;
    assert_eq!(r.status, Status::Partial, "{r:?}");
    let by_region = |region: &str| r.findings.iter().find(|f| f.region.as_deref() == Some(region)).expect("region");
    assert_eq!(by_region("us-east-1").status, Status::Done, "{r:?}");
    assert_eq!(by_region("eu-west-1").status, Status::NotDone, "{r:?}");
    // The Regions' setup is Audit's; then one finding per account, enrolled in us-east-1 only.
    assert!(r.findings.iter().filter(|f| f.region.is_some()).all(|f| f.account == org.audit));
    for account in [MGMT, org.log_archive.as_str(), org.audit.as_str()] {
        let f = r.findings.iter().find(|f| f.region.is_none() && f.account == account).expect("account finding");
        assert_eq!(f.status, Status::Partial, "{f:?}");
        assert!(f.detail.contains("eu-west-1"), "{f:?}");
    }

    seed::guardduty(&emu, &org, "eu-west-1", true, "ALL").await;
    assert_eq!(checks::check(&aws, &facts, StepId::Guardduty).await.status, Status::Done);
}

/// Without a landing zone, the Audit account is found by name.
#[tokio::test]
async fn audit_is_found_by_name_without_a_landing_zone() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let aws = session(&emu, 8).await;
    let facts = facts::gather(&aws).await.expect("identity");
    let audit = facts.audit.expect("audit by name");
    assert_eq!(audit.id, org.audit);
    assert_eq!(audit.source, facts::Source::AccountName);
    assert_eq!(facts.governed_regions, [REGION]);
}

fn document(v: &serde_json::Value) -> aws_smithy_types::Document {
    use aws_smithy_types::{Document, Number};
    match v {
        serde_json::Value::Object(m) => Document::Object(m.iter().map(|(k, v)| (k.clone(), document(v))).collect()),
        serde_json::Value::Array(a) => Document::Array(a.iter().map(document).collect()),
        serde_json::Value::String(s) => Document::String(s.clone()),
        serde_json::Value::Number(n) => Document::Number(Number::PosInt(n.as_u64().unwrap_or_default())),
        serde_json::Value::Bool(b) => Document::Bool(*b),
        serde_json::Value::Null => Document::Null,
    }
}

/// A landing zone whose setup failed says what AWS said about the failure.
#[tokio::test]
async fn a_failed_landing_zone_shows_why() {
    let emu = Emulator::start_with(&[("GROUNDWORK_EMULATOR_CT_DELAY_SECONDS", "-1")]);
    let org = seed::organization(&emu).await;
    seed::control_tower_prerequisites(&emu, &org).await;
    let manifest = seed::manifest_4(&org, &[REGION]);
    let created = aws_sdk_controltower::Client::new(&common::config(&emu, MGMT, REGION).await)
        .create_landing_zone()
        .version("4.0")
        .manifest(document(&manifest))
        .send()
        .await
        .expect("create landing zone");
    assert_eq!(check(&emu, StepId::ControlTower).await.status, Status::Partial);
    emu.hook(
        "/_groundwork/controltower/operations/complete",
        serde_json::json!({"operationIdentifier": created.operation_identifier(), "status": "FAILED",
                           "statusMessage": "AWS Config is already enabled in account 111"}),
    );
    let r = check(&emu, StepId::ControlTower).await;
    assert_eq!(r.status, Status::Partial, "{r:?}");
    assert!(r.findings[0].detail.contains("AWS Config is already enabled"), "{r:?}");
}
