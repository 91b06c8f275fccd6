//! Security Hub CSPM: the hub with FSBP only, the delegated administrator, member auto-enable.
//! Only CSPM operations; never the Security Hub V2 ones.

use aws_sdk_securityhub::types::{AutoEnableStandards, ControlFindingGenerator, StandardsSubscriptionRequest};

use crate::aws::securityhub::fsbp_arn;
use crate::aws::{At, Aws, AwsError, error::classify};

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

/// New member accounts get Security Hub with the default standards automatically.
pub async fn auto_enable(aws: &Aws, at: &At) -> Result<(), AwsError> {
    client(aws, at)
        .update_organization_configuration()
        .auto_enable(true)
        .auto_enable_standards(AutoEnableStandards::Default)
        .send()
        .await
        .map_err(|e| classify(&e, "securityhub:UpdateOrganizationConfiguration", &at.account, Some(&at.region)))?;
    Ok(())
}
