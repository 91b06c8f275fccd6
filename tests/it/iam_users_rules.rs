//! iam-users' rules as pure functions of one observation: the verdict and the plan over hand-built
//! observations (clear, console passwords, unused keys, keys in use, new keys, an unreadable
//! account), and for every row the invariant: done means nothing to change, and anything left to
//! change means not done. No emulator.

use std::collections::BTreeMap;

use groundwork::aws::credential_report::AccessKey;
use groundwork::aws::{AwsError, ErrorKind};
use groundwork::catalog::{self, Step, StepId};
use groundwork::inputs::{Ask, InputError, declared};
use groundwork::steps::iam_users::{Credentials, Observed, User, judge, plan};
use groundwork::verdict::{Status, combine};

const ME: &str = "111111111111";
const WORK: &str = "333333333333";
const DAY: i64 = 86_400;
const NOW: i64 = 1_800_000_000;

fn step() -> &'static Step {
    catalog::step(StepId::IamUsers)
}

/// The person's answers, else the step's defaults (a yes is never assumed).
struct Answers(BTreeMap<String, String>);

impl Ask for Answers {
    fn get(&mut self, key: &str, default: Option<&str>) -> Result<String, InputError> {
        let declared = declared(key).and_then(|i| i.default.clone());
        self.0.get(key).cloned().or(default.map(str::to_owned)).or(declared).ok_or(InputError::Missing(key.into()))
    }
}

fn key(id: &str, active: bool, age_days: i64, used_days_ago: Option<i64>) -> AccessKey {
    AccessKey {
        id: id.into(),
        active,
        created: NOW - age_days * DAY,
        last_used: used_days_ago.map(|d| NOW - d * DAY),
        service: used_days_ago.map(|_| "s3".into()),
    }
}

fn user(name: &str, console: bool, keys: Vec<AccessKey>) -> User {
    User { name: name.into(), console, mfa: false, keys }
}

fn observed(accounts: Vec<(&str, Result<Vec<User>, AwsError>)>) -> Observed {
    Observed {
        now: NOW,
        region: "us-east-1".into(),
        accounts: accounts
            .into_iter()
            .map(|(a, r)| (a.to_owned(), r.map(|users| Credentials { generated: NOW - 3 * 3600, users })))
            .collect(),
    }
}

fn denied(account: &str) -> AwsError {
    AwsError {
        request_id: None,
        kind: ErrorKind::AccessDenied,
        action: "iam:GenerateCredentialReport",
        account: account.into(),
        region: None,
        code: Some("AccessDenied".into()),
        message: "denied".into(),
    }
}

struct Row {
    name: &'static str,
    o: Observed,
    answers: Vec<(&'static str, &'static str)>,
    status: Status,
    /// Words the verdict must contain.
    names: Vec<&'static str>,
    /// Keys the plan deactivates.
    deactivates: Vec<&'static str>,
}

fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "no IAM users",
            o: observed(vec![(ME, Ok(vec![])), (WORK, Ok(vec![]))]),
            answers: vec![],
            status: Status::Done,
            names: vec!["from 3 hour(s) ago"],
            deactivates: vec![],
        },
        Row {
            name: "a console password in a member",
            o: observed(vec![(ME, Ok(vec![])), (WORK, Ok(vec![user("ada", true, vec![])]))]),
            answers: vec![],
            status: Status::Partial,
            names: vec!["IAM user ada has a console password"],
            deactivates: vec![],
        },
        Row {
            name: "a key unused for 120 days, not confirmed",
            o: observed(vec![(ME, Ok(vec![user("ci", false, vec![key("AKIAOLD", true, 400, Some(120))])]))]),
            answers: vec![],
            status: Status::Partial,
            names: vec!["AKIAOLD of ci", "120 days ago"],
            deactivates: vec![],
        },
        Row {
            name: "a key unused for 120 days, confirmed",
            o: observed(vec![(ME, Ok(vec![user("ci", false, vec![key("AKIAOLD", true, 400, Some(120))])]))]),
            answers: vec![("iam-users.deactivate.AKIAOLD", "yes")],
            status: Status::Partial,
            names: vec!["AKIAOLD"],
            deactivates: vec!["AKIAOLD"],
        },
        Row {
            name: "a key never used, made 100 days ago; another confirmed elsewhere is not this one",
            o: observed(vec![(ME, Ok(vec![user("bob", false, vec![key("AKIANEVER", true, 100, None)])]))]),
            answers: vec![("iam-users.deactivate.AKIAOTHER", "yes")],
            status: Status::Partial,
            names: vec!["AKIANEVER of bob is active and was never used"],
            deactivates: vec![],
        },
        Row {
            name: "a key used yesterday is a machine's, not offered",
            o: observed(vec![(ME, Ok(vec![user("deploy", false, vec![key("AKIAUSED", true, 400, Some(1))])]))]),
            answers: vec![("iam-users.deactivate.AKIAUSED", "yes")],
            status: Status::Done,
            names: vec!["AKIAUSED of deploy (used 1 days ago by s3)", "OIDC"],
            deactivates: vec![],
        },
        Row {
            name: "a new key never used yet, and an inactive old one",
            o: observed(vec![(
                ME,
                Ok(vec![user(
                    "eve",
                    false,
                    vec![key("AKIANEW", true, 10, None), key("AKIAOFF", false, 900, Some(500))],
                )]),
            )]),
            answers: vec![],
            status: Status::Done,
            names: vec![],
            deactivates: vec![],
        },
        Row {
            name: "a member whose report cannot be read",
            o: observed(vec![(ME, Ok(vec![])), (WORK, Err(denied(WORK)))]),
            answers: vec![],
            status: Status::Unknown,
            names: vec![],
            deactivates: vec![],
        },
    ]
}

#[test]
fn verdicts_and_plans_agree() {
    for row in rows() {
        let findings = judge(&row.o, step());
        let status = combine(findings.iter().map(|f| f.status));
        assert_eq!(status, row.status, "{}: {findings:?}", row.name);
        let text: String = findings.iter().map(|f| f.detail.clone()).collect::<Vec<_>>().join(" | ");
        for word in &row.names {
            assert!(text.contains(word), "{}: {word:?} in {text}", row.name);
        }
        let answers = row.answers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let planned = plan(&row.o, &mut Answers(answers), step());
        if status == Status::Unknown {
            assert!(planned.is_err(), "{}: never planned on what could not be read", row.name);
            continue;
        }
        let planned = planned.expect("plan");
        // The invariant: done exactly when nothing is left to change or to do.
        assert_eq!(status == Status::Done, planned.is_empty(), "{}: {planned:?}", row.name);
        let keys: Vec<String> = planned
            .changes
            .iter()
            .map(|c| match &c.action {
                groundwork::aws::change::Action::DeactivateAccessKey { key, .. } => key.clone(),
                other => panic!("{}: only deactivations, got {other:?}", row.name),
            })
            .collect();
        assert_eq!(keys, row.deactivates, "{}", row.name);
    }
}

/// Each key is its own question, naming the key, asked again on every run (a "no" is never
/// remembered, so the person is asked again next time; a yes holds for its run only).
#[test]
fn each_key_is_its_own_question_and_never_remembered() {
    use groundwork::inputs::{prompt, remembered};
    let input = declared("iam-users.deactivate.AKIAOLD").expect("declared by iam-users.deactivate.*");
    assert!(prompt(input, "iam-users.deactivate.AKIAOLD").contains("AKIAOLD"));
    assert_eq!(input.default.as_deref(), Some("no"), "a yes is never assumed");
    assert!(!remembered("iam-users.deactivate.AKIAOLD"));
    assert!(declared("iam-users.deactivate.").is_none(), "a key must name an item");
    assert!(remembered("contacts.security.email"), "other answers are still remembered");
}
