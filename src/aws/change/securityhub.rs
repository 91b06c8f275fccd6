//! Security Hub CSPM: the hub with FSBP only, the delegated administrator, member auto-enable,
//! and existing accounts made members. Only CSPM operations; never the Security Hub V2 ones.

use aws_sdk_securityhub::types::{
    AccountDetails, AutoEnableStandards, ControlFindingGenerator, StandardsSubscriptionRequest,
};

use crate::aws::securityhub::fsbp_arn;
use crate::aws::{At, Aws, AwsError, ErrorKind, error::classify};

fn client(aws: &Aws, at: &At) -> aws_sdk_securityhub::Client {
    aws.client(at, aws_sdk_securityhub::Client::new)
}

/// Enables the hub without AWS's default standards (FSBP is added on its own, not CIS too).
pub async fn enable_hub(aws: &Aws, at: &At) -> Result<(), AwsError> {
    client(aws, at)
        .enable_security_hub()
        .enable_default_standards(false)
        .control_finding_generator(ControlFindingGenerator::SecurityControl)
        .send()
        .await
        .map_err(|e| classify(&e, "securityhub:EnableSecurityHub", &at.account, Some(&at.region)))?;
    Ok(())
}

pub async fn enable_fsbp(aws: &Aws, at: &At) -> Result<(), AwsError> {
    let request = StandardsSubscriptionRequest::builder().standards_arn(fsbp_arn(&at.region)).build();
    client(aws, at)
        .batch_enable_standards()
        .standards_subscription_requests(request)
        .send()
        .await
        .map_err(|e| classify(&e, "securityhub:BatchEnableStandards", &at.account, Some(&at.region)))?;
    Ok(())
}

pub async fn enable_admin(aws: &Aws, at: &At, admin: &str) -> Result<(), AwsError> {
    client(aws, at)
        .enable_organization_admin_account()
        .admin_account_id(admin)
        .send()
        .await
        .map_err(|e| classify(&e, "securityhub:EnableOrganizationAdminAccount", &at.account, Some(&at.region)))?;
    Ok(())
}

/// New member accounts get a hub automatically, without AWS's default standards (which would add
/// CIS 1.2 to FSBP): `apply security-hub` turns FSBP on in each account it finds without it.
pub async fn auto_enable(aws: &Aws, at: &At) -> Result<(), AwsError> {
    client(aws, at)
        .update_organization_configuration()
        .auto_enable(true)
        .auto_enable_standards(AutoEnableStandards::None)
        .send()
        .await
        .map_err(|e| classify(&e, "securityhub:UpdateOrganizationConfiguration", &at.account, Some(&at.region)))?;
    Ok(())
}

/// Makes one organization account a member of the administrator (`CreateMembers`). groundwork turns
/// the account's hub on first, so AWS adds no default standards of its own.
pub async fn create_member(aws: &Aws, at: &At, account: &str) -> Result<(), AwsError> {
    let out = client(aws, at)
        .create_members()
        .account_details(AccountDetails::builder().account_id(account).build())
        .send()
        .await
        .map_err(|e| classify(&e, "securityhub:CreateMembers", &at.account, Some(&at.region)))?;
    match out.unprocessed_accounts().first() {
        // AWS answers 200 and lists the accounts it did not add, with why.
        Some(u) => Err(AwsError {
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
