//! IAM Identity Center changes: a user, a group, a membership, a permission set, a policy on it,
//! and account assignments. Each is one AWS call, so a run that stops between two of them leaves
//! a state the next plan reads and completes (the reads are in `crate::aws::identity_center`).

use std::time::{Duration, Instant};

use aws_sdk_identitystore::types::{Email, MemberId, Name};
use aws_sdk_ssoadmin::types::{PrincipalType, ProvisionTargetType, StatusValues, TargetType};

use crate::aws::{At, Aws, AwsError, ErrorKind, missing};

/// How long an apply waits for one account assignment before saying it is still in progress.
pub const ASSIGNMENT_LIMIT: Duration = Duration::from_mins(2);

fn store(aws: &Aws, at: &At) -> aws_sdk_identitystore::Client {
    aws.client(at, aws_sdk_identitystore::Client::new)
}

fn sso(aws: &Aws, at: &At) -> aws_sdk_ssoadmin::Client {
    aws.client(at, aws_sdk_ssoadmin::Client::new)
}

pub async fn create_user(
    aws: &Aws,
    at: &At,
    store_id: &str,
    user_name: &str,
    given: &str,
    family: &str,
    email: &str,
) -> Result<String, AwsError> {
    let client = store(aws, at);
    let out = aws
        .call("identitystore:CreateUser", at, || {
            client
                .create_user()
                .identity_store_id(store_id)
                .user_name(user_name)
                .display_name(format!("{given} {family}"))
                .name(Name::builder().given_name(given).family_name(family).build())
                .emails(Email::builder().value(email).primary(true).r#type("work").build())
                .send()
        })
        .await?;
    Ok(out.user_id().to_owned())
}

pub async fn create_group(aws: &Aws, at: &At, store_id: &str, name: &str) -> Result<String, AwsError> {
    let out = aws
        .call("identitystore:CreateGroup", at, || {
            store(aws, at).create_group().identity_store_id(store_id).display_name(name).send()
        })
        .await?;
    Ok(out.group_id().to_owned())
}

pub async fn add_to_group(aws: &Aws, at: &At, store_id: &str, group: &str, user: &str) -> Result<(), AwsError> {
    aws.call("identitystore:CreateGroupMembership", at, || {
        store(aws, at)
            .create_group_membership()
            .identity_store_id(store_id)
            .group_id(group)
            .member_id(MemberId::UserId(user.to_owned()))
            .send()
    })
    .await?;
    Ok(())
}

/// Creates a permission set (always with a session duration: moto and AWS differ without one).
pub async fn create_permission_set(
    aws: &Aws,
    at: &At,
    instance: &str,
    name: &str,
    session: &str,
) -> Result<String, AwsError> {
    const ACTION: &str = "sso:CreatePermissionSet";
    let out = aws
        .call(ACTION, at, || {
            sso(aws, at).create_permission_set().instance_arn(instance).name(name).session_duration(session).send()
        })
        .await?;
    missing(out.permission_set().and_then(|p| p.permission_set_arn()), ACTION, "PermissionSetArn", at)
}

/// Attaches an AWS managed policy to a permission set (a no-op on AWS when already attached).
pub async fn attach_managed_policy(
    aws: &Aws,
    at: &At,
    instance: &str,
    permission_set: &str,
    policy_arn: &str,
) -> Result<(), AwsError> {
    aws.call("sso:AttachManagedPolicyToPermissionSet", at, || {
        sso(aws, at)
            .attach_managed_policy_to_permission_set()
            .instance_arn(instance)
            .permission_set_arn(permission_set)
            .managed_policy_arn(policy_arn)
            .send()
    })
    .await?;
    Ok(())
}

/// Pushes a permission set's policies to the accounts it is already assigned to (AWS does not do
/// that by itself when a policy is added to an assigned set), and waits for AWS to finish: the push
/// runs in the background and can fail, and a failed push leaves those accounts as they were.
pub async fn provision(aws: &Aws, at: &At, instance: &str, permission_set: &str) -> Result<(), AwsError> {
    const ACTION: &str = "sso:ProvisionPermissionSet";
    let c = sso(aws, at);
    let out = aws
        .call(ACTION, at, || {
            c.provision_permission_set()
                .instance_arn(instance)
                .permission_set_arn(permission_set)
                .target_type(ProvisionTargetType::AllProvisionedAccounts)
                .send()
        })
        .await?;
    let mut status = out.permission_set_provisioning_status().cloned();
    let request = missing(status.as_ref().and_then(|s| s.request_id()), ACTION, "RequestId", at)?;
    // Like an assignment: seconds, rarely minutes; past the limit "still in progress", never success.
    let started = Instant::now();
    let limit = aws.wait_limit(ASSIGNMENT_LIMIT);
    loop {
        match status.as_ref().and_then(|s| s.status()) {
            Some(StatusValues::Succeeded) => return Ok(()),
            Some(StatusValues::Failed) => {
                let reason = status.as_ref().and_then(|s| s.failure_reason()).unwrap_or("no reason given");
                return Err(AwsError {
                    request_id: None,
                    kind: ErrorKind::Other,
                    action: ACTION,
                    account: at.account.clone(),
                    region: Some(at.region.clone()),
                    code: Some("FAILED".to_owned()),
                    message: reason.to_owned(),
                });
            }
            _ if started.elapsed() >= limit => return Err(crate::aws::still_in_progress(ACTION, at, limit)),
            _ => {}
        }
        tokio::time::sleep(aws.poll_interval().min(Duration::from_secs(5))).await;
        let out = aws
            .call("sso:DescribePermissionSetProvisioningStatus", at, || {
                c.describe_permission_set_provisioning_status()
                    .instance_arn(instance)
                    .provision_permission_set_request_id(&request)
                    .send()
            })
            .await?;
        status = out.permission_set_provisioning_status().cloned();
    }
}

/// Assigns the group to the account and waits for AWS to finish provisioning it.
pub async fn assign(aws: &Aws, at: &At, instance: &str, account: &str, ps: &str, group: &str) -> Result<(), AwsError> {
    const ACTION: &str = "sso:CreateAccountAssignment";
    let c = sso(aws, at);
    let out = aws
        .call(ACTION, at, || {
            c.create_account_assignment()
                .instance_arn(instance)
                .target_id(account)
                .target_type(TargetType::AwsAccount)
                .permission_set_arn(ps)
                .principal_type(PrincipalType::Group)
                .principal_id(group)
                .send()
        })
        .await?;
    let mut failure = out.account_assignment_creation_status().and_then(|s| s.failure_reason()).map(str::to_owned);
    let status = out.account_assignment_creation_status();
    let request = missing(status.and_then(|s| s.request_id()), ACTION, "RequestId", at)?;
    let mut status = status.and_then(|s| s.status()).cloned();
    // AWS provisions an assignment in seconds, rarely minutes. Past the limit the outcome is "still
    // in progress", never success: the next plan sees whether it arrived and assigns it again if not.
    let started = Instant::now();
    let limit = aws.wait_limit(ASSIGNMENT_LIMIT);
    loop {
        match status {
            Some(StatusValues::Succeeded) => return Ok(()),
            Some(StatusValues::Failed) => {
                return Err(AwsError {
                    request_id: None,
                    kind: ErrorKind::Other,
                    action: ACTION,
                    account: account.to_owned(),
                    region: Some(at.region.clone()),
                    code: Some("FAILED".to_owned()),
                    message: failure.unwrap_or_else(|| "no reason given".to_owned()),
                });
            }
            _ if started.elapsed() >= limit => return Err(crate::aws::still_in_progress(ACTION, at, limit)),
            _ => {}
        }
        tokio::time::sleep(aws.poll_interval().min(Duration::from_secs(5))).await;
        let out = aws
            .call("sso:DescribeAccountAssignmentCreationStatus", at, || {
                c.describe_account_assignment_creation_status()
                    .instance_arn(instance)
                    .account_assignment_creation_request_id(&request)
                    .send()
            })
            .await?;
        let now = out.account_assignment_creation_status();
        failure = now.and_then(|s| s.failure_reason()).map(str::to_owned);
        status = now.and_then(|s| s.status()).cloned();
    }
}
