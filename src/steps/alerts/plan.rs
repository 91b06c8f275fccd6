//! The changes, a pure function of the same observation the verdict judges: in the home Region,
//! one topic and one email subscription with a rule sending GuardDuty findings at or above the
//! chosen severity to it; every other governed Region forwards its findings to the home Region's
//! event bus (a rule per Region, through one role EventBridge may use), so the person confirms one
//! email and receives one copy per finding. A Region the verdict calls done is left as it is
//! (whatever rule and topic make it so). Existing topics, rules and roles of groundwork's names
//! are used only if they already do exactly this; otherwise groundwork stops rather than change
//! them. When nothing is left that groundwork can change and the step is still not done, the plan
//! says why as a conflict, so an empty plan always means done.

use serde_json::{Value, json};

use super::{Access, Answers, Observed, Publish, ROLE, RULE, RoleAccess, TOPIC, absent, judge, min_severity};
use super::{publish_access, role_forwards};
use crate::aws::At;
use crate::aws::change::Action;
use crate::catalog::Step;
use crate::inputs::{Ask, InputError};
use crate::steps::{Change, Plan, PlanError};
use crate::verdict::{Finding, Status, combine};

pub fn plan(o: &Observed, answers: &Answers, ask: &mut dyn Ask, step: &Step) -> Result<Plan, PlanError> {
    if let Some(e) = &o.accounts_unread {
        // Planned without knowing whom findings are about, a rule could leave accounts unwatched.
        return Err(PlanError::Undetermined(step.say("accounts-unread", &[("why", &e.explain())])));
    }
    let mut plan = Plan::default();
    let findings = judge(o, answers, step);
    if combine(findings.iter().map(|f| f.status)) == Status::Done {
        plan.notes.push(step.say("plan-all-set", &[]));
        return Ok(plan);
    }
    let done = |region: &str| findings.iter().any(|f| f.region.as_deref() == Some(region) && f.status == Status::Done);
    let pattern = pattern(&answers.min_severity);
    if !done(&o.home) {
        home_path(o, answers, ask, &mut plan, step)?;
    }
    let (bus, role) = (o.bus_arn(), o.role_arn());
    let mut forwards = Vec::new();
    // Whether some Region sends, or will send, its findings through groundwork's role.
    let mut through_role = false;
    for region in o.governed.iter().filter(|r| **r != o.home && !done(r)) {
        let at = At::new(&o.account, region);
        let change = |action| Change { at: at.clone(), global: false, action };
        let put_bus_target =
            || change(Action::PutBusTarget { rule: RULE.into(), bus: bus.clone(), role: role.clone() });
        match ours(o, region)? {
            None => {
                plan.changes.push(change(Action::PutRule { name: RULE.into(), pattern: pattern.to_string() }));
                forwards.push(put_bus_target());
            }
            Some(r) if !r.rule.enabled || !same_json(r.rule.pattern.as_deref(), &pattern) => {
                plan.conflicts.push(step.say("conflict-rule", &[("rule", RULE), ("region", region)]));
            }
            Some(r) => {
                // A Region set up with its own topic (groundwork's earlier layout) keeps it.
                let own_topic = format!("arn:aws:sns:{region}:{}:{TOPIC}", o.account);
                let targets = targets(r, region)?;
                through_role |= targets.iter().any(|t| t.arn == bus && t.role.as_deref() == Some(role.as_str()));
                if !targets.iter().any(|t| t.arn == bus || t.arn == own_topic) {
                    forwards.push(put_bus_target());
                }
            }
        }
    }
    if through_role || !forwards.is_empty() {
        let global = At::new(&o.account, &o.home);
        let policy = forwarding_policy(&bus).to_string();
        let change = |action| Change { at: global.clone(), global: true, action };
        // The policy is a change of its own, logged on its own: a run stopped between the two
        // leaves a role the next plan completes.
        let put = change(Action::PutForwardingPolicy { role: ROLE.into(), bus: bus.clone(), policy: policy.clone() });
        match o.roles.get(&role) {
            None => return Err(not_read(step, &format!("role {role}"))),
            Some(Err(e)) => return Err(e.clone().into()),
            Some(Ok(None)) => {
                plan.changes.push(change(Action::CreateForwardingRole { name: ROLE.into() }));
                plan.changes.push(put);
            }
            Some(Ok(Some(docs))) if role_forwards(docs, &bus) == RoleAccess::Allowed => {}
            // As a run stopped after creating it leaves it: trusting EventBridge, with no policy at
            // all. The policy it lacks is all that is added (judged by the check's own rules).
            Some(Ok(Some(docs)))
                if docs.inline.is_empty()
                    && role_forwards(&with_policy(docs, &policy), &bus) == RoleAccess::Allowed =>
            {
                plan.changes.push(put);
            }
            Some(Ok(Some(_))) => plan.conflicts.push(step.say("conflict-role", &[("role", ROLE), ("home", &o.home)])),
        }
        plan.changes.extend(forwards);
    }
    if plan.is_empty() {
        // Nothing groundwork may change would make it done: say what stops it, never "nothing to do".
        for f in findings.iter().filter(|f| f.status != Status::Done) {
            plan.conflicts.push(unmended(step, f));
        }
    }
    Ok(plan)
}

fn unmended(step: &Step, f: &Finding) -> String {
    let key = if f.status == Status::Unknown { "conflict-unknown" } else { "conflict-unmended" };
    step.say(key, &[("region", f.region.as_deref().unwrap_or_default()), ("finding", &f.detail)])
}

/// groundwork's rule in a Region, if it exists.
fn ours<'a>(o: &'a Observed, region: &str) -> Result<Option<&'a super::RuleSeen>, PlanError> {
    match o.rules.get(region) {
        None => Err(PlanError::Undetermined(format!("the rules in {region} were not read"))),
        Some(Err(e)) => Err(e.clone().into()),
        Some(Ok(rules)) => Ok(rules.iter().find(|r| r.rule.name == RULE)),
    }
}

fn targets<'a>(r: &'a super::RuleSeen, region: &str) -> Result<&'a [crate::aws::eventbridge::Target], PlanError> {
    match &r.targets {
        None => Err(PlanError::Undetermined(format!("the targets of {RULE} in {region} were not read"))),
        Some(Err(e)) => Err(e.clone().into()),
        Some(Ok(t)) => Ok(t),
    }
}

fn not_read(step: &Step, what: &str) -> PlanError {
    PlanError::Undetermined(step.say("not-observed", &[("what", what)]))
}

/// The home Region: the topic EventBridge may publish to, the email subscription, the rule.
fn home_path(
    o: &Observed,
    answers: &Answers,
    ask: &mut dyn Ask,
    plan: &mut Plan,
    step: &Step,
) -> Result<(), PlanError> {
    let pattern = &pattern(&answers.min_severity);
    let (account, region) = (o.account.as_str(), o.home.as_str());
    let at = At::new(account, region);
    let (topic, rule_arn) = (o.topic_arn(), o.rule_arn(region));
    let change = |action| Change { at: at.clone(), global: false, action };
    let request = Publish { topic: &topic, rule_arn: &rule_arn, account };
    // Judged by the same rules as the verdict: this rule may publish, and the topic's key is not
    // one EventBridge cannot use.
    let subscriptions = match o.topics.get(&topic) {
        None => return Err(not_read(step, &format!("topic {topic}"))),
        Some(Err(e)) if absent(e) => {
            let policy = topic_policy(&topic, account, &rule_arn).to_string();
            plan.changes.push(change(Action::CreateTopic { name: TOPIC.into(), policy }));
            &[][..]
        }
        Some(Err(e)) => return Err(e.clone().into()),
        Some(Ok(t)) if t.access.kms_key.is_some() => {
            plan.conflicts.push(step.say("conflict-topic-key", &[("topic", &topic)]));
            return Ok(());
        }
        Some(Ok(t)) if publish_access(t.access.policy.as_deref(), &request) == Access::Allowed => &t.subscriptions[..],
        Some(Ok(_)) => {
            plan.conflicts.push(step.say("conflict-topic-policy", &[("topic", &topic)]));
            return Ok(());
        }
    };
    let email = answers.email.clone().ok_or_else(|| InputError::Missing("alerts.email".into()))?;
    match subscriptions.iter().find(|s| s.protocol == "email" && s.endpoint.eq_ignore_ascii_case(&email)) {
        Some(s) if s.confirmed => {}
        // Asked only once a pending subscription exists: before that the answer changes nothing.
        Some(_) if ask.get("alerts.resend-confirmation", None)? == "yes" => {
            plan.changes.push(change(Action::Subscribe { topic: topic.clone(), email: email.clone() }));
            plan.manual = true;
        }
        Some(_) => {
            plan.notes.push(step.say("plan-pending", &[("email", &email), ("region", region)]));
            // Only the person can click the confirmation link AWS emailed.
            plan.manual = true;
        }
        None => {
            plan.changes.push(change(Action::Subscribe { topic: topic.clone(), email: email.clone() }));
            plan.manual = true;
        }
    }
    match ours(o, region)? {
        None => {
            plan.changes.push(change(Action::PutRule { name: RULE.into(), pattern: pattern.to_string() }));
            plan.changes.push(change(Action::PutTarget { rule: RULE.into(), topic }));
        }
        Some(r) if !r.rule.enabled || !same_json(r.rule.pattern.as_deref(), pattern) => {
            plan.conflicts.push(step.say("conflict-rule", &[("rule", RULE), ("region", region)]));
        }
        Some(r) => {
            if !targets(r, region)?.iter().any(|t| t.arn == topic) {
                plan.changes.push(change(Action::PutTarget { rule: RULE.into(), topic }));
            }
        }
    }
    Ok(())
}

/// GuardDuty findings at or above `min` (a validated number from 1 to 10): the threshold the
/// verdict judges with, from the same answer.
pub fn pattern(min: &str) -> Value {
    // Kept as the person wrote it (7 stays 7, not 7.0), so the pattern reads as they meant it; an
    // answer that is not a severity is the default, as the verdict reads it (`min_severity`).
    let threshold = crate::inputs::validate(crate::inputs::Kind::Severity, min)
        .ok()
        .and_then(|v| serde_json::from_str::<serde_json::Number>(v.trim()).ok())
        .map_or_else(|| json!(min_severity(None)), Value::Number);
    json!({"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
           "detail": {"severity": [{"numeric": [">=", threshold]}]}})
}

/// SNS's default owner statement, plus publishing from this one rule by EventBridge.
fn topic_policy(topic: &str, account: &str, rule_arn: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "OwnerManages", "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
                    "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
         "Resource": topic, "Condition": {"StringEquals": {"AWS:SourceOwner": account}}},
        {"Sid": "AllowEventBridge", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
         "Action": "sns:Publish", "Resource": topic, "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}}
    ]})
}

/// The forwarding role's one inline policy: put events on the home Region's bus, nothing else.
fn forwarding_policy(bus: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": bus}]})
}

/// The same JSON, numbers compared by value (a threshold of 7 is one of 7.0).
fn same_json(a: Option<&str>, b: &Value) -> bool {
    a.and_then(|s| serde_json::from_str::<Value>(s).ok()).is_some_and(|x| by_value(&x) == by_value(b))
}

fn by_value(v: &Value) -> Value {
    match v {
        Value::Number(n) => n.as_f64().map_or_else(|| v.clone(), |f| json!(f)),
        Value::Array(items) => Value::Array(items.iter().map(by_value).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), by_value(v))).collect()),
        other => other.clone(),
    }
}

/// The role's documents with `policy` as its only inline policy.
fn with_policy(docs: &crate::aws::iam::RoleDocs, policy: &str) -> crate::aws::iam::RoleDocs {
    crate::aws::iam::RoleDocs { trust: docs.trust.clone(), inline: vec![policy.to_owned()] }
}
