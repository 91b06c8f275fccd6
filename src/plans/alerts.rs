//! alerts: in the Audit account (or this account outside an organization), per governed Region: a
//! topic whose policy lets EventBridge publish, an email subscription, and a rule sending GuardDuty
//! findings at or above the chosen severity to it. Existing topics and rules of the same name are
//! used only if they already do exactly this; otherwise groundwork stops rather than change them.

use serde_json::json;

use super::{Change, Ctx, Plan, PlanError};
use crate::aws::change::{Action, alerts};
use crate::aws::{At, eventbridge, sns};

pub const TOPIC: &str = "groundwork-security-alerts";
pub const RULE: &str = "groundwork-guardduty-findings";

pub async fn plan(ctx: &mut Ctx<'_>) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    let account = ctx.facts.audit.as_ref().map_or_else(|| ctx.facts.identity.account.clone(), |a| a.id.clone());
    let email = ctx.ask.get("alerts.email", None)?;
    let min = ctx.ask.get("alerts.min-severity", None)?;
    // Asked only once a pending subscription exists: before that the answer changes nothing.
    let mut resend = None;
    let pattern = pattern(&min);
    for region in ctx.facts.governed_regions.clone() {
        let at = At::new(&account, &region);
        let topic = format!("arn:aws:sns:{region}:{account}:{TOPIC}");
        let rule_arn = format!("arn:aws:events:{region}:{account}:rule/{RULE}");
        let change = |action| Change { at: at.clone(), global: false, action };
        let topic_exists = match alerts::topic_policy(ctx.aws, &at, &topic).await? {
            None => {
                plan.changes.push(change(Action::CreateTopic {
                    name: TOPIC.into(),
                    policy: policy(&topic, &account, &rule_arn),
                }));
                false
            }
            Some(p) if p.as_deref().is_some_and(crate::checks::lets_eventbridge_publish) => true,
            Some(_) => {
                plan.conflicts.push(ctx.say("conflict-topic-policy", &[("topic", &topic)]));
                continue;
            }
        };
        let subs = if topic_exists { sns::subscriptions(ctx.aws, &at, &topic).await? } else { Vec::new() };
        match subs.iter().find(|s| s.protocol == "email" && s.endpoint.eq_ignore_ascii_case(&email)) {
            Some(s) if s.confirmed => {}
            Some(_) => {
                let again = match resend {
                    Some(again) => again,
                    None => *resend.insert(ctx.ask.get("alerts.resend-confirmation", None)? == "yes"),
                };
                if again {
                    plan.changes.push(change(Action::Subscribe { topic: topic.clone(), email: email.clone() }));
                } else {
                    plan.notes.push(ctx.say("plan-pending", &[("email", &email), ("region", &region)]));
                }
            }
            None => {
                plan.changes.push(change(Action::Subscribe { topic: topic.clone(), email: email.clone() }));
                // Only the person can click the confirmation link AWS emails.
                plan.manual = true;
            }
        }
        match alerts::rule(ctx.aws, &at, RULE).await? {
            None => {
                plan.changes.push(change(Action::PutRule { name: RULE.into(), pattern: pattern.clone() }));
                plan.changes.push(change(Action::PutTarget { rule: RULE.into(), topic }));
            }
            Some(r) if !r.enabled || !same_json(r.pattern.as_deref(), &pattern) => {
                plan.conflicts.push(ctx.say("conflict-rule", &[("rule", RULE), ("region", &region)]));
            }
            Some(_) => {
                if !eventbridge::target_arns(ctx.aws, &at, RULE).await?.contains(&topic) {
                    plan.changes.push(change(Action::PutTarget { rule: RULE.into(), topic }));
                }
            }
        }
    }
    Ok(plan)
}

/// GuardDuty findings at or above `min` (a validated number from 1 to 10).
fn pattern(min: &str) -> String {
    // Kept as the person wrote it (7 stays 7, not 7.0), so the pattern reads as they meant it.
    let threshold = serde_json::from_str::<serde_json::Number>(min).map_or(json!(7), serde_json::Value::Number);
    json!({"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
           "detail": {"severity": [{"numeric": [">=", threshold]}]}})
    .to_string()
}

/// SNS's default owner statement, plus publishing from this one rule by EventBridge.
fn policy(topic: &str, account: &str, rule_arn: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "OwnerManages", "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
                    "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
         "Resource": topic, "Condition": {"StringEquals": {"AWS:SourceOwner": account}}},
        {"Sid": "AllowEventBridge", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
         "Action": "sns:Publish", "Resource": topic, "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}}
    ]})
    .to_string()
}

fn same_json(a: Option<&str>, b: &str) -> bool {
    let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).ok();
    a.and_then(parse).is_some_and(|x| Some(x) == parse(b))
}
