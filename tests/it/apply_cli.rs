//! `groundwork apply` end to end: the real binary against the emulator. Every step goes from not
//! done to done, a second apply changes nothing (the emulator's whole state is compared), the action
//! log holds each change once, conflicts and bad input change nothing, and a Control Tower wait
//! survives the process being killed.

use crate::common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Emulator, MGMT, REGIONS, check_json, groundwork, seed, sets, step_status};

fn apply(emu: &Emulator, state: &Path, step: &str) -> std::process::Output {
    groundwork(&emu.url(), state)
        .env("GROUNDWORK_POLL_SECONDS", "0.2")
        .args(["apply", step, "--yes"])
        .args(sets(step))
        .output()
        .expect("run apply")
}

fn text(out: &std::process::Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The outcomes in the action log (each call also has its intent, written before it: checked here).
fn log_lines(state: &Path) -> Vec<serde_json::Value> {
    let path = state.join(format!("state/{MGMT}.actions.jsonl"));
    let all: Vec<serde_json::Value> = std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("log line is JSON"))
        .collect();
    let (intents, outcomes): (Vec<_>, Vec<_>) = all.into_iter().partition(|e| e["result"] == "started");
    for i in &intents {
        assert_eq!(outcomes.iter().filter(|o| o["id"] == i["id"]).count(), 1, "one outcome for the intent {i}");
    }
    assert_eq!(intents.len(), outcomes.len(), "an intent before every outcome");
    outcomes
}

/// The emulator's state, without what changes on reads alone.
fn state_of(emu: &Emulator) -> serde_json::Value {
    let mut data = emu.data();
    scrub(&mut data);
    // moto lists a service's models once its module is first imported (reading EC2 imports ELB's):
    // a service with no model holding anything is no state.
    if let Some(services) = data["moto"].as_object_mut() {
        services.retain(|_, models| {
            models.as_object().is_none_or(|m| m.values().any(|v| v.as_array().is_none_or(|a| !a.is_empty())))
        });
    }
    data
}

fn scrub(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            map.retain(|k, _| !common::VOLATILE_KEYS.contains(&k.as_str()));
            map.values_mut().for_each(scrub);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(scrub),
        _ => {}
    }
}

#[test]
fn every_step_goes_from_not_done_to_done_and_a_second_apply_changes_nothing() {
    let emu = Emulator::start_with(&[("GROUNDWORK_EMULATOR_CT_DELAY_SECONDS", "0.5")]);
    let state = tempfile::tempdir().expect("tempdir");
    let (code, fresh) = check_json(&emu, state.path());
    assert_eq!(code, 1);
    assert_eq!(step_status(&fresh, "organization"), "not-done");

    // The lab's order; contacts once more at the end, for the member accounts created on the way
    // (their contacts can be read only once trusted access is on, which the first run turns on).
    let order = [
        "contacts",
        "organization",
        "control-tower",
        "identity-center",
        "guardduty",
        "security-hub",
        "alerts",
        "access-analyzer",
        "ebs-encryption",
        "root-access",
        "s3-public-access",
        "budget",
    ];
    for (n, step) in order.iter().chain(&["contacts", "contacts"]).enumerate() {
        if n < order.len() {
            // Before its first apply, every step's plan lists the changes it is about to make.
            let plan =
                groundwork(&emu.url(), state.path()).args(["plan", step]).args(sets(step)).output().expect("plan");
            let plan = String::from_utf8_lossy(&plan.stdout).to_string();
            assert!(plan.contains("  1. "), "{step}: nothing planned on a fresh account:\n{plan}");
        }
        let out = apply(&emu, state.path(), step);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{step}: {}", text(&out));
        assert!(!text(&out).contains("failed"), "{step}: {}", text(&out));
    }

    let (_, json) = check_json(&emu, state.path());
    for step in [
        "contacts",
        "organization",
        "control-tower",
        "identity-center",
        "guardduty",
        "security-hub",
        "access-analyzer",
        "ebs-encryption",
        "root-access",
        "s3-public-access",
        "budget",
    ] {
        assert_eq!(step_status(&json, step), "done", "{step}: {json:#}");
    }
    // What waits on a person: root MFA, and clicking the confirmation email.
    assert_eq!(step_status(&json, "root-mfa"), "not-done");
    assert_eq!(step_status(&json, "alerts"), "partial");

    // Each change is logged exactly once.
    let log = log_lines(state.path());
    assert!(log.len() > 30, "{} entries", log.len());
    let mut seen = std::collections::HashSet::new();
    for entry in &log {
        assert_eq!(entry["result"], "ok", "{entry}");
        let key = (
            entry["operation"].clone(),
            entry["account"].clone(),
            entry["region"].clone(),
            entry["parameters"].to_string(),
        );
        assert!(seen.insert(key), "logged twice: {entry}");
    }

    // Now the plans are empty, and applying everything again changes nothing at all.
    let plan = groundwork(&emu.url(), state.path()).arg("plan").output().expect("plan");
    let plan = String::from_utf8_lossy(&plan.stdout).to_string();
    let planned = plan.lines().any(|l| {
        l.trim_start().split_once(". ").is_some_and(|(n, _)| n.parse::<u32>().is_ok()) && l.contains(" · account ")
    });
    assert!(!planned, "a change is still planned:\n{plan}");
    let before = state_of(&emu);
    for step in order {
        let out = apply(&emu, state.path(), step);
        assert!(!text(&out).contains("[1/"), "{step} changed something again: {}", text(&out));
    }
    assert_eq!(log_lines(state.path()).len(), log.len(), "the second round logged changes");
    assert!(state_of(&emu) == before, "the emulator's state changed on the second round");

    // The person confirms the one email (the topic lives in the home Region; the other Region
    // forwards its findings there); then alerts are done everywhere.
    let audit = json["steps"][7]["findings"][0]["account"].as_str().expect("audit").to_owned();
    let home = REGIONS.split(',').next().expect("home Region");
    emu.hook(
        "/_groundwork/sns/confirm",
        serde_json::json!({"account": audit, "region": home, "endpoint": "alerts@example.com",
            "topicArn": format!("arn:aws:sns:{home}:{audit}:groundwork-security-alerts")}),
    );
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "alerts"), "done", "{json:#}");
}

#[test]
fn a_killed_control_tower_apply_resumes_waiting_in_a_new_process() {
    let emu = Emulator::start_with(&[("GROUNDWORK_EMULATOR_CT_DELAY_SECONDS", "-1")]);
    let state = tempfile::tempdir().expect("tempdir");
    assert_eq!(apply(&emu, state.path(), "organization").status.code(), Some(0));

    let mut first = common::groundwork_process(&emu.url(), state.path());
    let mut child = first
        .env("GROUNDWORK_POLL_SECONDS", "0.2")
        .args(["apply", "control-tower", "--yes"])
        .args(sets("control-tower"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start apply");
    let record = state.path().join(format!("state/{MGMT}.json"));
    let operation = wait_for(Duration::from_secs(30), || {
        let rec: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&record).ok()?).ok()?;
        rec["pending"].get(0)?["id"].as_str().map(str::to_owned)
    })
    .expect("the operation id is recorded while the process waits");
    child.kill().expect("kill the first apply");
    let _ = child.wait();

    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "control-tower"), "partial", "{json:#}");

    // A new process resumes the same operation rather than starting another; AWS finishes it once
    // the new process says it is waiting for it.
    let mut again = common::groundwork_process(&emu.url(), state.path());
    again.env("GROUNDWORK_POLL_SECONDS", "0.2").args(["apply", "control-tower", "--yes"]);
    let (resumed, waiting) = common::run_watching(again, "Waiting for landing zone operation");
    common::wait_until_seen(&waiting, "Waiting for landing zone operation");
    emu.hook(
        "/_groundwork/controltower/operations/complete",
        serde_json::json!({"operationIdentifier": operation, "status": "SUCCEEDED"}),
    );
    let out = resumed.join().expect("join");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains(&operation), "{}", text(&out));

    let creates = log_lines(state.path()).iter().filter(|e| e["operation"] == "controltower:CreateLandingZone").count();
    assert_eq!(creates, 1, "the landing zone was created once");
    let rec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&record).expect("record")).expect("json");
    assert_eq!(rec["pending"], serde_json::json!([]), "the finished operation is no longer pending");
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "control-tower"), "done");
}

fn wait_for<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(v) = f() {
            return Some(v);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[tokio::test(flavor = "multi_thread")]
async fn another_delegated_admin_is_a_conflict_and_nothing_changes() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let other = org.log_archive.clone();
    let mgmt = aws_sdk_guardduty::Client::new(&common::config(&emu, MGMT, common::REGION).await);
    mgmt.enable_organization_admin_account().admin_account_id(&other).send().await.expect("delegate elsewhere");
    let state = tempfile::tempdir().expect("tempdir");
    let out = tokio::task::spawn_blocking({
        let (url, dir) = (emu.url(), state.path().to_owned());
        let before = state_of(&emu);
        move || {
            let out = groundwork(&url, &dir).args(["apply", "guardduty", "--yes"]).output().expect("apply");
            (out, before)
        }
    })
    .await
    .expect("join");
    let (out, before) = out;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("account {other} is already GuardDuty's delegated administrator")),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("Nothing was changed"));
    assert!(state_of(&emu) == before, "a refused apply changed the emulator");
    assert!(log_lines(state.path()).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_suspended_detector_is_a_conflict_and_nothing_changes() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let audit = aws_sdk_guardduty::Client::new(&common::config(&emu, &org.audit, common::REGION).await);
    audit.create_detector().enable(false).send().await.expect("suspended detector");
    let before = state_of(&emu);
    let state = tempfile::tempdir().expect("tempdir");
    let out = tokio::task::spawn_blocking({
        let (url, dir) = (emu.url(), state.path().to_owned());
        move || groundwork(&url, &dir).args(["apply", "guardduty", "--yes"]).output().expect("apply")
    })
    .await
    .expect("join");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("detector in us-east-1 is suspended"), "{}", text(&out));
    assert!(state_of(&emu) == before, "a refused apply changed the emulator");
}

#[test]
fn bad_input_is_named_and_nothing_changes() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    // moto creates its per-service models on first touch: read once so that only changes show.
    check_json(&emu, state.path());
    let before = state_of(&emu);
    for (args, needle) in [
        (vec!["--set", "alerts.email=not-an-address"], "alerts.email"),
        (vec!["--set", "alerts.colour=red"], "alerts.colour"),
        (vec!["--set", "contacts.security.name= "], "contacts.security.name"),
        (vec!["--set", "control-tower.regions=moon-1"], "control-tower.regions"),
    ] {
        let out = groundwork(&emu.url(), state.path())
            .args(["apply", "organization", "--yes"])
            .args(&args)
            .output()
            .expect("apply");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(String::from_utf8_lossy(&out.stderr).contains(needle), "{args:?}: {}", text(&out));
    }
    // A needed input that is missing under --yes is an error too, before anything changes.
    let out = groundwork(&emu.url(), state.path()).args(["apply", "alerts", "--yes"]).output().expect("apply");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("alerts.email is needed"), "{}", text(&out));
    assert!(state_of(&emu) == before, "bad input changed the emulator");
    assert!(log_lines(state.path()).is_empty());
}

#[test]
fn the_log_command_shows_each_change() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    assert_eq!(apply(&emu, state.path(), "organization").status.code(), Some(0));
    let out = groundwork(&emu.url(), state.path()).arg("log").output().expect("log");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("organizations:CreateOrganization") && stdout.contains("FeatureSet=ALL"), "{stdout}");
}
