//! `kill -9` at random moments during `apply` of the steps that build on the organization:
//! control-tower (from an organization alone), and guardduty, security-hub and alerts (from a landing
//! zone governing two Regions, with Log Archive and Audit). 20 trials each on an emulator reset to
//! that starting point: the record never says done for what isn't, every change AWS received has
//! its intent in the action log, and a second `apply` converges with nothing made twice (see
//! `common::kill`). The moments are drawn from a seed printed by each test (`GROUNDWORK_KILL_SEED`
//! replays one).

use crate::common;

use std::path::Path;

use common::kill::{Part, apply_first, once, trials};
use common::seed::{self, Org};
use common::{Emulator, MGMT, REGION, REGIONS, check_json, config, step_status};

/// The emulator's delays, short: a landing zone operation takes half a second.
fn emulator() -> Emulator {
    Emulator::start_with(&[("GROUNDWORK_EMULATOR_CT_DELAY_SECONDS", "0.5")])
}

fn regions() -> Vec<&'static str> {
    REGIONS.split(',').collect()
}

/// The organization's accounts, by name.
async fn accounts(emu: &Emulator) -> Vec<(String, String)> {
    let orgs = aws_sdk_organizations::Client::new(&config(emu, MGMT, REGION).await);
    let pages: Vec<_> = orgs.list_accounts().into_paginator().send().try_collect().await.expect("accounts");
    let all = pages.iter().flat_map(|p| p.accounts().iter());
    all.map(|a| (a.name().expect("name").to_owned(), a.id().expect("id").to_owned())).collect()
}

/// Log Archive and Audit, each exactly once (a trial makes new account ids).
async fn shared(emu: &Emulator, trial: &str) -> Org {
    let all = accounts(emu).await;
    let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    once(trial, "account name", &names);
    let id = |name: &str| all.iter().find(|(n, _)| n == name).map(|(_, id)| id.clone());
    let (log_archive, audit) = (id("Log Archive"), id("Audit"));
    Org {
        log_archive: log_archive.unwrap_or_else(|| panic!("{trial}: no Log Archive in {all:?}")),
        audit: audit.unwrap_or_else(|| panic!("{trial}: no Audit in {all:?}")),
    }
}

/// An organization with Log Archive and Audit in a Security OU, and an active landing zone
/// governing both Regions: where guardduty, security-hub and alerts start.
async fn landing_zone(emu: &Emulator, _: &Path) {
    let org = seed::organization(emu).await;
    seed::control_tower_prerequisites(emu, &org).await;
    seed::landing_zone(emu, &org, &regions(), "ACTIVE", "IN_SYNC");
}

/// One landing zone; Log Archive and Audit once each, both in the one Security OU; each service
/// role with its policies.
async fn one_landing_zone(emu: &Emulator, _: &Path, trial: &str) {
    let conf = config(emu, MGMT, REGION).await;
    let ct = aws_sdk_controltower::Client::new(&conf);
    let zones: Vec<_> = ct.list_landing_zones().into_paginator().items().send().try_collect().await.expect("zones");
    assert_eq!(zones.len(), 1, "{trial}: one landing zone: {zones:?}");
    let org = shared(emu, trial).await;
    assert_eq!(accounts(emu).await.len(), 3, "{trial}: the management account, Log Archive and Audit");
    let orgs = aws_sdk_organizations::Client::new(&conf);
    let root = orgs.list_roots().send().await.expect("roots").roots()[0].id().expect("root").to_owned();
    let pages = orgs.list_organizational_units_for_parent().parent_id(&root).into_paginator().send();
    let pages: Vec<_> = pages.try_collect().await.expect("OUs");
    let ous: Vec<_> = pages.iter().flat_map(|p| p.organizational_units().iter()).collect();
    let names: Vec<&str> = ous.iter().filter_map(|o| o.name()).collect();
    once(trial, "OU", &names);
    let security = ous.iter().find(|o| o.name() == Some("Security")).expect("a Security OU").id().expect("id");
    for account in [&org.log_archive, &org.audit] {
        let parents = orgs.list_parents().child_id(account).send().await.expect("parents");
        assert_eq!(parents.parents()[0].id(), Some(security), "{trial}: {account} in the Security OU");
    }
    let iam = aws_sdk_iam::Client::new(&conf);
    for (role, policy) in [
        ("AWSControlTowerAdmin", Some("AWSControlTowerServiceRolePolicy")),
        ("AWSControlTowerCloudTrailRole", Some("AWSControlTowerCloudTrailRolePolicy")),
        ("AWSControlTowerStackSetRole", None),
        ("AWSControlTowerConfigAggregatorRoleForOrganizations", Some("AWSConfigRoleForOrganizations")),
    ] {
        let attached = iam.list_attached_role_policies().role_name(role).send().await.expect("policies");
        let names: Vec<&str> = attached.attached_policies().iter().filter_map(|p| p.policy_name()).collect();
        assert_eq!(names, policy.into_iter().collect::<Vec<_>>(), "{trial}: {role}'s managed policies");
    }
}

/// In each Region, one detector in every account, Audit the one delegated administrator, and
/// every other account its member once.
async fn one_detector_each(emu: &Emulator, _: &Path, trial: &str) {
    let org = shared(emu, trial).await;
    for region in regions() {
        let mut detectors = Vec::new();
        for account in [MGMT, &org.log_archive, &org.audit] {
            let gd = aws_sdk_guardduty::Client::new(&config(emu, account, region).await);
            let ids: Vec<_> = gd.list_detectors().into_paginator().items().send().try_collect().await.expect("ids");
            assert_eq!(ids.len(), 1, "{trial}: one detector in {account} in {region}: {ids:?}");
            detectors.push(ids[0].clone());
        }
        let gd = aws_sdk_guardduty::Client::new(&config(emu, MGMT, region).await);
        let admins = gd.list_organization_admin_accounts().send().await.expect("admins");
        let admins: Vec<_> = admins.admin_accounts().iter().filter_map(|a| a.admin_account_id()).collect();
        assert_eq!(admins, [org.audit.as_str()], "{trial}: Audit alone is GuardDuty's administrator in {region}");
        let gd = aws_sdk_guardduty::Client::new(&config(emu, &org.audit, region).await);
        let members = gd.list_members().detector_id(&detectors[2]).only_associated("false").into_paginator();
        let members: Vec<_> = members.items().send().try_collect().await.expect("members");
        let mut ids: Vec<&str> = members.iter().filter_map(|m| m.account_id()).collect();
        once(trial, "GuardDuty member", &ids);
        ids.sort_unstable();
        let mut want = [MGMT, org.log_archive.as_str()];
        want.sort_unstable();
        assert_eq!(ids, want, "{trial}: GuardDuty's members in {region}");
    }
}

/// In each Region, a hub with FSBP (each standard once) in every account, and every other account
/// Audit's member once.
async fn one_hub_each(emu: &Emulator, _: &Path, trial: &str) {
    let org = shared(emu, trial).await;
    for region in regions() {
        for account in [MGMT, &org.log_archive, &org.audit] {
            let sh = aws_sdk_securityhub::Client::new(&config(emu, account, region).await);
            let standards: Vec<_> =
                sh.get_enabled_standards().into_paginator().items().send().try_collect().await.expect("standards");
            let arns: Vec<&str> = standards.iter().filter_map(|s| s.standards_arn()).collect();
            once(trial, &format!("standard in {account} in {region}"), &arns);
            assert!(arns.iter().any(|a| a.contains("aws-foundational")), "{trial}: FSBP in {account}: {arns:?}");
        }
        let sh = aws_sdk_securityhub::Client::new(&config(emu, &org.audit, region).await);
        let members: Vec<_> =
            sh.list_members().only_associated(false).into_paginator().items().send().try_collect().await.expect("m");
        let mut ids: Vec<&str> = members.iter().filter_map(|m| m.account_id()).collect();
        once(trial, "Security Hub member", &ids);
        ids.sort_unstable();
        let mut want = [MGMT, org.log_archive.as_str()];
        want.sort_unstable();
        assert_eq!(ids, want, "{trial}: Security Hub's members in {region}");
    }
}

/// In Audit: one topic with one email subscription in the home Region, one rule per Region with
/// one target; and once the person confirms the email, alerts are done.
async fn one_alert_path(emu: &Emulator, dir: &Path, trial: &str) {
    let org = shared(emu, trial).await;
    let home = regions()[0];
    let sns = aws_sdk_sns::Client::new(&config(emu, &org.audit, home).await);
    let topics: Vec<_> = sns.list_topics().into_paginator().items().send().try_collect().await.expect("topics");
    let topics: Vec<&str> = topics.iter().filter_map(|t| t.topic_arn()).collect();
    let topic = format!("arn:aws:sns:{home}:{}:groundwork-security-alerts", org.audit);
    assert_eq!(topics, [topic.as_str()], "{trial}: one topic");
    let subs = sns.list_subscriptions_by_topic().topic_arn(&topic).into_paginator().items().send();
    let subs: Vec<_> = subs.try_collect().await.expect("subscriptions");
    let endpoints: Vec<&str> = subs.iter().filter_map(|s| s.endpoint()).collect();
    assert_eq!(endpoints, ["alerts@example.com"], "{trial}: one subscription");
    for region in regions() {
        let events = aws_sdk_eventbridge::Client::new(&config(emu, &org.audit, region).await);
        let rules = events.list_rules().send().await.expect("rules");
        let names: Vec<&str> = rules.rules().iter().filter_map(|r| r.name()).collect();
        assert_eq!(names, ["groundwork-guardduty-findings"], "{trial}: one rule in {region}");
        let targets = events.list_targets_by_rule().rule(names[0]).send().await.expect("targets");
        assert_eq!(targets.targets().len(), 1, "{trial}: one target in {region}: {targets:?}");
    }
    emu.hook(
        "/_groundwork/sns/confirm",
        serde_json::json!({"account": org.audit, "region": home, "topicArn": topic, "endpoint": "alerts@example.com"}),
    );
    let (_, live) = check_json(emu, dir);
    assert_eq!(step_status(&live, "alerts"), "done", "{trial}: confirmed, alerts are done:\n{live:#}");
}

async fn control_tower_trials(part: Part) {
    let emu = emulator();
    let organization = async |emu: &Emulator, dir: &Path| apply_first(emu, dir, "organization");
    trials(&emu, ("control-tower", "done", part), organization, one_landing_zone).await;
}

#[tokio::test]
async fn killed_control_tower_applies_leave_a_true_record_a_full_log_and_converge_first_half() {
    control_tower_trials(Part(0)).await;
}

#[tokio::test]
async fn killed_control_tower_applies_leave_a_true_record_a_full_log_and_converge_second_half() {
    control_tower_trials(Part(1)).await;
}

async fn guardduty_trials(part: Part) {
    trials(&emulator(), ("guardduty", "done", part), landing_zone, one_detector_each).await;
}

#[tokio::test]
async fn killed_guardduty_applies_leave_a_true_record_a_full_log_and_converge_first_half() {
    guardduty_trials(Part(0)).await;
}

#[tokio::test]
async fn killed_guardduty_applies_leave_a_true_record_a_full_log_and_converge_second_half() {
    guardduty_trials(Part(1)).await;
}

async fn security_hub_trials(part: Part) {
    trials(&emulator(), ("security-hub", "done", part), landing_zone, one_hub_each).await;
}

#[tokio::test]
async fn killed_security_hub_applies_leave_a_true_record_a_full_log_and_converge_first_half() {
    security_hub_trials(Part(0)).await;
}

#[tokio::test]
async fn killed_security_hub_applies_leave_a_true_record_a_full_log_and_converge_second_half() {
    security_hub_trials(Part(1)).await;
}

async fn alerts_trials(part: Part) {
    // Partial after apply: the email subscription waits for the person to confirm it.
    trials(&emulator(), ("alerts", "partial", part), landing_zone, one_alert_path).await;
}

#[tokio::test]
async fn killed_alerts_applies_leave_a_true_record_a_full_log_and_converge_first_half() {
    alerts_trials(Part(0)).await;
}

#[tokio::test]
async fn killed_alerts_applies_leave_a_true_record_a_full_log_and_converge_second_half() {
    alerts_trials(Part(1)).await;
}
