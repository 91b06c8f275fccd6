//! alerts: in every governed Region of the Audit account (or the caller's own account outside an
//! organization), an enabled EventBridge rule on GuardDuty findings at or above the chosen
//! severity, targeting an SNS topic that EventBridge may publish to, with a confirmed email.

mod rules;

pub use rules::lets_eventbridge_publish;

use futures_util::future::join_all;

use crate::aws::{At, Aws, AwsError, eventbridge, sns};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::verdict::{Finding, Status};

/// GuardDuty's "High" band starts at 7.0: the lab's default for what should wake someone up.
pub const DEFAULT_MIN_SEVERITY: f64 = 7.0;

pub async fn check(aws: &Aws, facts: &Facts, step: &Step) -> Vec<Finding> {
    let account = facts.audit.as_ref().map_or(&facts.identity.account, |a| &a.id);
    join_all(facts.governed_regions.iter().map(|region| async move {
        let at = At::new(account, region);
        match region_status(aws, &at, step).await {
            Ok((status, detail)) => Finding::new(account, Some(region), status, detail),
            Err(e) => super::unknown(&e),
        }
    }))
    .await
}

/// The best alert path found in one Region.
async fn region_status(aws: &Aws, at: &At, step: &Step) -> Result<(Status, String), AwsError> {
    let mut best: Option<(Status, String)> = None;
    for rule in eventbridge::rules(aws, at).await? {
        let fit = rules::fit(rule.pattern.as_deref().unwrap_or(""), DEFAULT_MIN_SEVERITY);
        let candidate = match fit {
            rules::Fit::NotGuardDuty => continue,
            _ if !rule.enabled => (Status::NotDone, step.say("rule-disabled", &[("rule", &rule.name)])),
            rules::Fit::Narrower(why) => {
                (Status::Partial, step.say("rule-narrow", &[("rule", &rule.name), ("why", &why)]))
            }
            rules::Fit::Covers => rule_path(aws, at, step, &rule.name).await?,
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

/// Follows one rule to its SNS topics and their subscriptions.
async fn rule_path(aws: &Aws, at: &At, step: &Step, rule: &str) -> Result<(Status, String), AwsError> {
    let topics: Vec<String> =
        eventbridge::target_arns(aws, at, rule).await?.into_iter().filter(|a| a.starts_with("arn:aws:sns:")).collect();
    let mut best: Option<(Status, String)> = None;
    for topic in topics {
        let policy = sns::topic_policy(aws, at, &topic).await?;
        let candidate = if policy.as_deref().is_some_and(rules::lets_eventbridge_publish) {
            let emails: Vec<sns::Subscription> = sns::subscriptions(aws, at, &topic)
                .await?
                .into_iter()
                .filter(|s| s.protocol == "email" || s.protocol == "email-json")
                .collect();
            let confirmed: Vec<&str> = emails.iter().filter(|s| s.confirmed).map(|s| s.endpoint.as_str()).collect();
            let pending: Vec<&str> = emails.iter().filter(|s| !s.confirmed).map(|s| s.endpoint.as_str()).collect();
            let args = [("rule", rule), ("topic", topic.as_str())];
            if !confirmed.is_empty() {
                (Status::Done, step.say("confirmed", &[args[0], args[1], ("emails", &confirmed.join(", "))]))
            } else if !pending.is_empty() {
                (Status::Partial, step.say("pending", &[args[0], args[1], ("emails", &pending.join(", "))]))
            } else {
                (Status::Partial, step.say("no-email", &args))
            }
        } else {
            (Status::Partial, step.say("policy-missing", &[("rule", rule), ("topic", &topic)]))
        };
        if best.as_ref().is_none_or(|b| rank(candidate.0) > rank(b.0)) {
            best = Some(candidate);
        }
    }
    Ok(best.unwrap_or_else(|| (Status::Partial, step.say("no-topic", &[("rule", rule)]))))
}

fn rank(s: Status) -> u8 {
    match s {
        Status::Done => 3,
        Status::Partial => 2,
        _ => 1,
    }
}
