//! GuardDuty and Security Hub CSPM cover every active account of the organization in every
//! governed Region: applied to an organization whose workload account existed before the applies,
//! checked per account, and judged honestly when something runs outside the org-wide setup, when
//! AWS is still enrolling, or when a read fails.

use crate::common;

use common::{Emulator, MGMT, REGION, check_json, groundwork, seed, session};
use groundwork::catalog::StepId;
use groundwork::verdict::{Status, StepResult};
use groundwork::{checks, facts};
use serde_json::json;

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

async fn check(emu: &Emulator, id: StepId) -> StepResult {
    let aws = session(emu, 8).await;
    let facts = facts::gather(&aws).await.expect("identity");
    checks::check(&aws, &facts, id).await
}

fn apply(emu: &Emulator, state: &std::path::Path, step: &str, extra: &[&str]) -> String {
    let out = groundwork(&emu.url(), state).args(["apply", step, "--yes"]).args(extra).output().expect("apply");
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{step}: {text}");
    text
}

async fn workload(emu: &Emulator) -> String {
    let orgs = aws_sdk_organizations::Client::new(&common::config(emu, MGMT, REGION).await);
    let out = orgs.create_account().account_name("Workload").email("work@example.com").send().await.expect("create");
    out.create_account_status().and_then(|s| s.account_id()).expect("account id").to_owned()
}

fn findings_of<'a>(json: &'a serde_json::Value, step: &str) -> &'a Vec<serde_json::Value> {
    let s = json["steps"].as_array().and_then(|s| s.iter().find(|s| s["id"] == step)).expect("step");
    s["findings"].as_array().expect("findings")
}

/// The account's own finding (the one without a Region).
fn account_finding<'a>(json: &'a serde_json::Value, step: &str, account: &str) -> &'a serde_json::Value {
    findings_of(json, step)
        .iter()
        .find(|f| f["account"] == account && f["region"].is_null())
        .unwrap_or_else(|| panic!("no finding for {account} in {step}: {json:#}"))
}

#[tokio::test]
async fn every_existing_account_is_covered_after_the_applies_and_a_hub_switched_off_is_named() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let work = workload(&emu).await;
    seed::landing_zone(&emu, &org, &REGIONS, "ACTIVE", "IN_SYNC");
    // Control Tower records Config in its accounts and in the workload account's registered OU.
    seed::control_tower_config(&emu, &org, &[&org.log_archive, &org.audit, &work], &REGIONS).await;
    let state = tempfile::tempdir().expect("tempdir");

    // The plan shows each existing account before the yes.
    let plan = groundwork(&emu.url(), state.path()).args(["plan", "security-hub"]).output().expect("plan");
    let plan = String::from_utf8_lossy(&plan.stdout).to_string();
    for account in [MGMT, org.log_archive.as_str(), work.as_str()] {
        assert!(plan.contains(&format!("AccountId: {account}")), "{account} not in the plan:\n{plan}");
    }
    apply(&emu, state.path(), "security-hub", &[]);
    apply(&emu, state.path(), "guardduty", &[]);

    let (_, json) = check_json(&emu, state.path());
    let accounts = [MGMT, org.log_archive.as_str(), org.audit.as_str(), work.as_str()];
    for step in ["guardduty", "security-hub"] {
        assert_eq!(common::step_status(&json, step), "done", "{step}: {json:#}");
        for account in accounts {
            assert_eq!(account_finding(&json, step, account)["status"], "done", "{step} {account}");
        }
    }
    // FSBP only, in every account and Region: no CIS from AWS's defaults.
    let hubs = emu.data()["extension"]["securityhub"]["hubs"].clone();
    for account in accounts {
        for region in REGIONS {
            let standards = hubs[format!("{account}/{region}")]["standards"].as_object().expect("a hub");
            let names: Vec<&String> = standards.keys().collect();
            assert_eq!(names, [&groundwork::aws::securityhub::fsbp_arn(region)], "{account}/{region}");
        }
    }

    // Audit's detectors name every plan, each off (none was chosen).
    let gd = emu.data()["extension"]["guardduty"].clone();
    for region in REGIONS {
        let detectors =
            gd[format!("{}/{region}", org.audit)]["detectors"].as_object().expect("Audit's detector").clone();
        let features =
            detectors.values().next().expect("one detector")["features"].as_array().expect("features").clone();
        let mut named: Vec<&str> = features.iter().filter_map(|f| f["name"].as_str()).collect();
        named.sort_unstable();
        let mut plans = groundwork::inputs::GUARDDUTY_PLANS.to_vec();
        plans.sort_unstable();
        assert_eq!(named, plans, "{features:?}");
        assert!(features.iter().all(|f| f["status"] == "DISABLED"), "{features:?}");
    }

    // Someone switches the workload account's hub off in one Region.
    aws_sdk_securityhub::Client::new(&common::config(&emu, &work, "eu-west-1").await)
        .disable_security_hub()
        .send()
        .await
        .expect("disable the workload's hub");
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(common::step_status(&json, "security-hub"), "partial", "{json:#}");
    let f = account_finding(&json, "security-hub", &work);
    // Covered in us-east-1 still, not in eu-west-1.
    assert_eq!(f["status"], "partial", "{f}");
    assert!(f["detail"].as_str().is_some_and(|d| d.contains("eu-west-1") && d.contains("no hub")), "{f}");
    assert_eq!(account_finding(&json, "security-hub", &org.log_archive)["status"], "done");
}

/// An account that joins after the applies: GuardDuty's auto-enable enrols it, Security Hub's gives
/// it a hub without FSBP, so the step is partial naming it until `apply security-hub` runs again.
#[tokio::test]
async fn an_account_that_joins_later_is_named_until_the_next_apply() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    seed::landing_zone(&emu, &org, &[REGION], "ACTIVE", "IN_SYNC");
    seed::control_tower_config(&emu, &org, &[&org.log_archive, &org.audit], &[REGION]).await;
    let state = tempfile::tempdir().expect("tempdir");
    apply(&emu, state.path(), "security-hub", &[]);
    apply(&emu, state.path(), "guardduty", &[]);
    let late = workload(&emu).await;
    // Created into a registered OU: Control Tower records Config there.
    seed::control_tower_config(&emu, &org, &[&late], &[REGION]).await;

    let (_, json) = check_json(&emu, state.path());
    assert_eq!(common::step_status(&json, "guardduty"), "done", "{json:#}");
    assert_eq!(common::step_status(&json, "security-hub"), "partial", "{json:#}");
    let f = account_finding(&json, "security-hub", &late);
    assert!(
        f["detail"].as_str().is_some_and(|d| d.contains("Foundational Security Best Practices is not enabled")),
        "{f}"
    );

    let plan = groundwork(&emu.url(), state.path()).args(["plan", "security-hub"]).output().expect("plan");
    let plan = String::from_utf8_lossy(&plan.stdout).to_string();
    assert!(plan.contains(&format!("securityhub:BatchEnableStandards · account {late}")), "{plan}");
    assert!(!plan.contains("  2. "), "only FSBP in the new account is planned:\n{plan}");
    apply(&emu, state.path(), "security-hub", &[]);
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(common::step_status(&json, "security-hub"), "done", "{json:#}");
}

/// Brownfield accounts: GuardDuty running on its own, or a hub with other standards and no FSBP,
/// stop the step with the account named, and nothing changes.
#[tokio::test]
async fn an_account_with_its_own_setup_is_a_conflict_and_nothing_changes() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let work = workload(&emu).await;
    seed::landing_zone(&emu, &org, &[REGION], "ACTIVE", "IN_SYNC");
    let conf = common::config(&emu, &work, REGION).await;
    aws_sdk_guardduty::Client::new(&conf).create_detector().enable(true).send().await.expect("own detector");
    let hub = aws_sdk_securityhub::Client::new(&conf);
    hub.enable_security_hub().enable_default_standards(false).send().await.expect("own hub");
    let cis = format!("arn:aws:securityhub:{REGION}::standards/cis-aws-foundations-benchmark/v/1.4.0");
    let request = aws_sdk_securityhub::types::StandardsSubscriptionRequest::builder().standards_arn(&cis).build();
    hub.batch_enable_standards().standards_subscription_requests(request).send().await.expect("CIS");
    // What runs already makes both steps partial.
    assert_eq!(check(&emu, StepId::Guardduty).await.status, Status::Partial);
    assert_eq!(check(&emu, StepId::SecurityHub).await.status, Status::Partial);

    let state = tempfile::tempdir().expect("tempdir");
    let before = emu.data()["extension"].clone();
    for step in ["guardduty", "security-hub"] {
        let out = groundwork(&emu.url(), state.path()).args(["apply", step, "--yes"]).output().expect("apply");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert_eq!(out.status.code(), Some(1), "{step}: {text}");
        assert!(text.contains(&format!("account {work}")), "{step} names the account: {text}");
    }
    assert_eq!(emu.data()["extension"], before, "a conflict changed something");
}

#[tokio::test]
async fn guardduty_in_a_standalone_account_is_partial() {
    let emu = Emulator::start();
    assert_eq!(check(&emu, StepId::Guardduty).await.status, Status::NotDone);
    aws_sdk_guardduty::Client::new(&common::config(&emu, MGMT, REGION).await)
        .create_detector()
        .enable(true)
        .send()
        .await
        .expect("detector");
    let r = check(&emu, StepId::Guardduty).await;
    assert_eq!(r.status, Status::Partial, "{r:?}");
    assert!(r.findings.iter().any(|f| f.status == Status::Partial && f.detail.contains("GuardDuty runs")), "{r:?}");
}

#[tokio::test]
async fn a_hub_in_the_management_account_without_delegation_is_partial() {
    let emu = Emulator::start();
    seed::organization(&emu).await;
    assert_eq!(check(&emu, StepId::SecurityHub).await.status, Status::NotDone);
    aws_sdk_securityhub::Client::new(&common::config(&emu, MGMT, REGION).await)
        .enable_security_hub()
        .send()
        .await
        .expect("hub");
    let r = check(&emu, StepId::SecurityHub).await;
    assert_eq!(r.status, Status::Partial, "{r:?}");
    let mine = r.findings.iter().find(|f| f.account == MGMT && f.region.is_none()).expect("management finding");
    assert_eq!(mine.status, Status::Partial, "{mine:?}");
    assert!(mine.detail.contains("not a member"), "{mine:?}");
}

#[tokio::test]
async fn guardduty_all_is_partial_while_aws_enrols_and_done_after() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    seed::guardduty(&emu, &org, REGION, true, "NEW").await;
    let audit = aws_sdk_guardduty::Client::new(&common::config(&emu, &org.audit, REGION).await);
    let detector = audit.list_detectors().send().await.expect("detectors").detector_ids()[0].clone();
    audit
        .update_organization_configuration()
        .detector_id(&detector)
        .auto_enable_organization_members(aws_sdk_guardduty::types::AutoEnableMembers::All)
        .send()
        .await
        .expect("ALL");
    let r = check(&emu, StepId::Guardduty).await;
    assert_eq!(r.status, Status::Partial, "{r:?}");
    let log = r.findings.iter().find(|f| f.account == org.log_archive && f.region.is_none()).expect("Log Archive");
    assert_eq!(log.status, Status::NotDone, "{log:?}");
    assert!(log.detail.contains("24 hours"), "{log:?}");
    emu.hook("/_groundwork/guardduty/enrol", json!({"account": org.audit, "region": REGION}));
    assert_eq!(check(&emu, StepId::Guardduty).await.status, Status::Done);
}

#[tokio::test]
async fn an_organization_level_plan_survives_apply_with_plans_none() {
    use aws_sdk_guardduty::types::{OrgFeature, OrgFeatureStatus, OrganizationFeatureConfiguration};
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    seed::guardduty(&emu, &org, REGION, true, "NEW").await;
    let audit = aws_sdk_guardduty::Client::new(&common::config(&emu, &org.audit, REGION).await);
    let detector = audit.list_detectors().send().await.expect("detectors").detector_ids()[0].clone();
    let s3 = OrganizationFeatureConfiguration::builder()
        .name(OrgFeature::S3DataEvents)
        .auto_enable(OrgFeatureStatus::All)
        .build();
    audit.update_organization_configuration().detector_id(&detector).features(s3).send().await.expect("S3 ALL");

    let state = tempfile::tempdir().expect("tempdir");
    let out = apply(&emu, state.path(), "guardduty", &["--set", "guardduty.plans=none"]);
    assert!(out.contains("S3_DATA_EVENTS=ALL"), "the kept plan is shown: {out}");
    let config = audit.describe_organization_configuration().detector_id(&detector).send().await.expect("config");
    assert_eq!(config.auto_enable_organization_members().map(|m| m.as_str()), Some("ALL"));
    let s3 = config.features().iter().find(|f| f.name() == Some(&OrgFeature::S3DataEvents)).expect("S3");
    assert_eq!(s3.auto_enable(), Some(&OrgFeatureStatus::All), "{config:?}");
    assert_eq!(check(&emu, StepId::Guardduty).await.status, Status::Done);
}

/// Organizations unreadable while the landing zone still names Audit: the accounts cannot be
/// listed, so neither step may be judged on the Regions alone.
#[tokio::test]
async fn unreadable_organizations_make_both_steps_unknown() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    seed::landing_zone(&emu, &org, &[REGION], "ACTIVE", "IN_SYNC");
    seed::guardduty(&emu, &org, REGION, true, "ALL").await;
    assert_eq!(check(&emu, StepId::Guardduty).await.status, Status::Done);
    emu.hook("/_groundwork/unsupported", json!({"service": "organizations"}));
    for id in [StepId::Guardduty, StepId::SecurityHub] {
        let r = check(&emu, id).await;
        assert_eq!(r.status, Status::Unknown, "{r:?}");
        assert!(r.findings.iter().any(|f| f.detail.contains("organizations:")), "{r:?}");
    }
}

/// Every Security Hub read failing (the service answers 500) is `unknown`, never "not set up".
#[tokio::test]
async fn security_hub_that_cannot_be_read_is_unknown() {
    let emu = Emulator::start();
    seed::organization(&emu).await;
    emu.hook("/_groundwork/unsupported", json!({"service": "securityhub"}));
    let r = check(&emu, StepId::SecurityHub).await;
    assert_eq!(r.status, Status::Unknown, "{r:?}");
    assert!(r.findings.iter().all(|f| f.status == Status::Unknown), "{r:?}");
}
