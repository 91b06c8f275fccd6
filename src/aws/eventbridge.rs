//! EventBridge: rules on the default bus, where they send events, and whether a pattern matches
//! an event (asked of EventBridge itself, so the answer follows its own matching rules).

use super::{At, Aws, AwsError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub name: String,
    pub arn: String,
    pub enabled: bool,
    /// The raw event pattern (JSON), when the rule has one.
    pub pattern: Option<String>,
}

/// One target of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub id: String,
    pub arn: String,
    /// The role EventBridge acts through (needed to send to another Region's event bus).
    pub role: Option<String>,
}

/// Every rule on the default event bus. EventBridge's SDK has no paginators (its model marks no
/// operation as paged), so its lists are read with a token loop.
pub async fn rules(aws: &Aws, at: &At) -> Result<Vec<Rule>, AwsError> {
    let client = aws.client(at, aws_sdk_eventbridge::Client::new);
    let mut rules = Vec::new();
    let mut token = None;
    loop {
        let out = aws.call("events:ListRules", at, || client.list_rules().set_next_token(token.clone()).send()).await?;
        for r in out.rules() {
            let (Some(name), Some(arn)) = (r.name(), r.arn()) else {
                return Err(missing(at, "events:ListRules", "a rule's Name or Arn"));
            };
            rules.push(Rule {
                name: name.to_owned(),
                arn: arn.to_owned(),
                enabled: r.state() == Some(&aws_sdk_eventbridge::types::RuleState::Enabled),
                pattern: r.event_pattern().map(str::to_owned),
            });
        }
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(rules);
        }
    }
}

/// Every target of a rule (all pages).
pub async fn targets(aws: &Aws, at: &At, rule: &str) -> Result<Vec<Target>, AwsError> {
    let client = aws.client(at, aws_sdk_eventbridge::Client::new);
    let mut targets = Vec::new();
    let mut token = None;
    loop {
        let out = aws
            .call("events:ListTargetsByRule", at, || {
                client.list_targets_by_rule().rule(rule).set_next_token(token.clone()).send()
            })
            .await?;
        targets.extend(out.targets().iter().map(|t| Target {
            id: t.id().to_owned(),
            arn: t.arn().to_owned(),
            role: t.role_arn().map(str::to_owned),
        }));
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(targets);
        }
    }
}

/// The ARNs a rule delivers to.
pub async fn target_arns(aws: &Aws, at: &At, rule: &str) -> Result<Vec<String>, AwsError> {
    Ok(targets(aws, at, rule).await?.into_iter().map(|t| t.arn).collect())
}

/// Whether EventBridge would match `event` (a JSON event with id, account, source, time, region,
/// resources and detail-type) against `pattern`.
pub async fn test_event_pattern(aws: &Aws, at: &At, pattern: &str, event: &str) -> Result<bool, AwsError> {
    let out = aws
        .call("events:TestEventPattern", at, || {
            aws.client(at, aws_sdk_eventbridge::Client::new)
                .test_event_pattern()
                .event_pattern(pattern)
                .event(event)
                .send()
        })
        .await?;
    Ok(out.result())
}

/// An answer that lacks a field AWS always sends: an error that says which, never an empty id.
fn missing(at: &At, action: &'static str, what: &str) -> AwsError {
    AwsError {
        request_id: None,
        kind: super::ErrorKind::Other,
        action,
        account: at.account.clone(),
        region: Some(at.region.clone()),
        code: None,
        message: format!("the answer lacks {what}"),
    }
}
