//! The budget step's rules: when a budget and an anomaly subscription count, the verdict, and the
//! changes. Pure functions of the observation.

use super::{AlertSeen, BUDGET, BudgetSeen, MONITOR, Observed, PlanFailure, SUBSCRIPTION};
use crate::aws::AwsError;
use crate::aws::budgets::BILLING_REGION;
use crate::aws::change::{Action, MONITOR as MONITOR_OUTPUT, Ref, budget::ANOMALY_IMPACT_USD};
use crate::aws::{At, cost_explorer::Subscription};
use crate::catalog::Step;
use crate::inputs::Ask;
use crate::steps::{Change, Plan};
use crate::verdict::{Finding, Status};

/// Where the budgets stand.
#[derive(Debug, Clone, PartialEq)]
pub enum BudgetState {
    /// A monthly cost budget alerts on actual and forecast spend by email.
    Met { name: String, emails: Vec<String> },
    /// What could not be read (the budgets, or a budget that might count).
    Unread(AwsError),
    /// No budget counts yet: `lacking` names the monthly cost budgets that do not, with why;
    /// `sns` those whose alerts go only to SNS topics, which groundwork cannot follow yet.
    Missing { lacking: Vec<(String, &'static str)>, sns: Vec<String> },
}

/// Where Cost Anomaly Detection stands.
#[derive(Debug, Clone, PartialEq)]
pub enum AnomalyState {
    /// A monitor of every AWS service, with a subscription that emails someone.
    Met {
        monitor: String,
        emails: Vec<String>,
        frequency: String,
    },
    Unread(AwsError),
    /// No subscription reaches anyone yet. `monitor`: the AWS services monitor, when there is one
    /// (name, ARN); `sns`: subscriptions to it that go only to SNS topics.
    Missing {
        monitor: Option<(String, String)>,
        sns: Vec<String>,
    },
}

/// Whether an alert fires no later than the rule asks: over the budget's share (a percentage of at
/// most `percent`, or an absolute amount no higher than that share of the limit).
fn fires(a: &AlertSeen, kind: &str, percent: f64, limit: Option<f64>) -> bool {
    let early_enough = match a.threshold_type.as_str() {
        "PERCENTAGE" => a.threshold <= percent,
        "ABSOLUTE_VALUE" => limit.is_some_and(|l| a.threshold <= l * percent / 100.0),
        _ => false,
    };
    a.kind == kind && a.comparison == "GREATER_THAN" && early_enough
}

/// The email addresses an alert reaches, or why it reaches none groundwork can see.
fn emails(a: &AlertSeen) -> Result<Vec<String>, Reach> {
    let subs = a.subscribers.as_ref().map_err(|e| Reach::Unread(Box::new(e.clone())))?;
    let found: Vec<String> = subs.iter().filter(|s| s.kind == "EMAIL").map(|s| s.address.clone()).collect();
    match found.is_empty() {
        false => Ok(found),
        true if subs.iter().any(|s| s.kind == "SNS") => Err(Reach::Sns),
        true => Err(Reach::Nobody),
    }
}

enum Reach {
    Unread(Box<AwsError>),
    Sns,
    Nobody,
}

/// One monthly cost budget against the rule: the emails both alerts reach, or why not.
fn budget_meets(b: &BudgetSeen) -> Result<Vec<String>, (Option<Reach>, &'static str)> {
    let alerts = match &b.alerts {
        Some(Ok(alerts)) => alerts,
        Some(Err(e)) => return Err((Some(Reach::Unread(Box::new(e.clone()))), "")),
        None => return Err((None, "lacks-monthly-cost")),
    };
    let mut reached = Vec::new();
    for (kind, percent, lacks) in [("ACTUAL", 100.0, "lacks-actual"), ("FORECASTED", 100.0, "lacks-forecast")] {
        let mut best: Option<Reach> = None;
        let mut found = false;
        for a in alerts.iter().filter(|a| fires(a, kind, percent, b.budget.limit)) {
            match emails(a) {
                Ok(mut e) => {
                    reached.append(&mut e);
                    found = true;
                    break;
                }
                Err(r @ Reach::Unread(_)) => best = Some(r),
                Err(Reach::Sns) if best.is_none() => best = Some(Reach::Sns),
                Err(_) => best = best.or(Some(Reach::Nobody)),
            }
        }
        if !found {
            return Err(match best {
                Some(Reach::Nobody) => (None, "lacks-email"),
                other => (other, lacks),
            });
        }
    }
    reached.sort();
    reached.dedup();
    Ok(reached)
}

pub fn budget_state(o: &Observed) -> BudgetState {
    let all = match &o.budgets {
        Ok(all) => all,
        Err(e) => return BudgetState::Unread(e.clone()),
    };
    let (mut lacking, mut sns, mut unread) = (Vec::new(), Vec::new(), None);
    for b in all.iter().filter(|b| b.monthly_cost()) {
        match budget_meets(b) {
            Ok(emails) => return BudgetState::Met { name: b.budget.name.clone(), emails },
            Err((Some(Reach::Unread(e)), _)) => unread = unread.or(Some(*e)),
            Err((Some(Reach::Sns), _)) => sns.push(b.budget.name.clone()),
            Err((_, why)) => lacking.push((b.budget.name.clone(), why)),
        }
    }
    // A budget that could not be read might count: never plan a second one over it.
    match unread {
        Some(e) => BudgetState::Unread(e),
        None => BudgetState::Missing { lacking, sns },
    }
}

/// Whom a subscription emails (not those who declined), or whether it goes only to SNS.
fn subscription_emails(s: &Subscription) -> (Vec<String>, bool) {
    let emails: Vec<String> = s
        .subscribers
        .iter()
        .filter(|x| x.kind == "EMAIL" && x.status.as_deref() != Some("DECLINED"))
        .map(|x| x.address.clone())
        .collect();
    let sns = s.subscribers.iter().any(|x| x.kind == "SNS" && x.status.as_deref() != Some("DECLINED"));
    (emails, sns)
}

pub fn anomaly_state(o: &Observed) -> AnomalyState {
    let (monitors, subscriptions) = match (&o.monitors, &o.subscriptions) {
        (Err(e), _) | (_, Err(e)) => return AnomalyState::Unread(e.clone()),
        (Ok(m), Ok(s)) => (m, s),
    };
    let services: Vec<_> =
        monitors.iter().filter(|m| m.kind == "DIMENSIONAL" && m.dimension.as_deref() == Some("SERVICE")).collect();
    let mut sns = Vec::new();
    for m in &services {
        for s in subscriptions.iter().filter(|s| s.monitors.contains(&m.arn)) {
            match subscription_emails(s) {
                (emails, _) if !emails.is_empty() => {
                    return AnomalyState::Met { monitor: m.name.clone(), emails, frequency: s.frequency.clone() };
                }
                (_, true) => sns.push(s.name.clone()),
                _ => {}
            }
        }
    }
    AnomalyState::Missing { monitor: services.first().map(|m| (m.name.clone(), m.arn.clone())), sns }
}

pub fn judge(o: &Observed, step: &Step) -> Vec<Finding> {
    let me = o.account.as_str();
    if let Some(payer) = &o.payer {
        // A member's budget sees only its own spend: judged here, the organization's bill could
        // run away unseen while this says done.
        return vec![Finding::new(me, None, Status::Unknown, step.say("member-account", &[("payer", payer)]))];
    }
    let budget = match budget_state(o) {
        BudgetState::Met { name, emails } => Finding::new(
            me,
            None,
            Status::Done,
            step.say("budget-met", &[("name", &name), ("emails", &emails.join(", "))]),
        ),
        BudgetState::Unread(e) => {
            Finding::new(me, None, Status::Unknown, step.say("budget-unread", &[("why", &e.explain())]))
        }
        BudgetState::Missing { sns, .. } if !sns.is_empty() => {
            Finding::new(me, None, Status::Unknown, step.say("budget-sns", &[("names", &sns.join(", "))]))
        }
        BudgetState::Missing { lacking, .. } if !lacking.is_empty() => {
            let named: Vec<String> = lacking.iter().map(|(n, why)| format!("{n} ({})", step.say(why, &[]))).collect();
            Finding::new(me, None, Status::Partial, step.say("budget-lacking", &[("names", &named.join("; "))]))
        }
        BudgetState::Missing { .. } => Finding::new(me, None, Status::NotDone, step.say("budget-none", &[])),
    };
    let r = Some(BILLING_REGION);
    let anomaly = match anomaly_state(o) {
        AnomalyState::Met { monitor, emails, frequency } => Finding::new(
            me,
            r,
            Status::Done,
            step.say(
                "anomaly-met",
                &[("monitor", &monitor), ("emails", &emails.join(", ")), ("frequency", &frequency)],
            ),
        ),
        AnomalyState::Unread(e) => {
            Finding::new(me, r, Status::Unknown, step.say("anomaly-unread", &[("why", &e.explain())]))
        }
        AnomalyState::Missing { sns, .. } if !sns.is_empty() => {
            Finding::new(me, r, Status::Unknown, step.say("anomaly-sns", &[("names", &sns.join(", "))]))
        }
        AnomalyState::Missing { monitor: Some((name, _)), .. } => {
            Finding::new(me, r, Status::Partial, step.say("anomaly-no-subscription", &[("monitor", &name)]))
        }
        AnomalyState::Missing { monitor: None, .. } => {
            Finding::new(me, r, Status::NotDone, step.say("anomaly-none", &[]))
        }
    };
    vec![budget, anomaly]
}

/// The changes: groundwork's budget when none counts, its monitor when there is no AWS services
/// monitor, and its subscription when none reaches anyone. A read that failed stops the plan; a
/// name groundwork would use that is taken is a conflict.
pub fn plan(o: &Observed, ask: &mut dyn Ask, step: &Step, defaults: &super::Defaults) -> Result<Plan, PlanFailure> {
    let mut plan = Plan::default();
    if let Some(payer) = &o.payer {
        plan.conflicts.push(step.say("member-account", &[("payer", payer)]));
        return Ok(plan);
    }
    let at = At::new(&o.account, BILLING_REGION);
    let mut email: Option<String> = None;
    let mut email_of = |ask: &mut dyn Ask| -> Result<String, PlanFailure> {
        if email.is_none() {
            email = Some(ask.get("budget.email", defaults.alert_email.as_deref())?);
        }
        Ok(email.clone().unwrap_or_default())
    };
    match budget_state(o) {
        BudgetState::Met { name, .. } => plan.notes.push(step.say("plan-budget-kept", &[("name", &name)])),
        BudgetState::Unread(e) => return Err(PlanFailure::Aws(e)),
        BudgetState::Missing { sns, .. } => {
            let taken = o.budgets.as_ref().is_ok_and(|all| all.iter().any(|b| b.budget.name == BUDGET));
            if taken {
                plan.conflicts.push(step.say("conflict-budget-name", &[("name", BUDGET)]));
            } else {
                let hint = hint(o, step, &mut plan.notes);
                let amount = ask.get("budget.amount", hint.as_deref())?;
                let email = email_of(ask)?;
                plan.changes.push(Change {
                    at: at.clone(),
                    global: false,
                    action: Action::CreateBudget { name: BUDGET.into(), amount, email },
                });
            }
            if !sns.is_empty() {
                plan.notes.push(step.say("plan-budget-sns", &[("names", &sns.join(", "))]));
            }
        }
    }
    match anomaly_state(o) {
        AnomalyState::Met { monitor, .. } => plan.notes.push(step.say("plan-anomaly-kept", &[("monitor", &monitor)])),
        AnomalyState::Unread(e) => return Err(PlanFailure::Aws(e)),
        AnomalyState::Missing { monitor, sns } => {
            let taken = o.subscriptions.as_ref().is_ok_and(|all| all.iter().any(|s| s.name == SUBSCRIPTION));
            if taken {
                plan.conflicts.push(step.say("conflict-subscription-name", &[("name", SUBSCRIPTION)]));
            } else {
                let monitor = match monitor {
                    Some((_, arn)) => Ref::Known(arn),
                    None => {
                        let action = Action::CreateAnomalyMonitor { name: MONITOR.into() };
                        plan.changes.push(Change { at: at.clone(), global: false, action });
                        Ref::Output(MONITOR_OUTPUT.into())
                    }
                };
                let email = email_of(ask)?;
                let action = Action::CreateAnomalySubscription { name: SUBSCRIPTION.into(), monitor, email };
                plan.changes.push(Change { at: at.clone(), global: false, action });
                plan.notes.push(step.say("plan-anomaly-threshold", &[("usd", ANOMALY_IMPACT_USD)]));
            }
            if !sns.is_empty() {
                plan.notes.push(step.say("plan-anomaly-sns", &[("names", &sns.join(", "))]));
            }
        }
    }
    if plan.changes.is_empty() && plan.conflicts.is_empty() {
        plan.notes.push(step.say("plan-all-set", &[]));
    }
    Ok(plan)
}

/// The amount's hint: last month's spend rounded up to whole dollars (at least 1), with a note
/// saying what it is and what reading it cost, or why there is none.
fn hint(o: &Observed, step: &Step, notes: &mut Vec<String>) -> Option<String> {
    match &o.last_month {
        Some(Ok(Some(spent))) => {
            let rounded = spent.max(0.0).ceil().max(1.0);
            notes.push(step.say("plan-last-month", &[("spent", &format!("{spent:.2}"))]));
            Some(format!("{rounded:.0}"))
        }
        Some(Ok(None)) => {
            notes.push(step.say("plan-last-month-none", &[]));
            None
        }
        Some(Err(e)) => {
            notes.push(step.say("plan-last-month-unread", &[("why", &e.explain())]));
            None
        }
        None => None,
    }
}
