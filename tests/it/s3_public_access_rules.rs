//! s3-public-access's rules as pure functions of one observation: the verdict and the plan over
//! hand-built observations (fresh, partly on, fully on, a public bucket with and without the
//! person's answer, unreadable), and for every row the invariant (done means nothing to change;
//! nothing to change and no conflict means done). No emulator: runs in milliseconds.

use std::collections::BTreeMap;

use groundwork::aws::change::Action;
use groundwork::aws::s3::Bucket;
use groundwork::aws::{AwsError, ErrorKind};
use groundwork::catalog::{self, Step, StepId};
use groundwork::inputs::{Ask, InputError};
use groundwork::steps::Plan;
use groundwork::steps::s3_public_access::{KEY, Observed, Seen, judge, plan};
use groundwork::verdict::{Status, combine};

const ME: &str = "111111111111";
const AUDIT: &str = "222222222222";
const LOGS: &str = "333333333333";
const ALL: [bool; 4] = [true; 4];
const NONE: [bool; 4] = [false; 4];

fn step() -> &'static Step {
    catalog::step(StepId::S3PublicAccess)
}

struct Answers(BTreeMap<String, String>);

impl Ask for Answers {
    fn get(&mut self, key: &str, default: Option<&str>) -> Result<String, InputError> {
        self.0.get(key).cloned().or(default.map(str::to_owned)).ok_or(InputError::Missing(key.into()))
    }
}

fn answered(value: Option<&str>) -> Answers {
    Answers(value.map(|v| BTreeMap::from([(KEY.to_owned(), v.to_owned())])).unwrap_or_default())
}

fn denied(account: &str) -> AwsError {
    AwsError {
        request_id: None,
        kind: ErrorKind::CannotAssumeRole,
        action: "s3:GetAccountPublicAccessBlock",
        account: account.into(),
        region: Some("us-east-1".into()),
        code: None,
        message: "could not assume a role".into(),
    }
}

fn bucket(name: &str, policy_public: bool, acl: &[&str], block: [bool; 4]) -> Bucket {
    Bucket {
        name: name.into(),
        region: "eu-west-1".into(),
        policy_public,
        acl_grants: acl.iter().map(|g| (*g).to_owned()).collect(),
        block,
    }
}

/// An account as observe leaves it: buckets read only where the block is not fully on.
fn seen(block: [bool; 4], buckets: Vec<Bucket>) -> Seen {
    let buckets = if block == ALL { None } else { Some(Ok(buckets)) };
    Seen { block, buckets }
}

fn observed(accounts: Vec<(&str, Result<Seen, AwsError>)>) -> Observed {
    Observed { region: "us-east-1".into(), accounts: accounts.into_iter().map(|(a, r)| (a.to_owned(), r)).collect() }
}

fn puts(p: &Plan) -> Vec<String> {
    p.changes
        .iter()
        .filter_map(|c| match &c.action {
            Action::PutAccountPublicAccessBlock { account } => {
                assert_eq!(&c.at.account, account, "called in the account it sets");
                Some(account.clone())
            }
            _ => None,
        })
        .collect()
}

/// Done if and only if there is nothing to change and nothing stopped or left by choice.
fn invariant(o: &Observed, answer: Option<&str>) {
    let status = combine(judge(o, step()).iter().map(|f| f.status));
    let Ok(p) = plan(o, &mut answered(answer), step()) else {
        assert_ne!(status, Status::Done, "a plan that cannot be made is never done");
        return;
    };
    let settled = p.changes.is_empty() && p.conflicts.is_empty();
    let kept = answer.is_some_and(|a| a.contains("keep"));
    if status == Status::Done {
        assert!(settled, "done, yet the plan changes something: {p:?}");
    } else if !kept {
        assert!(!settled || status == Status::Unknown, "{status:?} with nothing to change: {p:?}");
    }
}

#[test]
fn fresh_accounts_are_not_done_and_each_gets_one_change_in_itself() {
    let o = observed(vec![(ME, Ok(seen(NONE, vec![]))), (AUDIT, Ok(seen(NONE, vec![])))]);
    let f = judge(&o, step());
    assert!(f.iter().all(|f| f.status == Status::NotDone), "{f:?}");
    let p = plan(&o, &mut answered(None), step()).expect("plan");
    assert_eq!(puts(&p), vec![ME, AUDIT]);
    assert!(p.conflicts.is_empty());
    invariant(&o, None);
}

#[test]
fn all_four_on_everywhere_is_done_with_nothing_to_change() {
    let o = observed(vec![(ME, Ok(seen(ALL, vec![]))), (AUDIT, Ok(seen(ALL, vec![])))]);
    assert!(judge(&o, step()).iter().all(|f| f.status == Status::Done));
    let p = plan(&o, &mut answered(None), step()).expect("plan");
    assert!(p.changes.is_empty() && p.conflicts.is_empty(), "{p:?}");
    invariant(&o, None);
}

#[test]
fn a_partial_setting_is_partial_and_the_plan_keeps_it_on() {
    let o = observed(vec![(ME, Ok(seen([true, false, false, true], vec![])))]);
    let f = judge(&o, step());
    assert_eq!(f[0].status, Status::Partial, "{f:?}");
    assert!(f[0].detail.contains("BlockPublicAcls, RestrictPublicBuckets on"), "{f:?}");
    let p = plan(&o, &mut answered(None), step()).expect("plan");
    assert_eq!(puts(&p), vec![ME]);
    // Every setting is sent as on: what the person had stays on.
    let params = p.changes[0].action.params();
    assert!(params.iter().filter(|(k, _)| *k != "AccountId").all(|(_, v)| v == "true"), "{params:?}");
    assert!(p.notes.iter().any(|n| n.contains("already on; they stay on")), "{:?}", p.notes);
    invariant(&o, None);
}

#[test]
fn a_public_bucket_is_a_conflict_naming_it_and_why_until_the_person_chooses() {
    let public = vec![bucket("site", true, &[], NONE), bucket("shared", false, &["AllUsers READ"], NONE)];
    let o = observed(vec![(ME, Ok(seen(NONE, vec![]))), (AUDIT, Ok(seen(NONE, public)))]);
    let f = judge(&o, step());
    assert!(f[1].detail.contains("site (eu-west-1): its bucket policy is public"), "{f:?}");
    assert!(f[1].detail.contains("shared (eu-west-1): its ACL grants AllUsers READ"), "{f:?}");
    for answer in [None, Some("none"), Some("333333333333=close")] {
        let p = plan(&o, &mut answered(answer), step()).expect("plan");
        assert_eq!(p.conflicts.len(), 1, "{answer:?}: {p:?}");
        assert!(p.conflicts[0].contains(AUDIT) && p.conflicts[0].contains("site"), "{:?}", p.conflicts);
        assert_eq!(p.conflicting_answers, vec![KEY.to_owned()]);
        assert!(!puts(&p).contains(&AUDIT.to_owned()), "no change in that account without the answer");
        invariant(&o, answer);
    }
    let close = plan(&o, &mut answered(Some("222222222222=close")), step()).expect("plan");
    assert!(close.conflicts.is_empty(), "{close:?}");
    assert_eq!(puts(&close), vec![ME, AUDIT]);
    assert!(close.notes.iter().any(|n| n.contains("stop being public") && n.contains("site")), "{:?}", close.notes);
    let keep = plan(&o, &mut answered(Some("222222222222=keep")), step()).expect("plan");
    assert!(keep.conflicts.is_empty(), "{keep:?}");
    assert_eq!(puts(&keep), vec![ME], "keep leaves the account as it is");
    invariant(&o, Some("222222222222=keep"));
}

#[test]
fn what_already_neutralises_a_public_grant_is_no_conflict() {
    // The bucket's own RestrictPublicBuckets and the account's IgnorePublicAcls already hold.
    let quiet = vec![bucket("site", true, &["AllUsers READ"], [false, false, false, true])];
    let o = observed(vec![(LOGS, Ok(seen([false, true, false, false], quiet)))]);
    let p = plan(&o, &mut answered(None), step()).expect("plan");
    assert!(p.conflicts.is_empty(), "{p:?}");
    assert_eq!(puts(&p), vec![LOGS]);
    invariant(&o, None);
}

#[test]
fn an_unreadable_account_is_unknown_and_stops_the_plan() {
    let o = observed(vec![(ME, Ok(seen(ALL, vec![]))), (AUDIT, Err(denied(AUDIT)))]);
    let f = judge(&o, step());
    assert_eq!(f[1].status, Status::Unknown, "{f:?}");
    assert_eq!(combine(f.iter().map(|f| f.status)), Status::Unknown);
    assert!(plan(&o, &mut answered(None), step()).is_err());
    // Unreadable buckets: the account is not done, and nothing is planned for it.
    let o = observed(vec![(LOGS, Ok(Seen { block: NONE, buckets: Some(Err(denied(LOGS))) }))]);
    let f = judge(&o, step());
    assert_eq!(f[0].status, Status::NotDone);
    assert!(f[0].detail.contains("could not be read"), "{f:?}");
    assert!(plan(&o, &mut answered(None), step()).is_err());
    invariant(&o, None);
}
