//! access-analyzer's rules as pure functions of one observation: the verdict and the plan over
//! hand-built observations (fresh, done, brownfield, stopped analyzers, conflicts, unreadable), and
//! for every row the invariant (done means nothing to change; nothing to change or wait for, resolve
//! or do by hand means done). No emulator: runs in milliseconds.

use groundwork::aws::access_analyzer::Analyzer;
use groundwork::aws::change::Action;
use groundwork::aws::{AwsError, ErrorKind};
use groundwork::catalog::{self, Step, StepId};
use groundwork::plans::Plan;
use groundwork::steps::access_analyzer::{NAME, Observed, Region, Scope, judge, plan};
use groundwork::steps::coverage::Alone;
use groundwork::verdict::{Status, combine};

const ME: &str = "111111111111";
const AUDIT: &str = "222222222222";
const OTHER: &str = "444444444444";
const R1: &str = "us-east-1";
const R2: &str = "eu-west-1";
const TRUST: &str = "organizations:EnableAWSServiceAccess";
const REGISTER: &str = "organizations:RegisterDelegatedAdministrator";
const CREATE: &str = "access-analyzer:CreateAnalyzer";
const WAIT: &str = "access-analyzer:GetAnalyzer";

fn step() -> &'static Step {
    catalog::step(StepId::AccessAnalyzer)
}

fn failed(action: &'static str, account: &str) -> AwsError {
    AwsError {
        request_id: None,
        kind: ErrorKind::AccessDenied,
        action,
        account: account.into(),
        region: None,
        code: Some("AccessDeniedException".into()),
        message: "denied".into(),
    }
}

fn analyzer(name: &str, kind: &str, status: &str, reason: Option<&str>) -> Analyzer {
    Analyzer {
        arn: format!("arn:aws:access-analyzer:{R1}:{AUDIT}:analyzer/{name}"),
        name: name.into(),
        kind: kind.into(),
        status: status.into(),
        reason: reason.map(str::to_owned),
    }
}

fn region(name: &str, analyzers: Vec<Analyzer>, findings: Option<usize>) -> Region {
    let active = analyzers.iter().any(|a| a.kind == "ORGANIZATION" && a.status == "ACTIVE");
    Region { region: name.into(), analyzers: Ok(analyzers), findings: active.then_some(Ok(findings.unwrap_or(0))) }
}

fn ours() -> Analyzer {
    analyzer(NAME, "ORGANIZATION", "ACTIVE", None)
}

fn org(trusted: bool, admins: &[&str], regions: Vec<Region>) -> Observed {
    Observed {
        me: ME.into(),
        home: R1.into(),
        scope: Scope::Org {
            audit: AUDIT.into(),
            trusted: Ok(trusted),
            admins: Ok(admins.iter().map(|a| (*a).to_owned()).collect()),
            regions,
        },
    }
}

fn alone(why: Alone, running: bool) -> Observed {
    let own = if running { vec![analyzer("mine", "ACCOUNT", "ACTIVE", None)] } else { vec![] };
    Observed { me: ME.into(), home: R1.into(), scope: Scope::Alone { why, own: vec![(R1.into(), Ok(own))] } }
}

enum Expect {
    ReadFailed,
    Plan { calls: Vec<&'static str>, conflicts: Vec<&'static str> },
}

fn calls(c: &[&'static str]) -> Expect {
    Expect::Plan { calls: c.to_vec(), conflicts: vec![] }
}

fn conflict(c: &[&'static str], named: &[&'static str]) -> Expect {
    Expect::Plan { calls: c.to_vec(), conflicts: named.to_vec() }
}

fn rows() -> Vec<(&'static str, Observed, Status, Expect)> {
    let mut all = fresh_and_done();
    all.extend(brownfield());
    all
}

/// A fresh organization, done ones, and analyzers that are not yet the organization's.
fn fresh_and_done() -> Vec<(&'static str, Observed, Status, Expect)> {
    let done = || org(true, &[AUDIT], vec![region(R1, vec![ours()], Some(3)), region(R2, vec![ours()], None)]);
    let mut uncounted = done();
    if let Scope::Org { regions, .. } = &mut uncounted.scope {
        regions[0].findings = Some(Err(failed("access-analyzer:ListFindings", AUDIT)));
    }
    vec![
        (
            "fresh organization",
            org(false, &[], vec![region(R1, vec![], None), region(R2, vec![], None)]),
            Status::NotDone,
            calls(&[TRUST, REGISTER, CREATE, CREATE]),
        ),
        ("done, with findings counted, not failed", done(), Status::Done, calls(&[])),
        ("done, findings could not be counted", uncounted, Status::Done, calls(&[])),
        (
            "the person's own organization analyzer is used, not replaced",
            org(true, &[AUDIT], vec![region(R1, vec![analyzer("theirs", "ORGANIZATION", "ACTIVE", None)], None)]),
            Status::Done,
            calls(&[]),
        ),
        (
            "only an ACCOUNT analyzer in one Region",
            org(
                true,
                &[AUDIT],
                vec![
                    region(R1, vec![analyzer("mine", "ACCOUNT", "ACTIVE", None)], None),
                    region(R2, vec![ours()], None),
                ],
            ),
            Status::Partial,
            calls(&[CREATE]),
        ),
        (
            "the paid unused-access analyzer does not count",
            org(
                true,
                &[AUDIT],
                vec![region(R1, vec![analyzer("u", "ORGANIZATION_UNUSED_ACCESS", "ACTIVE", None)], None)],
            ),
            Status::Partial,
            calls(&[CREATE]),
        ),
        (
            "an analyzer AWS is still creating is waited for",
            org(true, &[AUDIT], vec![region(R1, vec![analyzer(NAME, "ORGANIZATION", "CREATING", None)], None)]),
            Status::Partial,
            calls(&[WAIT]),
        ),
    ]
}

/// Analyzers that stopped, conflicts, unreadable reads, and no organization-wide reach.
fn brownfield() -> Vec<(&'static str, Observed, Status, Expect)> {
    let done = || org(true, &[AUDIT], vec![region(R1, vec![ours()], Some(3)), region(R2, vec![ours()], None)]);
    let mut unread_region = done();
    if let Scope::Org { regions, .. } = &mut unread_region.scope {
        regions[1].analyzers = Err(failed("access-analyzer:ListAnalyzers", AUDIT));
        regions[1].findings = None;
    }
    let mut unread_trust = done();
    if let Scope::Org { trusted, .. } = &mut unread_trust.scope {
        *trusted = Err(failed("organizations:ListAWSServiceAccessForOrganization", ME));
    }
    vec![
        (
            "a failed organization analyzer is never deleted",
            org(
                true,
                &[AUDIT],
                vec![region(
                    R1,
                    vec![analyzer("old", "ORGANIZATION", "FAILED", Some("SERVICE_LINKED_ROLE_CREATION_FAILED"))],
                    None,
                )],
            ),
            Status::Partial,
            conflict(&[], &["old", "FAILED", "never deletes"]),
        ),
        (
            "disabled when the administrator went away: registering Audit again brings it back",
            org(
                true,
                &[],
                vec![region(
                    R1,
                    vec![analyzer("old", "ORGANIZATION", "DISABLED", Some("DELEGATED_ADMINISTRATOR_DEREGISTERED"))],
                    None,
                )],
            ),
            Status::Partial,
            calls(&[REGISTER]),
        ),
        (
            "disabled, though nothing is missing: the person decides",
            org(
                true,
                &[AUDIT],
                vec![region(
                    R1,
                    vec![analyzer("old", "ORGANIZATION", "DISABLED", Some("DELEGATED_ADMINISTRATOR_DEREGISTERED"))],
                    None,
                )],
            ),
            Status::Partial,
            conflict(&[], &["DISABLED"]),
        ),
        (
            "another delegated administrator is never replaced",
            org(true, &[OTHER], vec![region(R1, vec![], None)]),
            Status::Partial,
            conflict(&[CREATE], &[OTHER]),
        ),
        (
            "our analyzer's name is taken by another type",
            org(true, &[AUDIT], vec![region(R1, vec![analyzer(NAME, "ACCOUNT", "ACTIVE", None)], None)]),
            Status::Partial,
            conflict(&[], &[NAME, "ACCOUNT"]),
        ),
        ("a Region that cannot be read", unread_region, Status::Unknown, Expect::ReadFailed),
        ("trusted access that cannot be read", unread_trust, Status::Unknown, Expect::ReadFailed),
        (
            "no organization, an analyzer of this account runs",
            alone(Alone::NoOrganization, true),
            Status::Partial,
            conflict(&[], &["organization"]),
        ),
        (
            "consolidated billing only",
            alone(Alone::NotAllFeatures, false),
            Status::NotDone,
            conflict(&[], &["all features"]),
        ),
        ("no Audit account", alone(Alone::NoAudit, false), Status::NotDone, conflict(&[], &["control-tower"])),
    ]
}

fn planned_calls(p: &Plan) -> Vec<&'static str> {
    p.changes.iter().map(|c| c.action.call()).collect()
}

#[test]
fn verdicts_plans_and_the_invariant() {
    for (name, o, want, expect) in rows() {
        let findings = judge(&o, step());
        let verdict = combine(findings.iter().map(|f| f.status));
        assert_eq!(verdict, want, "{name}: {findings:#?}");
        match (expect, plan(&o, step())) {
            (Expect::ReadFailed, made) => {
                assert!(made.is_err(), "{name}: planned blind: {made:#?}");
                assert_ne!(verdict, Status::Done, "{name}: unreadable, yet done");
            }
            (Expect::Plan { calls, conflicts }, Ok(p)) => {
                assert_eq!(planned_calls(&p), calls, "{name}: {p:#?}");
                assert_eq!(p.conflicts.is_empty(), conflicts.is_empty(), "{name}: {:#?}", p.conflicts);
                for needle in &conflicts {
                    assert!(p.conflicts.iter().any(|c| c.contains(needle)), "{name}: {needle}: {p:#?}");
                }
                // Done means nothing to change; nothing to change or wait for, resolve or do by hand
                // means done.
                if verdict == Status::Done {
                    assert!(p.changes.is_empty() && p.conflicts.is_empty(), "{name}: done, yet {p:#?}");
                }
                if p.changes.is_empty() && p.conflicts.is_empty() && !p.manual {
                    assert_eq!(verdict, Status::Done, "{name}: nothing to do, yet {verdict:?}");
                }
            }
            (_, Err(e)) => panic!("{name}: no plan: {e}"),
        }
    }
}

#[test]
fn active_findings_are_counted_in_the_words_never_a_failure() {
    let o = org(true, &[AUDIT], vec![region(R1, vec![ours()], Some(3))]);
    let findings = judge(&o, step());
    let r1 = findings.iter().find(|f| f.region.as_deref() == Some(R1)).expect("R1's finding");
    assert_eq!(r1.status, Status::Done);
    assert!(r1.detail.contains("3 active finding"), "{}", r1.detail);
    assert_eq!(r1.account, AUDIT);
}

#[test]
fn the_administrator_comes_before_the_analyzers_and_changes_go_where_they_belong() {
    let p = plan(&org(false, &[], vec![region(R1, vec![], None)]), step()).expect("plan");
    let at: Vec<(&str, &str, bool)> =
        p.changes.iter().map(|c| (c.action.call(), c.at.account.as_str(), c.global)).collect();
    assert_eq!(at, [(TRUST, ME, true), (REGISTER, ME, true), (CREATE, AUDIT, false)]);
    assert!(p.changes.iter().any(|c| c.action == Action::CreateAnalyzer { name: NAME.into() }));
    assert!(p.notes.iter().any(|n| n.contains("free")), "{:#?}", p.notes);
    // Never the paid kind: every analyzer planned is of type ORGANIZATION.
    let params: Vec<_> = p.changes.iter().flat_map(|c| c.action.params()).filter(|(k, _)| *k == "type").collect();
    assert_eq!(params, [("type", "ORGANIZATION".to_owned())]);
}
