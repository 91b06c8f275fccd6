//! EventBridge: rules on the default bus and where they send events.

use super::{At, Aws, AwsError, error::classify};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub name: String,
    pub enabled: bool,
    /// The raw event pattern (JSON), when the rule has one.
    pub pattern: Option<String>,
}

/// Every rule on the default event bus.
pub async fn rules(aws: &Aws, at: &At) -> Result<Vec<Rule>, AwsError> {
    let client = aws.client(at, aws_sdk_eventbridge::Client::new);
    let mut rules = Vec::new();
    let mut token = None;
    loop {
        let _slot = aws.permit().await;
        let out = client
            .list_rules()
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| classify(&e, "events:ListRules", &at.account, Some(&at.region)))?;
        rules.extend(out.rules().iter().map(|r| Rule {
            name: r.name().unwrap_or_default().to_owned(),
            enabled: r.state().is_some_and(|s| s.as_str() == "ENABLED"),
            pattern: r.event_pattern().map(str::to_owned),
        }));
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(rules);
        }
    }
}

/// The ARNs a rule delivers to.
pub async fn target_arns(aws: &Aws, at: &At, rule: &str) -> Result<Vec<String>, AwsError> {
    let _slot = aws.permit().await;
    let out = aws
        .client(at, aws_sdk_eventbridge::Client::new)
        .list_targets_by_rule()
        .rule(rule)
        .send()
        .await
        .map_err(|e| classify(&e, "events:ListTargetsByRule", &at.account, Some(&at.region)))?;
    Ok(out.targets().iter().map(|t| t.arn().to_owned()).collect())
}
