//! security-hub and AWS Config, through the real SDK against the emulator (where, as on AWS, FSBP is
//! INCOMPLETE wherever no recorder records): the management account, which Control Tower never
//! enrols, gets its recorder from `apply security-hub` in every governed Region; a stopped recorder
//! is named (account, Region, Config) and offered a start; an account without Config waits for
//! Control Tower; and an organization without all features gets no plan AWS would refuse.

use crate::common;

use common::{Emulator, MGMT, REGION, check_json, groundwork, seed};
use serde_json::Value;

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

fn apply(emu: &Emulator, state: &std::path::Path, step: &str) -> String {
    let out = groundwork(&emu.url(), state).args(["apply", step, "--yes"]).output().expect("apply");
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{step}: {text}");
    text
}

fn plan(emu: &Emulator, state: &std::path::Path) -> String {
    let out = groundwork(&emu.url(), state).args(["plan", "security-hub"]).output().expect("plan");
    format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

async fn workload(emu: &Emulator) -> String {
    let orgs = aws_sdk_organizations::Client::new(&common::config(emu, MGMT, REGION).await);
    let out = orgs.create_account().account_name("Workload").email("work@example.com").send().await.expect("create");
    out.create_account_status().and_then(|s| s.account_id()).expect("account id").to_owned()
}

/// The account's own finding of security-hub (the one without a Region).
fn finding<'a>(json: &'a Value, account: &str) -> &'a Value {
    let step = json["steps"].as_array().and_then(|s| s.iter().find(|s| s["id"] == "security-hub")).expect("step");
    step["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["account"] == account && f["region"].is_null()))
        .unwrap_or_else(|| panic!("no finding for {account}: {json:#}"))
}

async fn config_client(emu: &Emulator, account: &str, region: &str) -> aws_sdk_config::Client {
    aws_sdk_config::Client::new(&common::config(emu, account, region).await)
}

#[tokio::test]
async fn the_management_account_records_config_after_apply_and_a_stopped_recorder_is_named() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let work = workload(&emu).await;
    seed::landing_zone(&emu, &org, &REGIONS, "ACTIVE", "IN_SYNC");
    // Control Tower records in its accounts and in the workload account's registered OU.
    seed::control_tower_config(&emu, &org, &[&org.log_archive, &org.audit, &work], &REGIONS).await;
    let state = tempfile::tempdir().expect("tempdir");

    // Shown before the yes: each Config change in the management account, and what it costs.
    let shown = plan(&emu, state.path());
    for call in ["iam:CreateServiceLinkedRole", "config:PutConfigurationRecorder", "config:PutDeliveryChannel"] {
        assert!(shown.contains(call), "{call} not in the plan:\n{shown}");
    }
    assert!(shown.contains(&seed::config_bucket(&org)), "the landing zone's Config bucket:\n{shown}");
    assert!(shown.contains("$0.003 per configuration item recorded"), "the cost note:\n{shown}");
    apply(&emu, state.path(), "security-hub");

    for region in REGIONS {
        let c = config_client(&emu, MGMT, region).await;
        let status = c.describe_configuration_recorder_status().send().await.expect("status");
        assert!(status.configuration_recorders_status().iter().any(|s| s.recording()), "{region}: {status:?}");
        let channels = c.describe_delivery_channels().send().await.expect("channels");
        let bucket = channels.delivery_channels().first().and_then(|ch| ch.s3_bucket_name());
        assert_eq!(bucket, Some(seed::config_bucket(&org).as_str()), "{region}");
    }
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(common::step_status(&json, "security-hub"), "done", "{json:#}");

    // Someone stops the management account's recorder in one Region.
    config_client(&emu, MGMT, "eu-west-1")
        .await
        .stop_configuration_recorder()
        .configuration_recorder_name("default")
        .send()
        .await
        .expect("stop the recorder");
    let (_, json) = check_json(&emu, state.path());
    assert_ne!(common::step_status(&json, "security-hub"), "done", "{json:#}");
    let mine = finding(&json, MGMT);
    let detail = mine["detail"].as_str().unwrap_or_default();
    assert_ne!(mine["status"], "done", "{mine}");
    assert!(detail.contains("eu-west-1") && detail.contains("AWS Config") && detail.contains("stopped"), "{mine}");
    assert!(!detail.contains("us-east-1"), "only the Region where it stopped: {mine}");
    assert_eq!(finding(&json, &work)["status"], "done", "{json:#}");

    // Offered a start (their recorder, never replaced), and done again after it.
    let shown = plan(&emu, state.path());
    assert!(shown.contains("config:StartConfigurationRecorder"), "{shown}");
    assert!(!shown.contains("config:PutConfigurationRecorder"), "the recorder is not made again:\n{shown}");
    apply(&emu, state.path(), "security-hub");
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(common::step_status(&json, "security-hub"), "done", "{json:#}");
}

#[tokio::test]
async fn an_account_without_config_is_not_covered_and_waits_for_control_tower() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let work = workload(&emu).await;
    seed::landing_zone(&emu, &org, &[REGION], "ACTIVE", "IN_SYNC");
    // The workload account sits outside any registered OU: no Config there.
    seed::control_tower_config(&emu, &org, &[&org.log_archive, &org.audit], &[REGION]).await;
    let state = tempfile::tempdir().expect("tempdir");
    // Every change is made; something is left (exit 1): the workload account's Config.
    let out = groundwork(&emu.url(), state.path()).args(["apply", "security-hub", "--yes"]).output().expect("apply");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("Re-checked: [~] partial"), "{text}");

    let (_, json) = check_json(&emu, state.path());
    assert_eq!(common::step_status(&json, "security-hub"), "partial", "{json:#}");
    let theirs = finding(&json, &work);
    let detail = theirs["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("NO_AVAILABLE_CONFIGURATION_RECORDER") && detail.contains("AWS Config"), "{theirs}");
    assert_eq!(finding(&json, MGMT)["status"], "done", "{json:#}");
    let shown = plan(&emu, state.path());
    assert!(shown.contains("apply control-tower") && shown.contains(&work), "{shown}");
    assert!(!shown.contains("config:PutConfigurationRecorder"), "no recorder in a member account:\n{shown}");

    // Control Tower enrols it: FSBP turns READY there and the step is done.
    seed::control_tower_config(&emu, &org, &[&work], &[REGION]).await;
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(common::step_status(&json, "security-hub"), "done", "{json:#}");
}

#[tokio::test]
async fn an_organization_with_consolidated_billing_only_gets_no_plan_aws_would_refuse() {
    let emu = Emulator::start();
    let orgs = aws_sdk_organizations::Client::new(&common::config(&emu, MGMT, REGION).await);
    orgs.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::ConsolidatedBilling)
        .send()
        .await
        .expect("create organization");
    orgs.create_account().account_name("Audit").email("audit@example.com").send().await.expect("create Audit");
    let state = tempfile::tempdir().expect("tempdir");

    let (_, json) = check_json(&emu, state.path());
    assert_eq!(common::step_status(&json, "security-hub"), "not-done", "{json:#}");
    assert!(json.to_string().contains("all features"), "{json:#}");
    let before = emu.requests().len();
    let out = groundwork(&emu.url(), state.path()).args(["apply", "security-hub", "--yes"]).output().expect("apply");
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("all features"), "{text}");
    let changed: Vec<Value> = emu.requests()[before..]
        .iter()
        .filter(|r| {
            let op = r["operation"].as_str().unwrap_or_default();
            ["Enable", "Create", "Update", "Batch", "Put", "Start"].iter().any(|p| op.starts_with(p))
        })
        .cloned()
        .collect();
    assert!(changed.is_empty(), "calls AWS would refuse were made: {changed:#?}");
}

/// A standalone account (no organization) whose hub is on, while its standards cannot be read (the
/// caller may not call GetEnabledStandards): what runs makes the step partial, never "not set up".
#[tokio::test]
async fn a_standalone_hub_whose_standards_cannot_be_read_is_partial() {
    let emu = Emulator::start();
    aws_sdk_securityhub::Client::new(&common::config(&emu, MGMT, REGION).await)
        .enable_security_hub()
        .send()
        .await
        .expect("hub");
    emu.hook(
        "/_groundwork/faults",
        serde_json::json!({"operation": "GetEnabledStandards", "service": "securityhub", "status": 403,
                           "code": "AccessDeniedException",
                           "message": "User: arn:aws:iam::123456789012:user/moto is not authorized to perform: securityhub:GetEnabledStandards"}),
    );
    let state = tempfile::tempdir().expect("tempdir");
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(common::step_status(&json, "security-hub"), "partial", "{json:#}");
    let step = json["steps"].as_array().and_then(|s| s.iter().find(|s| s["id"] == "security-hub")).expect("step");
    let runs = step["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["status"] == "partial" && f["region"] == REGION && f["account"] == MGMT));
    assert!(
        runs.is_some_and(|f| f["detail"].as_str().is_some_and(|d| d.contains("hub runs in this account"))),
        "the finding says what runs: {json:#}"
    );
}
