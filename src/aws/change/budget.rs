//! The budget step's changes: a monthly cost budget with two email alerts, an AWS services anomaly
//! monitor and a daily email subscription to it. All in us-east-1, where Budgets and Cost Explorer
//! live; each is new (nothing here updates or deletes what the person has).

use aws_sdk_budgets::types::{
    Budget, BudgetType, ComparisonOperator, Notification, NotificationType, NotificationWithSubscribers, Spend,
    Subscriber, SubscriptionType, ThresholdType, TimeUnit,
};
use aws_sdk_costexplorer::types::{
    AnomalyMonitor, AnomalySubscription, AnomalySubscriptionFrequency, Dimension, DimensionValues, Expression,
    MatchOption, MonitorDimension, MonitorType, SubscriberType,
};

use crate::aws::budgets::BILLING_REGION;
use crate::aws::{At, Aws, AwsError, ErrorKind};

/// The budget's two alerts: actual spend over 80% of the amount, and the month's forecast over 100%.
pub const ACTUAL_PERCENT: f64 = 80.0;
pub const FORECAST_PERCENT: f64 = 100.0;
/// An anomaly is emailed when its total impact reaches this many US dollars.
pub const ANOMALY_IMPACT_USD: &str = "10";

fn invalid(action: &'static str, at: &At, e: impl std::fmt::Display) -> AwsError {
    AwsError {
        request_id: None,
        kind: ErrorKind::Other,
        action,
        account: at.account.clone(),
        region: Some(BILLING_REGION.to_owned()),
        code: None,
        message: e.to_string(),
    }
}

fn alert(kind: NotificationType, percent: f64, email: &str) -> Result<NotificationWithSubscribers, String> {
    let notification = Notification::builder()
        .notification_type(kind)
        .comparison_operator(ComparisonOperator::GreaterThan)
        .threshold(percent)
        .threshold_type(ThresholdType::Percentage)
        .build()
        .map_err(|e| e.to_string())?;
    let subscriber = Subscriber::builder()
        .subscription_type(SubscriptionType::Email)
        .address(email)
        .build()
        .map_err(|e| e.to_string())?;
    NotificationWithSubscribers::builder()
        .notification(notification)
        .subscribers(subscriber)
        .build()
        .map_err(|e| e.to_string())
}

/// `CreateBudget`: a MONTHLY COST budget of `amount` US dollars with both alerts to `email`.
pub async fn create_budget(aws: &Aws, at: &At, name: &str, amount: &str, email: &str) -> Result<(), AwsError> {
    let at = At::new(&at.account, BILLING_REGION);
    let build = || -> Result<_, String> {
        let limit = Spend::builder().amount(amount).unit("USD").build().map_err(|e| e.to_string())?;
        let budget = Budget::builder()
            .budget_name(name)
            .budget_limit(limit)
            .time_unit(TimeUnit::Monthly)
            .budget_type(BudgetType::Cost)
            .build()
            .map_err(|e| e.to_string())?;
        let alerts = vec![
            alert(NotificationType::Actual, ACTUAL_PERCENT, email)?,
            alert(NotificationType::Forecasted, FORECAST_PERCENT, email)?,
        ];
        Ok((budget, alerts))
    };
    let (budget, alerts) = build().map_err(|e| invalid("budgets:ModifyBudget", &at, e))?;
    let client = aws.client(&at, aws_sdk_budgets::Client::new);
    aws.call("budgets:ModifyBudget", &at, || {
        client
            .create_budget()
            .account_id(&at.account)
            .budget(budget.clone())
            .set_notifications_with_subscribers(Some(alerts.clone()))
            .send()
    })
    .await?;
    Ok(())
}

/// `CreateAnomalyMonitor`: an AWS managed monitor of every AWS service; returns its ARN.
pub async fn create_monitor(aws: &Aws, at: &At, name: &str) -> Result<String, AwsError> {
    let at = At::new(&at.account, BILLING_REGION);
    let monitor = AnomalyMonitor::builder()
        .monitor_name(name)
        .monitor_type(MonitorType::Dimensional)
        .monitor_dimension(MonitorDimension::Service)
        .build()
        .map_err(|e| invalid("ce:CreateAnomalyMonitor", &at, e))?;
    let client = aws.client(&at, aws_sdk_costexplorer::Client::new);
    let out = aws
        .call("ce:CreateAnomalyMonitor", &at, || {
            client.create_anomaly_monitor().anomaly_monitor(monitor.clone()).send()
        })
        .await?;
    Ok(out.monitor_arn().to_owned())
}

/// `CreateAnomalySubscription`: a daily email about anomalies of `monitor` whose total impact
/// reaches [`ANOMALY_IMPACT_USD`] (email takes DAILY or WEEKLY; IMMEDIATE is SNS only).
pub async fn create_subscription(aws: &Aws, at: &At, name: &str, monitor: &str, email: &str) -> Result<(), AwsError> {
    let at = At::new(&at.account, BILLING_REGION);
    let build = || -> Result<_, String> {
        let impact = DimensionValues::builder()
            .key(Dimension::AnomalyTotalImpactAbsolute)
            .values(ANOMALY_IMPACT_USD)
            .match_options(MatchOption::GreaterThanOrEqual)
            .build();
        let subscriber =
            aws_sdk_costexplorer::types::Subscriber::builder().r#type(SubscriberType::Email).address(email).build();
        AnomalySubscription::builder()
            .subscription_name(name)
            .monitor_arn_list(monitor)
            .subscribers(subscriber)
            .frequency(AnomalySubscriptionFrequency::Daily)
            .threshold_expression(Expression::builder().dimensions(impact).build())
            .build()
            .map_err(|e| e.to_string())
    };
    let subscription = build().map_err(|e| invalid("ce:CreateAnomalySubscription", &at, e))?;
    let client = aws.client(&at, aws_sdk_costexplorer::Client::new);
    aws.call("ce:CreateAnomalySubscription", &at, || {
        client.create_anomaly_subscription().anomaly_subscription(subscription.clone()).send()
    })
    .await?;
    Ok(())
}
