//! Control Tower governs every account, end to end against the emulator: a workload account that
//! existed before the landing zone ends in a registered `Workloads` OU (AWSControlTowerBaseline
//! SUCCEEDED, enrolled by Control Tower), and only then is the step done; a landing zone whose
//! manifest has Config off is not done, and nothing is changed for it.

use crate::common;

use std::path::Path;

use common::{Emulator, MGMT, REGION, check_json, config, groundwork, seed, step_status};
use serde_json::json;

fn run(emu: &Emulator, state: &Path, args: &[&str]) -> (i32, String) {
    let out = groundwork(&emu.url(), state)
        .env("GROUNDWORK_POLL_SECONDS", "0.2")
        .args(args)
        .args(["--set", "control-tower.regions=us-east-1,eu-west-1"])
        .args(["--set", "control-tower.log-archive-email=log@example.com"])
        .args(["--set", "control-tower.audit-email=audit@example.com"])
        .output()
        .expect("run groundwork");
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

fn finding_details(json: &serde_json::Value, id: &str) -> String {
    let step = json["steps"].as_array().and_then(|s| s.iter().find(|s| s["id"] == id)).expect("step");
    step.to_string()
}

#[tokio::test]
async fn a_workload_account_created_before_the_landing_zone_ends_in_a_registered_ou() {
    let emu = Emulator::start_with(&[
        ("GROUNDWORK_EMULATOR_CT_DELAY_SECONDS", "0.3"),
        ("GROUNDWORK_EMULATOR_BASELINE_DELAY_SECONDS", "0.3"),
    ]);
    let state = tempfile::tempdir().expect("tempdir");
    assert_eq!(run(&emu, state.path(), &["apply", "organization", "--yes"]).0, 0);
    let conf = config(&emu, MGMT, REGION).await;
    let orgs = aws_sdk_organizations::Client::new(&conf);
    let created = orgs.create_account().account_name("Shop").email("shop@example.com").send().await.expect("account");
    let shop = created.create_account_status().and_then(|s| s.account_id()).expect("account id").to_owned();

    // The launch says the workload account waits for the next apply.
    let (_, out) = run(&emu, state.path(), &["apply", "control-tower", "--yes"]);
    assert!(out.contains(&format!("Shop ({shop})")) && out.contains("apply control-tower again"), "{out}");
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "control-tower"), "partial", "{json:#}");
    assert!(finding_details(&json, "control-tower").contains(&shop), "the account is named: {json:#}");
    // Not enrolled yet, so Shop has no AWSControlTowerExecution (AWS refuses it): groundwork reaches
    // it through OrganizationAccountAccessRole instead of calling what lives there unknown.
    let hub = finding_details(&json, "security-hub");
    assert!(hub.contains(&shop) && !hub.contains("could not assume"), "{hub}");

    // The plan creates Workloads, moves the account with its effect said, registers the OU.
    let (_, plan) = run(&emu, state.path(), &["plan", "control-tower"]);
    let calls: Vec<&str> =
        ["organizations:CreateOrganizationalUnit", "organizations:MoveAccount", "controltower:EnableBaseline"]
            .into_iter()
            .filter(|c| plan.contains(c))
            .collect();
    assert_eq!(calls.len(), 3, "{plan}");
    assert!(plan.contains(&format!("Move account Shop ({shop}) from the root into Workloads")), "{plan}");
    assert!(plan.contains("IdentityCenterEnabledBaselineArn"), "Identity Center access is passed on:\n{plan}");

    let (code, out) = run(&emu, state.path(), &["apply", "control-tower", "--yes"]);
    assert_eq!(code, 0, "{out}");
    let parent = orgs.list_parents().child_id(&shop).send().await.expect("parents");
    let ou_id = parent.parents()[0].id().expect("parent").to_owned();
    let ou = orgs.describe_organizational_unit().organizational_unit_id(&ou_id).send().await.expect("ou");
    let ou = ou.organizational_unit().expect("ou");
    assert_eq!(ou.name(), Some("Workloads"));
    let ct = aws_sdk_controltower::Client::new(&conf);
    let enabled = ct.list_enabled_baselines().send().await.expect("enabled baselines");
    let on_ou = enabled
        .enabled_baselines()
        .iter()
        .find(|e| Some(e.target_identifier()) == ou.arn())
        .expect("baseline on the OU");
    assert_eq!(on_ou.baseline_version(), Some("5.0"));
    assert_eq!(on_ou.status_summary().and_then(|s| s.status()).map(|s| s.as_str()), Some("SUCCEEDED"));
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "control-tower"), "done", "{json:#}");

    // Nothing more to do.
    let (_, again) = run(&emu, state.path(), &["apply", "control-tower", "--yes"]);
    assert!(!again.contains("[1/"), "changed something again:\n{again}");
}

#[tokio::test]
async fn a_landing_zone_with_config_off_is_not_done_and_nothing_is_changed() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let org = seed::organization(&emu).await;
    let mut manifest = seed::manifest_4(&org, &["us-east-1"]);
    manifest["config"] = json!({"enabled": false});
    emu.hook(
        "/_groundwork/controltower/landing-zone",
        json!({"account": MGMT, "region": "us-east-1", "status": "ACTIVE", "drift": "IN_SYNC",
               "version": "4.0", "latestAvailableVersion": "4.0", "manifest": manifest}),
    );
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "control-tower"), "partial", "{json:#}");
    assert!(finding_details(&json, "control-tower").contains("without config"), "{json:#}");
    let (code, out) = run(&emu, state.path(), &["apply", "control-tower", "--yes"]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("config off") && !out.contains("[1/"), "{out}");
}

#[tokio::test]
async fn a_registration_past_the_wait_limit_is_in_progress_never_done_and_the_next_apply_resumes_it() {
    // Negative delay: a baseline operation ends only when the test says so.
    let emu = Emulator::start_with(&[("GROUNDWORK_EMULATOR_BASELINE_DELAY_SECONDS", "-1")]);
    let state = tempfile::tempdir().expect("tempdir");
    let org = seed::organization(&emu).await;
    seed::landing_zone(&emu, &org, &["us-east-1"], "ACTIVE", "IN_SYNC");
    let conf = config(&emu, MGMT, REGION).await;
    let orgs = aws_sdk_organizations::Client::new(&conf);
    orgs.create_account().account_name("Shop").email("shop@example.com").send().await.expect("account");

    let apply = |limit: &str| {
        let out = groundwork(&emu.url(), state.path())
            .env("GROUNDWORK_POLL_SECONDS", "0.2")
            .env("GROUNDWORK_WAIT_LIMIT_SECONDS", limit)
            .args(["apply", "control-tower", "--yes"])
            .output()
            .expect("run groundwork");
        let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.code().unwrap_or(-1), text)
    };
    let (code, out) = apply("1");
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("stopped waiting") && out.contains("Workloads"), "{out}");
    let record = std::fs::read_to_string(state.path().join(format!("state/{MGMT}.json"))).expect("record");
    assert!(record.contains("controltower:EnableBaseline"), "recorded the moment it existed: {record}");
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "control-tower"), "partial", "never done while it runs: {json:#}");

    // The next plan only waits, for the operation AWS lists, and starts nothing new.
    let ct = aws_sdk_controltower::Client::new(&conf);
    let enabled = ct.list_enabled_baselines().send().await.expect("enabled");
    let op = enabled
        .enabled_baselines()
        .iter()
        .find(|e| e.target_identifier().contains(":ou/"))
        .and_then(|e| e.status_summary().and_then(|s| s.last_operation_identifier()))
        .expect("operation")
        .to_owned();
    let (_, plan) = run(&emu, state.path(), &["plan", "control-tower"]);
    assert!(plan.contains(&op) && !plan.contains("controltower:EnableBaseline"), "{plan}");

    // The next apply waits for it again (its polls reach AWS), and ends when AWS says SUCCEEDED.
    let polls = || emu.requests().iter().filter(|r| r["operation"] == "GetBaselineOperation").count();
    let before = polls();
    let (code, out) = std::thread::scope(|s| {
        let waiting = s.spawn(|| apply("30"));
        while polls() == before {
            std::thread::yield_now();
        }
        emu.hook("/_groundwork/controltower/baseline-operations/complete", json!({"operationIdentifier": op}));
        waiting.join().expect("apply")
    });
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&op) && !out.contains("controltower:EnableBaseline in"), "resumed, nothing started: {out}");
    let record = std::fs::read_to_string(state.path().join(format!("state/{MGMT}.json"))).expect("record");
    assert!(!record.contains("controltower:EnableBaseline"), "no longer pending: {record}");
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "control-tower"), "done", "{json:#}");
}
