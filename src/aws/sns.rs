//! SNS: a topic's access policy and its subscriptions.

use super::{At, Aws, AwsError, error::classify};

/// What SNS shows for an unconfirmed subscription in place of its ARN.
const PENDING: &str = "PendingConfirmation";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub protocol: String,
    pub endpoint: String,
    pub confirmed: bool,
}

/// The topic's access policy document (JSON), if it has one.
pub async fn topic_policy(aws: &Aws, at: &At, topic_arn: &str) -> Result<Option<String>, AwsError> {
    let _slot = aws.permit().await;
    let out = aws
        .client(at, aws_sdk_sns::Client::new)
        .get_topic_attributes()
        .topic_arn(topic_arn)
        .send()
        .await
        .map_err(|e| classify(&e, "sns:GetTopicAttributes", &at.account, Some(&at.region)))?;
    Ok(out.attributes().and_then(|a| a.get("Policy")).cloned())
}

/// Every subscription to the topic.
pub async fn subscriptions(aws: &Aws, at: &At, topic_arn: &str) -> Result<Vec<Subscription>, AwsError> {
    let client = aws.client(at, aws_sdk_sns::Client::new);
    let mut subs = Vec::new();
    let mut token = None;
    loop {
        let _slot = aws.permit().await;
        let out = client
            .list_subscriptions_by_topic()
            .topic_arn(topic_arn)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| classify(&e, "sns:ListSubscriptionsByTopic", &at.account, Some(&at.region)))?;
        subs.extend(out.subscriptions().iter().map(|s| Subscription {
            protocol: s.protocol().unwrap_or_default().to_owned(),
            endpoint: s.endpoint().unwrap_or_default().to_owned(),
            confirmed: s.subscription_arn().is_some_and(|a| a != PENDING && a.starts_with("arn:")),
        }));
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(subs);
        }
    }
}
