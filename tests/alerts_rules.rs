//! alerts' rules as pure functions of one observation: the verdict and the plan over hand-built
//! observations (fresh, the chosen severity, topic policy and encryption, the subscription,
//! forwarding Regions, same-name conflicts, brownfield, unreadable parts), and the invariant for
//! every row: done means nothing to change, and a plan with no change, no conflict and nothing for
//! a person to do means done. EventBridge's answers come from a small matcher over the sample
//! events, as `observe` would have recorded them. No emulator: runs in milliseconds.

use std::collections::BTreeMap;

use groundwork::aws::eventbridge::{Rule, Target};
use groundwork::aws::iam::RoleDocs;
use groundwork::aws::sns::{Subscription, TopicAccess};
use groundwork::aws::{AwsError, ErrorKind};
use groundwork::catalog::{self, Step, StepId};
use groundwork::inputs::{Ask, InputError};
use groundwork::plans::{Plan, PlanError};
use groundwork::steps::alerts::{Answers, Observed, RULE, RuleSeen, TOPIC, Topic, judge, plan, samples};
use groundwork::verdict::{Finding, Status, combine};
use serde_json::{Value, json};

const AUDIT: &str = "222222222222";
const MEMBER: &str = "111111111111";
const HOME: &str = "us-east-1";
const OTHER: &str = "eu-west-1";

fn step() -> &'static Step {
    catalog::step(StepId::Alerts)
}

/// GuardDuty findings at or above `min`, as groundwork builds its rule.
fn at_least(min: f64) -> Value {
    json!({"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
           "detail": {"severity": [{"numeric": [">=", min]}]}})
}

/// A small model of EventBridge's matching, enough for the patterns these tests use.
fn matches(pattern: &Value, event: &Value) -> bool {
    let listed = |key: &str| pattern.get(key).and_then(Value::as_array).is_none_or(|l| l.contains(&event[key]));
    if !["source", "detail-type", "account", "region"].into_iter().all(listed) {
        return false;
    }
    let detail = &pattern["detail"];
    if let Some(ids) = detail.get("accountId").and_then(Value::as_array)
        && !ids.contains(&event["detail"]["accountId"])
    {
        return false;
    }
    match detail.pointer("/severity/0/numeric/1").and_then(Value::as_f64) {
        Some(min) => event["detail"]["severity"].as_f64().is_some_and(|s| s >= min),
        None => true,
    }
}

fn rule(region: &str, name: &str, pattern: &Value, enabled: bool, targets: &[Target]) -> RuleSeen {
    RuleSeen {
        rule: Rule {
            name: name.into(),
            arn: format!("arn:aws:events:{region}:{AUDIT}:rule/{name}"),
            enabled,
            pattern: Some(pattern.to_string()),
        },
        targets: Some(Ok(targets.to_vec())),
    }
}

fn to(arn: &str) -> Target {
    Target { id: "t".into(), arn: arn.into(), role: None }
}

fn topic_arn(region: &str, name: &str) -> String {
    format!("arn:aws:sns:{region}:{AUDIT}:{name}")
}

fn ours() -> String {
    topic_arn(HOME, TOPIC)
}

fn bus() -> String {
    format!("arn:aws:events:{HOME}:{AUDIT}:event-bus/default")
}

fn role_arn() -> String {
    format!("arn:aws:iam::{AUDIT}:role/groundwork-alerts-forwarding")
}

/// A topic whose policy lets EventBridge publish (no condition), with these email subscriptions.
fn topic(arn: &str, emails: &[(&str, bool)]) -> Topic {
    let policy = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                       "Action": "sns:Publish", "Resource": arn}]});
    Topic {
        access: TopicAccess { policy: Some(policy.to_string()), kms_key: None },
        subscriptions: emails
            .iter()
            .map(|(e, confirmed)| Subscription {
                protocol: "email".into(),
                endpoint: (*e).into(),
                confirmed: *confirmed,
            })
            .collect(),
    }
}

fn error(code: &str, kind: ErrorKind, action: &'static str) -> AwsError {
    AwsError {
        kind,
        action,
        account: AUDIT.into(),
        region: Some(HOME.into()),
        code: Some(code.into()),
        message: "from the table".into(),
    }
}

fn not_found() -> AwsError {
    error("NotFound", ErrorKind::Other, "sns:GetTopicAttributes")
}

fn denied(action: &'static str) -> AwsError {
    error("AccessDenied", ErrorKind::AccessDenied, action)
}

fn trusted_role() -> RoleDocs {
    let trust = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                      "Action": "sts:AssumeRole"}]});
    let put = json!({"Statement": [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": bus()}]});
    RoleDocs { trust: trust.to_string(), inline: vec![put.to_string()] }
}

/// An observation in `regions` (the first is home) with these rules and topics; groundwork's topic
/// absent unless given, EventBridge's answers recorded for findings at or above `min`.
fn world(regions: &[&str], rules: Vec<(&str, Vec<RuleSeen>)>, topics: Vec<(String, Topic)>, min: f64) -> Observed {
    let mut o = Observed {
        account: AUDIT.into(),
        home: regions[0].into(),
        governed: regions.iter().map(|r| (*r).to_owned()).collect(),
        about: vec![MEMBER.into(), AUDIT.into()],
        ..Observed::default()
    };
    for r in regions {
        o.rules.insert((*r).to_owned(), Ok(Vec::new()));
    }
    for (region, list) in rules {
        o.rules.insert(region.into(), Ok(list));
    }
    o.topics.insert(ours(), Err(not_found()));
    o.topics.extend(topics.into_iter().map(|(arn, t)| (arn, Ok(t))));
    if regions.len() > 1 {
        o.roles.insert(role_arn(), Ok(None));
    }
    answer_all(&mut o, min);
    o
}

/// Records EventBridge's answer for every pattern and every sample finding from every Region.
fn answer_all(o: &mut Observed, min: f64) {
    let patterns: Vec<String> = o.rules.values().flatten().flatten().filter_map(|r| r.rule.pattern.clone()).collect();
    for origin in o.rules.keys().cloned().collect::<Vec<_>>() {
        for s in samples(&o.account, &origin, &o.about, min) {
            let event: Value = serde_json::from_str(&s.event).expect("event");
            for p in &patterns {
                let pattern: Value = serde_json::from_str(p).expect("pattern");
                o.matches.entry(p.clone()).or_default().insert(s.event.clone(), Ok(matches(&pattern, &event)));
            }
        }
    }
}

/// groundwork's complete home path: its topic with a confirmed email, its rule for `min`.
fn complete(min: f64) -> Observed {
    world(
        &[HOME],
        vec![(HOME, vec![rule(HOME, RULE, &at_least(min), true, &[to(&ours())])])],
        vec![(ours(), topic(&ours(), &[("alerts@example.com", true)]))],
        min,
    )
}

struct Asked(BTreeMap<&'static str, &'static str>);

impl Ask for Asked {
    fn get(&mut self, key: &str, default: Option<&str>) -> Result<String, InputError> {
        self.0.get(key).map(|v| (*v).to_owned()).or(default.map(str::to_owned)).ok_or(InputError::Missing(key.into()))
    }
}

fn answers(min: &'static str, resend: &'static str) -> (Answers, Asked) {
    let asked = Asked(BTreeMap::from([
        ("alerts.email", "alerts@example.com"),
        ("alerts.min-severity", min),
        ("alerts.resend-confirmation", resend),
    ]));
    (Answers { min_severity: min.into() }, asked)
}

/// What a row expects of the plan: its AWS calls, words in a conflict, whether a person must act;
/// or that it cannot be made (a part it needs could not be read).
enum Want {
    Plan(&'static [&'static str], Option<&'static str>, bool),
    Fails,
}

fn calls(p: &Plan) -> Vec<&'static str> {
    p.changes.iter().map(|c| c.action.call()).collect()
}

/// Checks one row: the verdict and its words, the plan, and the invariant.
fn row(name: &str, o: &Observed, min: &'static str, resend: &'static str, want: Status, words: &str, plan_want: Want) {
    let (a, mut ask) = answers(min, resend);
    let findings = judge(o, &a, step());
    let verdict = combine(findings.iter().map(|f| f.status));
    assert_eq!(verdict, want, "{name}: {findings:#?}");
    assert!(findings.iter().any(|f| f.detail.contains(words)), "{name}: {words:?} in {findings:#?}");
    let made = plan(o, &a, &mut ask, step());
    invariant(name, verdict, &findings, &made);
    match (plan_want, made) {
        (Want::Plan(want_calls, conflict, manual), Ok(p)) => {
            assert_eq!(calls(&p), want_calls, "{name}: {p:#?}");
            match conflict {
                Some(w) => assert!(p.conflicts.iter().any(|c| c.contains(w)), "{name}: {w:?} in {p:#?}"),
                None => assert!(p.conflicts.is_empty(), "{name}: {p:#?}"),
            }
            assert_eq!(p.manual, manual, "{name}: {p:#?}");
        }
        (Want::Fails, Err(_)) => {}
        (Want::Plan(..), Err(e)) => panic!("{name}: the plan failed: {e}"),
        (Want::Fails, Ok(p)) => panic!("{name}: a plan from an unreadable observation: {p:#?}"),
    }
}

/// Done means nothing to change; a plan with no change, no conflict and nothing for a person to do
/// means done; a part that could not be read is never done.
fn invariant(name: &str, verdict: Status, findings: &[Finding], made: &Result<Plan, PlanError>) {
    match made {
        Ok(p) => {
            if verdict == Status::Done {
                assert!(p.changes.is_empty() && !p.manual && p.conflicts.is_empty(), "{name}: done, yet {p:#?}");
            }
            if p.is_empty() {
                assert_eq!(verdict, Status::Done, "{name}: nothing to do, yet {findings:#?}");
            }
        }
        Err(_) => assert_ne!(verdict, Status::Done, "{name}: done, yet the plan could not be made"),
    }
}

const FRESH_HOME: &[&str] = &["sns:CreateTopic", "sns:Subscribe", "events:PutRule", "events:PutTargets"];

#[test]
fn fresh_and_the_chosen_severity() {
    let fresh = world(&[HOME], vec![], vec![], 7.0);
    row("fresh", &fresh, "7", "no", Status::NotDone, "No enabled EventBridge rule", Want::Plan(FRESH_HOME, None, true));
    row(
        "complete at 7",
        &complete(7.0),
        "7",
        "no",
        Status::Done,
        "emailed to alerts@example.com",
        Want::Plan(&[], None, false),
    );
    // The issue-8 bug: a rule groundwork built for 8 is judged with 8, and is done.
    row(
        "built for 8, judged at 8",
        &complete(8.0),
        "8",
        "no",
        Status::Done,
        "alerts@example.com",
        Want::Plan(&[], None, false),
    );
    // The same rule judged with 7 misses 7.0 findings; groundwork will not rewrite its own rule.
    let mut o = complete(8.0);
    o.matches.clear();
    answer_all(&mut o, 7.0);
    row(
        "built for 8, judged at 7",
        &o,
        "7",
        "no",
        Status::Partial,
        "severity 7.0",
        Want::Plan(&[], Some("already exists"), false),
    );
    // Below the chosen severity: done, and it says it also emails lower findings.
    let mut lower = complete(7.0);
    lower.matches.clear();
    answer_all(&mut lower, 8.0);
    row("rule at 7, chosen 8", &lower, "8", "no", Status::Done, "below severity 8.0", Want::Plan(&[], None, false));
    // Judged with another severity than the one observed: unknown, never done.
    row(
        "observed at 7, judged at 9",
        &complete(7.0),
        "9",
        "no",
        Status::Unknown,
        "did not read",
        Want::Plan(&[], Some("already exists"), false),
    );
}

/// groundwork's rule and topic in home, the topic changed by `f`.
fn with_topic(f: impl FnOnce(&mut Topic)) -> Observed {
    let mut o = complete(7.0);
    if let Some(Ok(t)) = o.topics.get_mut(&ours()) {
        f(t);
    }
    o
}

#[test]
fn the_topic_policy_and_encryption() {
    let deny = json!({"Statement": [
        {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": ours()},
        {"Sid": "NoPublish", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": ours()}]});
    let o = with_topic(|t| t.access.policy = Some(deny.to_string()));
    row(
        "policy denies",
        &o,
        "7",
        "no",
        Status::Partial,
        "denies it (NoPublish)",
        Want::Plan(&[], Some("does not let EventBridge"), false),
    );
    let other_rule = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish", "Resource": ours(),
        "Condition": {"ArnEquals": {"aws:SourceArn": format!("arn:aws:events:{HOME}:{AUDIT}:rule/other")}}}]});
    let o = with_topic(|t| t.access.policy = Some(other_rule.to_string()));
    row(
        "policy allows another rule",
        &o,
        "7",
        "no",
        Status::Partial,
        "does not let EventBridge publish",
        Want::Plan(&[], Some("will not rewrite"), false),
    );
    let o = with_topic(|t| t.access.policy = None);
    row(
        "no policy",
        &o,
        "7",
        "no",
        Status::Partial,
        "does not let EventBridge publish",
        Want::Plan(&[], Some("will not rewrite"), false),
    );
    let o = with_topic(|t| t.access.kms_key = Some("alias/aws/sns".into()));
    row(
        "AWS managed key",
        &o,
        "7",
        "no",
        Status::Partial,
        "alias/aws/sns",
        Want::Plan(&[], Some("encrypted with a KMS key"), false),
    );
    let cmk = format!("arn:aws:kms:{HOME}:{AUDIT}:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    let o = with_topic(|t| t.access.kms_key = Some(cmk));
    row(
        "customer managed key",
        &o,
        "7",
        "no",
        Status::Unknown,
        "key policies",
        Want::Plan(&[], Some("encrypted with a KMS key"), false),
    );
}

#[test]
fn the_subscription() {
    let o = with_topic(|t| t.subscriptions[0].confirmed = false);
    row(
        "pending: the person confirms",
        &o,
        "7",
        "no",
        Status::Partial,
        "has not confirmed",
        Want::Plan(&[], None, true),
    );
    row(
        "pending, re-sent",
        &o,
        "7",
        "yes",
        Status::Partial,
        "has not confirmed",
        Want::Plan(&["sns:Subscribe"], None, true),
    );
    let o = with_topic(|t| t.subscriptions.clear());
    row(
        "no email",
        &o,
        "7",
        "no",
        Status::Partial,
        "no email subscription",
        Want::Plan(&["sns:Subscribe"], None, true),
    );
    let o = with_topic(|t| t.subscriptions[0].endpoint = "someone-else@example.com".into());
    row(
        "another address confirmed",
        &o,
        "7",
        "no",
        Status::Done,
        "someone-else@example.com",
        Want::Plan(&[], None, false),
    );
}

/// Two Regions: home complete, and eu-west-1 with `rules`; groundwork's role as given.
fn two_regions(rules: Vec<RuleSeen>, role: Option<RoleDocs>) -> Observed {
    let mut o = world(
        &[HOME, OTHER],
        vec![(HOME, vec![rule(HOME, RULE, &at_least(7.0), true, &[to(&ours())])]), (OTHER, rules)],
        vec![(ours(), topic(&ours(), &[("alerts@example.com", true)]))],
        7.0,
    );
    o.roles.insert(role_arn(), Ok(role));
    o
}

fn forwarding() -> RuleSeen {
    let via = Target { id: "bus".into(), arn: bus(), role: Some(role_arn()) };
    rule(OTHER, RULE, &at_least(7.0), true, &[via])
}

#[test]
fn forwarding_regions() {
    let o = two_regions(vec![forwarding()], Some(trusted_role()));
    row(
        "forwarded to home",
        &o,
        "7",
        "no",
        Status::Done,
        "forwards these findings to the event bus in us-east-1",
        Want::Plan(&[], None, false),
    );
    let o = two_regions(vec![], None);
    let calls = &["events:PutRule", "iam:CreateRole", "events:PutTargets"];
    row(
        "a Region to forward",
        &o,
        "7",
        "no",
        Status::Partial,
        "No enabled EventBridge rule",
        Want::Plan(calls, None, false),
    );
    let o = two_regions(vec![forwarding()], None);
    row(
        "the role is gone",
        &o,
        "7",
        "no",
        Status::Partial,
        "does not exist",
        Want::Plan(&["iam:CreateRole"], None, false),
    );
    let lambda = RoleDocs {
        trust: json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                     "Action": "sts:AssumeRole"}]})
        .to_string(),
        ..trusted_role()
    };
    let o = two_regions(vec![forwarding()], Some(lambda));
    row(
        "a role EventBridge may not assume",
        &o,
        "7",
        "no",
        Status::Partial,
        "does not let EventBridge (events.amazonaws.com) assume",
        Want::Plan(&[], Some("will not change it"), false),
    );
    // The Region's own topic (groundwork's earlier layout) keeps it.
    let own = topic_arn(OTHER, TOPIC);
    let mut o = two_regions(vec![rule(OTHER, RULE, &at_least(7.0), true, &[to(&own)])], Some(trusted_role()));
    o.topics.insert(own.clone(), Ok(topic(&own, &[("alerts@example.com", true)])));
    row("its own topic", &o, "7", "no", Status::Done, "emailed to", Want::Plan(&[], None, false));
    // A forwarding rule without a role: groundwork's rule of that name is left as it is.
    let no_role = rule(OTHER, RULE, &at_least(7.0), true, &[to(&bus())]);
    let o = two_regions(vec![no_role], Some(trusted_role()));
    row(
        "forwarding without a role",
        &o,
        "7",
        "no",
        Status::Partial,
        "without a role",
        Want::Plan(&[], Some("leaves it to you"), false),
    );
}

#[test]
fn same_name_conflicts_and_brownfield() {
    let ec2 = json!({"source": ["aws.ec2"]});
    let theirs = topic_arn(HOME, "their-pager");
    let o = world(&[HOME], vec![(HOME, vec![rule(HOME, RULE, &ec2, true, &[to(&theirs)])])], vec![], 7.0);
    row(
        "a rule of groundwork's name about EC2",
        &o,
        "7",
        "no",
        Status::NotDone,
        "No enabled",
        Want::Plan(&["sns:CreateTopic", "sns:Subscribe"], Some("different pattern or disabled"), true),
    );
    let o = world(
        &[HOME],
        vec![(HOME, vec![rule(HOME, RULE, &at_least(7.0), false, &[to(&ours())])])],
        vec![(ours(), topic(&ours(), &[("alerts@example.com", true)]))],
        7.0,
    );
    row(
        "groundwork's rule disabled",
        &o,
        "7",
        "no",
        Status::NotDone,
        "is disabled",
        Want::Plan(&[], Some("different pattern or disabled"), false),
    );
    // Someone's own complete path: done, and groundwork adds nothing.
    let o = world(
        &[HOME],
        vec![(HOME, vec![rule(HOME, "guardduty-high", &at_least(5.0), true, &[to(&theirs)])])],
        vec![(theirs.clone(), topic(&theirs, &[("sec@example.com", true)]))],
        7.0,
    );
    row("brownfield", &o, "7", "no", Status::Done, "guardduty-high", Want::Plan(&[], None, false));
    // Someone's rule that leaves an account out: groundwork builds its own path beside it.
    let mut narrow = at_least(7.0);
    narrow["detail"]["accountId"] = json!([AUDIT]);
    let o = world(
        &[HOME],
        vec![(HOME, vec![rule(HOME, "theirs", &narrow, true, &[to(&theirs)])])],
        vec![(theirs.clone(), topic(&theirs, &[("sec@example.com", true)]))],
        7.0,
    );
    row(
        "brownfield, one account",
        &o,
        "7",
        "no",
        Status::Partial,
        &format!("about account {MEMBER}"),
        Want::Plan(FRESH_HOME, None, true),
    );
}

#[test]
fn unreadable_parts_are_unknown_never_done() {
    let mut o = complete(7.0);
    o.rules.insert(HOME.into(), Err(denied("events:ListRules")));
    row("rules unreadable", &o, "7", "no", Status::Unknown, "events:ListRules", Want::Fails);
    let mut o = complete(7.0);
    o.topics.insert(ours(), Err(denied("sns:GetTopicAttributes")));
    row("groundwork's topic unreadable", &o, "7", "no", Status::Unknown, "could not be read", Want::Fails);
    let mut o = complete(7.0);
    for answer in o.matches.values_mut().flat_map(|answers| answers.values_mut()) {
        *answer = Err(denied("events:TestEventPattern"));
    }
    row(
        "EventBridge would not answer",
        &o,
        "7",
        "no",
        Status::Unknown,
        "Could not read rule",
        Want::Plan(&[], Some("cannot tell what is missing"), false),
    );
    let mut o = complete(7.0);
    if let Some(Ok(rules)) = o.rules.get_mut(HOME) {
        rules[0].targets = Some(Err(denied("events:ListTargetsByRule")));
    }
    row("targets unreadable", &o, "7", "no", Status::Unknown, "events:ListTargetsByRule", Want::Fails);
    let mut o = two_regions(vec![forwarding()], None);
    o.roles.insert(role_arn(), Err(denied("iam:GetRole")));
    row("role unreadable", &o, "7", "no", Status::Unknown, "iam:GetRole", Want::Fails);
    let mut o = two_regions(vec![forwarding()], Some(trusted_role()));
    if let Some(Ok(rules)) = o.rules.get_mut(HOME) {
        rules.clear();
    }
    o.matches.clear();
    answer_all(&mut o, 7.0);
    o.topics.clear();
    o.topics.insert(ours(), Err(denied("sns:GetTopicAttributes")));
    row("home topic unreadable, forwarding fine", &o, "7", "no", Status::NotDone, "No enabled", Want::Fails);
    // Someone's rule whose topic is gone: unknown; groundwork's own path is planned beside it.
    let gone = topic_arn(HOME, "gone");
    let mut o =
        world(&[HOME], vec![(HOME, vec![rule(HOME, "aaa-gone", &at_least(7.0), true, &[to(&gone)])])], vec![], 7.0);
    o.topics.insert(gone, Err(not_found()));
    row("a topic that is gone", &o, "7", "no", Status::Unknown, "aaa-gone", Want::Plan(FRESH_HOME, None, true));
}
