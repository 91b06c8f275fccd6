//! control-tower over an in-sync landing zone: what its manifest runs, and whether every OU holding
//! an account is registered (AWSControlTowerBaseline succeeded at the landing zone's version).

use groundwork::aws::change::{Action, Ref};
use groundwork::steps::control_tower::{Observed, Organization};
use groundwork::verdict::Status;

use super::observed::*;
use super::{Row, Want, judge, plan, step};

const ENABLE: &str = "controltower:EnableBaseline";
const WAIT: &str = "controltower:GetBaselineOperation";
const MOVE: &str = "organizations:MoveAccount";
const CREATE_OU: &str = "organizations:CreateOrganizationalUnit";

/// A workload account directly under the root.
const LOOSE: &str = "555555555555";

fn at_root(org: &mut Organization) {
    org.accounts.push(account(LOOSE, "Loose", "ACTIVE"));
    org.governance.parents.insert(LOOSE.into(), "r-1".into());
}

pub fn rows() -> Vec<Row> {
    manifest_rows().into_iter().chain(ou_rows()).chain(unjudged_rows()).collect()
}

/// What the manifest runs.
fn manifest_rows() -> Vec<Row> {
    use Status::*;
    use Want::*;
    vec![
        ("every OU registered, manifest complete", governing(|_, _| {}), Done, Calls(&[])),
        (
            "manifest with config off",
            governing(|_, lz| lz.manifest["config"]["enabled"] = false.into()),
            Partial,
            Conflict("config off"),
        ),
        (
            "manifest with centralized logging off",
            governing(|_, lz| lz.manifest["centralizedLogging"]["enabled"] = false.into()),
            Partial,
            Conflict("centralizedLogging"),
        ),
        (
            "security roles without an account",
            governing(|_, lz| lz.manifest["securityRoles"] = serde_json::json!({"enabled": true})),
            Partial,
            Conflict("securityRoles"),
        ),
    ]
}

/// Which OUs are registered, and what the plan does about those that are not.
fn ou_rows() -> Vec<Row> {
    use Status::*;
    use Want::*;
    vec![
        (
            "an OU holding an account without the baseline",
            governing(|org, _| org.governance.enabled.retain(|e| e.baseline != CT_BASELINE)),
            Partial,
            Calls(&[ENABLE, WAIT]),
        ),
        (
            "accounts under the root, no Workloads OU",
            governing(|org, _| at_root(org)),
            Partial,
            Calls(&[CREATE_OU, MOVE, ENABLE, WAIT]),
        ),
        (
            "accounts under the root, Workloads OU registered",
            governing(|org, _| {
                at_root(org);
                org.governance.ous.push(ou("ou-work", "Workloads", "r-1"));
                org.governance.enabled.push(enabled("ou-work", CT_BASELINE, "5.0", "SUCCEEDED"));
            }),
            Partial,
            Calls(&[MOVE]),
        ),
        (
            "accounts under the root, Workloads OU not registered",
            governing(|org, _| {
                at_root(org);
                org.governance.ous.push(ou("ou-work", "Workloads", "r-1"));
            }),
            Partial,
            Calls(&[MOVE, ENABLE, WAIT]),
        ),
        (
            "baseline FAILED",
            governing(|org, _| org.governance.enabled[1].status = "FAILED".into()),
            Partial,
            Calls(&["controltower:ResetEnabledBaseline", WAIT]),
        ),
        (
            "baseline operation in progress",
            governing(|org, _| org.governance.enabled[1].status = "UNDER_CHANGE".into()),
            Partial,
            Calls(&[WAIT]),
        ),
        (
            "baseline under change, no operation named",
            governing(|org, _| {
                org.governance.enabled[1].status = "UNDER_CHANGE".into();
                org.governance.enabled[1].operation = None;
            }),
            Partial,
            Conflict("already being changed"),
        ),
        (
            "baseline at a version older than the landing zone needs",
            governing(|org, _| org.governance.enabled[1].version = Some("4.0".into())),
            Partial,
            Conflict("needs 5.0"),
        ),
        (
            "a baseline status added after this release",
            governing(|org, _| org.governance.enabled[1].status = "PAUSED".into()),
            Unknown,
            Conflict("PAUSED"),
        ),
        (
            "an account in a nested OU under an unregistered parent",
            governing(|org, _| {
                org.governance.ous.extend([ou("ou-team", "Team", "r-1"), ou("ou-sub", "Sub", "ou-team")]);
                org.governance.parents.insert(WORK.into(), "ou-sub".into());
            }),
            Partial,
            Calls(&[ENABLE, WAIT, ENABLE, WAIT]),
        ),
    ]
}

/// What groundwork cannot judge, and what makes no difference.
fn unjudged_rows() -> Vec<Row> {
    use Status::*;
    use Want::*;
    vec![
        (
            "ListBaselines does not offer AWSControlTowerBaseline",
            governing(|org, _| org.governance.baselines.retain(|(n, _)| n != "AWSControlTowerBaseline")),
            Unknown,
            Conflict("does not list the AWSControlTowerBaseline"),
        ),
        (
            "a landing zone version without a known baseline version",
            governing(|_, lz| lz.version = "3.1".into()),
            Unknown,
            Conflict("version 3.1"),
        ),
        (
            "Identity Center access on, its enabled baseline missing",
            governing(|org, _| {
                org.governance.enabled.retain(|e| e.baseline != IC_BASELINE && e.baseline != CT_BASELINE);
            }),
            Partial,
            Conflict("IdentityCenterBaseline"),
        ),
        (
            "the Security OU and suspended accounts need no registration",
            governing(|org, _| {
                org.accounts.push(account("666666666666", "Old", "SUSPENDED"));
                org.governance.ous.push(ou("ou-old", "Old", "r-1"));
                org.governance.parents.insert("666666666666".into(), "ou-old".into());
            }),
            Done,
            Calls(&[]),
        ),
        (
            "a landing zone version without a known baseline version, and no account to govern",
            governing(|org, lz| {
                lz.version = "4.1".into();
                org.accounts.retain(|a| a.id != WORK);
            }),
            Done,
            Calls(&[]),
        ),
        (
            "what the landing zone governs could not be read",
            Observed {
                org: Some(Err(failed("controltower:ListEnabledBaselines", ME))),
                ..existing(zone("ACTIVE", Some("IN_SYNC"), "4.0", "4.0"))
            },
            Unknown,
            Error("denied"),
        ),
    ]
}

fn detail(o: &Observed) -> String {
    judge(o, step()).iter().map(|f| f.detail.clone()).collect::<Vec<_>>().join("\n")
}

#[test]
fn an_unregistered_ou_is_named_and_registered_with_identity_center() {
    let o = governing(|org, _| org.governance.enabled.retain(|e| e.baseline != CT_BASELINE));
    assert!(detail(&o).contains("OU Apps (ou-apps) holds active accounts but is not registered"), "{}", detail(&o));
    let p = plan(&o, &mut answers(&[]), step()).expect("plan");
    match &p.changes[0].action {
        Action::EnableBaseline { baseline, version, target, identity_center, .. } => {
            assert_eq!(baseline, CT_BASELINE, "the ARN ListBaselines gave, not a written-down one");
            assert_eq!(version, "5.0");
            assert_eq!(target, &Ref::Known(format!("arn:aws:organizations::{ME}:ou/o-1/ou-apps")));
            assert_eq!(identity_center.as_deref(), Some(IC_ENABLED));
        }
        other => panic!("{other:?}"),
    }
    assert!(p.changes.iter().all(|c| c.at.region == "eu-west-1"), "in the home Region: {p:#?}");
    // Without Identity Center access, no parameter.
    let o = governing(|org, lz| {
        org.governance.enabled.retain(|e| e.baseline != CT_BASELINE);
        lz.manifest["accessManagement"]["enabled"] = false.into();
    });
    let p = plan(&o, &mut answers(&[]), step()).expect("plan");
    assert!(matches!(&p.changes[0].action, Action::EnableBaseline { identity_center: None, .. }), "{p:#?}");
}

#[test]
fn a_three_x_landing_zone_needs_baseline_4_0() {
    let o = governing(|org, lz| {
        lz.version = "3.3".into();
        lz.manifest = serde_json::json!({
            "organizationStructure": {"security": {"name": "Security"}},
            "centralizedLogging": {"enabled": true, "accountId": LOG},
            "securityRoles": {"accountId": AUDIT},
            "accessManagement": {"enabled": false}
        });
        org.governance.enabled.retain(|e| e.baseline != CT_BASELINE);
    });
    let p = plan(&o, &mut answers(&[]), step()).expect("plan");
    assert!(matches!(&p.changes[0].action, Action::EnableBaseline { version, .. } if version == "4.0"), "{p:#?}");
}

#[test]
fn accounts_under_the_root_move_into_a_new_workloads_ou_each_move_said_with_its_effect() {
    let o = governing(|org, _| at_root(org));
    assert!(detail(&o).contains("Loose (555555555555)"), "{}", detail(&o));
    let p = plan(&o, &mut answers(&[]), step()).expect("plan");
    assert!(
        matches!(&p.changes[0].action, Action::CreateOrganizationalUnit { name, parent, .. } if name == "Workloads" && parent == "r-1")
    );
    assert!(matches!(&p.changes[1].action,
        Action::MoveAccount { account: Ref::Known(a), from, to: Ref::Output(ou) } if a == LOOSE && from == "r-1" && ou == "ou:Workloads"));
    assert!(
        matches!(&p.changes[2].action, Action::EnableBaseline { target: Ref::Output(arn), .. } if arn == "ou:Workloads:arn")
    );
    let notes = p.notes.join("\n");
    assert!(notes.contains("Move account Loose (555555555555) from the root into Workloads"), "{notes}");
    assert!(notes.contains("FullAWSAccess") && notes.contains("AWS Config records"), "{notes}");
}

#[test]
fn an_existing_workloads_ou_is_reused_and_its_scps_shown() {
    let o = governing(|org, _| {
        at_root(org);
        org.governance.ous.push(ou("ou-work", "Workloads", "r-1"));
        org.governance.enabled.push(enabled("ou-work", CT_BASELINE, "5.0", "SUCCEEDED"));
        org.governance.scps.insert("ou-work".into(), vec!["FullAWSAccess".into(), "DenyLeaveOrg".into()]);
    });
    let p = plan(&o, &mut answers(&[]), step()).expect("plan");
    assert!(
        matches!(&p.changes[..], [c] if matches!(&c.action, Action::MoveAccount { to: Ref::Known(t), .. } if t == "ou-work"))
    );
    assert!(p.notes.join("\n").contains("FullAWSAccess, DenyLeaveOrg"), "{:#?}", p.notes);
}

#[test]
fn a_nested_ou_is_registered_after_its_parent() {
    let o = governing(|org, _| {
        org.governance.ous.extend([ou("ou-team", "Team", "r-1"), ou("ou-sub", "Sub", "ou-team")]);
        org.governance.parents.insert(WORK.into(), "ou-sub".into());
    });
    let p = plan(&o, &mut answers(&[]), step()).expect("plan");
    let ous: Vec<&str> = p
        .changes
        .iter()
        .filter_map(|c| match &c.action {
            Action::EnableBaseline { ou, .. } => Some(ou.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(ous, ["Team", "Sub"]);
}

#[test]
fn an_operation_in_progress_is_waited_for_by_its_id() {
    let o = governing(|org, _| org.governance.enabled[1].status = "UNDER_CHANGE".into());
    let p = plan(&o, &mut answers(&[]), step()).expect("plan");
    assert!(
        matches!(&p.changes[..], [c] if matches!(&c.action, Action::WaitForBaseline { operation: Ref::Known(op), .. } if op == "op-ou-apps"))
    );
    assert!(detail(&o).contains("being registered"), "{}", detail(&o));
}
