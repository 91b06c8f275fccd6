//! Control Tower as AWS ships it today (landing zone 4.0), end to end: the real binary against the
//! emulator. A fresh organization gets the Security OU, both accounts moved, the roles created or
//! repaired and a 4.0 landing zone; each preflight finding stops the plan and changes nothing;
//! existing landing zones (3.x, drifted, failed, at home in an opt-in Region) are read and planned
//! for correctly; AWS's "must be latest available version" refusal is explained.

use crate::common;

use std::path::Path;

use common::{Emulator, MGMT, REGION, check_json, config, groundwork, seed, step_status};
use serde_json::json;

const CLOUDTRAIL_POLICY: &str = "arn:aws:iam::aws:policy/service-role/AWSControlTowerCloudTrailRolePolicy";

fn run(emu: &Emulator, state: &Path, args: &[&str]) -> (i32, String) {
    let mut cmd = groundwork(&emu.url(), state);
    cmd.env("GROUNDWORK_POLL_SECONDS", "0.2").args(args);
    if !args.iter().any(|a| a.starts_with("control-tower.regions=")) {
        cmd.args(["--set", "control-tower.regions=us-east-1,eu-west-1"]);
    }
    let out = cmd
        .args(["--set", "control-tower.log-archive-email=log@example.com"])
        .args(["--set", "control-tower.audit-email=audit@example.com"])
        .output()
        .expect("run groundwork");
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// The emulator's state without what changes on reads alone.
fn state_of(emu: &Emulator) -> serde_json::Value {
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
    let mut data = emu.data();
    scrub(&mut data);
    data
}

async fn orgs(emu: &Emulator) -> aws_sdk_organizations::Client {
    aws_sdk_organizations::Client::new(&config(emu, MGMT, REGION).await)
}

async fn parent_of(emu: &Emulator, account: &str) -> String {
    let out = orgs(emu).await.list_parents().child_id(account).send().await.expect("list parents");
    out.parents()[0].id().expect("parent id").to_owned()
}

#[tokio::test]
async fn a_fresh_organization_gets_a_4_0_landing_zone_then_nothing_more() {
    let emu = Emulator::start_with(&[("GROUNDWORK_EMULATOR_CT_DELAY_SECONDS", "0.3")]);
    let state = tempfile::tempdir().expect("tempdir");
    assert_eq!(run(&emu, state.path(), &["apply", "organization", "--yes"]).0, 0);

    let (_, plan) = run(&emu, state.path(), &["plan", "control-tower"]);
    for call in [
        "organizations:CreateAccount",
        "organizations:CreateOrganizationalUnit",
        "organizations:MoveAccount",
        "iam:CreateRole",
        "controltower:CreateLandingZone",
    ] {
        assert!(plan.contains(call), "{call} not planned:\n{plan}");
    }
    assert!(plan.contains("version: 4.0") && !plan.contains("organizationStructure"), "{plan}");
    assert!(plan.lines().any(|l| l.contains("config: {") && l.contains(r#""accountId":"<account:Audit>""#)), "{plan}");

    let (code, out) = run(&emu, state.path(), &["apply", "control-tower", "--yes"]);
    assert_eq!(code, 0, "{out}");
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "control-tower"), "done", "{json:#}");

    // The landing zone is 4.0 with the manifest the issue asks for.
    let ext = &emu.data()["extension"]["controltower"]["landingZones"][MGMT];
    assert_eq!(ext["version"], "4.0");
    let m = &ext["manifest"];
    let (log, audit) = (m["centralizedLogging"]["accountId"].clone(), m["securityRoles"]["accountId"].clone());
    assert_eq!(m["config"]["accountId"], audit);
    assert_eq!(m["governedRegions"], json!(["us-east-1", "eu-west-1"]));
    assert_eq!((m["accessManagement"]["enabled"].clone(), m["backup"]["enabled"].clone()), (json!(true), json!(false)));
    // Both accounts share the new Security OU, directly under the root.
    let (log, audit) = (log.as_str().expect("log"), audit.as_str().expect("audit"));
    let ou = parent_of(&emu, log).await;
    assert_eq!(parent_of(&emu, audit).await, ou);
    assert!(ou.starts_with("ou-"), "{ou}");

    // A second apply changes nothing at all.
    let before = state_of(&emu);
    let (_, again) = run(&emu, state.path(), &["apply", "control-tower", "--yes"]);
    assert!(!again.contains("[1/"), "changed something again:\n{again}");
    assert!(state_of(&emu) == before, "the emulator's state changed on the second apply");
}

#[tokio::test]
async fn a_role_without_its_policy_is_repaired_not_accepted() {
    let emu = Emulator::start_with(&[("GROUNDWORK_EMULATOR_CT_DELAY_SECONDS", "0.3")]);
    let state = tempfile::tempdir().expect("tempdir");
    let org = seed::organization(&emu).await;
    let iam = aws_sdk_iam::Client::new(&config(&emu, MGMT, REGION).await);
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    iam.create_role()
        .role_name("AWSControlTowerCloudTrailRole")
        .path("/service-role/")
        .assume_role_policy_document(trust)
        .send()
        .await
        .expect("create role");

    let (_, plan) = run(&emu, state.path(), &["plan", "control-tower"]);
    assert!(plan.contains("iam:AttachRolePolicy") && plan.contains(CLOUDTRAIL_POLICY), "{plan}");
    assert!(plan.contains("lacks"), "the repair is explained:\n{plan}");
    assert_eq!(plan.matches("iam:CreateRole").count(), 3, "the existing role is not created again:\n{plan}");
    assert!(plan.contains(&format!("Using the existing Audit account {}", org.audit)), "{plan}");

    // Both accounts were found by name: a script confirms them before they join the landing zone.
    let confirm = [
        "apply".to_owned(),
        "control-tower".to_owned(),
        "--yes".to_owned(),
        "--set".to_owned(),
        format!("control-tower.confirm-audit={}", org.audit),
        "--set".to_owned(),
        format!("control-tower.confirm-log-archive={}", org.log_archive),
    ];
    let confirm: Vec<&str> = confirm.iter().map(String::as_str).collect();
    let (code, out) = run(&emu, state.path(), &confirm);
    assert_eq!(code, 0, "{out}");
    let attached =
        iam.list_attached_role_policies().role_name("AWSControlTowerCloudTrailRole").send().await.expect("list");
    assert!(attached.attached_policies().iter().any(|p| p.policy_arn() == Some(CLOUDTRAIL_POLICY)));
    let ou = parent_of(&emu, &org.log_archive).await;
    assert_eq!(parent_of(&emu, &org.audit).await, ou);
}

/// The plan stops with `words`, and applying it changes nothing.
fn refused(emu: &Emulator, state: &Path, extra: &[&str], words: &str) {
    let args: Vec<&str> = ["plan", "control-tower"].iter().copied().chain(extra.iter().copied()).collect();
    let (_, plan) = run(emu, state, &args);
    assert!(plan.contains(words), "{words:?} not in the plan:\n{plan}");
    assert!(!plan.contains("  1. "), "a change is planned despite the conflict:\n{plan}");
    let before = state_of(emu);
    let args: Vec<&str> = ["apply", "control-tower", "--yes"].iter().copied().chain(extra.iter().copied()).collect();
    let (code, out) = run(emu, state, &args);
    assert_eq!(code, 1, "{out}");
    assert!(state_of(emu) == before, "the refused apply changed the emulator's state");
}

#[tokio::test]
async fn preflight_each_finding_stops_before_any_change() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let org = seed::organization(&emu).await;
    let dir = state.path();

    // Regions: not a Region at all, an opt-in Region not enabled.
    refused(&emu, dir, &["--set", "control-tower.regions=us-east-1,mars-north-9"], "mars-north-9 is not a Region");
    refused(
        &emu,
        dir,
        &["--set", "control-tower.regions=us-east-1,af-south-1"],
        "af-south-1 is an opt-in Region that is DISABLED",
    );
    // Once enabled, the opt-in Region is accepted.
    emu.hook("/_groundwork/account/region-opt", json!({"account": MGMT, "region": "af-south-1", "status": "ENABLED"}));
    let (_, plan) = run(&emu, dir, &["plan", "control-tower", "--set", "control-tower.regions=us-east-1,af-south-1"]);
    assert!(plan.contains("controltower:CreateLandingZone"), "{plan}");

    // Log Archive and Audit in two different OUs; then one nested below another OU.
    let c = orgs(&emu).await;
    let root = c.list_roots().send().await.expect("roots").roots()[0].id().expect("id").to_owned();
    let mk = |parent: String, name: &'static str| {
        let c = c.clone();
        async move {
            let out = c.create_organizational_unit().parent_id(parent).name(name).send().await.expect("create OU");
            out.organizational_unit().and_then(|o| o.id()).expect("id").to_owned()
        }
    };
    let (a, b) = (mk(root.clone(), "Logs").await, mk(root.clone(), "Sec").await);
    let mv = |account: &str, from: &str, to: &str| {
        c.move_account().account_id(account).source_parent_id(from).destination_parent_id(to).send()
    };
    mv(&org.log_archive, &root, &a).await.expect("move");
    mv(&org.audit, &root, &b).await.expect("move");
    refused(&emu, dir, &[], "they are in two OUs (Logs and Sec)");
    let nested = mk(b.clone(), "Inner").await;
    mv(&org.audit, &b, &nested).await.expect("move");
    mv(&org.log_archive, &a, &root).await.expect("move");
    refused(&emu, dir, &[], "which is inside another OU");
    mv(&org.audit, &nested, &b).await.expect("move");
    // Audit alone in an OU under the root: that OU is reused and Log Archive joins it.
    let (_, plan) = run(&emu, dir, &["plan", "control-tower"]);
    assert!(plan.contains("The OU Sec") && plan.matches("organizations:MoveAccount").count() == 1, "{plan}");
    assert!(!plan.contains("organizations:CreateOrganizationalUnit"), "{plan}");

    // Trusted access for Config already on.
    c.enable_aws_service_access().service_principal("config.amazonaws.com").send().await.expect("enable");
    refused(&emu, dir, &[], "Trusted access for config.amazonaws.com is already on");
    c.disable_aws_service_access().service_principal("config.amazonaws.com").send().await.expect("disable");

    // The Audit account suspended: not usable, and no second Audit account is planned beside it.
    c.close_account().account_id(&org.audit).send().await.expect("close");
    refused(&emu, dir, &[], &format!("The account Audit ({}) is SUSPENDED", org.audit));
}

#[tokio::test]
async fn an_organization_without_all_features_is_a_conflict() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    orgs(&emu)
        .await
        .create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::ConsolidatedBilling)
        .send()
        .await
        .expect("create organization");
    refused(&emu, state.path(), &[], "does not have all features enabled");
}

#[tokio::test]
async fn an_existing_3_3_landing_zone_is_done_with_the_update_explained() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let org = seed::organization(&emu).await;
    seed::landing_zone_version(&emu, &org, &[REGION, "eu-west-1"], "ACTIVE", "IN_SYNC", "3.3");
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "control-tower"), "done", "{json:#}");
    let detail = json["steps"][3]["findings"][0]["detail"].as_str().expect("detail");
    assert!(detail.contains("version 4.0 is available") && detail.contains("irreversible"), "{detail}");
    assert!(detail.contains("AWSControlTowerCloudTrailRolePolicy") && detail.contains("3.x shape"), "{detail}");
    // The 3.x manifest is read: Audit is the securityRoles account, the Regions its governed ones.
    let aws = common::session(&emu, 4).await;
    let facts = groundwork::facts::gather(&aws).await.expect("facts");
    assert_eq!(facts.audit.map(|a| a.id), Some(org.audit.clone()));
    assert_eq!(facts.governed_regions, [REGION, "eu-west-1"]);
    let (_, plan) = run(&emu, state.path(), &["plan", "control-tower"]);
    assert!(!plan.contains("  1. ") && plan.contains("is available"), "{plan}");
}

#[tokio::test]
async fn a_drifted_or_failed_landing_zone_is_offered_a_reset_that_says_what_it_puts_back() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let org = seed::organization(&emu).await;
    for (status, drift) in [("ACTIVE", "DRIFTED"), ("FAILED", "IN_SYNC")] {
        seed::landing_zone(&emu, &org, &[REGION], status, drift);
        let (_, json) = check_json(&emu, state.path());
        assert_eq!(step_status(&json, "control-tower"), "partial", "{json:#}");
        let (_, plan) = run(&emu, state.path(), &["plan", "control-tower"]);
        assert!(plan.contains("1. controltower:ResetLandingZone"), "{status}:\n{plan}");
        assert!(plan.contains("puts back") && plan.contains("not a rollback"), "{plan}");
    }
}

#[tokio::test]
async fn a_landing_zone_at_home_in_an_opt_in_region_is_found_there() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let org = seed::organization(&emu).await;
    // Two other services first: Control Tower's trusted access is then on the second page of
    // ListAWSServiceAccessForOrganization (the emulator pages by two, as AWS pages), so a read of
    // the first page only would not see it.
    seed::trusted_access(&emu, "account.amazonaws.com").await;
    seed::trusted_access(&emu, "config.amazonaws.com").await;
    orgs(&emu)
        .await
        .enable_aws_service_access()
        .service_principal("controltower.amazonaws.com")
        .send()
        .await
        .expect("on");
    // Trusted access on, nothing listed anywhere: unknown, and no plan to create a second one.
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "control-tower"), "unknown", "{json:#}");
    let (_, plan) = run(&emu, state.path(), &["plan", "control-tower"]);
    assert!(!plan.contains("controltower:CreateLandingZone") && plan.contains("cannot tell"), "{plan}");

    emu.hook("/_groundwork/account/region-opt", json!({"account": MGMT, "region": "af-south-1", "status": "ENABLED"}));
    seed::landing_zone(&emu, &org, &["af-south-1"], "ACTIVE", "IN_SYNC");
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "control-tower"), "done", "{json:#}");
    assert_eq!(json["steps"][3]["findings"][0]["region"], "af-south-1", "{json:#}");
}

/// AWS's refusal of an older version, exactly as it is worded, explained with the two ways forward.
#[tokio::test]
async fn the_latest_version_refusal_is_explained() {
    use aws_smithy_mocks::{MockResponseInterceptor, RuleMode, create_mock_http_client, mock};
    let body = r#"{"__type":"ValidationException","message":"Your AWS Control Tower landing zone version must be latest available version."}"#;
    let rule =
        mock!(aws_sdk_controltower::Client::create_landing_zone).sequence().http_status(400, Some(body.into())).build();
    let conf = aws_sdk_controltower::Config::builder()
        .behavior_version(aws_sdk_controltower::config::BehaviorVersion::latest())
        .region(aws_sdk_controltower::config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new("AKID", "SECRET", None, None, "tests"))
        .http_client(create_mock_http_client())
        .interceptor(MockResponseInterceptor::new().rule_mode(RuleMode::Sequential).with_rule(&rule))
        .build();
    let err = aws_sdk_controltower::Client::from_conf(conf)
        .create_landing_zone()
        .version("4.0")
        .manifest(aws_smithy_types::Document::Object(std::collections::HashMap::new()))
        .send()
        .await
        .expect_err("refused");
    let e = groundwork::aws::error::classify(&err, "controltower:CreateLandingZone", MGMT, Some(REGION));
    let e = groundwork::aws::change::controltower::explain_refusal(e, "4.0");
    let words = e.explain();
    assert!(words.contains("must be latest available version"), "AWS's words are kept: {words}");
    assert!(words.contains("newer than 4.0") && words.contains("will not guess"), "{words}");
    assert!(words.contains("update groundwork") && words.contains("groundwork check"), "{words}");
    assert_eq!(rule.num_calls(), 1, "never retried");
}

/// A role of the right name at another path is the person's: a conflict, never replaced.
#[tokio::test]
async fn a_role_at_another_path_is_a_conflict() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    seed::organization(&emu).await;
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"controltower.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    aws_sdk_iam::Client::new(&config(&emu, MGMT, REGION).await)
        .create_role()
        .role_name("AWSControlTowerAdmin")
        .assume_role_policy_document(trust)
        .send()
        .await
        .expect("create role");
    refused(&emu, state.path(), &[], "The role AWSControlTowerAdmin exists at path /");
}

/// Identity Center in another Region than the home Region stops the plan.
#[tokio::test]
async fn identity_center_in_another_region_is_a_conflict() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    seed::organization(&emu).await;
    orgs(&emu).await.enable_aws_service_access().service_principal("sso.amazonaws.com").send().await.expect("on");
    emu.hook("/_groundwork/identitycenter/instance-region", json!({"account": MGMT, "region": "eu-west-1"}));
    refused(
        &emu,
        state.path(),
        &[],
        "IAM Identity Center is set up in eu-west-1, but the landing zone's home Region is us-east-1",
    );
    // In the home Region it is what Control Tower expects.
    let (_, plan) = run(&emu, state.path(), &["plan", "control-tower", "--set", "control-tower.home-region=eu-west-1"]);
    assert!(plan.contains("controltower:CreateLandingZone · account 123456789012 · eu-west-1"), "{plan}");
}
