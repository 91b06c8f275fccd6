//! security-hub's rules as pure functions of one observation: the verdict and the plan over
//! hand-built observations (fresh, partial, conflicts, brownfield, FSBP not ready, unreadable), and
//! for every row the invariant (done means nothing to change; nothing to change, do by hand or
//! resolve means done). No emulator: runs in milliseconds.

use groundwork::aws::config_service::{Channel, Recorder, Recording, Records};
use groundwork::aws::guardduty::Admin;
use groundwork::aws::securityhub::{Member, OrgConfig, Standard, fsbp_arn};
use groundwork::aws::{AwsError, ErrorKind};
use groundwork::catalog::{self, Step, StepId};
use groundwork::plans::Plan;
use groundwork::steps::coverage::{Account, Alone};
use groundwork::steps::security_hub::{Hub, Observed, Region, Scope, judge, plan};
use groundwork::verdict::{Status, combine};

const ME: &str = "111111111111";
const AUDIT: &str = "222222222222";
const WORK: &str = "333333333333";
const OTHER: &str = "444444444444";
const R1: &str = "us-east-1";
const R2: &str = "eu-west-1";
const CIS: &str = "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/1.4.0";

fn step() -> &'static Step {
    catalog::step(StepId::SecurityHub)
}

fn failed(action: &'static str, account: &str, region: &str) -> AwsError {
    AwsError {
        request_id: None,
        kind: ErrorKind::Other,
        action,
        account: account.into(),
        region: Some(region.into()),
        code: Some("InternalServerError".into()),
        message: "boom".into(),
    }
}

fn admin(account: &str) -> Admin {
    Admin { account: account.into(), status: "ENABLED".into() }
}

/// FSBP in the given status.
fn fsbp(region: &str, status: &str, reason: Option<&str>) -> Standard {
    Standard { arn: fsbp_arn(region), status: status.into(), reason: reason.map(str::to_owned) }
}

/// The standards of a hub that runs FSBP `READY` and nothing else.
fn ready(region: &str) -> Vec<Standard> {
    vec![fsbp(region, "READY", None)]
}

/// Another standard (CIS), running.
fn cis() -> Standard {
    Standard { arn: CIS.into(), status: "READY".into(), reason: None }
}

fn local(auto_enable: bool) -> OrgConfig {
    OrgConfig {
        auto_enable,
        auto_enable_standards: Some("NONE".into()),
        configuration_type: Some("LOCAL".into()),
        status: None,
    }
}

/// AWS Config with a recorder of every supported type, recording, and a channel to the landing
/// zone's Config bucket (as Control Tower sets it up).
fn records() -> Recording {
    Recording {
        recorders: vec![Recorder {
            name: "aws-controltower-BaselineConfigRecorder".into(),
            service: None,
            records: Records::All,
            recording: true,
        }],
        channels: vec![Channel {
            name: "aws-controltower-BaselineConfigDeliveryChannel".into(),
            bucket: Some("aws-controltower-logs-555555555555-us-east-1".into()),
            prefix: Some("o-example".into()),
            kms_key: None,
        }],
    }
}

/// No AWS Config at all.
fn no_config() -> Recording {
    Recording::default()
}

/// `records`, with the recorder changed by `f`.
fn recorder(f: impl Fn(&mut Recorder)) -> Recording {
    let mut r = records();
    f(&mut r.recorders[0]);
    r
}

/// The Region with one account's Config as given.
fn with_config(mut region: Region, account: &str, config: Result<Recording, AwsError>) -> Region {
    for (a, c) in &mut region.recording {
        if a == account {
            c.clone_from(&config);
        }
    }
    region
}

fn member(account: &str, status: &str) -> Member {
    Member { account: account.into(), status: status.into() }
}

/// Nothing in the Region: no administrator, no hub anywhere.
fn fresh(region: &str) -> Region {
    Region {
        region: region.into(),
        admins: Ok(vec![]),
        hub: Ok(None),
        config: None,
        members: None,
        hubs: vec![(ME.into(), Ok(None)), (WORK.into(), Ok(None))],
        // Control Tower records in Audit and the workload account; nothing in the management account.
        recording: vec![(ME.into(), Ok(no_config())), (AUDIT.into(), Ok(records())), (WORK.into(), Ok(records()))],
    }
}

/// Everything in place in the Region.
fn covered(region: &str) -> Region {
    Region {
        region: region.into(),
        admins: Ok(vec![admin(AUDIT)]),
        hub: Ok(Some(ready(region))),
        config: Some(Ok(local(true))),
        members: Some(Ok(vec![member(ME, "Enabled"), member(WORK, "Enabled")])),
        hubs: vec![(ME.into(), Ok(Some(ready(region)))), (WORK.into(), Ok(Some(ready(region))))],
        recording: vec![(ME.into(), Ok(records())), (AUDIT.into(), Ok(records())), (WORK.into(), Ok(records()))],
    }
}

/// `covered`, with the workload account's own hub and membership as given.
fn work(region: &str, hub: Result<Hub, AwsError>, membership: Option<&str>) -> Region {
    let mut members = vec![member(ME, "Enabled")];
    members.extend(membership.map(|s| member(WORK, s)));
    Region {
        members: Some(Ok(members)),
        hubs: vec![(ME.into(), Ok(Some(ready(region)))), (WORK.into(), hub)],
        ..covered(region)
    }
}

fn org(regions: Vec<Region>) -> Observed {
    let account = |id: &str| Account { id: id.into(), email: format!("{id}@example.com") };
    Observed {
        me: ME.into(),
        scope: Scope::Org {
            audit: AUDIT.into(),
            accounts: vec![account(ME), account(AUDIT), account(WORK)],
            regions,
            home: R1.into(),
        },
        config_role: Some(Ok(false)),
    }
}

fn alone(why: Alone, own: Vec<(&str, Result<bool, AwsError>)>) -> Observed {
    let own = own.into_iter().map(|(r, h)| (r.into(), h)).collect();
    Observed { me: ME.into(), scope: Scope::Alone { why, own }, config_role: None }
}

/// What a row expects of the plan.
enum Expect {
    /// These calls in order, conflicts naming each of these strings, and whether a person must act.
    Plan { calls: Vec<&'static str>, named: Vec<String>, manual: bool },
    /// The plan stops: a read it needs failed.
    ReadFailed,
}

fn calls(calls: &[&'static str]) -> Expect {
    Expect::Plan { calls: calls.to_vec(), named: vec![], manual: false }
}

fn conflicts(calls: &[&'static str], named: &[&str]) -> Expect {
    Expect::Plan { calls: calls.to_vec(), named: named.iter().map(|s| (*s).to_owned()).collect(), manual: false }
}

fn by_hand() -> Expect {
    Expect::Plan { calls: vec![], named: vec![], manual: true }
}

/// FSBP already being enabled: the plan waits for it (never enables it again) and says so.
fn waits() -> Expect {
    Expect::Plan { calls: vec!["securityhub:GetEnabledStandards"], named: vec![], manual: true }
}

const HUB: &str = "securityhub:EnableSecurityHub";
const FSBP: &str = "securityhub:BatchEnableStandards";
const ADMIN: &str = "securityhub:EnableOrganizationAdminAccount";
const AUTO: &str = "securityhub:UpdateOrganizationConfiguration";
const MEMBER: &str = "securityhub:CreateMembers";
const ROLE: &str = "iam:CreateServiceLinkedRole";
const RECORDER: &str = "config:PutConfigurationRecorder";
const CHANNEL: &str = "config:PutDeliveryChannel";
const START: &str = "config:StartConfigurationRecorder";
/// The management account's Config in one Region, the role made with the first.
const CONFIG: [&str; 3] = [RECORDER, CHANNEL, START];
const CONFIG_FIRST: [&str; 4] = [ROLE, RECORDER, CHANNEL, START];

type Row = (&'static str, Observed, Status, Expect);

fn rows() -> Vec<Row> {
    set_up().into_iter().chain(trouble()).collect()
}

/// Fresh, partial, done and brownfield: what the plan changes.
fn set_up() -> Vec<Row> {
    let whole = [HUB, FSBP, ADMIN, AUTO, HUB, FSBP, MEMBER, HUB, FSBP, MEMBER];
    let first = [&[ROLE][..], &CONFIG, &whole].concat();
    vec![
        (
            "fresh, two Regions",
            org(vec![fresh(R1), fresh(R2)]),
            Status::NotDone,
            calls(&[&first[..], &CONFIG, &whole].concat()),
        ),
        ("done in both Regions", org(vec![covered(R1), covered(R2)]), Status::Done, calls(&[])),
        ("partial: one Region of two", org(vec![covered(R1), fresh(R2)]), Status::Partial, calls(&first)),
        (
            "partial: new accounts get no hub automatically",
            org(vec![Region { config: Some(Ok(local(false))), ..covered(R1) }]),
            Status::Partial,
            calls(&[AUTO]),
        ),
        (
            "partial: an account that joined later has a hub without FSBP",
            org(vec![work(R1, Ok(Some(vec![])), Some("Enabled"))]),
            Status::Partial,
            calls(&[FSBP]),
        ),
        (
            "partial: the workload account's hub runs FSBP but it is not a member",
            org(vec![work(R1, Ok(Some(ready(R1))), None)]),
            Status::Partial,
            calls(&[MEMBER]),
        ),
        (
            "partial: a removed member is added back",
            org(vec![work(R1, Ok(Some(ready(R1))), Some("Removed"))]),
            Status::Partial,
            calls(&[MEMBER]),
        ),
        (
            "done: AWS writes the member status in capitals",
            org(vec![work(R1, Ok(Some(ready(R1))), Some("ENABLED"))]),
            Status::Done,
            calls(&[]),
        ),
        (
            "brownfield: the management account's own hub, nothing delegated",
            org(vec![Region { hubs: vec![(ME.into(), Ok(Some(ready(R1)))), (WORK.into(), Ok(None))], ..fresh(R1) }]),
            Status::Partial,
            calls(&[ROLE, RECORDER, CHANNEL, START, HUB, FSBP, ADMIN, AUTO, MEMBER, HUB, FSBP, MEMBER]),
        ),
        (
            "brownfield: a standalone hub, no organization",
            alone(Alone::NoOrganization, vec![(R1, Ok(true)), (R2, Ok(false))]),
            Status::Partial,
            conflicts(&[], &["organization"]),
        ),
        (
            "fresh, no organization",
            alone(Alone::NoOrganization, vec![(R1, Ok(false))]),
            Status::NotDone,
            conflicts(&[], &["organization"]),
        ),
        ("no Audit account", alone(Alone::NoAudit, vec![(R1, Ok(false))]), Status::NotDone, conflicts(&[], &["Audit"])),
        (
            "consolidated billing only: nothing AWS would refuse is planned",
            alone(Alone::NotAllFeatures, vec![(R1, Ok(false))]),
            Status::NotDone,
            conflicts(&[], &["all features"]),
        ),
        (
            "consolidated billing only, a hub already runs here",
            alone(Alone::NotAllFeatures, vec![(R1, Ok(true))]),
            Status::Partial,
            conflicts(&[], &["all features"]),
        ),
    ]
    .into_iter()
    .chain(config())
    .collect()
}

/// AWS Config under FSBP: the management account's recorder is groundwork's to make or start;
/// every other account's comes from Control Tower.
fn config() -> Vec<Row> {
    let stopped = recorder(|r| r.recording = false);
    let mut channel_only = no_config();
    channel_only.channels = records().channels;
    vec![
        (
            "the management account's recorder is stopped in one Region",
            org(vec![covered(R1), with_config(covered(R2), ME, Ok(stopped.clone()))]),
            Status::Partial,
            calls(&[START]),
        ),
        (
            "the management account's own channel is used, never replaced",
            org(vec![with_config(covered(R1), ME, Ok(channel_only))]),
            Status::Partial,
            calls(&[ROLE, RECORDER, START]),
        ),
        (
            "no Config bucket to deliver to: Audit has no channel",
            org(vec![with_config(with_config(covered(R1), ME, Ok(no_config())), AUDIT, Ok(no_config()))]),
            Status::Partial,
            by_hand(),
        ),
        (
            "the management account's recorder leaves types out",
            org(vec![with_config(
                covered(R1),
                ME,
                Ok(recorder(|r| r.records = Records::Only(vec!["AWS::S3::Bucket".into()]))),
            )]),
            Status::Partial,
            conflicts(&[], &[ME, "aws-controltower-BaselineConfigRecorder"]),
        ),
        (
            "an exclusion list is named, not done",
            org(vec![with_config(
                covered(R1),
                ME,
                Ok(recorder(|r| r.records = Records::AllBut(vec!["AWS::EC2::Instance".into()]))),
            )]),
            Status::Partial,
            conflicts(&[], &[ME]),
        ),
        (
            "an empty exclusion list records everything",
            org(vec![with_config(covered(R1), ME, Ok(recorder(|r| r.records = Records::AllBut(vec![]))))]),
            Status::Done,
            calls(&[]),
        ),
        (
            "only a service-linked recorder of another service",
            org(vec![with_config(
                covered(R1),
                ME,
                Ok(recorder(|r| r.service = Some("config-conforms.amazonaws.com".into()))),
            )]),
            Status::Partial,
            calls(&[ROLE, RECORDER, START]),
        ),
        (
            "a workload account without Config waits for Control Tower",
            org(vec![with_config(covered(R1), WORK, Ok(no_config()))]),
            Status::Partial,
            by_hand(),
        ),
        (
            "Audit's recorder stopped: Control Tower's, not groundwork's to start",
            org(vec![with_config(covered(R1), AUDIT, Ok(stopped))]),
            Status::Partial,
            by_hand(),
        ),
        (
            "unreadable: the workload account's Config",
            org(vec![with_config(covered(R1), WORK, denied("config:DescribeConfigurationRecorders", WORK))]),
            Status::Unknown,
            Expect::ReadFailed,
        ),
        (
            "unreadable: the management account's Config",
            org(vec![with_config(covered(R1), ME, denied("config:DescribeConfigurationRecorders", ME))]),
            Status::Unknown,
            Expect::ReadFailed,
        ),
        (
            "FSBP INCOMPLETE in the management account only for want of the recorder this plan makes",
            org(vec![Region {
                hubs: vec![
                    (ME.into(), Ok(Some(vec![fsbp(R1, "INCOMPLETE", Some("NO_AVAILABLE_CONFIGURATION_RECORDER"))]))),
                    (WORK.into(), Ok(Some(ready(R1)))),
                ],
                ..with_config(covered(R1), ME, Ok(no_config()))
            }]),
            Status::Partial,
            calls(&[ROLE, RECORDER, CHANNEL, START]),
        ),
    ]
}

/// FSBP not ready, conflicts and unreadable parts: what stops the plan or is left to a person.
fn trouble() -> Vec<Row> {
    vec![
        (
            "FSBP still being enabled in the workload account",
            org(vec![work(R1, Ok(Some(vec![fsbp(R1, "PENDING", None)])), Some("Enabled"))]),
            Status::Partial,
            waits(),
        ),
        (
            "FSBP incomplete in Audit: AWS Config is not recording",
            org(vec![Region {
                hub: Ok(Some(vec![fsbp(R1, "INCOMPLETE", Some("NO_AVAILABLE_CONFIGURATION_RECORDER"))])),
                ..with_config(covered(R1), AUDIT, Ok(no_config()))
            }]),
            Status::Partial,
            by_hand(),
        ),
        (
            "conflict: another account is the delegated administrator",
            org(vec![Region { admins: Ok(vec![admin(OTHER)]), ..fresh(R1) }, covered(R2)]),
            Status::Partial,
            // The management account's Config is independent of who administers Security Hub.
            conflicts(&CONFIG_FIRST, &[OTHER, R1]),
        ),
        (
            "conflict: the workload account's hub runs other standards",
            org(vec![work(R1, Ok(Some(vec![cis()])), None)]),
            Status::Partial,
            conflicts(&[], &[WORK, CIS]),
        ),
        (
            "conflict: Audit's hub runs other standards",
            org(vec![Region { hub: Ok(Some(vec![cis()])), config: None, members: None, ..fresh(R1) }]),
            Status::Partial,
            conflicts(&CONFIG_FIRST, &[AUDIT, CIS]),
        ),
        (
            "conflict: central configuration",
            org(vec![Region {
                config: Some(Ok(OrgConfig { configuration_type: Some("CENTRAL".into()), ..local(false) })),
                ..covered(R1)
            }]),
            Status::Unknown,
            conflicts(&[], &["central configuration"]),
        ),
        (
            "conflict: an invitation someone else sent",
            org(vec![work(R1, Ok(Some(ready(R1))), Some("Invited"))]),
            Status::Partial,
            conflicts(&[], &[WORK, "status Invited"]),
        ),
        (
            "unreadable: the workload account's hub",
            org(vec![work(R1, denied("securityhub:GetEnabledStandards", WORK), Some("Enabled"))]),
            Status::Unknown,
            Expect::ReadFailed,
        ),
        (
            "unreadable: Audit's member list",
            org(vec![Region { members: Some(denied("securityhub:ListMembers", AUDIT)), ..covered(R1) }]),
            Status::Unknown,
            Expect::ReadFailed,
        ),
        (
            "unreadable: every call fails",
            org(vec![Region {
                region: R1.into(),
                admins: denied("securityhub:ListOrganizationAdminAccounts", ME),
                hub: denied("securityhub:GetEnabledStandards", AUDIT),
                config: None,
                members: None,
                hubs: vec![
                    (ME.into(), denied("securityhub:GetEnabledStandards", ME)),
                    (WORK.into(), denied("securityhub:GetEnabledStandards", WORK)),
                ],
                recording: vec![
                    (ME.into(), denied("config:DescribeConfigurationRecorders", ME)),
                    (AUDIT.into(), denied("config:DescribeConfigurationRecorders", AUDIT)),
                    (WORK.into(), denied("config:DescribeConfigurationRecorders", WORK)),
                ],
            }]),
            Status::Unknown,
            Expect::ReadFailed,
        ),
    ]
}

fn denied<T>(action: &'static str, account: &str) -> Result<T, AwsError> {
    Err(failed(action, account, R1))
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
            (Expect::Plan { calls, named, manual }, Ok(p)) => {
                assert_eq!(planned_calls(&p), calls, "{name}: {p:#?}");
                assert_eq!(p.conflicts.is_empty(), named.is_empty(), "{name}: {:#?}", p.conflicts);
                for needle in &named {
                    assert!(p.conflicts.iter().any(|c| c.contains(needle.as_str())), "{name}: {needle}: {p:#?}");
                }
                assert_eq!(p.manual, manual, "{name}: {p:#?}");
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
fn each_hub_is_turned_on_in_its_own_account_before_it_becomes_a_member() {
    let p = plan(&org(vec![fresh(R1)]), step()).expect("plan");
    let at: Vec<(&str, &str)> = p.changes.iter().map(|c| (c.action.call(), c.at.account.as_str())).collect();
    assert_eq!(
        at,
        [
            (ROLE, ME),
            (RECORDER, ME),
            (CHANNEL, ME),
            (START, ME),
            (HUB, AUDIT),
            (FSBP, AUDIT),
            (ADMIN, ME),
            (AUTO, AUDIT),
            (HUB, ME),
            (FSBP, ME),
            (MEMBER, AUDIT),
            (HUB, WORK),
            (FSBP, WORK),
            (MEMBER, AUDIT)
        ]
    );
}

#[test]
fn fsbp_that_aws_has_not_made_ready_is_named_with_its_reason() {
    let o = org(vec![Region {
        hub: Ok(Some(vec![fsbp(R1, "INCOMPLETE", Some("NO_AVAILABLE_CONFIGURATION_RECORDER"))])),
        ..covered(R1)
    }]);
    let p = plan(&o, step()).expect("plan");
    assert!(p.notes.iter().any(|n| n.contains("NO_AVAILABLE_CONFIGURATION_RECORDER") && n.contains(AUDIT)), "{p:#?}");
    let findings = judge(&o, step());
    let audit = findings.iter().find(|f| f.account == AUDIT && f.region.is_none()).expect("Audit's finding");
    assert_eq!(audit.status, Status::Partial, "{audit:?}");
    assert!(audit.detail.contains("NO_AVAILABLE_CONFIGURATION_RECORDER"), "{audit:?}");
}
