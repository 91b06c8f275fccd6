//! The hand-built observations, answers and checks the alerts rules table uses: a small model of
//! EventBridge's matching records its answers the way `observe` would.

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

pub const AUDIT: &str = "222222222222";
pub const MEMBER: &str = "111111111111";
pub const HOME: &str = "us-east-1";
pub const OTHER: &str = "eu-west-1";

pub fn step() -> &'static Step {
    catalog::step(StepId::Alerts)
}

/// GuardDuty findings at or above `min`, as groundwork builds its rule.
pub fn at_least(min: f64) -> Value {
    json!({"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
           "detail": {"severity": [{"numeric": [">=", min]}]}})
}

/// A small model of EventBridge's matching, enough for the patterns these tests use.
pub fn matches(pattern: &Value, event: &Value) -> bool {
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

pub fn rule(region: &str, name: &str, pattern: &Value, enabled: bool, targets: &[Target]) -> RuleSeen {
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

pub fn to(arn: &str) -> Target {
    Target { id: "t".into(), arn: arn.into(), role: None }
}

pub fn topic_arn(region: &str, name: &str) -> String {
    format!("arn:aws:sns:{region}:{AUDIT}:{name}")
}

pub fn ours() -> String {
    topic_arn(HOME, TOPIC)
}

pub fn bus() -> String {
    format!("arn:aws:events:{HOME}:{AUDIT}:event-bus/default")
}

pub fn role_arn() -> String {
    format!("arn:aws:iam::{AUDIT}:role/groundwork-alerts-forwarding")
}

/// A topic whose policy lets EventBridge publish (no condition), with these email subscriptions.
pub fn topic(arn: &str, emails: &[(&str, bool)]) -> Topic {
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

pub fn error(code: &str, kind: ErrorKind, action: &'static str) -> AwsError {
    AwsError {
        request_id: None,
        kind,
        action,
        account: AUDIT.into(),
        region: Some(HOME.into()),
        code: Some(code.into()),
        message: "from the table".into(),
    }
}

pub fn not_found() -> AwsError {
    error("NotFound", ErrorKind::Other, "sns:GetTopicAttributes")
}

pub fn denied(action: &'static str) -> AwsError {
    error("AccessDenied", ErrorKind::AccessDenied, action)
}

pub fn trusted_role() -> RoleDocs {
    let trust = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                      "Action": "sts:AssumeRole"}]});
    let put = json!({"Statement": [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": bus()}]});
    RoleDocs { trust: trust.to_string(), inline: vec![put.to_string()] }
}

/// An observation in `regions` (the first is home) with these rules and topics; groundwork's topic
/// absent unless given, EventBridge's answers recorded for findings at or above `min`.
pub fn world(regions: &[&str], rules: Vec<(&str, Vec<RuleSeen>)>, topics: Vec<(String, Topic)>, min: f64) -> Observed {
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
pub fn answer_all(o: &mut Observed, min: f64) {
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
pub fn complete(min: f64) -> Observed {
    world(
        &[HOME],
        vec![(HOME, vec![rule(HOME, RULE, &at_least(min), true, &[to(&ours())])])],
        vec![(ours(), topic(&ours(), &[("alerts@example.com", true)]))],
        min,
    )
}

pub struct Asked(pub BTreeMap<&'static str, &'static str>);

impl Ask for Asked {
    fn get(&mut self, key: &str, default: Option<&str>) -> Result<String, InputError> {
        self.0.get(key).map(|v| (*v).to_owned()).or(default.map(str::to_owned)).ok_or(InputError::Missing(key.into()))
    }
}

pub fn answers(min: &'static str, resend: &'static str) -> (Answers, Asked) {
    let asked = Asked(BTreeMap::from([("alerts.min-severity", min), ("alerts.resend-confirmation", resend)]));
    (Answers { min_severity: min.into(), email: Some("alerts@example.com".into()) }, asked)
}

/// What a row expects of the plan: its AWS calls, words in a conflict, whether a person must act;
/// or that it cannot be made (a part it needs could not be read).
pub enum Want {
    Plan(&'static [&'static str], Option<&'static str>, bool),
    Fails,
}

pub fn calls(p: &Plan) -> Vec<&'static str> {
    p.changes.iter().map(|c| c.action.call()).collect()
}

/// Checks one row: the verdict and its words, the plan, and the invariant.
pub fn row(
    name: &str,
    o: &Observed,
    min: &'static str,
    resend: &'static str,
    want: Status,
    words: &str,
    plan_want: Want,
) {
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
pub fn invariant(name: &str, verdict: Status, findings: &[Finding], made: &Result<Plan, PlanError>) {
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
