//! The budget step against the emulator, through the real SDK and the groundwork binary: a fresh
//! account is not done; `apply` with the inputs given by `--set` makes it done (a budget with both
//! alerts, an AWS services monitor, a daily email subscription, all in us-east-1 whatever the
//! person's Region); the person's own budget is counted and never replaced; Cost Explorer refused
//! is unknown with advice naming us-east-1.

use crate::common;

use common::{Emulator, MGMT, check_json, config, groundwork, seed, sets, step_status};
use serde_json::json;

fn finding_details(json: &serde_json::Value) -> String {
    let step = json["steps"].as_array().and_then(|s| s.iter().find(|s| s["id"] == "budget")).expect("budget");
    step["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["detail"].as_str().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn budgets(emu: &Emulator) -> Vec<String> {
    let conf = config(emu, MGMT, "us-east-1").await;
    let out = aws_sdk_budgets::Client::new(&conf).describe_budgets().account_id(MGMT).send().await.expect("budgets");
    out.budgets().iter().map(|b| b.budget_name().to_owned()).collect()
}

#[test]
fn a_fresh_account_is_not_done_and_apply_makes_it_done_in_us_east_1_from_any_region() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tmp");
    let (_, before) = check_json(&emu, dir.path());
    assert_eq!(step_status(&before, "budget"), "not-done", "{before}");
    // The person works in eu-west-1: Budgets and Cost Explorer are still called in us-east-1 (the
    // emulator refuses Cost Explorer signed for any other Region, as AWS's single endpoint does).
    let out = groundwork(&emu.url(), dir.path())
        .env("AWS_REGION", "eu-west-1")
        .args(["apply", "budget", "--yes"])
        .args(sets("budget"))
        .output()
        .expect("apply");
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let (_, after) = check_json(&emu, dir.path());
    assert_eq!(step_status(&after, "budget"), "done", "{after}");
    assert!(finding_details(&after).contains("bills@example.com"));
    let ce: Vec<_> = emu.requests().into_iter().filter(|r| r["service"] == "ce" || r["service"] == "budgets").collect();
    assert!(ce.iter().all(|r| r["region"] == "us-east-1"), "{ce:?}");
    // Last month's spend was read once, for the amount's hint, and never by check.
    assert_eq!(ce.iter().filter(|r| r["operation"] == "GetCostAndUsage").count(), 1);
}

#[tokio::test]
async fn the_persons_own_budget_is_counted_and_never_replaced() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tmp");
    seed::budget(&emu, false).await;
    let (_, json) = check_json(&emu, dir.path());
    assert_eq!(step_status(&json, "budget"), "partial", "the budget counts, anomaly detection is missing: {json}");
    assert!(finding_details(&json).contains("Budget company emails cfo@example.com"), "{json}");
    let out = groundwork(&emu.url(), dir.path())
        .args(["apply", "budget", "--yes", "--set", "budget.email=bills@example.com"])
        .output()
        .expect("apply");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(budgets(&emu).await, ["company"], "no second budget, the person's untouched");
    assert!(!emu.requests().iter().any(|r| r["operation"] == "GetCostAndUsage"), "no amount asked, no spend read");
    let (_, after) = check_json(&emu, dir.path());
    assert_eq!(step_status(&after, "budget"), "done", "{after}");
}

#[test]
fn cost_explorer_refused_is_unknown_with_advice() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tmp");
    emu.hook(
        "/_groundwork/faults",
        json!({"operation": "GetAnomalyMonitors", "service": "ce", "code": "AccessDeniedException",
               "message": "User: arn:aws:iam::123456789012:user/ada is not authorized to perform: ce:GetAnomalyMonitors"}),
    );
    let (_, json) = check_json(&emu, dir.path());
    assert_eq!(step_status(&json, "budget"), "not-done", "the budget half is not done, the other unknown: {json}");
    let details = finding_details(&json);
    assert!(details.contains("ce:GetAnomalyMonitors") && details.contains("us-east-1"), "{details}");
    // Nothing is planned over what could not be read.
    let out = groundwork(&emu.url(), dir.path())
        .args(["apply", "budget", "--yes"])
        .args(sets("budget"))
        .output()
        .expect("apply");
    assert!(!out.status.success());
    assert!(budgets_is_empty(&emu));
}

fn budgets_is_empty(emu: &Emulator) -> bool {
    !emu.requests().iter().any(|r| r["operation"] == "CreateBudget" || r["operation"] == "CreateAnomalyMonitor")
}
