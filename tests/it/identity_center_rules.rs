//! identity-center's rules as pure functions of one observation: the verdict and the plan over
//! hand-built observations (fresh, partial, brownfield, half-made, account instance), with no
//! emulator. Runs in milliseconds.

use std::collections::BTreeMap;

use groundwork::aws::change::{Action, Ref};
use groundwork::aws::identity_center::{Assignment, Group, Instance, PermissionSet, Push, User};
use groundwork::catalog::{self, StepId};
use groundwork::inputs::{Ask, InputError};
use groundwork::plans::Plan;
use groundwork::steps::identity_center::{Directory, Observed, Person, Team, judge, plan};
use groundwork::verdict::{Status, combine};

const ME: &str = "111111111111";
const AUDIT: &str = "222222222222";
const ADMIN_ARN: &str = "arn:aws:sso:::permissionSet/ssoins-1/ps-admin";

struct Answers(BTreeMap<&'static str, &'static str>);

impl Ask for Answers {
    fn get(&mut self, key: &str, default: Option<&str>) -> Result<String, InputError> {
        self.0.get(key).map(|v| (*v).to_owned()).or(default.map(str::to_owned)).ok_or(InputError::Missing(key.into()))
    }
}

fn answers() -> Answers {
    Answers(BTreeMap::from([
        ("identity-center.user-name", "ada"),
        ("identity-center.given-name", "Ada"),
        ("identity-center.family-name", "Lovelace"),
        ("identity-center.email", "ada@example.com"),
        ("identity-center.group", "Administrators"),
    ]))
}

fn instance(owner: &str, status: &str) -> Instance {
    Instance {
        arn: "arn:aws:sso:::instance/ssoins-1".into(),
        identity_store_id: "d-1".into(),
        owner_account: owner.into(),
        status: status.into(),
    }
}

fn observed(directory: Option<Directory>) -> Observed {
    Observed {
        me: ME.into(),
        region: "eu-west-1".into(),
        accounts: vec![ME.into(), AUDIT.into()],
        instance: Some(instance(ME, "ACTIVE")),
        directory,
    }
}

fn set(arn: &str, name: &str, managed: &[&str]) -> PermissionSet {
    PermissionSet {
        arn: arn.into(),
        name: name.into(),
        managed: managed.iter().map(|m| (*m).to_owned()).collect(),
        other_policies: false,
    }
}

fn assigned(accounts: &[&str], set: &str) -> Vec<Assignment> {
    accounts.iter().map(|a| Assignment { account: (*a).into(), permission_set: set.into() }).collect()
}

fn person(name: &str, groups: &[&str], assignments: Vec<Assignment>) -> Person {
    Person {
        user: User { id: format!("u-{name}"), user_name: name.into() },
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        assignments,
    }
}

fn team(name: &str, assignments: Vec<Assignment>) -> Team {
    Team { group: Group { id: format!("g-{name}"), name: name.into() }, assignments }
}

fn status(o: &Observed) -> Status {
    combine(judge(o, step()).iter().map(|f| f.status))
}

fn step() -> &'static catalog::Step {
    catalog::step(StepId::IdentityCenter)
}

fn planned(o: &Observed) -> Plan {
    plan(o, &mut answers(), step()).expect("plan")
}

fn calls(p: &Plan) -> Vec<&'static str> {
    p.changes.iter().map(|c| c.action.call()).collect()
}

/// Every observation the tests use, named.
fn cases() -> Vec<(&'static str, Observed)> {
    let admin = set(ADMIN_ARN, "AdministratorAccess", &["arn:aws:iam::aws:policy/AdministratorAccess"]);
    let empty_admin = set(ADMIN_ARN, "AdministratorAccess", &[]);
    let read_only = set("arn:ps-ro", "ReadOnlyAccess", &["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    let complete = Directory {
        users: vec![person("ada", &["g-Administrators"], vec![])],
        groups: vec![team("Administrators", assigned(&[ME, AUDIT], ADMIN_ARN))],
        permission_sets: vec![admin.clone(), read_only.clone()],
        pushes: vec![],
    };
    let push = |status: &str, created: f64| Push {
        permission_set: ADMIN_ARN.into(),
        status: status.into(),
        reason: (status == "FAILED").then(|| "Account 222222222222 is suspended".into()),
        created,
    };
    vec![
        ("no instance", Observed { instance: None, ..observed(None) }),
        ("instance being created", Observed { instance: Some(instance(ME, "CREATE_IN_PROGRESS")), ..observed(None) }),
        (
            "account instance of another account",
            Observed { instance: Some(instance(AUDIT, "ACTIVE")), ..observed(None) },
        ),
        ("fresh directory", observed(Some(Directory::default()))),
        ("complete", observed(Some(complete.clone()))),
        (
            "brownfield: another person reaches an account through their own set",
            observed(Some(Directory {
                users: vec![person("grace", &[], assigned(&[AUDIT], "arn:ps-dev"))],
                groups: vec![],
                permission_sets: vec![PermissionSet { other_policies: true, ..set("arn:ps-dev", "Developers", &[]) }],
                pushes: vec![],
            })),
        ),
        (
            "users, but assigned only through a set that grants nothing",
            observed(Some(Directory {
                users: vec![person("grace", &[], assigned(&[AUDIT], "arn:ps-empty"))],
                groups: vec![],
                permission_sets: vec![set("arn:ps-empty", "Custom", &[])],
                pushes: vec![],
            })),
        ),
        (
            "half-made: the admin set lost its policy step",
            observed(Some(Directory { permission_sets: vec![empty_admin, read_only], ..complete.clone() })),
        ),
        (
            "a new account not yet assigned, while ada reaches the others",
            Observed {
                accounts: vec![ME.into(), AUDIT.into(), "333333333333".into()],
                ..observed(Some(complete.clone()))
            },
        ),
        (
            "the admin set's last push failed: its accounts may lack the policy",
            observed(Some(Directory { pushes: vec![push("SUCCEEDED", 1.0), push("FAILED", 2.0)], ..complete.clone() })),
        ),
        (
            "the admin set is still being pushed",
            observed(Some(Directory {
                pushes: vec![push("FAILED", 1.0), push("IN_PROGRESS", 2.0)],
                ..complete.clone()
            })),
        ),
        (
            "a failed push, then one that succeeded",
            observed(Some(Directory { pushes: vec![push("FAILED", 1.0), push("SUCCEEDED", 2.0)], ..complete })),
        ),
    ]
}

#[test]
fn verdicts() {
    let expected = [
        Status::NotDone,
        Status::Partial,
        Status::Partial,
        Status::Partial,
        Status::Done,
        Status::Done,
        Status::Partial,
        Status::Partial,
        Status::Done,
        Status::Partial,
        Status::Partial,
        Status::Done,
    ];
    for ((name, o), want) in cases().iter().zip(expected) {
        assert_eq!(status(o), want, "{name}: {:#?}", judge(o, step()));
    }
}

#[test]
fn a_fresh_directory_gets_the_whole_setup_and_an_invitation_to_send() {
    let p = planned(&observed(Some(Directory::default())));
    assert_eq!(
        calls(&p),
        [
            "identitystore:CreateUser",
            "identitystore:CreateGroup",
            "identitystore:CreateGroupMembership",
            "sso:CreatePermissionSet",
            "sso:AttachManagedPolicyToPermissionSet",
            "sso:CreatePermissionSet",
            "sso:AttachManagedPolicyToPermissionSet",
            "sso:CreateAccountAssignment",
            "sso:CreateAccountAssignment",
        ]
    );
    assert!(p.manual, "the invitation is the person's to send");
}

#[test]
fn a_half_made_permission_set_is_repaired_and_pushed_to_its_accounts() {
    let (_, o) = cases().into_iter().find(|(n, _)| n.starts_with("half-made")).expect("case");
    let p = planned(&o);
    assert_eq!(calls(&p), ["sso:AttachManagedPolicyToPermissionSet", "sso:ProvisionPermissionSet"]);
    assert!(
        matches!(&p.changes[0].action, Action::AttachManagedPolicy { permission_set: Ref::Known(a), .. } if a == ADMIN_ARN)
    );
    assert!(!p.manual, "ada exists: no invitation to send");
    assert!(judge(&o, step()).iter().any(|f| f.detail.contains("grants nothing")), "the verdict says why");
}

#[test]
fn a_failed_push_never_grants_access_and_is_pushed_again() {
    let (_, o) = cases().into_iter().find(|(n, _)| n.contains("last push failed")).expect("case");
    let findings = judge(&o, step());
    assert!(
        !findings.iter().any(|f| f.status == Status::Done),
        "no access through a set whose push failed: {findings:#?}"
    );
    assert!(findings.iter().any(|f| f.detail.contains("Account 222222222222 is suspended")), "{findings:#?}");
    let p = planned(&o);
    assert_eq!(calls(&p), ["sso:ProvisionPermissionSet"], "{p:#?}");
    // Still running: nothing is changed, and the plan says to wait.
    let (_, o) = cases().into_iter().find(|(n, _)| n.contains("still being pushed")).expect("case");
    let p = planned(&o);
    assert!(p.changes.is_empty() && p.conflicts.iter().any(|c| c.contains("still pushing")), "{p:#?}");
}

#[test]
fn a_brownfield_setup_that_works_is_left_alone() {
    let (_, o) = cases().into_iter().find(|(n, _)| n.starts_with("brownfield")).expect("case");
    let p = planned(&o);
    assert!(p.changes.is_empty() && !p.manual, "{p:#?}");
}

/// The invariant every step keeps: done means nothing to change, and nothing left to change (no
/// change, no conflict, nothing for a person to do) means done.
#[test]
fn done_if_and_only_if_the_plan_is_empty() {
    for (name, o) in cases() {
        let (verdict, p) = (status(&o), planned(&o));
        if verdict == Status::Done {
            assert!(p.changes.is_empty(), "{name}: done, yet the plan changes {:?}", calls(&p));
        }
        if p.is_empty() {
            assert_eq!(verdict, Status::Done, "{name}: nothing to do, yet {verdict:?}");
        }
    }
}
