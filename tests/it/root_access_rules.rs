//! root-access's rules as pure functions of one observation: the verdict and the plan over
//! hand-built observations (fresh, features on, a member with root credentials kept or deleted,
//! a refused root session, outside an organization), and for every row the invariant (done means
//! nothing to change; nothing to change, do by hand or resolve means done). No emulator.

use std::collections::BTreeMap;

use groundwork::aws::change::Action;
use groundwork::aws::root_access::RootCredentials;
use groundwork::aws::{AwsError, ErrorKind};
use groundwork::catalog::{self, Step, StepId};
use groundwork::inputs::{Ask, InputError, declared};
use groundwork::plans::Plan;
use groundwork::steps::root_access::{Observed, Scope, judge, plan};
use groundwork::verdict::{Finding, Status, combine};

const ME: &str = "111111111111";
const AUDIT: &str = "222222222222";
const WORK: &str = "333333333333";
const BOTH: [&str; 2] = ["RootCredentialsManagement", "RootSessions"];

fn step() -> &'static Step {
    catalog::step(StepId::RootAccess)
}

struct Answers(BTreeMap<String, String>);

impl Ask for Answers {
    fn get(&mut self, key: &str, default: Option<&str>) -> Result<String, InputError> {
        let declared = declared(key).and_then(|i| i.default.clone());
        self.0.get(key).cloned().or(default.map(str::to_owned)).or(declared).ok_or(InputError::Missing(key.into()))
    }
}

fn yes(accounts: &[&str]) -> Answers {
    Answers(accounts.iter().map(|a| (format!("root-access.delete.{a}"), "yes".to_owned())).collect())
}

fn denied(action: &'static str, account: &str, kind: ErrorKind) -> AwsError {
    AwsError {
        request_id: None,
        kind,
        action,
        account: account.into(),
        region: Some("us-east-1".into()),
        code: Some("AccessDenied".into()),
        message: "explicit deny in a service control policy".into(),
    }
}

fn key() -> RootCredentials {
    RootCredentials { access_keys: vec!["AKIAEXAMPLE".into()], ..RootCredentials::default() }
}

type Member = (String, Option<Result<RootCredentials, AwsError>>);

fn org(trusted: bool, features: Option<Result<Vec<&str>, AwsError>>, members: Vec<Member>) -> Observed {
    let features = features.map(|r| r.map(|v| v.into_iter().map(str::to_owned).collect()));
    Observed { me: ME.into(), region: "us-east-1".into(), scope: Scope::Org { trusted, features, members } }
}

fn read(account: &str, c: RootCredentials) -> Member {
    (account.into(), Some(Ok(c)))
}

fn unread(account: &str) -> Member {
    (account.into(), None)
}

fn status(findings: &[Finding]) -> Status {
    combine(findings.iter().map(|f| f.status))
}

fn invariant(name: &str, verdict: Status, plan: &Plan) {
    if verdict == Status::Done {
        assert!(plan.changes.is_empty() && !plan.manual && plan.conflicts.is_empty(), "{name}: done, yet {plan:#?}");
    }
    if plan.is_empty() {
        assert_eq!(verdict, Status::Done, "{name}: nothing to do, yet {verdict:?}");
    }
}

fn calls(plan: &Plan) -> Vec<&'static str> {
    plan.changes.iter().map(|c| c.action.call()).collect()
}

#[test]
fn every_row_keeps_the_invariant() {
    let refused = || Some(Err(denied("sts:AssumeRoot", AUDIT, ErrorKind::DeniedByOrganization)));
    let rows: Vec<(&str, Observed, Answers, Status, Vec<&str>)> = vec![
        (
            "fresh: trusted access off",
            org(false, None, vec![unread(AUDIT), unread(WORK)]),
            yes(&[]),
            Status::NotDone,
            vec![
                "organizations:EnableAWSServiceAccess",
                "iam:EnableOrganizationsRootCredentialsManagement",
                "iam:EnableOrganizationsRootSessions",
            ],
        ),
        (
            "trusted on, features off",
            org(true, Some(Ok(vec![])), vec![unread(AUDIT)]),
            yes(&[]),
            Status::NotDone,
            vec!["iam:EnableOrganizationsRootCredentialsManagement", "iam:EnableOrganizationsRootSessions"],
        ),
        (
            "only root sessions on",
            org(true, Some(Ok(vec!["RootSessions"])), vec![read(AUDIT, RootCredentials::default())]),
            yes(&[]),
            Status::Partial,
            vec!["iam:EnableOrganizationsRootCredentialsManagement"],
        ),
        (
            "all on, members clean",
            org(
                true,
                Some(Ok(BOTH.to_vec())),
                vec![read(AUDIT, RootCredentials::default()), read(WORK, RootCredentials::default())],
            ),
            yes(&[]),
            Status::Done,
            vec![],
        ),
        (
            "a member's key, kept (no answer)",
            org(true, Some(Ok(BOTH.to_vec())), vec![read(AUDIT, key()), read(WORK, RootCredentials::default())]),
            yes(&[]),
            Status::Partial,
            vec![],
        ),
        (
            "a member's key, yes for another account",
            org(true, Some(Ok(BOTH.to_vec())), vec![read(AUDIT, key()), read(WORK, RootCredentials::default())]),
            yes(&[WORK]),
            Status::Partial,
            vec![],
        ),
        (
            "a member's key, yes for that account",
            org(true, Some(Ok(BOTH.to_vec())), vec![read(AUDIT, key())]),
            yes(&[AUDIT]),
            Status::Partial,
            vec!["sts:AssumeRoot"],
        ),
        (
            "a root session refused by an SCP",
            org(true, Some(Ok(BOTH.to_vec())), vec![(AUDIT.into(), refused()), read(WORK, RootCredentials::default())]),
            yes(&[]),
            Status::Unknown,
            vec![],
        ),
        (
            "no organization",
            Observed { me: ME.into(), region: "us-east-1".into(), scope: Scope::Outside("needs-organization") },
            yes(&[]),
            Status::NotDone,
            vec![],
        ),
        (
            "not the management account",
            Observed { me: ME.into(), region: "us-east-1".into(), scope: Scope::Outside("not-management") },
            yes(&[]),
            Status::Unknown,
            vec![],
        ),
    ];
    for (name, o, mut answers, want, want_calls) in rows {
        let findings = judge(&o, step());
        let verdict = status(&findings);
        assert_eq!(verdict, want, "{name}: {findings:#?}");
        let p = plan(&o, &mut answers, step()).expect("plan");
        assert_eq!(calls(&p), want_calls, "{name}: {p:#?}");
        invariant(name, verdict, &p);
    }
}

#[test]
fn a_member_with_credentials_is_named_with_what_it_has() {
    let c = RootCredentials { password: true, mfa: vec!["arn:aws:iam::222222222222:mfa/root".into()], ..key() };
    let o = org(true, Some(Ok(BOTH.to_vec())), vec![read(AUDIT, c.clone())]);
    let findings = judge(&o, step());
    let audit = findings.iter().find(|f| f.account == AUDIT).expect("Audit's finding");
    assert_eq!(audit.status, Status::Partial);
    for part in [AUDIT, "a password", "1 access key", "1 MFA device"] {
        assert!(audit.detail.contains(part), "{part}: {audit:?}");
    }
    // The deletion lists exactly what was read, and the plan says what the person gives up.
    let p = plan(&o, &mut yes(&[AUDIT]), step()).expect("plan");
    assert!(
        matches!(&p.changes[..], [c0] if c0.action == Action::DeleteRootCredentials { account: AUDIT.into(), found: c.clone() }),
        "{p:#?}"
    );
    assert!(p.notes.iter().any(|n| n.contains("IAMCreateRootUserPassword")), "{p:#?}");
    // The management account is never a member here, so never a deletion.
    assert!(p.changes.iter().all(|c| !c.action.params().iter().any(|(_, v)| v == ME)), "{p:#?}");
}

#[test]
fn unreadable_features_are_unknown_and_stop_the_plan() {
    let o =
        org(true, Some(Err(denied("iam:ListOrganizationsFeatures", ME, ErrorKind::AccessDenied))), vec![unread(AUDIT)]);
    let findings = judge(&o, step());
    assert_eq!(findings[0].status, Status::Unknown, "{findings:#?}");
    assert!(findings[0].detail.contains("iam:ListOrganizationsFeatures"), "{findings:#?}");
    assert_ne!(status(&findings), Status::Done);
    assert!(plan(&o, &mut yes(&[]), step()).is_err(), "nothing is planned on features it could not read");
}

#[test]
fn a_refused_session_names_the_scp() {
    let o = org(
        true,
        Some(Ok(BOTH.to_vec())),
        vec![(AUDIT.into(), Some(Err(denied("sts:AssumeRoot", AUDIT, ErrorKind::DeniedByOrganization))))],
    );
    let findings = judge(&o, step());
    let audit = findings.iter().find(|f| f.account == AUDIT).expect("Audit's finding");
    assert_eq!(audit.status, Status::Unknown);
    assert!(audit.detail.contains("service control policy") && audit.detail.contains("AssumeRoot"), "{audit:?}");
}
