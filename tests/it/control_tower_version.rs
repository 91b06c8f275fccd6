//! The expert override `--set control-tower.version=X`: for when AWS has moved to a landing zone
//! version this groundwork does not know yet. The emulator plays AWS having moved on
//! (`GROUNDWORK_EMULATOR_CT_LATEST`); groundwork without the override is refused and says so, with
//! it creates that version with the newest manifest shape it knows, and it is never remembered.

use crate::common;

use std::path::Path;

use common::{Emulator, MGMT, REGION, check_json, config, groundwork, step_status};

fn run(emu: &Emulator, state: &Path, args: &[&str]) -> (i32, String) {
    let out = groundwork(&emu.url(), state)
        .env("GROUNDWORK_POLL_SECONDS", "0.2")
        .args(args)
        .args(["--set", "control-tower.log-archive-email=log@example.com"])
        .args(["--set", "control-tower.audit-email=audit@example.com"])
        .output()
        .expect("run groundwork");
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_version_that_is_not_a_version_is_refused_before_anything_is_read() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    for bad in ["latest", "4", "4.1.0", "v4.1"] {
        let set = format!("control-tower.version={bad}");
        let (code, out) = run(&emu, state.path(), &["plan", "control-tower", "--set", &set]);
        assert_ne!(code, 0, "{out}");
        assert!(out.contains("control-tower.version") && out.contains("is not a landing zone version"), "{out}");
    }
    assert!(emu.requests().is_empty(), "nothing was read: {:?}", emu.requests());
}

/// `--set` confirmations of the Log Archive and Audit accounts the refused launch left behind
/// (created before CreateLandingZone, found by name on the next run).
async fn confirmations(emu: &Emulator) -> Vec<String> {
    let orgs = aws_sdk_organizations::Client::new(&config(emu, MGMT, REGION).await);
    let pages: Vec<_> = orgs.list_accounts().into_paginator().send().try_collect().await.expect("list accounts");
    let accounts: Vec<_> = pages.iter().flat_map(|p| p.accounts().iter().cloned()).collect();
    let id = |name: &str| {
        let a = accounts.iter().find(|a| a.name() == Some(name)).expect("account");
        a.id().expect("id").to_owned()
    };
    let (log, audit) = (id("Log Archive"), id("Audit"));
    [
        "--set".into(),
        format!("control-tower.confirm-log-archive={log}"),
        "--set".into(),
        format!("control-tower.confirm-audit={audit}"),
    ]
    .into()
}

#[tokio::test]
async fn when_aws_moved_on_the_override_creates_that_version_with_the_newest_shape() {
    let emu = Emulator::start_with(&[
        ("GROUNDWORK_EMULATOR_CT_LATEST", "4.1"),
        ("GROUNDWORK_EMULATOR_CT_DELAY_SECONDS", "0.3"),
    ]);
    let state = tempfile::tempdir().expect("tempdir");
    let dir = state.path();
    assert_eq!(run(&emu, dir, &["apply", "organization", "--yes"]).0, 0);

    // An override older than what groundwork creates is refused, naming the key; nothing changes.
    let before = emu.data();
    let (code, out) = run(&emu, dir, &["apply", "control-tower", "--yes", "--set", "control-tower.version=3.3"]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("control-tower.version=3.3 is older than 4.0"), "{out}");
    assert!(emu.data()["extension"]["controltower"] == before["extension"]["controltower"], "{out}");

    // Without the override, AWS's refusal of 4.0 is explained (and nothing is retried).
    let (code, out) = run(&emu, dir, &["apply", "control-tower", "--yes"]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("AWS now requires a landing zone version newer than 4.0"), "{out}");
    let creates = emu.requests().iter().filter(|r| r["operation"] == "CreateLandingZone").count();
    assert_eq!(creates, 1, "never retried with a guessed version");

    // With it: the plan shows the version and says which manifest it writes; the launch succeeds.
    let confirm = confirmations(&emu).await;
    let with = |args: &[&'static str]| -> Vec<String> {
        let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        all.extend(["--set".to_owned(), "control-tower.version=4.1".to_owned()]);
        all.extend(confirm.iter().cloned());
        all
    };
    let args = with(&["plan", "control-tower"]);
    let (_, plan) = run(&emu, dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(plan.contains("version: 4.1"), "{plan}");
    assert!(plan.contains("Creating landing zone version 4.1 as control-tower.version asks"), "{plan}");
    assert!(plan.contains("with the manifest of 4.0"), "{plan}");
    let args = with(&["apply", "control-tower", "--yes"]);
    let (code, out) = run(&emu, dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{out}");
    let lz = &emu.data()["extension"]["controltower"]["landingZones"][MGMT];
    assert_eq!(lz["version"], "4.1");
    assert_eq!(lz["manifest"]["config"]["enabled"], true, "the newest shape groundwork knows: {lz}");
    let (_, json) = check_json(&emu, dir);
    assert_eq!(step_status(&json, "control-tower"), "done", "{json:#}");

    // The override held for that run only: the record does not keep it.
    let record = std::fs::read_to_string(dir.join(format!("state/{MGMT}.json"))).unwrap_or_default();
    assert!(record.contains("control-tower.log-archive-email"), "the other answers are kept: {record}");
    assert!(!record.contains("control-tower.version"), "{record}");
}
