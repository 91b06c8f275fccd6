//! Log, then act: every change's intent is on disk before AWS is called, its outcome after; a call
//! whose intent can't be written is not made, and an intent with no outcome reads as interrupted.

use crate::common;

use common::{Emulator, MGMT, check_json, groundwork, step_status};

fn line(result: &str, id: &str, time: &str) -> String {
    serde_json::json!({
        "time": time, "step": "organization", "principal": "arn:aws:iam::123456789012:user/ada",
        "account": MGMT, "region": null, "operation": "organizations:CreateOrganization",
        "parameters": {"FeatureSet": "ALL"}, "result": result, "id": id
    })
    .to_string()
}

#[test]
fn no_intent_on_disk_means_no_call() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    // A directory where the log file should be: every append fails.
    std::fs::create_dir_all(dir.path().join(format!("state/{MGMT}.actions.jsonl"))).expect("blocker");
    let out = groundwork(&emu.url(), dir.path()).args(["apply", "organization", "--yes"]).output().expect("apply");
    let said = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "the apply did not succeed");
    assert!(said.contains("did not make this change"), "says why: {said}");
    let (_, json) = check_json(&emu, dir.path());
    assert_eq!(step_status(&json, "organization"), "not-done", "AWS was not called: {json:#}");
}

#[test]
fn an_intent_without_an_outcome_reads_as_interrupted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).expect("state dir");
    let log = [
        line("started", "1-1-0", "2026-11-28T12:00:00Z"),
        line("ok", "1-1-0", "2026-11-28T12:00:01Z"),
        line("started", "2-2-0", "2026-11-28T13:00:00Z"),
    ]
    .join("\n");
    std::fs::write(state.join(format!("{MGMT}.actions.jsonl")), log + "\n").expect("log");
    let out = groundwork("http://127.0.0.1:9", dir.path()).arg("log").output().expect("log");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("CreateOrganization")).collect();
    assert_eq!(lines.len(), 2, "one line per call, intents folded into outcomes: {text}");
    assert!(lines[0].contains(" ok "), "{text}");
    assert!(lines[1].contains("interrupted"), "{text}");
    assert!(text.contains("the next check says what happened"), "{text}");

    let raw = groundwork("http://127.0.0.1:9", dir.path()).args(["log", "--json"]).output().expect("log --json");
    assert_eq!(String::from_utf8_lossy(&raw.stdout).lines().count(), 3, "--json gives the raw lines");
}
