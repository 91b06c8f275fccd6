//! GuardDuty's finding publishing frequency: AWS sends updates to an existing finding on only every
//! six hours by default, so the alert email hears of a finding that recurs or grows that late.
//! groundwork creates Audit's detector with FIFTEEN_MINUTES, and plans an UpdateDetector (shown as a
//! change) for an existing one; the check names a slower frequency.

use crate::common;

use common::{Emulator, REGION, check_json, config, groundwork, seed};

async fn frequency(emu: &Emulator, account: &str) -> String {
    let gd = aws_sdk_guardduty::Client::new(&config(emu, account, REGION).await);
    let ids = gd.list_detectors().send().await.expect("detectors");
    let id = ids.detector_ids().first().expect("a detector").clone();
    let d = gd.get_detector().detector_id(id).send().await.expect("detector");
    d.finding_publishing_frequency().map(|f| f.as_str().to_owned()).unwrap_or_default()
}

#[tokio::test]
async fn audits_detector_sends_finding_updates_within_fifteen_minutes() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let org = seed::organization(&emu).await;
    seed::landing_zone(&emu, &org, &[REGION], "ACTIVE", "IN_SYNC");

    // A new detector: created with FIFTEEN_MINUTES.
    let out = groundwork(&emu.url(), state.path()).args(["apply", "guardduty", "--yes"]).output().expect("apply");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("FindingPublishingFrequency"), "the plan shows it: {said}");
    assert_eq!(frequency(&emu, &org.audit).await, "FIFTEEN_MINUTES", "{said}");

    // Someone sets it back to AWS's default: the check says so, and the plan changes it.
    let gd = aws_sdk_guardduty::Client::new(&config(&emu, &org.audit, REGION).await);
    let ids = gd.list_detectors().send().await.expect("detectors");
    gd.update_detector()
        .detector_id(ids.detector_ids()[0].clone())
        .finding_publishing_frequency(aws_sdk_guardduty::types::FindingPublishingFrequency::SixHours)
        .send()
        .await
        .expect("six hours");
    let (_, json) = check_json(&emu, state.path());
    assert!(json.to_string().contains("every SIX_HOURS"), "{json:#}");
    let plan = groundwork(&emu.url(), state.path()).args(["plan", "guardduty"]).output().expect("plan");
    let plan = String::from_utf8_lossy(&plan.stdout).to_string();
    assert!(plan.contains("guardduty:UpdateDetector"), "{plan}");
    let out = groundwork(&emu.url(), state.path()).args(["apply", "guardduty", "--yes"]).output().expect("apply");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(frequency(&emu, &org.audit).await, "FIFTEEN_MINUTES", "{said}");
    let (_, json) = check_json(&emu, state.path());
    assert!(!json.to_string().contains("every SIX_HOURS"), "{json:#}");
}
