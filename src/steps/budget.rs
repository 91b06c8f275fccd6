//! budget: a monthly cost budget that emails the person when actual spend passes a share of it and
//! when the month's forecast goes over it, and Cost Anomaly Detection watching every AWS service
//! with an alert subscription that emails them. Both live in the account groundwork runs in (the
//! management account of an organization, whose bill covers every member), read and written in
//! us-east-1, where the Budgets and Cost Explorer APIs are, whatever Region the person works in.
//!
//! What the person already has is read and counted, never changed: a budget or subscription that
//! meets the rule makes its half done; one that does not is left as it is and groundwork adds its
//! own. `observe` reads AWS once; `judge` and `plan` are pure functions of that observation.

mod rules;

pub use rules::{AnomalyState, BudgetState, anomaly_state, budget_state, judge, plan};

use crate::aws::budgets::{self as budgets_api, Budget, Subscriber};
use crate::aws::cost_explorer::{self, Monitor, Subscription};
use crate::aws::{At, Aws, AwsError};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::inputs::InputError;
use crate::verdict::Finding;

/// The names groundwork gives what it creates.
pub const BUDGET: &str = "groundwork-monthly-cost";
pub const MONITOR: &str = "groundwork-aws-services";
pub const SUBSCRIPTION: &str = "groundwork-cost-anomalies";

/// Everything the step reads, as plain values (a test builds one by hand). A part that could not be
/// read keeps its error and makes only its half unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// The account whose bill is watched: the caller's.
    pub account: String,
    /// The management account, when the caller is a member of an organization it does not
    /// manage: the organization's bill (and so its budget) is the management account's.
    pub payer: Option<String>,
    pub budgets: Result<Vec<BudgetSeen>, AwsError>,
    pub monitors: Result<Vec<Monitor>, AwsError>,
    pub subscriptions: Result<Vec<Subscription>, AwsError>,
    /// The last full month's spend in US dollars (`None` inside: AWS has no figure). Read only
    /// when a plan will ask for the amount (each Cost Explorer request costs US$0.01); `None` when
    /// not read.
    pub last_month: Option<Result<Option<f64>, AwsError>>,
}

/// One budget, with its notifications when it is a monthly cost budget (no other kind can count).
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetSeen {
    pub budget: Budget,
    pub alerts: Option<Result<Vec<AlertSeen>, AwsError>>,
}

/// One notification of a budget and whom it reaches.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertSeen {
    /// `ACTUAL` or `FORECASTED`.
    pub kind: String,
    pub comparison: String,
    pub threshold: f64,
    /// `PERCENTAGE` or `ABSOLUTE_VALUE`.
    pub threshold_type: String,
    pub subscribers: Result<Vec<Subscriber>, AwsError>,
}

impl BudgetSeen {
    /// Whether it is a monthly cost budget, the only kind that watches the whole bill each month.
    pub fn monthly_cost(&self) -> bool {
        self.budget.time_unit == "MONTHLY" && self.budget.budget_type == "COST"
    }
}

pub async fn observe(aws: &Aws, facts: &Facts) -> Observed {
    let account = facts.identity.account.clone();
    let payer = match &facts.organization {
        Ok(Some(org)) if org.management_account != account => Some(org.management_account.clone()),
        _ => None,
    };
    let at = At::new(&account, budgets_api::BILLING_REGION);
    let (budgets, monitors, subscriptions) = futures_util::join!(
        read_budgets(aws, &at),
        cost_explorer::monitors(aws, &at),
        cost_explorer::subscriptions(aws, &at)
    );
    Observed { account, payer, budgets, monitors, subscriptions, last_month: None }
}

/// Every budget, and the notifications and subscribers of each monthly cost budget.
async fn read_budgets(aws: &Aws, at: &At) -> Result<Vec<BudgetSeen>, AwsError> {
    let all = budgets_api::budgets(aws, at).await?;
    let reads = all.into_iter().map(|budget| async move {
        let mut seen = BudgetSeen { budget, alerts: None };
        if seen.monthly_cost() {
            seen.alerts = Some(read_alerts(aws, at, &seen.budget.name).await);
        }
        seen
    });
    Ok(futures_util::future::join_all(reads).await)
}

async fn read_alerts(aws: &Aws, at: &At, budget: &str) -> Result<Vec<AlertSeen>, AwsError> {
    let alerts = budgets_api::alerts(aws, at, budget).await?;
    let reads = alerts.into_iter().map(|a| async move {
        let subscribers = budgets_api::subscribers(aws, at, budget, &a).await;
        AlertSeen {
            kind: a.kind,
            comparison: a.comparison,
            threshold: a.threshold,
            threshold_type: a.threshold_type,
            subscribers,
        }
    });
    Ok(futures_util::future::join_all(reads).await)
}

/// The person's answers the plan is made with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Defaults {
    /// `alerts.email`, offered as the budget's email.
    pub alert_email: Option<String>,
}

/// Why a plan could not be made from an observation.
#[derive(Debug, thiserror::Error)]
pub enum PlanFailure {
    #[error("{}", .0.explain())]
    Aws(AwsError),
    #[error("{0}")]
    Input(#[from] InputError),
}

impl From<PlanFailure> for crate::steps::PlanError {
    fn from(f: PlanFailure) -> Self {
        match f {
            PlanFailure::Aws(e) => e.into(),
            PlanFailure::Input(e) => e.into(),
        }
    }
}

pub async fn check(aws: &Aws, facts: &Facts, step: &Step) -> Vec<Finding> {
    judge(&observe(aws, facts).await, step)
}

/// `plan` and `apply`: observe; read last month's spend only when a budget is to be created (its
/// figure is the amount's hint); then plan.
pub async fn plan_live(ctx: &mut crate::steps::Ctx<'_>) -> Result<crate::steps::Plan, crate::steps::PlanError> {
    let mut o = observe(ctx.aws, ctx.facts).await;
    if matches!(budget_state(&o), BudgetState::Missing { .. }) {
        let at = At::new(&o.account, budgets_api::BILLING_REGION);
        o.last_month = Some(cost_explorer::last_month(ctx.aws, &at, today()).await);
    }
    let alert_email = ctx.ask.given("alerts.email").or_else(|| ctx.record.inputs.get("alerts.email").cloned());
    Ok(plan(&o, ctx.ask, ctx.step, &Defaults { alert_email })?)
}

/// This month, as (year, month), from the system clock.
fn today() -> (i32, u32) {
    let now = aws_smithy_types::DateTime::from(std::time::SystemTime::now());
    let text = now.fmt(aws_smithy_types::date_time::Format::DateTime).unwrap_or_default();
    let year = text.get(0..4).and_then(|y| y.parse().ok()).unwrap_or(1970);
    let month = text.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    (year, month)
}
