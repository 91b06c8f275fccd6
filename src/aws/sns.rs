//! SNS: a topic's access policy, its encryption, and its subscriptions.

use super::{At, Aws, AwsError};

/// What SNS shows for an unconfirmed subscription in place of its ARN.
const PENDING: &str = "PendingConfirmation";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub protocol: String,
    pub endpoint: String,
    pub confirmed: bool,
}

/// What decides whether EventBridge can publish to a topic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicAccess {
    /// The topic's access policy document (JSON), if it has one.
    pub policy: Option<String>,
    /// The KMS key of server-side encryption (`KmsMasterKeyId`), when the topic is encrypted.
    pub kms_key: Option<String>,
}

/// The topic's access policy and encryption key.
pub async fn topic_access(aws: &Aws, at: &At, topic_arn: &str) -> Result<TopicAccess, AwsError> {
    let client = aws.client(at, aws_sdk_sns::Client::new);
    let out =
        aws.call("sns:GetTopicAttributes", at, || client.get_topic_attributes().topic_arn(topic_arn).send()).await?;
    let get = |k: &str| out.attributes().and_then(|a| a.get(k)).filter(|v| !v.is_empty()).cloned();
    Ok(TopicAccess { policy: get("Policy"), kms_key: get("KmsMasterKeyId") })
}

/// Every subscription to the topic.
pub async fn subscriptions(aws: &Aws, at: &At, topic_arn: &str) -> Result<Vec<Subscription>, AwsError> {
    let client = aws.client(at, aws_sdk_sns::Client::new);
    let pages = aws
        .pages("sns:ListSubscriptionsByTopic", at, || {
            client.list_subscriptions_by_topic().topic_arn(topic_arn).into_paginator().send()
        })
        .await?;
    Ok(pages
        .iter()
        .flat_map(|p| p.subscriptions())
        .map(|s| Subscription {
            protocol: s.protocol().unwrap_or_default().to_owned(),
            endpoint: s.endpoint().unwrap_or_default().to_owned(),
            confirmed: s.subscription_arn().is_some_and(|a| a != PENDING && a.starts_with("arn:")),
        })
        .collect())
}
