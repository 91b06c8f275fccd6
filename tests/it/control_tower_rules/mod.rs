//! control-tower's rules as pure functions of one observation: the verdict and the plan over
//! hand-built observations (fresh organization, landing zones in every state, each preflight
//! blocker and note, parts that could not be read), with the invariant checked on every row. No
//! emulator: runs in milliseconds.

mod governed;
mod observed;

use groundwork::aws::change::iam::RoleFound;
use groundwork::aws::change::{Action, Ref};
use groundwork::aws::cloudtrail::OrgTrail;
use groundwork::aws::config_service::ConfigResources;
use groundwork::aws::controltower::LandingZone;
use groundwork::catalog::{self, Step, StepId};
use groundwork::inputs::InputError;
use groundwork::plans::{Plan, PlanError};
use groundwork::steps::control_tower::{Observed, judge, plan};
use groundwork::verdict::{Status, combine};
use observed::*;
use serde_json::json;

fn step() -> &'static Step {
    catalog::step(StepId::ControlTower)
}

/// What a row expects of the plan: exactly these calls (no conflict), a conflict saying this, or
/// no plan at all with an error saying this.
enum Want {
    Calls(&'static [&'static str]),
    Conflict(&'static str),
    Error(&'static str),
}

const CREATE: &str = "controltower:CreateLandingZone";
const WAIT: &str = "controltower:GetLandingZoneOperation";
const RESET: &[&str] = &["controltower:ResetLandingZone", WAIT];
const FRESH_CALLS: &[&str] = &[
    "organizations:CreateAccount",
    "organizations:CreateAccount",
    "organizations:CreateOrganizationalUnit",
    "organizations:MoveAccount",
    "organizations:MoveAccount",
    // Each role, then each of its policies as a change of its own (AWSControlTowerAdmin and
    // AWSControlTowerCloudTrailRole have inline policies; all but the CloudTrail role managed ones).
    "iam:CreateRole",
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:CreateRole",
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:PutRolePolicy",
    "iam:CreateRole",
    "iam:AttachRolePolicy",
    CREATE,
    WAIT,
];
const BROWNFIELD_CALLS: &[&str] =
    &["organizations:CreateOrganizationalUnit", "organizations:MoveAccount", "organizations:MoveAccount", CREATE, WAIT];

fn calls(p: &Plan) -> Vec<&'static str> {
    p.changes.iter().map(|c| c.action.call()).collect()
}

/// Done means nothing to change and nothing to do by hand. A plan with nothing in it (no change, no
/// wait, no conflict, nothing manual) means done. A plan whose only steps wait for AWS (an
/// operation already running) is not done, and says so. A plan that cannot be made is never done.
fn invariant(name: &str, verdict: Status, planned: &Result<Plan, PlanError>) {
    let Ok(p) = planned else {
        assert_ne!(verdict, Status::Done, "{name}: done, yet no plan can be made");
        return;
    };
    if verdict == Status::Done {
        assert!(p.changes.is_empty() && !p.manual && p.conflicts.is_empty(), "{name}: done, yet {p:#?}");
    }
    if p.changes.is_empty() && p.conflicts.is_empty() && !p.manual {
        assert_eq!(verdict, Status::Done, "{name}: nothing to do, yet {verdict:?}");
    }
    if p.is_empty() && verdict != Status::Done {
        let waits = p
            .changes
            .iter()
            .all(|c| matches!(c.action, Action::WaitForLandingZone { .. } | Action::WaitForBaseline { .. }));
        assert!(!p.changes.is_empty() && waits, "{name}: {verdict:?} with an empty plan {p:#?}");
    }
    if verdict == Status::Unknown {
        assert!(!p.conflicts.is_empty(), "{name}: unknown, yet planned as if known: {p:#?}");
    }
}

type Row = (&'static str, Observed, Status, Want);

/// A landing zone in each state AWS reports, and one that could not be read.
fn landing_zone_rows() -> Vec<Row> {
    use Status::*;
    use Want::*;
    let lz = zone;
    let failed_lz = LandingZone { failure: Some("StackSet failed".into()), ..lz("FAILED", None, "4.0", "4.0") };
    let three_x = LandingZone {
        manifest: json!({
            "organizationStructure": {"security": {"name": "Security"}},
            "governedRegions": ["eu-west-1"],
            "centralizedLogging": {"enabled": true, "accountId": LOG},
            "securityRoles": {"accountId": AUDIT},
            "accessManagement": {"enabled": true}
        }),
        ..lz("ACTIVE", Some("IN_SYNC"), "3.3", "4.0")
    };
    let unreadable = failed("controltower:GetLandingZone", ME);
    vec![
        ("fresh organization", launching(fresh()), NotDone, Calls(FRESH_CALLS)),
        ("shared accounts exist, roles complete", launching(brownfield()), NotDone, Calls(BROWNFIELD_CALLS)),
        ("active and in sync, newest version", existing(lz("ACTIVE", Some("IN_SYNC"), "4.0", "4.0")), Done, Calls(&[])),
        (
            "active and in sync, a newer version offered",
            existing(lz("ACTIVE", Some("IN_SYNC"), "3.3", "4.0")),
            Done,
            Calls(&[]),
        ),
        ("active and in sync, 3.x manifest", existing(three_x), Done, Calls(&[])),
        (
            "versions compare as numbers: 3.10 is newer than 3.9 (seen by a member account)",
            Observed { org: None, ..existing(lz("ACTIVE", Some("IN_SYNC"), "3.10", "3.9")) },
            Done,
            Calls(&[]),
        ),
        (
            "AWS offers a version newer than groundwork knows",
            existing(lz("ACTIVE", Some("IN_SYNC"), "4.0", "4.1")),
            Done,
            Calls(&[]),
        ),
        ("drifted", existing(lz("ACTIVE", Some("DRIFTED"), "4.0", "4.0")), Partial, Calls(RESET)),
        ("failed, AWS says why", existing(failed_lz), Partial, Calls(RESET)),
        ("failed, no reason given", existing(lz("FAILED", None, "4.0", "4.0")), Partial, Calls(RESET)),
        (
            "processing, an operation groundwork started",
            Observed { pending: Some("op-1".into()), ..existing(lz("PROCESSING", None, "4.0", "4.0")) },
            Partial,
            Calls(&[WAIT]),
        ),
        (
            "processing, started elsewhere",
            existing(lz("PROCESSING", None, "4.0", "4.0")),
            Partial,
            Conflict("did not start"),
        ),
        ("active with no drift status", existing(lz("ACTIVE", None, "4.0", "4.0")), Unknown, Error("no drift status")),
        (
            "a status added after this release",
            existing(lz("UPDATING", None, "4.0", "4.0")),
            Unknown,
            Error("status UPDATING"),
        ),
        (
            "a drift status added after this release",
            existing(lz("ACTIVE", Some("CHECKING"), "4.0", "4.0")),
            Unknown,
            Error("status ACTIVE"),
        ),
        ("the landing zone could not be read", observed(Err(unreadable), None), Unknown, Error("denied")),
    ]
}

/// No landing zone: who may launch, and what in the organization stops the launch.
fn launch_rows() -> Vec<Row> {
    use Status::*;
    use Want::*;
    vec![
        (
            "not the management account",
            Observed { managed: false, ..observed(Ok(None), None) },
            NotDone,
            Conflict("management account"),
        ),
        ("the preflight was not read", observed(Ok(None), None), NotDone, Error("not read")),
        (
            "an existing account whose parent was not read",
            launching(with(brownfield(), |l| l.parents = [None, Some("r-1".into())])),
            NotDone,
            Error("not read"),
        ),
        (
            "consolidated billing only",
            launching(with(fresh(), |l| l.all_features = false)),
            NotDone,
            Conflict("all features"),
        ),
        (
            "the Audit account is suspended",
            launching(with(fresh(), |l| l.accounts.push(account(AUDIT, "Audit", "SUSPENDED")))),
            NotDone,
            Conflict("is SUSPENDED"),
        ),
        (
            "trusted access for Config is on",
            launching(with(fresh(), |l| l.trusted.push("config.amazonaws.com".into()))),
            NotDone,
            Conflict("config.amazonaws.com is already on"),
        ),
        (
            "trusted access for CloudTrail is on",
            launching(with(fresh(), |l| l.trusted.push("cloudtrail.amazonaws.com".into()))),
            NotDone,
            Conflict("cloudtrail.amazonaws.com is already on"),
        ),
    ]
}

/// No landing zone: what in the chosen Regions, the OUs or the roles stops the launch, and what is
/// only worth a note.
fn launch_detail_rows() -> Vec<Row> {
    use Status::*;
    use Want::*;
    let other_path = RoleFound { path: "/".into(), ..complete_roles()["AWSControlTowerAdmin"].clone() };
    let other_service =
        RoleFound { trust: "%22ec2.amazonaws.com%22".into(), ..complete_roles()["AWSControlTowerAdmin"].clone() };
    let recorder = ConfigResources { recorders: vec!["default".into()], delivery_channels: vec![] };
    vec![
        (
            "a governed Region that is not a Region",
            launching(with(fresh(), regional(|r| r.scope.governed.push("mars-north-9".into())))),
            NotDone,
            Conflict("mars-north-9 is not a Region"),
        ),
        (
            "a governed opt-in Region not enabled",
            launching(with(fresh(), regional(|r| r.scope.governed.push("af-south-1".into())))),
            NotDone,
            Conflict("DISABLED"),
        ),
        (
            "Identity Center in another Region",
            launching(with(fresh(), |l| {
                l.trusted.push("sso.amazonaws.com".into());
                regional(|r| r.identity_center = vec!["eu-west-1".into()])(l);
            })),
            NotDone,
            Conflict("set up in eu-west-1"),
        ),
        (
            "Config resources in Audit",
            launching(with(brownfield(), regional(|r| r.config[3].found = Ok(recorder.clone())))),
            NotDone,
            Conflict("already has AWS Config resources in eu-west-1"),
        ),
        (
            "Log Archive and Audit in two OUs",
            launching(with(brownfield(), |l| {
                l.ous = vec![("ou-a".into(), "Logs".into()), ("ou-b".into(), "Sec".into())];
                l.parents = [Some("ou-a".into()), Some("ou-b".into())];
            })),
            NotDone,
            Conflict("two OUs (Logs and Sec)"),
        ),
        (
            "Audit in an OU inside another",
            launching(with(brownfield(), |l| l.parents[1] = Some("ou-inner".into()))),
            NotDone,
            Conflict("inside another OU"),
        ),
        (
            "a role at another path",
            launching(with(brownfield(), |l| _ = l.roles.insert("AWSControlTowerAdmin", other_path))),
            NotDone,
            Conflict("exists at path /"),
        ),
        (
            "a role trusting another service",
            launching(with(brownfield(), |l| _ = l.roles.insert("AWSControlTowerAdmin", other_service))),
            NotDone,
            Conflict("exists at path /service-role/ or does not trust controltower.amazonaws.com"),
        ),
        (
            "trails, Regions and Config unreadable: the plan stops before its first change",
            launching(with(brownfield(), |l| {
                l.trails = Err(failed("cloudtrail:DescribeTrails", ME));
                l.regions = Err(failed("account:ListRegions", ME));
                regional(|r| r.config[2].found = Err(failed("config:DescribeDeliveryChannels", AUDIT)))(l);
            })),
            NotDone,
            Conflict("--set control-tower.skip-unreadable-checks=yes"),
        ),
    ]
}

#[test]
fn every_row_verdict_plan_and_invariant() {
    let rows = landing_zone_rows().into_iter().chain(launch_rows()).chain(launch_detail_rows()).chain(governed::rows());
    for (name, o, want, expect) in rows {
        let findings = judge(&o, step());
        let verdict = combine(findings.iter().map(|f| f.status));
        assert_eq!(verdict, want, "{name}: {findings:#?}");
        let planned = plan(&o, &mut answers(&[]), step());
        match (&expect, &planned) {
            (Want::Calls(c), Ok(p)) => {
                assert!(p.conflicts.is_empty(), "{name}: {:?}", p.conflicts);
                assert_eq!(calls(p), *c, "{name}");
            }
            (Want::Conflict(words), Ok(p)) => {
                assert!(p.conflicts.iter().any(|c| c.contains(words)), "{name}: {words:?} not in {:?}", p.conflicts);
                assert!(p.changes.is_empty(), "{name}: changes despite the conflict: {:?}", calls(p));
            }
            (Want::Error(words), Err(e)) => assert!(e.to_string().contains(words), "{name}: {e}"),
            (_, other) => panic!("{name}: unexpected plan {other:#?}"),
        }
        invariant(name, verdict, &planned);
    }
}

fn notes(o: &Observed) -> String {
    plan(o, &mut answers(&[]), step()).expect("plan").notes.join("\n")
}

fn detail(o: &Observed) -> String {
    judge(o, step()).iter().map(|f| f.detail.clone()).collect::<Vec<_>>().join("\n")
}

#[test]
fn verdict_and_plan_say_the_same_about_versions() {
    let older = existing(LandingZone {
        manifest: json!({"organizationStructure": {}, "governedRegions": ["eu-west-1"]}),
        ..zone("ACTIVE", Some("IN_SYNC"), "3.3", "4.0")
    });
    for text in [detail(&older), notes(&older)] {
        assert!(text.contains("version 4.0 is available") && text.contains("3.x shape"), "{text}");
    }
    // Numbers, not strings: 3.10 is newer than 3.9, so no update is offered by either.
    let newer = Observed { org: None, ..existing(zone("ACTIVE", Some("IN_SYNC"), "3.10", "3.9")) };
    for text in [detail(&newer), notes(&newer)] {
        assert!(!text.contains("is available"), "{text}");
    }
    let beyond = existing(zone("ACTIVE", Some("IN_SYNC"), "4.0", "4.1"));
    for text in [detail(&beyond), notes(&beyond)] {
        assert!(text.contains("knows versions up to 4.0"), "{text}");
    }
}

#[test]
fn the_reset_and_the_wait_act_where_the_landing_zone_lives() {
    let p = plan(&existing(zone("ACTIVE", Some("DRIFTED"), "4.0", "4.0")), &mut answers(&[]), step()).expect("plan");
    assert!(matches!(&p.changes[0].action, Action::ResetLandingZone { arn } if arn == ARN));
    assert!(p.changes.iter().all(|c| c.at.region == "eu-west-1" && c.at.account == ME), "{p:#?}");
    assert!(p.notes.iter().any(|n| n.contains("puts back")), "{p:#?}");
    let o = Observed { pending: Some("op-1".into()), ..existing(zone("PROCESSING", None, "4.0", "4.0")) };
    let p = plan(&o, &mut answers(&[]), step()).expect("plan");
    assert!(
        matches!(&p.changes[..], [c] if matches!(&c.action, Action::WaitForLandingZone { operation: Ref::Known(op) } if op == "op-1"))
    );
}

#[test]
fn the_launch_creates_in_the_home_region_with_the_governed_regions() {
    let p = plan(&launching(brownfield()), &mut answers(&[]), step()).expect("plan");
    let create = p.changes.iter().find(|c| c.action.call() == CREATE).expect("create");
    assert_eq!(create.at.region, "us-east-1");
    match &create.action {
        Action::CreateLandingZone { version, regions, log_archive, audit } => {
            assert_eq!(version, "4.0");
            assert_eq!(regions, &["us-east-1", "eu-west-1"]);
            assert_eq!((log_archive, audit), (&Ref::Known(LOG.into()), &Ref::Known(AUDIT.into())));
        }
        other => panic!("{other:?}"),
    }
    // Reuse is said, not silently assumed.
    assert!(p.notes.iter().any(|n| n.contains(&format!("existing Audit account {AUDIT}"))), "{p:#?}");
}

#[test]
fn repairs_are_planned_for_roles_that_lack_a_policy() {
    let launch = with(brownfield(), |l| {
        let admin = l.roles.get_mut("AWSControlTowerAdmin").expect("admin");
        (admin.managed, admin.inline) = (vec![], vec![]);
    });
    let p = plan(&launching(launch), &mut answers(&[]), step()).expect("plan");
    let repairs: Vec<&str> = calls(&p).into_iter().filter(|c| c.starts_with("iam:")).collect();
    assert_eq!(repairs, ["iam:AttachRolePolicy", "iam:PutRolePolicy"]);
}

/// The person's explicit answer to go on without the checks that could not be read (this run only).
const SKIP: (&str, &str) = ("control-tower.skip-unreadable-checks", "yes");

#[test]
fn unreadable_checks_go_on_only_with_the_explicit_answer() {
    let launch = launching(with(brownfield(), |l| {
        l.trails = Err(failed("cloudtrail:DescribeTrails", ME));
        l.regions = Err(failed("account:ListRegions", ME));
    }));
    let stopped = plan(&launch, &mut answers(&[]), step()).expect("plan");
    // The organization-wide read stops the plan before the Regions are even asked for.
    assert_eq!(stopped.conflicts.len(), 1, "{:?}", stopped.conflicts);
    assert!(stopped.conflicts[0].contains("skip-unreadable-checks=yes"), "{:?}", stopped.conflicts);
    assert!(stopped.changes.is_empty(), "nothing is changed before the stop");
    let accepted = plan(&launch, &mut answers(&[SKIP]), step()).expect("plan");
    assert!(accepted.conflicts.is_empty(), "{:?}", accepted.conflicts);
    assert_eq!(calls(&accepted), BROWNFIELD_CALLS);
    assert!(
        accepted.notes.iter().any(|n| n.contains("Could not check for an organization trail")),
        "{:?}",
        accepted.notes
    );
}

#[test]
fn unreadable_preflight_parts_are_said_once() {
    let launch = with(brownfield(), |l| {
        l.trails = Err(failed("cloudtrail:DescribeTrails", ME));
        regional(|r| r.config[2].found = Err(failed("config:DescribeDeliveryChannels", AUDIT)))(l);
    });
    let text = plan(&launching(launch), &mut answers(&[SKIP]), step()).expect("plan").notes.join("\n");
    assert!(text.contains("Could not check for an organization trail"), "{text}");
    assert_eq!(text.matches("Could not check the Audit account").count(), 1, "{text}");
    assert!(!text.contains("Could not check the Log Archive"), "{text}");
}

#[test]
fn an_organization_trail_already_logging_is_a_note_not_a_stop() {
    let trail = |name: &str, logging| OrgTrail {
        name: name.into(),
        arn: format!("arn:aws:cloudtrail:us-east-1:{ME}:trail/{name}"),
        home_region: "us-east-1".into(),
        logging,
    };
    let launch = with(brownfield(), |l| l.trails = Ok(vec![trail("company-trail", true), trail("old-trail", false)]));
    let o = launching(launch);
    let p = plan(&o, &mut answers(&[]), step()).expect("plan");
    assert_eq!(calls(&p), BROWNFIELD_CALLS);
    let text = p.notes.join("\n");
    assert!(text.contains("company-trail") && text.contains("billed"), "{text}");
    assert!(!text.contains("old-trail"), "a trail that is not logging costs nothing: {text}");
}

#[test]
fn the_version_override_compares_as_numbers() {
    let o = launching(brownfield());
    let version = |given: &'static str| {
        let p = plan(&o, &mut answers(&[("control-tower.version", given)]), step())?;
        let v = p.changes.iter().find_map(|c| match &c.action {
            Action::CreateLandingZone { version, .. } => Some(version.clone()),
            _ => None,
        });
        Ok::<_, PlanError>((v.expect("create"), p.notes.iter().any(|n| n.contains("control-tower.version asks"))))
    };
    assert_eq!(version("4.00").expect("plan"), ("4.0".to_owned(), false), "the same version, no override said");
    assert_eq!(version("4.1").expect("plan"), ("4.1".to_owned(), true));
    assert!(matches!(version("3.3"), Err(PlanError::Input(InputError::Invalid(_)))));
}
