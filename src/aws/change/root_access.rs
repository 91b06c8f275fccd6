//! Centralized root access: the two organization features, and a member's root credentials
//! deleted through a root session with the `IAMDeleteRootUserCredentials` task policy. This is
//! the one place groundwork deletes: only what the plan listed, for an account the person said yes
//! to, each deletion named in the action log before the call.

use crate::aws::root_access::{DELETE_TASK, RootCredentials, root_session};
use crate::aws::{At, Aws, AwsError, call::classify_at};

pub async fn enable_root_credentials_management(aws: &Aws, at: &At) -> Result<(), AwsError> {
    let client = aws.client(at, aws_sdk_iam::Client::new);
    aws.call("iam:EnableOrganizationsRootCredentialsManagement", at, || {
        client.enable_organizations_root_credentials_management().send()
    })
    .await?;
    Ok(())
}

pub async fn enable_root_sessions(aws: &Aws, at: &At) -> Result<(), AwsError> {
    let client = aws.client(at, aws_sdk_iam::Client::new);
    aws.call("iam:EnableOrganizationsRootSessions", at, || client.enable_organizations_root_sessions().send()).await?;
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
    // The root session's calls act in the member.
    let at = At::new(member, &me.region);
    if listed.password {
        match aws.send("iam:DeleteLoginProfile", &at, || iam.delete_login_profile().send()).await {
            Err(e) if !e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => {
                return Err(classify_at(&e, "iam:DeleteLoginProfile", &at));
            }
            _ => {}
        }
    }
    for key in &listed.access_keys {
        match aws.send("iam:DeleteAccessKey", &at, || iam.delete_access_key().access_key_id(key).send()).await {
            Err(e) if !e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => {
                return Err(classify_at(&e, "iam:DeleteAccessKey", &at));
            }
            _ => {}
        }
    }
    for cert in &listed.certificates {
        let sent = aws
            .send("iam:DeleteSigningCertificate", &at, || iam.delete_signing_certificate().certificate_id(cert).send())
            .await;
        match sent {
            Err(e) if !e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => {
                return Err(classify_at(&e, "iam:DeleteSigningCertificate", &at));
            }
            _ => {}
        }
    }
    for serial in &listed.mfa {
        let sent =
            aws.send("iam:DeactivateMFADevice", &at, || iam.deactivate_mfa_device().serial_number(serial).send()).await;
        match sent {
            Err(e) if !e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => {
                return Err(classify_at(&e, "iam:DeactivateMFADevice", &at));
            }
            _ => {}
        }
    }
    Ok(())
}
