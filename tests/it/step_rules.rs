//! root-mfa, organization and contacts as pure functions of one observation: table tests of the
//! verdict and the plan over hand-built observations, and the invariant every step keeps (done
//! means nothing to change; nothing left to change, to do by hand, or in conflict means done).
//! No emulator: runs in milliseconds.

use std::collections::BTreeMap;

use groundwork::aws::iam::RootCredentials;
use groundwork::aws::organizations::Organization;
use groundwork::aws::{AwsError, ErrorKind};
use groundwork::catalog::{self, Step, StepId};
use groundwork::inputs::{Ask, InputError};
use groundwork::plans::Plan;
use groundwork::steps::{contacts, organization, root_mfa};
use groundwork::verdict::{Finding, Status, combine};

const ME: &str = "111111111111";
const MEMBER: &str = "222222222222";

fn step(id: StepId) -> &'static Step {
    catalog::step(id)
}

fn status(findings: &[Finding]) -> Status {
    combine(findings.iter().map(|f| f.status))
}

/// Done means nothing to change; an empty plan (no change, no conflict, nothing manual) means done.
fn invariant(name: &str, verdict: Status, plan: &Plan) {
    if verdict == Status::Done {
        assert!(plan.changes.is_empty() && !plan.manual, "{name}: done, yet the plan has {plan:#?}");
    }
    if plan.is_empty() {
        assert_eq!(verdict, Status::Done, "{name}: nothing to do, yet {verdict:?}");
    }
}

struct Answers;

impl Ask for Answers {
    fn get(&mut self, key: &str, _default: Option<&str>) -> Result<String, InputError> {
        Ok(format!("answer for {key}"))
    }
}

#[test]
fn root_mfa() {
    let cases = [
        (true, false, Status::Done),
        (true, true, Status::Partial),
        (false, false, Status::NotDone),
        (false, true, Status::NotDone),
    ];
    for (mfa, keys, want) in cases {
        let o = root_mfa::Observed {
            account: ME.into(),
            root: RootCredentials { mfa_enabled: mfa, access_keys_present: keys },
        };
        let s = step(StepId::RootMfa);
        let verdict = status(&root_mfa::judge(&o, s));
        assert_eq!(verdict, want, "mfa {mfa}, keys {keys}");
        let plan = root_mfa::plan(&o, s);
        assert!(plan.changes.is_empty(), "groundwork never acts as root");
        assert_eq!(plan.manual, want != Status::Done, "the console guide unless done");
        invariant(&format!("root-mfa mfa={mfa} keys={keys}"), verdict, &plan);
    }
}

#[test]
fn organization() {
    let org = |management: &str, all: bool| {
        Some(Organization { id: "o-1".into(), all_features: all, management_account: management.into() })
    };
    let cases = [
        ("none", None, Status::NotDone, Some("organizations:CreateOrganization")),
        ("all features, managed here", org(ME, true), Status::Done, None),
        ("consolidated billing only", org(ME, false), Status::Partial, None),
        ("a member of someone else's", org(MEMBER, true), Status::Unknown, None),
    ];
    for (name, organization, want, call) in cases {
        let o = organization::Observed { me: ME.into(), region: "us-east-1".into(), organization };
        let s = step(StepId::Organization);
        let verdict = status(&organization::judge(&o, s));
        assert_eq!(verdict, want, "{name}");
        let plan = organization::plan(&o, s);
        assert_eq!(plan.changes.first().map(|c| c.action.call()), call, "{name}");
        invariant(name, verdict, &plan);
    }
}

fn denied(account: &str) -> AwsError {
    AwsError {
        request_id: None,
        kind: ErrorKind::AccessDenied,
        action: "account:GetAlternateContact",
        account: account.into(),
        region: None,
        code: Some("AccessDeniedException".into()),
        message: "denied".into(),
    }
}

fn contacts_observed(
    members: &[&str],
    trusted: bool,
    read: Vec<(&str, Result<contacts::Addresses, AwsError>)>,
) -> contacts::Observed {
    contacts::Observed {
        me: ME.into(),
        region: "us-east-1".into(),
        members: members.iter().map(|m| (*m).to_owned()).collect(),
        trusted,
        all_features: true,
        contacts: read.into_iter().map(|(a, r)| (a.to_owned(), r)).collect(),
    }
}

#[test]
fn contacts() {
    let email = |e: &str| Some(e.to_owned());
    let all = [email("sec@x.io"), email("bill@x.io"), email("ops@x.io")];
    let none: [Option<String>; 3] = Default::default();
    let cases: Vec<(&str, contacts::Observed, Status, Vec<&str>)> = vec![
        ("standalone, all set", contacts_observed(&[], true, vec![(ME, Ok(all.clone()))]), Status::Done, vec![]),
        (
            "standalone, none set",
            contacts_observed(&[], true, vec![(ME, Ok(none.clone()))]),
            Status::NotDone,
            vec!["account:PutAlternateContact", "account:PutAlternateContact", "account:PutAlternateContact"],
        ),
        (
            "organization, a member missing billing",
            contacts_observed(
                &[MEMBER],
                true,
                vec![(ME, Ok(all.clone())), (MEMBER, Ok([email("s@x.io"), None, email("o@x.io")]))],
            ),
            Status::Partial,
            vec!["account:PutAlternateContact"],
        ),
        (
            "organization without trusted access: members unknown, trusted access first",
            contacts_observed(&[MEMBER], false, vec![(ME, Ok(all.clone()))]),
            Status::Unknown,
            vec!["organizations:EnableAWSServiceAccess"],
        ),
        (
            "consolidated billing only: members unknown, nothing AWS would refuse is planned",
            contacts::Observed {
                all_features: false,
                ..contacts_observed(&[MEMBER], false, vec![(ME, Ok(all.clone()))])
            },
            Status::Unknown,
            vec![],
        ),
        (
            "organization, every account complete",
            contacts_observed(&[MEMBER], true, vec![(ME, Ok(all.clone())), (MEMBER, Ok(all.clone()))]),
            Status::Done,
            vec![],
        ),
    ];
    for (name, o, want, calls) in cases {
        let s = step(StepId::Contacts);
        let verdict = status(&contacts::judge(&o, s));
        assert_eq!(verdict, want, "{name}");
        let plan = contacts::plan(&o, &mut Answers, s).expect("plan");
        let planned: Vec<&str> = plan.changes.iter().map(|c| c.action.call()).collect();
        assert_eq!(planned, calls, "{name}");
        invariant(name, verdict, &plan);
    }
    // Done names the addresses, so a typo shows.
    let o = contacts_observed(&[], true, vec![(ME, Ok(all.clone()))]);
    let found = contacts::judge(&o, step(StepId::Contacts));
    assert!(found[0].detail.contains("security sec@x.io, billing bill@x.io, operations ops@x.io"), "{found:?}");

    // A member's contact goes to the member, written from the management account, never as "own".
    let o = contacts_observed(
        &[MEMBER],
        true,
        vec![(ME, Ok(all.clone())), (MEMBER, Ok([None, email("b@x.io"), email("o@x.io")]))],
    );
    let plan = contacts::plan(&o, &mut Answers, step(StepId::Contacts)).expect("plan");
    let change = &plan.changes[0];
    assert_eq!(change.at.account, ME, "made with the management account's credentials");
    let params: BTreeMap<_, _> = change.action.params().into_iter().collect();
    assert!(params.values().any(|v| v == MEMBER), "names the member: {params:?}");

    // A read that failed is unknown in the verdict and stops the plan: nothing is written blind.
    let o = contacts_observed(&[MEMBER], true, vec![(ME, Ok(all.clone())), (MEMBER, Err(denied(MEMBER)))]);
    assert_eq!(status(&contacts::judge(&o, step(StepId::Contacts))), Status::Unknown);
    assert!(contacts::plan(&o, &mut Answers, step(StepId::Contacts)).is_err());
}
