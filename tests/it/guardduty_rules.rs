//! guardduty's rules as pure functions of one observation: the verdict and the plan over hand-built
//! observations (fresh, partial, conflicts, brownfield, unreadable), and for every row the
//! invariant (done means nothing to change; nothing to change, do by hand or resolve means done).
//! No emulator: runs in milliseconds.

use std::collections::BTreeMap;

use groundwork::aws::guardduty::{Admin, Detector, Member, OrgConfig};
use groundwork::aws::{AwsError, ErrorKind};
use groundwork::catalog::{self, Step, StepId};
use groundwork::inputs::{Ask, InputError, declared};
use groundwork::plans::Plan;
use groundwork::steps::coverage::{Account, Alone};
use groundwork::steps::guardduty::{Observed, Region, Scope, judge, plan};
use groundwork::verdict::{Status, combine};

const ME: &str = "111111111111";
const AUDIT: &str = "222222222222";
const WORK: &str = "333333333333";
const OTHER: &str = "444444444444";
const R1: &str = "us-east-1";
const R2: &str = "eu-west-1";

fn step() -> &'static Step {
    catalog::step(StepId::Guardduty)
}

/// The person's answers: `guardduty.plans` as given, else the step's default.
struct Answers(BTreeMap<String, String>);

impl Ask for Answers {
    fn get(&mut self, key: &str, default: Option<&str>) -> Result<String, InputError> {
        let declared = declared(key).and_then(|i| i.default.clone());
        self.0.get(key).cloned().or(default.map(str::to_owned)).or(declared).ok_or(InputError::Missing(key.into()))
    }
}

fn answers(plans: Option<&str>) -> BTreeMap<String, String> {
    plans.map(|p| BTreeMap::from([("guardduty.plans".to_owned(), p.to_owned())])).unwrap_or_default()
}

fn failed(action: &'static str, account: &str, region: &str) -> AwsError {
    AwsError {
        request_id: None,
        kind: ErrorKind::AccessDenied,
        action,
        account: account.into(),
        region: Some(region.into()),
        code: Some("AccessDeniedException".into()),
        message: "denied".into(),
    }
}

fn admin(account: &str, status: &str) -> Admin {
    Admin { account: account.into(), status: status.into() }
}

fn detector(status: &str) -> Detector {
    Detector { id: "d-audit".into(), status: status.into(), frequency: "FIFTEEN_MINUTES".into() }
}

fn member(account: &str, status: &str) -> Member {
    Member { account: account.into(), status: status.into() }
}

fn config(members: &str, features: &[(&str, &str)]) -> OrgConfig {
    OrgConfig {
        members: members.into(),
        features: features.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
    }
}

/// Nothing set up in the Region: no administrator, no detector anywhere.
fn fresh(region: &str) -> Region {
    Region {
        region: region.into(),
        admins: Ok(vec![]),
        detector: Ok(None),
        config: None,
        members: None,
        inside: vec![(ME.into(), Ok(None)), (WORK.into(), Ok(None))],
    }
}

/// Everything in place in the Region.
fn covered(region: &str) -> Region {
    Region {
        region: region.into(),
        admins: Ok(vec![admin(AUDIT, "ENABLED")]),
        detector: Ok(Some(detector("ENABLED"))),
        config: Some(Ok(config("ALL", &[]))),
        members: Some(Ok(vec![member(ME, "Enabled"), member(WORK, "Enabled")])),
        inside: vec![],
    }
}

fn org(regions: Vec<Region>) -> Observed {
    let account = |id: &str| Account { id: id.into(), email: format!("{id}@example.com") };
    Observed {
        me: ME.into(),
        scope: Scope::Org { audit: AUDIT.into(), accounts: vec![account(ME), account(AUDIT), account(WORK)], regions },
    }
}

fn alone(why: Alone, own: Vec<(&str, Result<Option<Detector>, AwsError>)>) -> Observed {
    Observed { me: ME.into(), scope: Scope::Alone { why, own: own.into_iter().map(|(r, d)| (r.into(), d)).collect() } }
}

/// What a row expects of the plan.
enum Expect {
    /// These calls, in order, and conflicts naming each of these strings.
    Plan(Vec<&'static str>, Vec<String>),
    /// The plan stops: a read it needs failed.
    ReadFailed,
}

struct Row {
    name: &'static str,
    observed: Observed,
    plans: Option<&'static str>,
    verdict: Status,
    plan: Expect,
}

fn row(name: &'static str, observed: Observed, verdict: Status, plan: Expect) -> Row {
    Row { name, observed, plans: None, verdict, plan }
}

fn calls(calls: &[&'static str]) -> Expect {
    Expect::Plan(calls.to_vec(), vec![])
}

fn conflicts(calls: &[&'static str], named: &[&str]) -> Expect {
    Expect::Plan(calls.to_vec(), named.iter().map(|s| (*s).to_owned()).collect())
}

const DETECTOR: &str = "guardduty:CreateDetector";
const ADMIN: &str = "guardduty:EnableOrganizationAdminAccount";
const AUTO: &str = "guardduty:UpdateOrganizationConfiguration";
const MEMBER: &str = "guardduty:CreateMembers";

fn rows() -> Vec<Row> {
    set_up().into_iter().chain(trouble()).collect()
}

/// Fresh, partial and done: what the plan changes.
fn set_up() -> Vec<Row> {
    let whole = [DETECTOR, ADMIN, AUTO, MEMBER, MEMBER];
    vec![
        row("fresh, two Regions", org(vec![fresh(R1), fresh(R2)]), Status::NotDone, calls(&[whole, whole].concat())),
        row("done in both Regions", org(vec![covered(R1), covered(R2)]), Status::Done, calls(&[])),
        row("partial: one Region of two", org(vec![covered(R1), fresh(R2)]), Status::Partial, calls(&whole)),
        row(
            "partial: auto-enable NEW, and a workload account never enrolled",
            org(vec![Region {
                config: Some(Ok(config("NEW", &[]))),
                members: Some(Ok(vec![member(ME, "Enabled")])),
                inside: vec![(WORK.into(), Ok(None))],
                ..covered(R1)
            }]),
            Status::Partial,
            calls(&[AUTO, MEMBER]),
        ),
        row(
            "partial: ALL is still enrolling the workload account",
            org(vec![Region {
                members: Some(Ok(vec![member(ME, "Enabled")])),
                inside: vec![(WORK.into(), Ok(None))],
                ..covered(R1)
            }]),
            Status::Partial,
            calls(&[MEMBER]),
        ),
        row(
            "partial: Audit's detector sends finding updates only every six hours (AWS's default)",
            org(vec![Region {
                detector: Ok(Some(Detector { frequency: "SIX_HOURS".into(), ..detector("ENABLED") })),
                ..covered(R1)
            }]),
            Status::Partial,
            calls(&["guardduty:UpdateDetector"]),
        ),
        row(
            "partial: Audit is the administrator but its detector is missing",
            org(vec![Region { admins: Ok(vec![admin(AUDIT, "ENABLED")]), ..fresh(R1) }]),
            Status::Partial,
            calls(&[DETECTOR, AUTO, MEMBER, MEMBER]),
        ),
        Row {
            plans: Some("S3_DATA_EVENTS"),
            ..row(
                "partial: a chosen protection plan is not on for the organization",
                org(vec![covered(R1)]),
                Status::Partial,
                calls(&[AUTO]),
            )
        },
        Row {
            plans: Some("S3_DATA_EVENTS,RUNTIME_MONITORING"),
            ..row(
                "done: the chosen plans are ALL for the organization",
                org(vec![Region {
                    config: Some(Ok(config("ALL", &[("S3_DATA_EVENTS", "ALL"), ("RUNTIME_MONITORING", "ALL")]))),
                    ..covered(R1)
                }]),
                Status::Done,
                calls(&[]),
            )
        },
    ]
}

/// Conflicts, brownfield and unreadable parts: what stops the plan.
fn trouble() -> Vec<Row> {
    vec![
        row(
            "conflict: another account is the delegated administrator",
            org(vec![Region { admins: Ok(vec![admin(OTHER, "ENABLED")]), ..fresh(R1) }, covered(R2)]),
            Status::Partial,
            conflicts(&[], &[OTHER, R1]),
        ),
        row(
            "conflict: Audit's detector is suspended",
            org(vec![Region { detector: Ok(Some(detector("DISABLED"))), ..covered(R1) }]),
            Status::Partial,
            conflicts(&[], &["suspended", R1]),
        ),
        row(
            "conflict: the workload account's membership was removed",
            org(vec![Region {
                members: Some(Ok(vec![member(ME, "Enabled"), member(WORK, "Removed")])),
                inside: vec![(WORK.into(), Ok(None))],
                ..covered(R1)
            }]),
            Status::Partial,
            conflicts(&[], &[WORK, "Removed"]),
        ),
        row(
            "brownfield: the workload account runs its own detector",
            org(vec![Region {
                members: Some(Ok(vec![member(ME, "Enabled")])),
                inside: vec![(WORK.into(), Ok(Some(detector("ENABLED"))))],
                ..covered(R1)
            }]),
            Status::Partial,
            conflicts(&[], &[WORK, "on its own"]),
        ),
        row(
            "brownfield: a suspended detector of its own still stops enrolment",
            org(vec![Region {
                inside: vec![(ME.into(), Ok(None)), (WORK.into(), Ok(Some(detector("DISABLED"))))],
                ..fresh(R1)
            }]),
            Status::NotDone,
            conflicts(&[DETECTOR, ADMIN, AUTO, MEMBER], &[WORK]),
        ),
        row(
            "brownfield: a standalone detector, no organization",
            alone(Alone::NoOrganization, vec![(R1, Ok(Some(detector("ENABLED")))), (R2, Ok(None))]),
            Status::Partial,
            conflicts(&[], &["organization"]),
        ),
        row(
            "fresh, no organization",
            alone(Alone::NoOrganization, vec![(R1, Ok(None))]),
            Status::NotDone,
            conflicts(&[], &["organization"]),
        ),
        row(
            "no Audit account",
            alone(Alone::NoAudit, vec![(R1, Ok(None))]),
            Status::NotDone,
            conflicts(&[], &["Audit"]),
        ),
        row(
            "not the management account",
            alone(Alone::NotManagement, vec![(R1, Ok(None))]),
            Status::NotDone,
            conflicts(&[], &["management account"]),
        ),
        row(
            "unreadable: Audit's member list",
            org(vec![Region { members: Some(Err(failed("guardduty:ListMembers", AUDIT, R1))), ..covered(R1) }]),
            Status::Unknown,
            Expect::ReadFailed,
        ),
        row(
            "unreadable: the workload account's own detector",
            org(vec![Region {
                members: Some(Ok(vec![member(ME, "Enabled")])),
                inside: vec![(WORK.into(), Err(failed("guardduty:ListDetectors", WORK, R1)))],
                ..covered(R1)
            }]),
            Status::Unknown,
            Expect::ReadFailed,
        ),
        row(
            "unreadable: every call fails",
            org(vec![Region {
                region: R1.into(),
                admins: Err(failed("guardduty:ListOrganizationAdminAccounts", ME, R1)),
                detector: Err(failed("guardduty:ListDetectors", AUDIT, R1)),
                config: None,
                members: None,
                inside: vec![
                    (ME.into(), Err(failed("guardduty:ListDetectors", ME, R1))),
                    (WORK.into(), Err(failed("guardduty:ListDetectors", WORK, R1))),
                ],
            }]),
            Status::Unknown,
            Expect::ReadFailed,
        ),
    ]
}

fn planned_calls(p: &Plan) -> Vec<&'static str> {
    p.changes.iter().map(|c| c.action.call()).collect()
}

#[test]
fn verdicts_plans_and_the_invariant() {
    for r in rows() {
        let name = r.name;
        let findings = judge(&r.observed, &answers(r.plans), step());
        let verdict = combine(findings.iter().map(|f| f.status));
        assert_eq!(verdict, r.verdict, "{name}: {findings:#?}");
        let made = plan(&r.observed, &mut Answers(answers(r.plans)), step());
        match (&r.plan, made) {
            (Expect::ReadFailed, made) => {
                assert!(made.is_err(), "{name}: planned blind: {made:#?}");
                assert_ne!(verdict, Status::Done, "{name}: unreadable, yet done");
            }
            (Expect::Plan(want, named), Ok(p)) => {
                assert_eq!(planned_calls(&p), *want, "{name}: {p:#?}");
                assert_eq!(p.conflicts.is_empty(), named.is_empty(), "{name}: {:#?}", p.conflicts);
                for needle in named {
                    assert!(p.conflicts.iter().any(|c| c.contains(needle.as_str())), "{name}: {needle}: {p:#?}");
                }
                // Done means nothing to change; nothing to change, resolve or do by hand means done.
                if verdict == Status::Done {
                    assert!(p.changes.is_empty() && !p.manual, "{name}: done, yet the plan has {p:#?}");
                }
                if p.is_empty() {
                    assert_eq!(verdict, Status::Done, "{name}: nothing to do, yet {verdict:?}");
                }
            }
            (_, Err(e)) => panic!("{name}: no plan: {e}"),
        }
    }
}

#[test]
fn members_are_enrolled_by_audit_with_their_email_and_the_admin_is_made_by_the_management_account() {
    let p = plan(&org(vec![fresh(R1)]), &mut Answers(answers(None)), step()).expect("plan");
    let at: Vec<(&str, &str)> = p.changes.iter().map(|c| (c.action.call(), c.at.account.as_str())).collect();
    assert_eq!(at, [(DETECTOR, AUDIT), (ADMIN, ME), (AUTO, AUDIT), (MEMBER, AUDIT), (MEMBER, AUDIT)]);
    let enrolled: Vec<String> = p.changes[3..].iter().flat_map(|c| c.action.params()).map(|(_, v)| v).collect();
    for account in [ME, WORK] {
        assert!(enrolled.iter().any(|v| v == account), "{account} enrolled: {enrolled:?}");
        assert!(enrolled.iter().any(|v| v == &format!("{account}@example.com")), "{account}'s email: {enrolled:?}");
    }
    assert!(p.notes.iter().any(|n| n.contains("none")), "the plans shown before the detector: {:?}", p.notes);
}

#[test]
fn findings_name_each_account_and_what_runs_there() {
    let o = org(vec![Region {
        members: Some(Ok(vec![member(ME, "Enabled")])),
        inside: vec![(WORK.into(), Ok(Some(detector("ENABLED"))))],
        ..covered(R1)
    }]);
    let findings = judge(&o, &answers(None), step());
    let work = findings.iter().find(|f| f.account == WORK && f.region.is_none()).expect("the workload's finding");
    assert_eq!(work.status, Status::Partial, "{work:?}");
    assert!(work.detail.contains(R1) && work.detail.contains("on its own"), "{work:?}");
    let audit = findings.iter().find(|f| f.account == AUDIT && f.region.is_none()).expect("Audit's finding");
    assert_eq!(audit.status, Status::Done, "{audit:?}");
    // A chosen plan that is not on for the organization is named in the verdict.
    let findings = judge(&org(vec![covered(R1)]), &answers(Some("EKS_AUDIT_LOGS")), step());
    assert!(findings.iter().any(|f| f.detail.contains("EKS_AUDIT_LOGS")), "{findings:#?}");
}
