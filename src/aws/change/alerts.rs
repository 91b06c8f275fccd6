//! SNS and EventBridge for the alert path: a topic EventBridge may publish to, an email
//! subscription, a rule on GuardDuty findings.

use crate::aws::{At, Aws, AwsError};

/// Creates the topic with its access policy in the same call.
pub async fn create_topic(aws: &Aws, at: &At, name: &str, policy: &str) -> Result<(), AwsError> {
    aws.call("sns:CreateTopic", at, || {
        aws.client(at, aws_sdk_sns::Client::new).create_topic().name(name).attributes("Policy", policy).send()
    })
    .await?;
    Ok(())
}

/// Subscribes an email address; AWS emails it a confirmation link (also when re-sent).
pub async fn subscribe(aws: &Aws, at: &At, topic: &str, email: &str) -> Result<(), AwsError> {
    aws.call("sns:Subscribe", at, || {
        aws.client(at, aws_sdk_sns::Client::new).subscribe().topic_arn(topic).protocol("email").endpoint(email).send()
    })
    .await?;
    Ok(())
}

pub async fn put_rule(aws: &Aws, at: &At, name: &str, pattern: &str) -> Result<(), AwsError> {
    aws.call("events:PutRule", at, || {
        aws.client(at, aws_sdk_eventbridge::Client::new)
            .put_rule()
            .name(name)
            .event_pattern(pattern)
            .state(aws_sdk_eventbridge::types::RuleState::Enabled)
            .description("groundwork: GuardDuty findings to the security alerts topic")
            .send()
    })
    .await?;
    Ok(())
}

/// The Id groundwork gives its target: `groundwork-sns`, or the first `groundwork-sns-N` no
/// existing target of the rule uses, so PutTargets never replaces someone else's target.
pub fn free_target_id(taken: &[String]) -> String {
    let base = "groundwork-sns";
    // One more candidate than ids in use, so one is always free.
    std::iter::once(base.to_owned())
        .chain((2..=taken.len() + 2).map(|n| format!("{base}-{n}")))
        .find(|id| !taken.contains(id))
        .unwrap_or_else(|| base.to_owned())
}

/// Adds `arn` as a target of the rule (through `role`, for another Region's event bus), unless
/// the rule already sends there.
pub async fn put_target(aws: &Aws, at: &At, rule: &str, arn: &str, via: Option<&str>) -> Result<(), AwsError> {
    let fail = |message: String| AwsError {
        request_id: None,
        kind: crate::aws::ErrorKind::Other,
        action: "events:PutTargets",
        account: at.account.clone(),
        region: Some(at.region.clone()),
        code: None,
        message,
    };
    let client = aws.client(at, aws_sdk_eventbridge::Client::new);
    // Read just before writing: an Id taken since the plan was shown is still not reused. (The
    // caller holds this action's concurrency permit, so these reads take none.)
    let mut ids_in_use = Vec::new();
    let mut next = None;
    loop {
        let out = aws
            .call("events:ListTargetsByRule", at, || {
                client.list_targets_by_rule().rule(rule).set_next_token(next.clone()).send()
            })
            .await?;
        if out.targets().iter().any(|t| t.arn() == arn) {
            return Ok(());
        }
        ids_in_use.extend(out.targets().iter().map(|t| t.id().to_owned()));
        next = out.next_token().map(str::to_owned);
        if next.is_none() {
            break;
        }
    }
    let target = aws_sdk_eventbridge::types::Target::builder()
        .id(free_target_id(&ids_in_use))
        .arn(arn)
        .set_role_arn(via.map(str::to_owned))
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let out =
        aws.call("events:PutTargets", at, || client.put_targets().rule(rule).targets(target.clone()).send()).await?;
    if out.failed_entry_count() > 0 {
        let why = out.failed_entries().first().and_then(|f| f.error_message()).unwrap_or("unknown").to_owned();
        return Err(fail(why));
    }
    Ok(())
}

/// The name of the forwarding role's inline policy.
pub const FORWARD_POLICY: &str = "forward-to-home-bus";

/// A role trusted by `events.amazonaws.com`, without permissions yet: its inline policy is the next
/// change (`put_forwarding_policy`), logged on its own, so a run stopped between them leaves a role
/// the next plan completes.
pub async fn create_forwarding_role(aws: &Aws, at: &At, name: &str) -> Result<(), AwsError> {
    let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    aws.call("iam:CreateRole", at, || {
        aws.client(at, aws_sdk_iam::Client::new)
            .create_role()
            .role_name(name)
            .description("groundwork: EventBridge forwards GuardDuty findings to the home Region's event bus")
            .assume_role_policy_document(trust.to_string())
            .send()
    })
    .await?;
    Ok(())
}

/// The forwarding role's one inline policy (`policy`, built by the plan and shown before anything
/// is created).
pub async fn put_forwarding_policy(aws: &Aws, at: &At, role: &str, policy: &str) -> Result<(), AwsError> {
    aws.call("iam:PutRolePolicy", at, || {
        aws.client(at, aws_sdk_iam::Client::new)
            .put_role_policy()
            .role_name(role)
            .policy_name(FORWARD_POLICY)
            .policy_document(policy)
            .send()
    })
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_target_id_is_one_nobody_uses() {
        assert_eq!(super::free_target_id(&[]), "groundwork-sns");
        assert_eq!(super::free_target_id(&["groundwork-sns".into()]), "groundwork-sns-2");
        assert_eq!(super::free_target_id(&["groundwork-sns".into(), "groundwork-sns-2".into()]), "groundwork-sns-3");
    }
}
