//! alerts: in every governed Region of the Audit account (or the caller's own account outside an
//! organization), an enabled EventBridge rule that EventBridge itself says matches GuardDuty
//! findings at or above the chosen severity about every active account, targeting an SNS topic in
//! the rule's Region that this rule may publish to (policy and encryption), with a confirmed email.
//! A piece that cannot be read makes only itself unknown: another complete rule still counts.

mod policy;
mod samples;

pub use policy::{Access, Publish, publish_access};
pub use samples::min_severity;

use std::collections::BTreeMap;

use futures_util::future::join_all;

use crate::aws::{At, Aws, AwsError, eventbridge, sns};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::verdict::{Finding, Status};
use samples::{Kind, Sample};

/// A verdict on one piece of the path, and what was seen.
type Seen = (Status, String);

pub async fn check(aws: &Aws, facts: &Facts, answers: &BTreeMap<String, String>, step: &Step) -> Vec<Finding> {
    let account = facts.audit.as_ref().map_or(&facts.identity.account, |a| &a.id);
    let min = min_severity(answers.get("alerts.min-severity").map(String::as_str));
    let about = accounts_watched(facts, account);
    let about = &about;
    join_all(facts.governed_regions.iter().map(|region| async move {
        let at = At::new(account, region);
        match region_status(aws, &at, step, about, min).await {
            Ok((status, detail)) => Finding::new(account, Some(region), status, detail),
            Err(e) => super::unknown(&e),
        }
    }))
    .await
}

/// The accounts findings can be about: every active account of the organization, else this one.
fn accounts_watched(facts: &Facts, account: &str) -> Vec<String> {
    let mut ids: Vec<String> = match &facts.accounts {
        Ok(list) => list.iter().filter(|a| a.active).map(|a| a.id.clone()).collect(),
        Err(_) => Vec::new(),
    };
    if ids.is_empty() {
        ids.push(account.to_owned());
    }
    ids
}

/// The best alert path found in one Region.
async fn region_status(aws: &Aws, at: &At, step: &Step, about: &[String], min: f64) -> Result<Seen, AwsError> {
    let mut best: Option<Seen> = None;
    for rule in eventbridge::rules(aws, at).await? {
        let Some(pattern) = rule.pattern.as_deref() else { continue }; // a schedule, not an event rule
        let candidate = match rule_status(aws, at, step, &rule, pattern, about, min).await {
            Ok(None) => continue,
            Ok(Some(seen)) => seen,
            Err(e) => (Status::Unknown, step.say("rule-unreadable", &[("rule", &rule.name), ("why", &e.explain())])),
        };
        let done = candidate.0 == Status::Done;
        if best.as_ref().is_none_or(|b| rank(candidate.0) > rank(b.0)) {
            best = Some(candidate);
        }
        if done {
            break;
        }
    }
    Ok(best.unwrap_or_else(|| (Status::NotDone, step.say("no-rule", &[]))))
}

/// One rule: `None` when it matches no GuardDuty finding at all (not an alert rule).
async fn rule_status(
    aws: &Aws,
    at: &At,
    step: &Step,
    rule: &eventbridge::Rule,
    pattern: &str,
    about: &[String],
    min: f64,
) -> Result<Option<Seen>, AwsError> {
    let samples = samples::samples(&at.account, &at.region, about, min);
    // A pattern that never names GuardDuty gets one probe: enough to tell it is about something else.
    let mentions = pattern.to_ascii_lowercase().contains("guardduty");
    let (mut any, mut missed): (bool, Option<&Sample>) = (false, None);
    for (n, s) in samples.iter().filter(|s| s.should_match).enumerate() {
        if (n > 0 && !mentions && !any) || (any && missed.is_some()) {
            break;
        }
        if eventbridge::test_event_pattern(aws, at, pattern, &s.event).await? {
            any = true;
        } else if missed.is_none() {
            missed = Some(s);
        }
    }
    // A rule that names GuardDuty yet matches none of its findings here is a broken alert rule,
    // not an unrelated one: it is reported with the first finding it would drop.
    if !any && !mentions {
        return Ok(None);
    }
    if !rule.enabled {
        return Ok(Some((Status::NotDone, step.say("rule-disabled", &[("rule", &rule.name)]))));
    }
    if let Some(s) = missed {
        let args = [("rule", rule.name.as_str()), ("sample", &describe(step, s))];
        return Ok(Some((Status::Partial, step.say("rule-narrow", &args))));
    }
    let mut seen = targets_status(aws, at, step, rule).await?;
    let below = samples.iter().find(|s| s.kind == Kind::Below);
    if let Some(s) = below {
        if seen.0 == Status::Done && eventbridge::test_event_pattern(aws, at, pattern, &s.event).await? {
            seen.1 = format!("{} {}", seen.1, step.say("also-lower", &[("min", &format!("{min:.1}"))]));
        }
    }
    Ok(Some(seen))
}

fn describe(step: &Step, s: &Sample) -> String {
    let key = if s.kind == Kind::AttackSequence { "sample-attack" } else { "sample-finding" };
    step.say(key, &[("severity", &format!("{:.1}", s.severity)), ("account", &s.about), ("region", &s.region)])
}

/// Follows one rule to its SNS topics; a topic that cannot be read makes only itself unknown.
async fn targets_status(aws: &Aws, at: &At, step: &Step, rule: &eventbridge::Rule) -> Result<Seen, AwsError> {
    let mut best: Option<Seen> = None;
    for target in eventbridge::targets(aws, at, &rule.name).await? {
        let Some(topic) = TopicArn::parse(&target.arn) else { continue };
        let candidate = match topic_status(aws, at, step, rule, &topic).await {
            Ok(seen) => seen,
            Err(e) => (
                Status::Unknown,
                step.say("topic-unreadable", &[("rule", &rule.name), ("topic", &target.arn), ("why", &e.explain())]),
            ),
        };
        if best.as_ref().is_none_or(|b| rank(candidate.0) > rank(b.0)) {
            best = Some(candidate);
        }
    }
    Ok(best.unwrap_or_else(|| (Status::Partial, step.say("no-topic", &[("rule", &rule.name)]))))
}

/// An SNS topic ARN's parts: `arn:PARTITION:sns:REGION:ACCOUNT:NAME`.
struct TopicArn<'a> {
    arn: &'a str,
    region: &'a str,
    account: &'a str,
}

impl<'a> TopicArn<'a> {
    fn parse(arn: &'a str) -> Option<TopicArn<'a>> {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        match parts.as_slice() {
            ["arn", _, "sns", region, account, name] if !name.is_empty() => Some(TopicArn { arn, region, account }),
            _ => None,
        }
    }
}

/// Whether this rule's events reach this topic's email subscribers.
async fn topic_status(aws: &Aws, at: &At, step: &Step, rule: &eventbridge::Rule, topic: &TopicArn<'_>) -> Result<Seen, AwsError> {
    let args = [("rule", rule.name.as_str()), ("topic", topic.arn)];
    // EventBridge delivers only to targets in the rule's own Region (event buses excepted).
    if topic.region != at.region {
        return Ok((Status::Partial, step.say("target-other-region", &[args[0], args[1], ("region", &at.region)])));
    }
    let topic_at = At::new(topic.account, topic.region);
    let access = sns::topic_access(aws, &topic_at, topic.arn).await?;
    let request = Publish { topic: topic.arn, rule_arn: &rule.arn, account: &at.account };
    match publish_access(access.policy.as_deref(), &request) {
        Access::Allowed => {}
        Access::NotAllowed => return Ok((Status::Partial, step.say("policy-missing", &args))),
        Access::Denied(sid) => {
            return Ok((Status::Partial, step.say("policy-denied", &[args[0], args[1], ("statement", &sid)])));
        }
        Access::Unclear(why) => {
            return Ok((Status::Unknown, step.say("policy-unclear", &[args[0], args[1], ("why", &why)])));
        }
    }
    if let Some(key) = access.kms_key.as_deref() {
        // The AWS managed key's policy cannot be changed to let EventBridge use it.
        if key == "alias/aws/sns" || key.ends_with(":alias/aws/sns") {
            return Ok((Status::Partial, step.say("topic-aws-key", &args)));
        }
        return Ok((Status::Unknown, step.say("topic-cmk", &[args[0], args[1], ("key", key)])));
    }
    let emails: Vec<sns::Subscription> = sns::subscriptions(aws, &topic_at, topic.arn)
        .await?
        .into_iter()
        .filter(|s| s.protocol == "email" || s.protocol == "email-json")
        .collect();
    let confirmed: Vec<&str> = emails.iter().filter(|s| s.confirmed).map(|s| s.endpoint.as_str()).collect();
    let pending: Vec<&str> = emails.iter().filter(|s| !s.confirmed).map(|s| s.endpoint.as_str()).collect();
    Ok(if !confirmed.is_empty() {
        (Status::Done, step.say("confirmed", &[args[0], args[1], ("emails", &confirmed.join(", "))]))
    } else if !pending.is_empty() {
        (Status::Partial, step.say("pending", &[args[0], args[1], ("emails", &pending.join(", "))]))
    } else {
        (Status::Partial, step.say("no-email", &args))
    })
}

/// Which of two paths to report: a working one, else one that may work (unknown), else the
/// closest to working.
fn rank(s: Status) -> u8 {
    match s {
        Status::Done => 4,
        Status::Unknown => 3,
        Status::Partial => 2,
        _ => 1,
    }
}
