//! ebs-encryption's rules as pure functions of one observation: the verdict and the plan over
//! hand-built observations (fresh, done, some Regions, a key of the person's, unreadable, run from a
//! member), and for every row the invariant (done means nothing to change; nothing to change or
//! resolve means done). No emulator: runs in milliseconds.

use groundwork::aws::ec2::EbsDefaults;
use groundwork::aws::{AwsError, ErrorKind};
use groundwork::catalog::{self, Step, StepId};
use groundwork::steps::coverage::Seen;
use groundwork::steps::ebs_encryption::{Observed, judge, plan};
use groundwork::verdict::{Status, combine};

const ME: &str = "111111111111";
const AUDIT: &str = "222222222222";
const R1: &str = "us-east-1";
const R2: &str = "eu-west-1";
const ENABLE: &str = "ec2:EnableEbsEncryptionByDefault";
const THEIR_KEY: &str = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn step() -> &'static Step {
    catalog::step(StepId::EbsEncryption)
}

fn ebs(account: &str, region: &str, enabled: bool) -> EbsDefaults {
    EbsDefaults { enabled, key: format!("arn:aws:kms:{region}:{account}:alias/aws/ebs") }
}

fn unread(account: &str) -> Seen<EbsDefaults> {
    Err(AwsError {
        request_id: None,
        kind: ErrorKind::AccessDenied,
        action: "ec2:GetEbsEncryptionByDefault",
        account: account.into(),
        region: Some(R2.into()),
        code: Some("UnauthorizedOperation".into()),
        message: "denied".into(),
    })
}

/// Both accounts, both Regions, on where `on` says (management R1, R2, then Audit R1, R2).
fn observed(on: [bool; 4]) -> Observed {
    Observed {
        me: ME.into(),
        accounts: vec![
            (ME.into(), vec![(R1.into(), Ok(ebs(ME, R1, on[0]))), (R2.into(), Ok(ebs(ME, R2, on[1])))]),
            (AUDIT.into(), vec![(R1.into(), Ok(ebs(AUDIT, R1, on[2]))), (R2.into(), Ok(ebs(AUDIT, R2, on[3])))]),
        ],
        member_only: false,
    }
}

/// Where the plan turns it on, as (account, Region); `None`: no plan, a read failed.
type Expect = Option<Vec<(&'static str, &'static str)>>;

fn rows() -> Vec<(&'static str, Observed, Status, Expect)> {
    let mut theirs = observed([true, true, true, false]);
    theirs.accounts[1].1[1].1 = Ok(EbsDefaults { enabled: false, key: THEIR_KEY.into() });
    let mut unreadable = observed([true, true, true, true]);
    unreadable.accounts[1].1[1].1 = unread(AUDIT);
    let member = Observed {
        me: ME.into(),
        accounts: vec![(ME.into(), vec![(R1.into(), Ok(ebs(ME, R1, true)))])],
        member_only: true,
    };
    vec![
        (
            "fresh: off everywhere",
            observed([false; 4]),
            Status::NotDone,
            Some(vec![(ME, R1), (ME, R2), (AUDIT, R1), (AUDIT, R2)]),
        ),
        ("on everywhere", observed([true; 4]), Status::Done, Some(vec![])),
        ("off in one account's Region", observed([true, true, true, false]), Status::Partial, Some(vec![(AUDIT, R2)])),
        ("a key of the person's is kept", theirs, Status::Partial, Some(vec![(AUDIT, R2)])),
        ("a Region that cannot be read", unreadable, Status::Unknown, None),
        ("run from a member account", member, Status::Unknown, Some(vec![])),
    ]
}

#[test]
fn verdicts_plans_and_the_invariant() {
    for (name, o, want, expect) in rows() {
        let findings = judge(&o, step());
        let verdict = combine(findings.iter().map(|f| f.status));
        assert_eq!(verdict, want, "{name}: {findings:#?}");
        let made = plan(&o, step());
        let Some(changes) = expect else {
            assert!(made.is_err(), "{name}: planned blind: {made:#?}");
            continue;
        };
        let p = made.unwrap_or_else(|e| panic!("{name}: no plan: {e}"));
        let at: Vec<(&str, &str)> = p.changes.iter().map(|c| (c.at.account.as_str(), c.at.region.as_str())).collect();
        assert_eq!(at, changes, "{name}: {p:#?}");
        assert!(p.changes.iter().all(|c| c.action.call() == ENABLE && !c.global), "{name}: {p:#?}");
        if verdict == Status::Done {
            assert!(p.is_empty(), "{name}: done, yet {p:#?}");
        }
        if p.is_empty() {
            assert_eq!(verdict, Status::Done, "{name}: nothing to do, yet {verdict:?}");
        }
    }
}

#[test]
fn the_plan_says_new_volumes_only_which_key_and_what_sharing_means() {
    let mut o = observed([true, true, true, false]);
    o.accounts[1].1[1].1 = Ok(EbsDefaults { enabled: false, key: THEIR_KEY.into() });
    let p = plan(&o, step()).expect("plan");
    let notes = p.notes.join("\n");
    assert!(notes.contains("existing volumes stay as they are"), "{notes}");
    assert!(notes.contains(THEIR_KEY), "the person's key is named, and kept: {notes}");
    assert!(notes.contains("shared"), "{notes}");
    let done = judge(&observed([true; 4]), step());
    assert!(done[0].detail.contains("aws/ebs"), "the key in use is named: {}", done[0].detail);
}
