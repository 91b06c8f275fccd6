//! Cost Explorer: Cost Anomaly Detection's monitors and subscriptions, and last month's spend.
//! Its API has one endpoint, in us-east-1 (`ce.us-east-1.amazonaws.com`): every call is made there,
//! whatever Region the person works in. Each request costs US$0.01 (AWS Cost Management pricing),
//! so `check` reads only the anomaly settings, and last month's spend is read once, by a plan.

use aws_sdk_costexplorer::types::{DateInterval, Granularity};

use super::budgets::BILLING_REGION;
use super::{At, Aws, AwsError};

/// A Cost Anomaly Detection monitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Monitor {
    pub arn: String,
    pub name: String,
    /// `DIMENSIONAL` (AWS managed) or `CUSTOM`.
    pub kind: String,
    /// For a DIMENSIONAL monitor, what it watches (`SERVICE`, `LINKED_ACCOUNT`, ...).
    pub dimension: Option<String>,
}

/// An alert subscription: whom it tells, how often, about which monitors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub arn: String,
    pub name: String,
    pub monitors: Vec<String>,
    pub frequency: String,
    pub subscribers: Vec<Subscriber>,
}

/// `EMAIL` or `SNS`, the address or topic, and whether it accepts notifications (`CONFIRMED`,
/// `DECLINED`; AWS may leave it out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub kind: String,
    pub address: String,
    pub status: Option<String>,
}

fn at_billing(at: &At) -> At {
    At::new(&at.account, BILLING_REGION)
}

/// Every anomaly monitor of the account (`GetAnomalyMonitors`, paginated).
pub async fn monitors(aws: &Aws, at: &At) -> Result<Vec<Monitor>, AwsError> {
    let at = at_billing(at);
    let client = aws.client(&at, aws_sdk_costexplorer::Client::new);
    let pages =
        aws.pages("ce:GetAnomalyMonitors", &at, || client.get_anomaly_monitors().into_paginator().send()).await?;
    pages
        .iter()
        .flat_map(|p| p.anomaly_monitors())
        .map(|m| {
            Ok(Monitor {
                arn: super::missing(m.monitor_arn(), "ce:GetAnomalyMonitors", "MonitorArn", &at)?,
                name: m.monitor_name().to_owned(),
                kind: m.monitor_type().as_str().to_owned(),
                dimension: m.monitor_dimension().map(|d| d.as_str().to_owned()),
            })
        })
        .collect()
}

/// Every alert subscription of the account (`GetAnomalySubscriptions`, paginated).
pub async fn subscriptions(aws: &Aws, at: &At) -> Result<Vec<Subscription>, AwsError> {
    let at = at_billing(at);
    let client = aws.client(&at, aws_sdk_costexplorer::Client::new);
    let pages = aws
        .pages("ce:GetAnomalySubscriptions", &at, || client.get_anomaly_subscriptions().into_paginator().send())
        .await?;
    pages
        .iter()
        .flat_map(|p| p.anomaly_subscriptions())
        .map(|s| {
            Ok(Subscription {
                arn: super::missing(s.subscription_arn(), "ce:GetAnomalySubscriptions", "SubscriptionArn", &at)?,
                name: s.subscription_name().to_owned(),
                monitors: s.monitor_arn_list().to_vec(),
                frequency: s.frequency().as_str().to_owned(),
                subscribers: s
                    .subscribers()
                    .iter()
                    .map(|x| Subscriber {
                        kind: x.r#type().map_or("", |t| t.as_str()).to_owned(),
                        address: x.address().unwrap_or_default().to_owned(),
                        status: x.status().map(|t| t.as_str().to_owned()),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The unblended cost of the last full calendar month, in US dollars (`GetCostAndUsage`, one
/// request: US$0.01). `None` when AWS has no figure for it (a new account).
pub async fn last_month(aws: &Aws, at: &At, today: (i32, u32)) -> Result<Option<f64>, AwsError> {
    let at = at_billing(at);
    let (year, month) = today;
    let (py, pm) = if month == 1 { (year - 1, 12) } else { (year, month - 1) };
    let period = DateInterval::builder()
        .start(format!("{py:04}-{pm:02}-01"))
        .end(format!("{year:04}-{month:02}-01"))
        .build()
        .map_err(|e| AwsError {
            request_id: None,
            kind: super::ErrorKind::Other,
            action: "ce:GetCostAndUsage",
            account: at.account.clone(),
            region: Some(BILLING_REGION.to_owned()),
            code: None,
            message: e.to_string(),
        })?;
    // One month, no grouping: one result, so one page (each page is another US$0.01); the token
    // is followed all the same, should AWS ever split it.
    let client = aws.client(&at, aws_sdk_costexplorer::Client::new);
    let (mut total, mut token, mut any) = (0.0, None::<String>, false);
    loop {
        let out = aws
            .call("ce:GetCostAndUsage", &at, || {
                client
                    .get_cost_and_usage()
                    .time_period(period.clone())
                    .granularity(Granularity::Monthly)
                    .metrics("UnblendedCost")
                    .set_next_page_token(token.clone())
                    .send()
            })
            .await?;
        for amount in
            out.results_by_time().iter().filter_map(|r| r.total()?.get("UnblendedCost")?.amount()?.parse::<f64>().ok())
        {
            total += amount;
            any = true;
        }
        match out.next_page_token().filter(|t| !t.is_empty()) {
            Some(t) => token = Some(t.to_owned()),
            None => return Ok(any.then_some(total)),
        }
    }
}
