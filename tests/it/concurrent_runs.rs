//! Several groundwork processes on one account at once (applies of different steps and checks), as
//! a founder with two terminals and a script would run them: the record keeps every step's result
//! and every answer given, and the action log has every change once, in whole lines.

use crate::common;

use std::collections::BTreeMap;

use common::{Emulator, MGMT, groundwork_process};

fn contact_sets() -> Vec<String> {
    let mut v = Vec::new();
    for kind in ["security", "billing", "operations"] {
        for (key, value) in
            [("name", "Ada Lovelace"), ("title", "CTO"), ("email", "sec@example.com"), ("phone", "+1 555 555 0100")]
        {
            v.extend(["--set".to_owned(), format!("contacts.{kind}.{key}={value}")]);
        }
    }
    v
}

#[test]
fn eight_processes_at_once_lose_nothing() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let runs: Vec<Vec<String>> = vec![
        [vec!["apply".into(), "contacts".into(), "--yes".into()], contact_sets()].concat(),
        vec!["apply".into(), "organization".into(), "--yes".into()],
        vec!["apply".into(), "alerts".into(), "--yes".into(), "--set".into(), "alerts.email=alerts@example.com".into()],
        vec!["check".into(), "--json".into()],
        vec!["check".into(), "--json".into()],
        vec!["check".into(), "--step".into(), "root-mfa".into()],
        vec!["check".into(), "--step".into(), "guardduty".into()],
        vec!["check".into()],
    ];
    let children: Vec<_> = runs
        .iter()
        .map(|args| {
            groundwork_process(&emu.url(), dir.path())
                .args(args)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start groundwork")
        })
        .collect();
    // What each run must end with: the organization is made whole (0); the alerts wait on the
    // email's confirmation and the checks find steps left (1); contacts may finish (0) or find the
    // organization created under it, with trusted access still to turn on (1). None may fail.
    let expected: [&[i32]; 8] = [&[0, 1], &[0], &[1], &[1], &[1], &[1], &[1], &[1]];
    let mut said = String::new();
    for ((child, args), codes) in children.into_iter().zip(&runs).zip(expected) {
        let out = child.wait_with_output().expect("groundwork ran");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code().unwrap_or(-1);
        assert!(codes.contains(&code), "{args:?} ended with {code}, not {codes:?}:\n{stderr}");
        assert!(stderr.is_empty(), "{args:?} failed or warned:\n{stderr}");
        said += &stderr;
    }
    assert!(!said.contains("being changed by another groundwork process"), "no run gave up on the lock: {said}");

    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(format!("state/{MGMT}.json"))).expect("the record exists"),
    )
    .expect("the record is JSON");
    let steps = record["steps"].as_object().expect("steps");
    assert_eq!(steps.len(), groundwork::catalog::StepId::ALL.len(), "every step's result kept: {steps:?}");
    let inputs = record["inputs"].as_object().expect("inputs");
    for kind in ["security", "billing", "operations"] {
        for key in ["name", "title", "email", "phone"] {
            assert!(inputs.contains_key(&format!("contacts.{kind}.{key}")), "contacts.{kind}.{key} kept: {inputs:?}");
        }
    }
    assert_eq!(inputs["alerts.email"], "alerts@example.com", "the alerts answer kept beside the contacts");

    // Whole lines only, and no change logged twice.
    let log = std::fs::read_to_string(dir.path().join(format!("state/{MGMT}.actions.jsonl"))).expect("the action log");
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for line in log.lines() {
        let entry: serde_json::Value = serde_json::from_str(line).expect("every log line is whole JSON");
        if entry["result"] == "started" {
            continue; // the intent written before each call; its outcome is counted
        }
        let key = format!("{} {} {} {}", entry["operation"], entry["account"], entry["region"], entry["parameters"]);
        *seen.entry(key).or_default() += 1;
    }
    assert!(seen.values().all(|n| *n == 1), "every change logged once: {seen:?}");
    // Each change succeeded: the organization, the contacts and the alert path were all made.
    common::assert_changes_succeeded(
        dir.path(),
        &["organizations:CreateOrganization", "account:PutAlternateContact", "sns:Subscribe", "events:PutTargets"],
    );
}
