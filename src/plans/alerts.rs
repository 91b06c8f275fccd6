//! alerts: in the Audit account (or this account outside an organization), one topic and one email
//! subscription in the home Region, with a rule sending GuardDuty findings at or above the chosen
//! severity to it; every other governed Region forwards its findings to the home Region's event bus
//! (a rule per Region, through one role EventBridge may use), so the person confirms one email and
//! receives one copy per finding. A Region that already has its own working topic keeps it.
//! Existing topics, rules and roles of the same name are used only if they already do exactly this
//! (judged by the check's own rules); otherwise groundwork stops rather than change them.

use serde_json::json;

use super::{Change, Ctx, Plan, PlanError};
use crate::aws::change::{Action, alerts};
use crate::aws::{At, eventbridge, iam, sns};
use crate::checks::{Access, Publish, RoleAccess, publish_access, role_forwards};

pub const TOPIC: &str = "groundwork-security-alerts";
pub const RULE: &str = "groundwork-guardduty-findings";
/// The role EventBridge uses to forward findings to the home Region's event bus.
pub const ROLE: &str = "groundwork-alerts-forwarding";

pub async fn plan(ctx: &mut Ctx<'_>) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    let account = ctx.facts.audit.as_ref().map_or_else(|| ctx.facts.identity.account.clone(), |a| a.id.clone());
    let email = ctx.ask.get("alerts.email", None)?;
    let min = ctx.ask.get("alerts.min-severity", None)?;
    let pattern = pattern(&min);
    let home = ctx.facts.home_region.clone();
    let bus = format!("arn:aws:events:{home}:{account}:event-bus/default");
    let role_arn = format!("arn:aws:iam::{account}:role/{ROLE}");

    home_path(ctx, &mut plan, &At::new(&account, &home), &email, &pattern).await?;
    let mut forwards = Vec::new();
    for region in ctx.facts.governed_regions.iter().filter(|r| **r != home) {
        let at = At::new(&account, region);
        let change = |action| Change { at: at.clone(), global: false, action };
        match alerts::rule(ctx.aws, &at, RULE).await? {
            None => {
                plan.changes.push(change(Action::PutRule { name: RULE.into(), pattern: pattern.clone() }));
                forwards.push(change(Action::PutBusTarget {
                    rule: RULE.into(),
                    bus: bus.clone(),
                    role: role_arn.clone(),
                }));
            }
            Some(r) if !r.enabled || !same_json(r.pattern.as_deref(), &pattern) => {
                plan.conflicts.push(ctx.say("conflict-rule", &[("rule", RULE), ("region", region)]));
            }
            Some(_) => {
                // A Region set up with its own topic (groundwork's earlier layout) keeps it.
                let own_topic = format!("arn:aws:sns:{region}:{account}:{TOPIC}");
                let targets = eventbridge::target_arns(ctx.aws, &at, RULE).await?;
                if !targets.contains(&bus) && !targets.contains(&own_topic) {
                    forwards.push(change(Action::PutBusTarget {
                        rule: RULE.into(),
                        bus: bus.clone(),
                        role: role_arn.clone(),
                    }));
                }
            }
        }
    }
    if !forwards.is_empty() {
        let global = At::new(&account, &home);
        let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "events:PutEvents", "Resource": bus}]})
        .to_string();
        let change = |action| Change { at: global.clone(), global: true, action };
        let put = change(Action::PutForwardingPolicy { role: ROLE.into(), bus: bus.clone(), policy: policy.clone() });
        match iam::role_docs(ctx.aws, &global, ROLE).await? {
            None => {
                plan.changes.push(change(Action::CreateForwardingRole { name: ROLE.into() }));
                plan.changes.push(put);
            }
            Some(docs) if role_forwards(&docs, &bus) == RoleAccess::Allowed => {}
            // The role as a run stopped after creating it leaves it: trusting EventBridge, with no
            // policy at all. The policy it lacks is all that is added (judged by the check's rules).
            Some(docs)
                if docs.inline.is_empty()
                    && role_forwards(&with_policy(&docs, &policy), &bus) == RoleAccess::Allowed =>
            {
                plan.changes.push(put);
            }
            Some(_) => plan.conflicts.push(ctx.say("conflict-role", &[("role", ROLE), ("home", &home)])),
        }
        plan.changes.extend(forwards);
    }
    Ok(plan)
}

/// The home Region: the topic EventBridge may publish to, the email subscription, the rule.
async fn home_path(ctx: &mut Ctx<'_>, plan: &mut Plan, at: &At, email: &str, pattern: &str) -> Result<(), PlanError> {
    let (account, region) = (at.account.as_str(), at.region.as_str());
    let topic = format!("arn:aws:sns:{region}:{account}:{TOPIC}");
    let rule_arn = format!("arn:aws:events:{region}:{account}:rule/{RULE}");
    let change = |action| Change { at: at.clone(), global: false, action };
    let request = Publish { topic: &topic, rule_arn: &rule_arn, account };
    let topic_exists = match alerts::topic_access(ctx.aws, at, &topic).await? {
        None => {
            let policy = policy(&topic, account, &rule_arn);
            plan.changes.push(change(Action::CreateTopic { name: TOPIC.into(), policy }));
            false
        }
        // Judged by the same rules as the check: this rule may publish, and the topic's key is not
        // one EventBridge cannot use.
        Some(a) if a.kms_key.is_some() => {
            plan.conflicts.push(ctx.say("conflict-topic-key", &[("topic", &topic)]));
            return Ok(());
        }
        Some(a) if publish_access(a.policy.as_deref(), &request) == Access::Allowed => true,
        Some(_) => {
            plan.conflicts.push(ctx.say("conflict-topic-policy", &[("topic", &topic)]));
            return Ok(());
        }
    };
    let subs = if topic_exists { sns::subscriptions(ctx.aws, at, &topic).await? } else { Vec::new() };
    match subs.iter().find(|s| s.protocol == "email" && s.endpoint.eq_ignore_ascii_case(email)) {
        Some(s) if s.confirmed => {}
        // Asked only once a pending subscription exists: before that the answer changes nothing.
        Some(_) if ctx.ask.get("alerts.resend-confirmation", None)? == "yes" => {
            plan.changes.push(change(Action::Subscribe { topic: topic.clone(), email: email.to_owned() }));
        }
        Some(_) => plan.notes.push(ctx.say("plan-pending", &[("email", email), ("region", region)])),
        None => {
            plan.changes.push(change(Action::Subscribe { topic: topic.clone(), email: email.to_owned() }));
            // Only the person can click the confirmation link AWS emails.
            plan.manual = true;
        }
    }
    match alerts::rule(ctx.aws, at, RULE).await? {
        None => {
            plan.changes.push(change(Action::PutRule { name: RULE.into(), pattern: pattern.to_owned() }));
            plan.changes.push(change(Action::PutTarget { rule: RULE.into(), topic }));
        }
        Some(r) if !r.enabled || !same_json(r.pattern.as_deref(), pattern) => {
            plan.conflicts.push(ctx.say("conflict-rule", &[("rule", RULE), ("region", region)]));
        }
        Some(_) => {
            if !eventbridge::target_arns(ctx.aws, at, RULE).await?.contains(&topic) {
                plan.changes.push(change(Action::PutTarget { rule: RULE.into(), topic }));
            }
        }
    }
    Ok(())
}

/// GuardDuty findings at or above `min` (a validated number from 1 to 10): the threshold the
/// check reads from the same answer (`checks::min_severity`).
fn pattern(min: &str) -> String {
    // Kept as the person wrote it (7 stays 7, not 7.0), so the pattern reads as they meant it.
    let threshold = serde_json::from_str::<serde_json::Number>(min)
        .map_or_else(|_| json!(crate::checks::min_severity(None)), serde_json::Value::Number);
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

/// The role's documents with `policy` as its inline policy.
fn with_policy(docs: &iam::RoleDocs, policy: &str) -> iam::RoleDocs {
    iam::RoleDocs { trust: docs.trust.clone(), inline: vec![policy.to_owned()] }
}

fn same_json(a: Option<&str>, b: &str) -> bool {
    let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).ok();
    a.and_then(parse).is_some_and(|x| Some(x) == parse(b))
}
