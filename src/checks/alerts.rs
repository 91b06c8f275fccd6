//! alerts: in every governed Region of the Audit account (or the caller's own account outside an
//! organization), an enabled EventBridge rule that EventBridge itself says matches GuardDuty
//! findings at or above the chosen severity about every active account, targeting an SNS topic in
//! the rule's Region that this rule may publish to (policy and encryption), with a confirmed email.
//! A Region may instead forward its findings to the home Region's event bus (a rule whose target
//! is that bus, through a role EventBridge may use); the check then follows the route to the home
//! Region's rules, judged on findings from the forwarding Region. A piece that cannot be read makes
//! only itself unknown: another complete rule still counts.

mod policy;
mod route;
mod samples;

pub use policy::{Access, Publish, publish_access};
pub use route::{RoleAccess, role_forwards};
pub use samples::{finding_event, min_severity};

use std::collections::BTreeMap;

use futures_util::future::join_all;

use crate::aws::{At, Aws, AwsError, eventbridge, iam, sns};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::verdict::{Finding, Status};
use samples::{Kind, Sample};

/// A verdict on one piece of the path, and what was seen.
type Seen = (Status, String);

/// What every judgement in one run shares.
struct Judge<'a> {
    aws: &'a Aws,
    step: &'a Step,
    /// The accounts findings can be about.
    about: &'a [String],
    min: f64,
    /// Where findings from other Regions may be forwarded to.
    home: &'a str,
}

pub async fn check(aws: &Aws, facts: &Facts, answers: &BTreeMap<String, String>, step: &Step) -> Vec<Finding> {
    let account = facts.audit.as_ref().map_or(&facts.identity.account, |a| &a.id);
    let min = min_severity(answers.get("alerts.min-severity").map(String::as_str));
    let about = accounts_watched(facts, account);
    let judge = Judge { aws, step, about: &about, min, home: &facts.home_region };
    let judge = &judge;
    join_all(facts.governed_regions.iter().map(|region| async move {
        let at = At::new(account, region);
        match region_status(judge, &at, region, true).await {
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

/// The best alert path in one Region's rules for findings from `origin` (the same Region, or one
/// that forwards to it); `follow` lets a rule's route to the home Region's bus be followed.
async fn region_status(j: &Judge<'_>, at: &At, origin: &str, follow: bool) -> Result<Seen, AwsError> {
    let mut best: Option<Seen> = None;
    for rule in eventbridge::rules(j.aws, at).await? {
        let Some(pattern) = rule.pattern.as_deref() else { continue }; // a schedule, not an event rule
        let candidate = match rule_status(j, at, origin, &rule, pattern, follow).await {
            Ok(None) => continue,
            Ok(Some(seen)) => seen,
            Err(e) => (Status::Unknown, j.step.say("rule-unreadable", &[("rule", &rule.name), ("why", &e.explain())])),
        };
        let done = candidate.0 == Status::Done;
        if best.as_ref().is_none_or(|b| rank(candidate.0) > rank(b.0)) {
            best = Some(candidate);
        }
        if done {
            break;
        }
    }
    Ok(best.unwrap_or_else(|| (Status::NotDone, j.step.say("no-rule", &[]))))
}

/// One rule: `None` when it is about something else than GuardDuty findings.
async fn rule_status(
    j: &Judge<'_>,
    at: &At,
    origin: &str,
    rule: &eventbridge::Rule,
    pattern: &str,
    follow: bool,
) -> Result<Option<Seen>, AwsError> {
    let (aws, step) = (j.aws, j.step);
    let samples = samples::samples(&at.account, origin, j.about, j.min);
    // A pattern that never names GuardDuty gets one probe: enough to tell it is about something else.
    let mentions = pattern.to_ascii_lowercase().contains("guardduty");
    let wanted: Vec<&Sample> = samples.iter().filter(|s| s.should_match).collect();
    let Some((first, rest)) = wanted.split_first() else { return Ok(None) };
    let mut matched = vec![eventbridge::test_event_pattern(aws, at, pattern, &first.event).await?];
    if matched[0] || mentions {
        // The rest at once (one per account): the session's bound still limits calls in flight.
        let answers = join_all(rest.iter().map(|s| eventbridge::test_event_pattern(aws, at, pattern, &s.event))).await;
        for answer in answers {
            matched.push(answer?);
        }
    }
    let any = matched.iter().any(|m| *m);
    let missed = wanted.iter().zip(&matched).find(|(_, m)| !**m).map(|(s, _)| *s);
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
    let mut seen = targets_status(j, at, origin, rule, follow).await?;
    let below = samples.iter().find(|s| s.kind == Kind::Below);
    if let Some(s) = below
        && seen.0 == Status::Done
        && eventbridge::test_event_pattern(aws, at, pattern, &s.event).await?
    {
        seen.1 = format!("{} {}", seen.1, step.say("also-lower", &[("min", &format!("{:.1}", j.min))]));
    }
    Ok(Some(seen))
}

fn describe(step: &Step, s: &Sample) -> String {
    let key = if s.kind == Kind::AttackSequence { "sample-attack" } else { "sample-finding" };
    step.say(key, &[("severity", &format!("{:.1}", s.severity)), ("account", &s.about), ("region", &s.region)])
}

/// Follows one rule to its SNS topics (or its route to the home Region); a piece that cannot be
/// read makes only itself unknown.
async fn targets_status(
    j: &Judge<'_>,
    at: &At,
    origin: &str,
    rule: &eventbridge::Rule,
    follow: bool,
) -> Result<Seen, AwsError> {
    let step = j.step;
    let mut best: Option<Seen> = None;
    for target in eventbridge::targets(j.aws, at, &rule.name).await? {
        let result = if let Some(topic) = TopicArn::parse(&target.arn) {
            topic_status(j.aws, at, step, rule, &topic).await
        } else if follow && at.region != j.home && home_bus(&target.arn, &at.account, j.home) {
            Box::pin(route_status(j, at, origin, rule, &target)).await
        } else {
            continue;
        };
        let candidate = result.unwrap_or_else(|e| {
            let args = [("rule", rule.name.as_str()), ("topic", &target.arn), ("why", &e.explain())];
            (Status::Unknown, step.say("topic-unreadable", &args))
        });
        if best.as_ref().is_none_or(|b| rank(candidate.0) > rank(b.0)) {
            best = Some(candidate);
        }
    }
    Ok(best.unwrap_or_else(|| (Status::Partial, step.say("no-topic", &[("rule", &rule.name)]))))
}

/// The default event bus of this account in the home Region.
fn home_bus(arn: &str, account: &str, home: &str) -> bool {
    arn == format!("arn:aws:events:{home}:{account}:event-bus/default")
}

/// A rule that forwards to the home Region's bus: the role must let EventBridge send there, and a
/// rule in the home Region must carry findings from `origin` on to a topic.
async fn route_status(
    j: &Judge<'_>,
    at: &At,
    origin: &str,
    rule: &eventbridge::Rule,
    target: &eventbridge::Target,
) -> Result<Seen, AwsError> {
    let step = j.step;
    let base = [("rule", rule.name.as_str()), ("home", j.home)];
    let Some(role_arn) = target.role.as_deref() else {
        return Ok((Status::Partial, step.say("route-no-role", &base)));
    };
    let role_name = role_arn.rsplit('/').next().unwrap_or(role_arn);
    let with_role = [base[0], base[1], ("role", role_arn)];
    let Some(docs) = iam::role_docs(j.aws, at, role_name).await? else {
        return Ok((Status::Partial, step.say("route-role-missing", &with_role)));
    };
    match route::role_forwards(&docs, &target.arn) {
        RoleAccess::Allowed => {}
        RoleAccess::NotTrusted => return Ok((Status::Partial, step.say("route-role-untrusted", &with_role))),
        RoleAccess::Denied => return Ok((Status::Partial, step.say("route-role-denied", &with_role))),
        RoleAccess::Unclear(why) => {
            let args = [with_role[0], with_role[1], with_role[2], ("why", &why)];
            return Ok((Status::Unknown, step.say("route-role-unclear", &args)));
        }
    }
    let (status, then) = region_status(j, &At::new(&at.account, j.home), origin, false).await?;
    Ok((status, step.say("route", &[base[0], base[1], ("then", &then)])))
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
async fn topic_status(
    aws: &Aws,
    at: &At,
    step: &Step,
    rule: &eventbridge::Rule,
    topic: &TopicArn<'_>,
) -> Result<Seen, AwsError> {
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
