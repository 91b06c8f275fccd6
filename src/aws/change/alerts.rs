//! SNS and EventBridge for the alert path: a topic EventBridge may publish to, an email
//! subscription, a rule on GuardDuty findings.

use crate::aws::{At, Aws, AwsError, error::classify};

/// A rule as EventBridge describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleState {
    pub pattern: Option<String>,
    pub enabled: bool,
}

/// The rule of that name on the default bus, if it exists.
pub async fn rule(aws: &Aws, at: &At, name: &str) -> Result<Option<RuleState>, AwsError> {
    let _slot = aws.permit().await;
    match aws.client(at, aws_sdk_eventbridge::Client::new).describe_rule().name(name).send().await {
        Ok(out) => Ok(Some(RuleState {
            pattern: out.event_pattern().map(str::to_owned),
            enabled: out.state().is_some_and(|s| s.as_str() == "ENABLED"),
        })),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => Ok(None),
        Err(e) => Err(classify(&e, "events:DescribeRule", &at.account, Some(&at.region))),
    }
}

/// Whether a topic of that ARN exists (GetTopicAttributes answers NotFound otherwise).
pub async fn topic_policy(aws: &Aws, at: &At, arn: &str) -> Result<Option<Option<String>>, AwsError> {
    let _slot = aws.permit().await;
    match aws.client(at, aws_sdk_sns::Client::new).get_topic_attributes().topic_arn(arn).send().await {
        Ok(out) => Ok(Some(out.attributes().and_then(|a| a.get("Policy")).cloned())),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found_exception()) => Ok(None),
        Err(e) => Err(classify(&e, "sns:GetTopicAttributes", &at.account, Some(&at.region))),
    }
}

/// Creates the topic with its access policy in the same call.
pub async fn create_topic(aws: &Aws, at: &At, name: &str, policy: &str) -> Result<(), AwsError> {
    aws.client(at, aws_sdk_sns::Client::new)
        .create_topic()
        .name(name)
        .attributes("Policy", policy)
        .send()
        .await
        .map_err(|e| classify(&e, "sns:CreateTopic", &at.account, Some(&at.region)))?;
    Ok(())
}

/// Subscribes an email address; AWS emails it a confirmation link (also when re-sent).
pub async fn subscribe(aws: &Aws, at: &At, topic: &str, email: &str) -> Result<(), AwsError> {
    aws.client(at, aws_sdk_sns::Client::new)
        .subscribe()
        .topic_arn(topic)
        .protocol("email")
        .endpoint(email)
        .send()
        .await
        .map_err(|e| classify(&e, "sns:Subscribe", &at.account, Some(&at.region)))?;
    Ok(())
}

pub async fn put_rule(aws: &Aws, at: &At, name: &str, pattern: &str) -> Result<(), AwsError> {
    aws.client(at, aws_sdk_eventbridge::Client::new)
        .put_rule()
        .name(name)
        .event_pattern(pattern)
        .state(aws_sdk_eventbridge::types::RuleState::Enabled)
        .description("groundwork: GuardDuty findings to the security alerts topic")
        .send()
        .await
        .map_err(|e| classify(&e, "events:PutRule", &at.account, Some(&at.region)))?;
    Ok(())
}

pub async fn put_target(aws: &Aws, at: &At, rule: &str, topic: &str) -> Result<(), AwsError> {
    let target =
        aws_sdk_eventbridge::types::Target::builder().id("groundwork-sns").arn(topic).build().map_err(|e| {
            AwsError {
                kind: crate::aws::ErrorKind::Other,
                action: "events:PutTargets",
                account: at.account.clone(),
                region: Some(at.region.clone()),
                code: None,
                message: e.to_string(),
            }
        })?;
    let out = aws
        .client(at, aws_sdk_eventbridge::Client::new)
        .put_targets()
        .rule(rule)
        .targets(target)
        .send()
        .await
        .map_err(|e| classify(&e, "events:PutTargets", &at.account, Some(&at.region)))?;
    if out.failed_entry_count() > 0 {
        let why = out.failed_entries().first().and_then(|f| f.error_message()).unwrap_or("unknown").to_owned();
        return Err(AwsError {
            kind: crate::aws::ErrorKind::Other,
            action: "events:PutTargets",
            account: at.account.clone(),
            region: Some(at.region.clone()),
            code: None,
            message: why,
        });
    }
    Ok(())
}
