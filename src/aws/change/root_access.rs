//! Centralized root access: the two organization features, and a member's root credentials
//! deleted through a root session with the `IAMDeleteRootUserCredentials` task policy. This is
//! the one place groundwork deletes: only what the plan listed, for an account the person said yes
//! to, each deletion named in the action log before the call.

use crate::aws::root_access::{DELETE_TASK, RootCredentials, root_session};
use crate::aws::{At, Aws, AwsError, error::classify};

pub async fn enable_root_credentials_management(aws: &Aws, at: &At) -> Result<(), AwsError> {
    aws.client(at, aws_sdk_iam::Client::new)
        .enable_organizations_root_credentials_management()
        .send()
        .await
        .map_err(|e| classify(&e, "iam:EnableOrganizationsRootCredentialsManagement", &at.account, None))?;
    Ok(())
}

pub async fn enable_root_sessions(aws: &Aws, at: &At) -> Result<(), AwsError> {
    aws.client(at, aws_sdk_iam::Client::new)
        .enable_organizations_root_sessions()
        .send()
        .await
        .map_err(|e| classify(&e, "iam:EnableOrganizationsRootSessions", &at.account, None))?;
    Ok(())
}

/// Deletes exactly the credentials listed (read by the plan), from `me` through a delete session
/// in `member`. Something already gone (NoSuchEntity) is what was wanted, so it is not an error.
pub async fn delete_root_credentials(
    aws: &Aws,
    me: &At,
    member: &str,
    listed: &RootCredentials,
) -> Result<(), AwsError> {
    let iam = root_session(aws, me, member, DELETE_TASK).await?;
    if listed.password {
        let _slot = aws.permit().await;
        match iam.delete_login_profile().send().await {
            Err(e) if !e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => {
                return Err(classify(&e, "iam:DeleteLoginProfile", member, None));
            }
            _ => {}
        }
    }
    for key in &listed.access_keys {
        let _slot = aws.permit().await;
        match iam.delete_access_key().access_key_id(key).send().await {
            Err(e) if !e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => {
                return Err(classify(&e, "iam:DeleteAccessKey", member, None));
            }
            _ => {}
        }
    }
    for cert in &listed.certificates {
        let _slot = aws.permit().await;
        match iam.delete_signing_certificate().certificate_id(cert).send().await {
            Err(e) if !e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => {
                return Err(classify(&e, "iam:DeleteSigningCertificate", member, None));
            }
            _ => {}
        }
    }
    for serial in &listed.mfa {
        let _slot = aws.permit().await;
        match iam.deactivate_mfa_device().serial_number(serial).send().await {
            Err(e) if !e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => {
                return Err(classify(&e, "iam:DeactivateMFADevice", member, None));
            }
            _ => {}
        }
    }
    Ok(())
}
