//! AWS Budgets: the account's budgets, each budget's notifications and each notification's
//! subscribers. Budgets has one endpoint (us-east-1, `budgets.amazonaws.com`), whatever Region the
//! person works in: every call here is made there.

use aws_sdk_budgets::types::Notification;

use super::{At, Aws, AwsError};

/// The Region of the Budgets and Cost Explorer endpoints.
pub const BILLING_REGION: &str = "us-east-1";

/// One budget, as the step judges it.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub name: String,
    /// `TimeUnit` and `BudgetType`, as AWS names them (`MONTHLY`, `COST`).
    pub time_unit: String,
    pub budget_type: String,
    /// The limit in US dollars, when it has one in USD.
    pub limit: Option<f64>,
}

/// One notification of a budget: what it watches and when it fires.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// `ACTUAL` or `FORECASTED`.
    pub kind: String,
    /// `GREATER_THAN`, `LESS_THAN` or `EQUAL_TO`.
    pub comparison: String,
    pub threshold: f64,
    /// `PERCENTAGE` (AWS's default) or `ABSOLUTE_VALUE`.
    pub threshold_type: String,
    /// Kept to name the notification again when its subscribers are read.
    pub(crate) raw: Notification,
}

/// Who a notification reaches: `EMAIL` or `SNS`, and the address or topic ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub kind: String,
    pub address: String,
}

fn at_billing(at: &At) -> At {
    At::new(&at.account, BILLING_REGION)
}

/// Every budget of the account (`DescribeBudgets`, paginated).
pub async fn budgets(aws: &Aws, at: &At) -> Result<Vec<Budget>, AwsError> {
    let at = at_billing(at);
    let client = aws.client(&at, aws_sdk_budgets::Client::new);
    let pages = aws
        .pages("budgets:ViewBudget", &at, || client.describe_budgets().account_id(&at.account).into_paginator().send())
        .await?;
    Ok(pages
        .iter()
        .flat_map(|p| p.budgets())
        .map(|b| Budget {
            name: b.budget_name().to_owned(),
            time_unit: b.time_unit().as_str().to_owned(),
            budget_type: b.budget_type().as_str().to_owned(),
            limit: b.budget_limit().filter(|s| s.unit() == "USD").and_then(|s| s.amount().parse().ok()),
        })
        .collect())
}

/// A budget's notifications (`DescribeNotificationsForBudget`, paginated).
pub async fn alerts(aws: &Aws, at: &At, budget: &str) -> Result<Vec<Alert>, AwsError> {
    let at = at_billing(at);
    let client = aws.client(&at, aws_sdk_budgets::Client::new);
    let pages = aws
        .pages("budgets:ViewBudget", &at, || {
            client
                .describe_notifications_for_budget()
                .account_id(&at.account)
                .budget_name(budget)
                .into_paginator()
                .send()
        })
        .await?;
    Ok(pages
        .iter()
        .flat_map(|p| p.notifications())
        .cloned()
        .map(|n| Alert {
            kind: n.notification_type().as_str().to_owned(),
            comparison: n.comparison_operator().as_str().to_owned(),
            threshold: n.threshold(),
            threshold_type: n.threshold_type().map_or("PERCENTAGE", |t| t.as_str()).to_owned(),
            raw: n,
        })
        .collect())
}

/// A notification's subscribers (`DescribeSubscribersForNotification`, paginated).
pub async fn subscribers(aws: &Aws, at: &At, budget: &str, alert: &Alert) -> Result<Vec<Subscriber>, AwsError> {
    let at = at_billing(at);
    let client = aws.client(&at, aws_sdk_budgets::Client::new);
    let pages = aws
        .pages("budgets:ViewBudget", &at, || {
            client
                .describe_subscribers_for_notification()
                .account_id(&at.account)
                .budget_name(budget)
                .notification(alert.raw.clone())
                .into_paginator()
                .send()
        })
        .await?;
    Ok(pages
        .iter()
        .flat_map(|p| p.subscribers())
        .map(|s| Subscriber { kind: s.subscription_type().as_str().to_owned(), address: s.address().to_owned() })
        .collect())
}
