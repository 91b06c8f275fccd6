//! Security Hub CSPM: the hub with FSBP only, the delegated administrator, member auto-enable,
//! and existing accounts made members. Only CSPM operations; never the Security Hub V2 ones.

use std::time::{Duration, Instant};

use aws_sdk_securityhub::types::{
    AccountDetails, AutoEnableStandards, ControlFindingGenerator, StandardsSubscriptionRequest,
};

use crate::aws::securityhub::{Standard, enabled_standards, fsbp_arn};
use crate::aws::{At, Aws, AwsError, ErrorKind};

/// How long one run waits for a standard AWS is still enabling (`PENDING`): AWS enables one within
/// minutes. Past it the outcome is "still in progress", never success; the next plan finds FSBP
/// `PENDING` and waits again, without enabling it a second time.
pub const STANDARD_LIMIT: Duration = Duration::from_mins(5);

fn client(aws: &Aws, at: &At) -> aws_sdk_securityhub::Client {
    aws.client(at, aws_sdk_securityhub::Client::new)
}

/// Enables the hub without AWS's default standards (FSBP is added on its own, not CIS too).
pub async fn enable_hub(aws: &Aws, at: &At) -> Result<(), AwsError> {
    aws.call("securityhub:EnableSecurityHub", at, || {
        client(aws, at)
            .enable_security_hub()
            .enable_default_standards(false)
            .control_finding_generator(ControlFindingGenerator::SecurityControl)
            .send()
    })
    .await?;
    Ok(())
}

/// Enables FSBP, then waits until AWS reports it `READY` (it starts `PENDING`). One permit for the
/// call, one per poll: none is held while waiting.
pub async fn enable_fsbp(aws: &Aws, at: &At) -> Result<(), AwsError> {
    const ACTION: &str = "securityhub:BatchEnableStandards";
    let arn = fsbp_arn(&at.region);
    let request = StandardsSubscriptionRequest::builder().standards_arn(&arn).build();
    let out = aws
        .call(ACTION, at, || {
            client(aws, at).batch_enable_standards().standards_subscription_requests(request.clone()).send()
        })
        .await?;
    let first =
        out.standards_subscriptions().iter().find(|s| s.standards_arn() == Some(arn.as_str())).map(|s| Standard {
            arn: arn.clone(),
            status: s.standards_status().map_or("", |v| v.as_str()).to_owned(),
            reason: s.standards_status_reason().and_then(|r| r.status_reason_code()).map(|c| c.as_str().to_owned()),
        });
    until_ready(aws, at, first).await
}

/// Enables FSBP and waits for it (`enable`), or only waits for FSBP an earlier run enabled.
pub async fn fsbp(aws: &Aws, at: &At, enable: bool) -> Result<(), AwsError> {
    if enable { enable_fsbp(aws, at).await } else { wait_for_fsbp(aws, at).await }
}

/// Waits for FSBP that an earlier run enabled and stopped waiting for.
pub async fn wait_for_fsbp(aws: &Aws, at: &At) -> Result<(), AwsError> {
    until_ready(aws, at, None).await
}

/// Polls `GetEnabledStandards` until FSBP is `READY` or waits only for AWS Config (`Ok`), ends
/// otherwise (an error saying how),
/// or the limit passes while it is still `PENDING` ("still in progress", never `Ok`).
async fn until_ready(aws: &Aws, at: &At, mut seen: Option<Standard>) -> Result<(), AwsError> {
    const ACTION: &str = "securityhub:BatchEnableStandards";
    let arn = fsbp_arn(&at.region);
    let (started, limit) = (Instant::now(), aws.wait_limit(STANDARD_LIMIT));
    loop {
        let now = match seen.take() {
            Some(s) => Some(s),
            None => enabled_standards(aws, at).await?.into_iter().find(|s| s.arn == arn),
        };
        let failed = |code: &str, message: String| AwsError {
            request_id: None,
            kind: ErrorKind::Other,
            action: ACTION,
            account: at.account.clone(),
            region: Some(at.region.clone()),
            code: Some(code.to_owned()),
            message,
        };
        match now {
            Some(s) if s.status == "READY" => return Ok(()),
            Some(s) if s.status == "PENDING" => {}
            // Subscribed; what is missing is AWS Config in this account and Region, which the
            // check reports (and Control Tower, or the management account's own recorder, provides).
            Some(s)
                if s.status == "INCOMPLETE" && s.reason.as_deref() == Some("NO_AVAILABLE_CONFIGURATION_RECORDER") =>
            {
                return Ok(());
            }
            Some(s) => {
                let reason = s.reason.unwrap_or_else(|| "no reason given".to_owned());
                let words = crate::catalog::say("apply-standard-ended", &[("status", &s.status), ("reason", &reason)]);
                return Err(failed(&s.status, words));
            }
            None => return Err(failed("not enabled", crate::catalog::say("apply-standard-gone", &[]))),
        }
        if started.elapsed() >= limit {
            return Err(crate::aws::still_in_progress(ACTION, at, limit));
        }
        tokio::time::sleep(aws.poll_interval().min(Duration::from_secs(5))).await;
    }
}

pub async fn enable_admin(aws: &Aws, at: &At, admin: &str) -> Result<(), AwsError> {
    aws.call("securityhub:EnableOrganizationAdminAccount", at, || {
        client(aws, at).enable_organization_admin_account().admin_account_id(admin).send()
    })
    .await?;
    Ok(())
}

/// New member accounts get a hub automatically, without AWS's default standards (which would add
/// CIS 1.2 to FSBP): `apply security-hub` turns FSBP on in each account it finds without it.
pub async fn auto_enable(aws: &Aws, at: &At) -> Result<(), AwsError> {
    aws.call("securityhub:UpdateOrganizationConfiguration", at, || {
        client(aws, at)
            .update_organization_configuration()
            .auto_enable(true)
            .auto_enable_standards(AutoEnableStandards::None)
            .send()
    })
    .await?;
    Ok(())
}

/// Makes one organization account a member of the administrator (`CreateMembers`). groundwork turns
/// the account's hub on first, so AWS adds no default standards of its own.
pub async fn create_member(aws: &Aws, at: &At, account: &str) -> Result<(), AwsError> {
    let out = aws
        .call("securityhub:CreateMembers", at, || {
            client(aws, at)
                .create_members()
                .account_details(AccountDetails::builder().account_id(account).build())
                .send()
        })
        .await?;
    match out.unprocessed_accounts().first() {
        // AWS answers 200 and lists the accounts it did not add, with why.
        Some(u) => Err(AwsError {
            request_id: None,
            kind: ErrorKind::Other,
            action: "securityhub:CreateMembers",
            account: at.account.clone(),
            region: Some(at.region.clone()),
            code: None,
            message: format!("account {account} was not added: {}", u.processing_result().unwrap_or("no reason given")),
        }),
        None => Ok(()),
    }
}
