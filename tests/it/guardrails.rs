//! guardrails end to end against the emulator: a registered OU with no control is not done; apply
//! enables each strongly recommended control (the catalog's ARN, one operation at a time, each waited
//! for) and the step is done; a control skipped with a reason is never planned and stays skipped
//! in later runs (remembered); a control the catalog no longer lists makes the step unknown; AWS's
//! refusal for an OU that is not registered is said.

use crate::common;

use std::path::Path;

use common::{Emulator, MGMT, REGION, check_json, config, groundwork, seed, step_status};
use serde_json::json;

fn run(emu: &Emulator, state: &Path, args: &[&str]) -> (i32, String) {
    let out = groundwork(&emu.url(), state)
        .env("GROUNDWORK_POLL_SECONDS", "0.1")
        .args(args)
        .output()
        .expect("run groundwork");
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

fn details(json: &serde_json::Value) -> String {
    json["steps"].as_array().and_then(|s| s.iter().find(|s| s["id"] == "guardrails")).expect("step").to_string()
}

/// An organization with a 4.0 landing zone and a `Workloads` OU, registered unless `register` is
/// false; returns the OU's ARN.
async fn governed(emu: &Emulator, register: bool) -> String {
    let org = seed::organization(emu).await;
    seed::landing_zone(emu, &org, &["us-east-1", "eu-west-1"], "ACTIVE", "IN_SYNC");
    let conf = config(emu, MGMT, REGION).await;
    let orgs = aws_sdk_organizations::Client::new(&conf);
    let root = orgs.list_roots().send().await.expect("roots").roots()[0].id().expect("root").to_owned();
    let ou = orgs.create_organizational_unit().parent_id(root).name("Workloads").send().await.expect("ou");
    let arn = ou.organizational_unit().and_then(|o| o.arn()).expect("ou arn").to_owned();
    if register {
        let ct = aws_sdk_controltower::Client::new(&conf);
        let baselines = ct.list_baselines().into_paginator().items().send().try_collect().await.expect("baselines");
        let arn_of = |name: &str| baselines.iter().find(|b| b.name() == name).map(|b| b.arn().to_owned()).expect(name);
        let enabled = ct.list_enabled_baselines().send().await.expect("enabled");
        let ic = arn_of("IdentityCenterBaseline");
        let ic = enabled.enabled_baselines().iter().find(|e| e.baseline_identifier() == ic).expect("ic").arn();
        let param = aws_sdk_controltower::types::EnabledBaselineParameter::builder()
            .key("IdentityCenterEnabledBaselineArn")
            .value(aws_smithy_types::Document::String(ic.to_owned()))
            .build()
            .expect("parameter");
        ct.enable_baseline()
            .baseline_identifier(arn_of("AWSControlTowerBaseline"))
            .baseline_version("5.0")
            .target_identifier(&arn)
            .parameters(param)
            .send()
            .await
            .expect("register the OU");
    }
    arn
}

/// The aliases of the controls enabled on an OU, as AWS lists them.
async fn enabled_on(emu: &Emulator, ou: &str) -> Vec<String> {
    let conf = config(emu, MGMT, REGION).await;
    let catalog = aws_sdk_controlcatalog::Client::new(&conf);
    let controls = catalog.list_controls().into_paginator().items().send().try_collect().await.expect("catalog");
    let ct = aws_sdk_controltower::Client::new(&conf);
    let on = ct.list_enabled_controls().target_identifier(ou).into_paginator().items().send();
    let on = on.try_collect().await.expect("enabled controls");
    let mut aliases: Vec<String> = on
        .iter()
        .filter(|e| e.status_summary().and_then(|s| s.status()).map(|s| s.as_str()) == Some("SUCCEEDED"))
        .filter_map(|e| controls.iter().find(|c| Some(c.arn()) == e.control_identifier()))
        .flat_map(|c| c.aliases().to_vec())
        .collect();
    aliases.sort();
    aliases
}

#[tokio::test]
async fn a_registered_ou_gets_every_strongly_recommended_control_and_the_step_is_done() {
    let emu = Emulator::start_with(&[("GROUNDWORK_EMULATOR_CONTROL_DELAY_SECONDS", "0.2")]);
    let state = tempfile::tempdir().expect("tempdir");
    let ou = governed(&emu, true).await;
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "guardrails"), "not-done", "{json:#}");
    assert!(details(&json).contains("Workloads"), "{json:#}");

    let (_, plan) = run(&emu, state.path(), &["plan", "guardrails"]);
    assert!(
        plan.contains("controltower:EnableControl") && plan.contains("arn:aws:controlcatalog:::control/"),
        "{plan}"
    );
    assert!(
        plan.contains("Preventive") && plan.contains("Detective") && plan.contains("billed per evaluation"),
        "{plan}"
    );
    assert!(plan.contains("AWS-GR_IAM_USER_MFA_ENABLED"), "electives offered:\n{plan}");

    let (code, out) = run(&emu, state.path(), &["apply", "guardrails", "--yes"]);
    assert_eq!(code, 0, "{out}");
    let on = enabled_on(&emu, &ou).await;
    assert_eq!(on.len(), 13, "{on:?}");
    assert!(!on.contains(&"AWS-GR_IAM_USER_MFA_ENABLED".to_owned()), "an elective is only offered: {on:?}");
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "guardrails"), "done", "{json:#}");
    let (_, again) = run(&emu, state.path(), &["apply", "guardrails", "--yes"]);
    assert!(!again.contains("[1/"), "changed something again:\n{again}");
}

#[tokio::test]
async fn a_skipped_control_is_never_planned_and_stays_skipped_in_later_runs() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let ou = governed(&emu, true).await;
    let skip = "guardrails.skip=AWS-GR_RESTRICT_ROOT_USER=our break-glass runbook signs in as root";
    let (code, out) = run(&emu, state.path(), &["apply", "guardrails", "--yes", "--set", skip]);
    assert_eq!(code, 0, "{out}");
    let on = enabled_on(&emu, &ou).await;
    assert!(!on.contains(&"AWS-GR_RESTRICT_ROOT_USER".to_owned()) && on.len() == 12, "{on:?}");
    // A later run, with nothing set: the answer is remembered, so the control is still not planned
    // and the step is done with it skipped, the reason said.
    let (_, plan) = run(&emu, state.path(), &["plan", "guardrails"]);
    assert!(!plan.contains("controltower:EnableControl"), "{plan}");
    assert!(plan.contains("our break-glass runbook signs in as root"), "{plan}");
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "guardrails"), "done", "{json:#}");
    assert!(details(&json).contains("Skipped on purpose: AWS-GR_RESTRICT_ROOT_USER"), "{json:#}");
}

#[tokio::test]
async fn a_listed_control_the_catalog_lacks_makes_the_step_unknown_and_nothing_is_planned() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    governed(&emu, true).await;
    emu.hook("/_groundwork/controlcatalog/remove", json!({"alias": "AWS-GR_RESTRICTED_SSH"}));
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "guardrails"), "unknown", "{json:#}");
    assert!(details(&json).contains("AWS-GR_RESTRICTED_SSH"), "named: {json:#}");
    let (code, out) = run(&emu, state.path(), &["apply", "guardrails", "--yes"]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("AWS-GR_RESTRICTED_SSH") && !out.contains("[1/"), "{out}");
}

#[tokio::test]
async fn an_ou_not_registered_is_not_judged_and_aws_refuses_its_controls() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let ou = governed(&emu, false).await;
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "guardrails"), "not-applicable", "nothing governed, never done: {json:#}");
    // What AWS says to EnableControl on it, through groundwork's own call.
    let aws = common::session(&emu, 4).await;
    let conf = config(&emu, MGMT, REGION).await;
    let catalog = aws_sdk_controlcatalog::Client::new(&conf);
    let control = catalog.list_controls().send().await.expect("catalog").controls()[0].arn().to_owned();
    let at = groundwork::aws::At::new(MGMT, REGION);
    let err =
        groundwork::aws::change::controltower::enable_control(&aws, &at, &control, &ou).await.expect_err("refused");
    assert!(err.explain().contains("not registered"), "{}", err.explain());
}
