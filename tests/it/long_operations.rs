//! Long operations have limits and honest outcomes: past its limit a wait ends in "still in
//! progress" (never success), the operation stays recorded as pending, and the next run resumes it.

use crate::common;

use common::{Emulator, MGMT, check_json, groundwork, step_status};

const CT: [&str; 6] = [
    "--set",
    "control-tower.regions=us-east-1",
    "--set",
    "control-tower.log-archive-email=log@example.com",
    "--set",
    "control-tower.audit-email=audit@example.com",
];

#[test]
fn a_landing_zone_still_running_at_the_limit_is_in_progress_then_resumed() {
    // Operations finish only when the test says so: longer than any limit.
    let emu = Emulator::start_with(&[("GROUNDWORK_EMULATOR_CT_DELAY_SECONDS", "-1")]);
    let dir = tempfile::tempdir().expect("tempdir");
    let org = groundwork(&emu.url(), dir.path()).args(["apply", "organization", "--yes"]).output().expect("org");
    assert!(org.status.success(), "{}", String::from_utf8_lossy(&org.stderr));

    let out = groundwork(&emu.url(), dir.path())
        .env("GROUNDWORK_POLL_SECONDS", "0.2")
        .env("GROUNDWORK_WAIT_LIMIT_SECONDS", "1")
        .args(["apply", "control-tower", "--yes"])
        .args(CT)
        .output()
        .expect("apply");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "not done, and not a failure to check: {said}");
    assert!(said.contains("stopped waiting") && said.contains("not finished yet"), "{said}");
    assert!(!said.contains("A change failed"), "a wait that ran out is not a failure: {said}");

    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(format!("state/{MGMT}.json"))).expect("record"))
            .expect("json");
    let pending = record["pending"][0]["id"].as_str().expect("the operation is still pending").to_owned();
    assert_ne!(record["steps"]["control-tower"]["result"]["status"], "done", "{record:#}");
    let (_, json) = check_json(&emu, dir.path());
    assert_ne!(step_status(&json, "control-tower"), "done", "{json:#}");

    // The next apply resumes waiting for the same operation (no second landing zone), and ends done
    // once AWS finishes.
    let mut again = common::groundwork_process(&emu.url(), dir.path());
    again.env("GROUNDWORK_POLL_SECONDS", "0.2").args(["apply", "control-tower", "--yes"]);
    let (resumed, waiting) = common::run_watching(again, "Waiting for landing zone operation");
    common::wait_until_seen(&waiting, "Waiting for landing zone operation");
    emu.hook(
        "/_groundwork/controltower/operations/complete",
        serde_json::json!({"operationIdentifier": pending, "status": "SUCCEEDED"}),
    );
    let again = resumed.join().expect("join");
    let said = format!("{}{}", String::from_utf8_lossy(&again.stdout), String::from_utf8_lossy(&again.stderr));
    assert_eq!(again.status.code(), Some(0), "{said}");
    assert!(said.contains(&pending), "the same operation resumed: {said}");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(format!("state/{MGMT}.json"))).expect("record"))
            .expect("json");
    assert_eq!(record["pending"].as_array().map(Vec::len), Some(0), "no longer pending: {record:#}");
}

/// The action log's outcome lines (not the intents).
fn outcomes(dir: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join(format!("state/{MGMT}.actions.jsonl")))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("log line is JSON"))
        .filter(|e| e["result"] != "started")
        .collect()
}

fn said(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// How many requests of `operation` the emulator served (in `account`, when given).
fn served(emu: &Emulator, operation: &str, account: Option<&str>) -> usize {
    emu.requests().iter().filter(|r| r["operation"] == operation && account.is_none_or(|a| r["account"] == a)).count()
}

/// An organization with Audit and Log Archive named by a landing zone, governing us-east-1.
async fn organization_with_landing_zone(emu: &Emulator) -> common::seed::Org {
    let org = common::seed::organization(emu).await;
    common::seed::landing_zone(emu, &org, &["us-east-1"], "ACTIVE", "IN_SYNC");
    // Control Tower's Config integration records in Audit and Log Archive: FSBP can be READY there.
    common::seed::control_tower_config(emu, &org, &[&org.log_archive, &org.audit], &["us-east-1"]).await;
    org
}

#[tokio::test(flavor = "multi_thread")]
async fn a_standard_still_pending_at_the_limit_is_in_progress_then_resumed_without_enabling_it_twice() {
    // FSBP stays PENDING until the test says otherwise; this run waits 1 second.
    let emu = Emulator::start_with(&[("GROUNDWORK_EMULATOR_STANDARDS_DELAY_SECONDS", "-1")]);
    let org = organization_with_landing_zone(&emu).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = groundwork(&emu.url(), dir.path())
        .env("GROUNDWORK_POLL_SECONDS", "0.2")
        .env("GROUNDWORK_WAIT_LIMIT_SECONDS", "1")
        .args(["apply", "security-hub", "--yes"])
        .output()
        .expect("apply");
    let first = said(&out);
    assert_eq!(out.status.code(), Some(1), "not done: {first}");
    assert!(first.contains("stopped waiting") && first.contains("not finished yet"), "{first}");
    assert!(!first.contains("A change failed"), "a wait that ran out is not a failure: {first}");
    let enabled: Vec<_> =
        outcomes(dir.path()).into_iter().filter(|e| e["operation"] == "securityhub:BatchEnableStandards").collect();
    assert_eq!(enabled.len(), 1, "the run stopped at the first standard still PENDING: {enabled:?}");
    assert_eq!(enabled[0]["result"], "in-progress", "never ok while PENDING: {enabled:?}");
    assert!(served(&emu, "GetEnabledStandards", Some(&org.audit)) >= 2, "it polled before giving up");
    let (_, json) = check_json(&emu, dir.path());
    assert_eq!(step_status(&json, "security-hub"), "partial", "PENDING is not done: {json:#}");
    let findings = json.to_string();
    assert!(findings.contains("still being enabled"), "the check says FSBP is still being enabled: {json:#}");

    // The next apply waits for the same subscription (no second BatchEnableStandards in Audit), which
    // AWS finishes while it waits, and finishes the other accounts (their FSBP READY after 1 s).
    emu.hook("/_groundwork/delays", serde_json::json!({"standards": 1}));
    // AWS finishes it only once the new process has begun to wait for it in Audit.
    let doing = format!("securityhub:GetEnabledStandards in account {}", org.audit);
    let mut again = common::groundwork_process(&emu.url(), dir.path());
    again.env("GROUNDWORK_POLL_SECONDS", "0.2").args(["apply", "security-hub", "--yes"]);
    let (resumed, waiting) = common::run_watching(again, doing.clone());
    common::wait_until_seen(&waiting, &doing);
    let fsbp = "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0";
    emu.hook(
        "/_groundwork/securityhub/standard-status",
        serde_json::json!({"account": org.audit, "region": "us-east-1", "standardsArn": fsbp, "status": "READY"}),
    );
    let out = resumed.join().expect("join");
    let second = said(&out);
    assert_eq!(out.status.code(), Some(0), "{second}");
    assert!(second.contains("securityhub:GetEnabledStandards"), "the plan waits for FSBP in Audit: {second}");
    assert_eq!(served(&emu, "BatchEnableStandards", Some(&org.audit)), 1, "FSBP enabled once in Audit");
    let (_, json) = check_json(&emu, dir.path());
    assert_eq!(step_status(&json, "security-hub"), "done", "{json:#}");
    let log = outcomes(dir.path());
    let waits = log.iter().filter(|e| e["operation"] == "securityhub:GetEnabledStandards").count();
    assert_eq!(waits, 0, "a wait changes nothing, so it is not in the action log");
    assert!(
        log.iter()
            .filter(|e| e["operation"] == "securityhub:BatchEnableStandards")
            .skip(1)
            .all(|e| e["result"] == "ok"),
        "{log:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_standard_ready_within_the_limit_is_waited_for_and_done() {
    let emu = Emulator::start_with(&[("GROUNDWORK_EMULATOR_STANDARDS_DELAY_SECONDS", "1")]);
    organization_with_landing_zone(&emu).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = groundwork(&emu.url(), dir.path())
        .env("GROUNDWORK_POLL_SECONDS", "0.2")
        .args(["apply", "security-hub", "--yes"])
        .output()
        .expect("apply");
    // The re-check right after the apply says done only if every FSBP (the last enabled a moment
    // before) was READY: each enable waited for it.
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let log = outcomes(dir.path());
    let enabled: Vec<_> = log.iter().filter(|e| e["operation"] == "securityhub:BatchEnableStandards").collect();
    assert_eq!(enabled.len(), 3, "Audit, Log Archive and the management account: {log:?}");
    assert!(enabled.iter().all(|e| e["result"] == "ok"), "{enabled:?}");
    assert!(served(&emu, "GetEnabledStandards", None) >= 3 * 3, "each enable polled until READY");
}

#[test]
fn an_account_still_being_created_at_the_limit_is_in_progress_then_followed_not_created_again() {
    // Accounts take 6 seconds to create (long enough that the next run starts before Log Archive
    // exists); the first run waits 1.
    let emu = Emulator::start_with(&[("GROUNDWORK_EMULATOR_ACCOUNT_DELAY_SECONDS", "6")]);
    let dir = tempfile::tempdir().expect("tempdir");
    let org = groundwork(&emu.url(), dir.path()).args(["apply", "organization", "--yes"]).output().expect("org");
    assert!(org.status.success(), "{}", said(&org));
    let out = groundwork(&emu.url(), dir.path())
        .env("GROUNDWORK_POLL_SECONDS", "0.2")
        .env("GROUNDWORK_WAIT_LIMIT_SECONDS", "1")
        .args(["apply", "control-tower", "--yes"])
        .args(CT)
        .output()
        .expect("apply");
    let first = said(&out);
    assert_eq!(out.status.code(), Some(1), "{first}");
    assert!(first.contains("stopped waiting") && first.contains("not finished yet"), "{first}");
    let created: Vec<_> =
        outcomes(dir.path()).into_iter().filter(|e| e["operation"] == "organizations:CreateAccount").collect();
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(created[0]["result"], "in-progress", "never ok while IN_PROGRESS: {created:?}");
    assert_eq!(served(&emu, "CreateLandingZone", None), 0, "nothing after the account was started");

    // The next run follows the same request (ListCreateAccountStatus) instead of a second account.
    let out = groundwork(&emu.url(), dir.path())
        .env("GROUNDWORK_POLL_SECONDS", "0.2")
        .args(["apply", "control-tower", "--yes"])
        .args(CT)
        .output()
        .expect("resume");
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert_eq!(served(&emu, "CreateAccount", None), 2, "Log Archive once, then Audit: no second Log Archive");
    let created: Vec<_> =
        outcomes(dir.path()).into_iter().filter(|e| e["operation"] == "organizations:CreateAccount").collect();
    let names: Vec<_> = created.iter().map(|e| (e["parameters"]["AccountName"].clone(), e["result"].clone())).collect();
    assert_eq!(
        names,
        [
            (serde_json::json!("Log Archive"), serde_json::json!("in-progress")),
            (serde_json::json!("Log Archive"), serde_json::json!("ok")),
            (serde_json::json!("Audit"), serde_json::json!("ok")),
        ],
        "the second run followed Log Archive's creation to its end"
    );
    let (_, json) = check_json(&emu, dir.path());
    assert_eq!(step_status(&json, "control-tower"), "done", "{json:#}");
}
