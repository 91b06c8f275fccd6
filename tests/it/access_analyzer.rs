//! access-analyzer end to end: the real binary against the emulator. A fresh organization under a
//! landing zone is not done; `apply` turns trusted access on, registers Audit as delegated
//! administrator and creates an ORGANIZATION analyzer in Audit in every governed Region, waited for
//! until ACTIVE; the step is then done, active findings are counted in its words, and a second apply
//! changes nothing. A Region whose analyzers cannot be read is unknown, never done.

use crate::common;

use std::path::Path;

use common::{Emulator, MGMT, check_json, groundwork, seed, step_status};
use serde_json::json;

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

fn apply(emu: &Emulator, state: &Path) -> String {
    let out = groundwork(&emu.url(), state)
        .env("GROUNDWORK_POLL_SECONDS", "0.2")
        .args(["apply", "access-analyzer", "--yes"])
        .output()
        .expect("run apply");
    format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn detail(json: &serde_json::Value) -> String {
    let step = json["steps"].as_array().and_then(|s| s.iter().find(|s| s["id"] == "access-analyzer"));
    step.map(ToString::to_string).unwrap_or_default()
}

#[tokio::test]
async fn a_fresh_organization_gets_an_organization_analyzer_in_every_governed_region() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let org = seed::organization(&emu).await;
    seed::landing_zone(&emu, &org, &REGIONS, "ACTIVE", "IN_SYNC");
    // AWS takes a while to create an analyzer: apply waits until it is ACTIVE.
    emu.hook("/_groundwork/delays", json!({"analyzer": 0.5}));

    let (_, before) = check_json(&emu, state.path());
    assert_eq!(step_status(&before, "access-analyzer"), "not-done", "{before:#}");

    let said = apply(&emu, state.path());
    assert!(said.contains("organizations:RegisterDelegatedAdministrator"), "{said}");
    assert!(said.contains("access-analyzer:CreateAnalyzer"), "{said}");
    let seen = emu.get("/_groundwork/state");
    for region in REGIONS {
        let analyzers = &seen["accessanalyzer"][format!("{}/{region}", org.audit)];
        assert_eq!(analyzers[0]["type"], "ORGANIZATION", "{region}: {seen:#}");
        assert_eq!(analyzers[0]["status"], "ACTIVE", "{region}: waited for: {said}");
    }
    assert!(seen["accessanalyzer"][format!("{MGMT}/us-east-1")].is_null(), "nothing in the management account");
    let (_, after) = check_json(&emu, state.path());
    assert_eq!(step_status(&after, "access-analyzer"), "done", "{said}\n{after:#}");

    // A resource shared outside the organization: counted in the words, never a failure.
    emu.hook(
        "/_groundwork/accessanalyzer/finding",
        json!({"account": org.audit, "region": "eu-west-1", "analyzerName": "groundwork-organization"}),
    );
    let (_, shared) = check_json(&emu, state.path());
    assert_eq!(step_status(&shared, "access-analyzer"), "done");
    assert!(detail(&shared).contains("1 active finding"), "{}", detail(&shared));

    // Done: a second apply changes nothing.
    let again = apply(&emu, state.path());
    assert!(!again.contains("access-analyzer:CreateAnalyzer"), "{again}");
    assert!(!again.contains("RegisterDelegatedAdministrator"), "{again}");
}

#[tokio::test]
async fn a_region_that_cannot_be_read_is_unknown_and_a_failed_analyzer_is_never_done() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let org = seed::organization(&emu).await;
    seed::landing_zone(&emu, &org, &REGIONS, "ACTIVE", "IN_SYNC");
    let said = apply(&emu, state.path());
    let (_, done) = check_json(&emu, state.path());
    assert_eq!(step_status(&done, "access-analyzer"), "done", "{said}");

    emu.hook(
        "/_groundwork/faults",
        json!({"operation": "ListAnalyzers", "service": "access-analyzer", "account": org.audit,
               "region": "eu-west-1", "status": 403, "code": "AccessDeniedException",
               "message": "User: arn:aws:sts::x:assumed-role/AWSControlTowerExecution/groundwork is not authorized to perform: access-analyzer:ListAnalyzers"}),
    );
    let (_, unread) = check_json(&emu, state.path());
    assert_eq!(step_status(&unread, "access-analyzer"), "unknown", "{unread:#}");
    let plan = groundwork(&emu.url(), state.path()).args(["plan", "access-analyzer"]).output().expect("plan");
    let plan = format!("{}{}", String::from_utf8_lossy(&plan.stdout), String::from_utf8_lossy(&plan.stderr));
    assert!(!plan.contains("CreateAnalyzer"), "nothing planned blind: {plan}");
    emu.hook("/_groundwork/faults/clear", json!({}));

    // An analyzer AWS could not create watches nothing: that Region is not done.
    emu.hook(
        "/_groundwork/accessanalyzer/status",
        json!({"account": org.audit, "region": "eu-west-1", "analyzerName": "groundwork-organization",
               "status": "FAILED", "reason": "SERVICE_LINKED_ROLE_CREATION_FAILED"}),
    );
    let (_, failed) = check_json(&emu, state.path());
    assert_eq!(step_status(&failed, "access-analyzer"), "partial", "{failed:#}");
    assert!(detail(&failed).contains("FAILED"), "{}", detail(&failed));
}
