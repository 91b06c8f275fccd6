//! IAM Identity Center: users, a group, permission sets and account assignments, each created only
//! when missing.

use std::time::Duration;

use aws_sdk_identitystore::types::{AlternateIdentifier, Email, MemberId, Name, UniqueAttribute};
use aws_sdk_ssoadmin::types::{PrincipalType, StatusValues, TargetType};
use aws_smithy_types::Document;

use crate::aws::{At, Aws, AwsError, ErrorKind, error::classify};

fn store(aws: &Aws, at: &At) -> aws_sdk_identitystore::Client {
    aws.client(at, aws_sdk_identitystore::Client::new)
}

fn sso(aws: &Aws, at: &At) -> aws_sdk_ssoadmin::Client {
    aws.client(at, aws_sdk_ssoadmin::Client::new)
}

fn unique(path: &str, value: &str) -> AlternateIdentifier {
    AlternateIdentifier::UniqueAttribute(
        UniqueAttribute::builder()
            .attribute_path(path)
            .attribute_value(Document::String(value.to_owned()))
            .build()
            .expect("path and value are set"),
    )
}

/// The id of the user with this user name, if there is one.
pub async fn user_id(aws: &Aws, at: &At, store_id: &str, user_name: &str) -> Result<Option<String>, AwsError> {
    let _slot = aws.permit().await;
    match store(aws, at)
        .get_user_id()
        .identity_store_id(store_id)
        .alternate_identifier(unique("userName", user_name))
        .send()
        .await
    {
        Ok(out) => Ok(Some(out.user_id().to_owned())),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => Ok(None),
        Err(e) => Err(classify(&e, "identitystore:GetUserId", &at.account, Some(&at.region))),
    }
}

/// The id of the group with this display name, if there is one.
pub async fn group_id(aws: &Aws, at: &At, store_id: &str, name: &str) -> Result<Option<String>, AwsError> {
    let _slot = aws.permit().await;
    match store(aws, at)
        .get_group_id()
        .identity_store_id(store_id)
        .alternate_identifier(unique("displayName", name))
        .send()
        .await
    {
        Ok(out) => Ok(Some(out.group_id().to_owned())),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => Ok(None),
        Err(e) => Err(classify(&e, "identitystore:GetGroupId", &at.account, Some(&at.region))),
    }
}

pub async fn is_member(aws: &Aws, at: &At, store_id: &str, group: &str, user: &str) -> Result<bool, AwsError> {
    let _slot = aws.permit().await;
    let res = store(aws, at)
        .get_group_membership_id()
        .identity_store_id(store_id)
        .group_id(group)
        .member_id(MemberId::UserId(user.to_owned()))
        .send()
        .await;
    match res {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => Ok(false),
        Err(e) => Err(classify(&e, "identitystore:GetGroupMembershipId", &at.account, Some(&at.region))),
    }
}

/// Permission sets by name → ARN.
pub async fn permission_sets(aws: &Aws, at: &At, instance: &str) -> Result<Vec<(String, String)>, AwsError> {
    let c = sso(aws, at);
    let arns = {
        let _slot = aws.permit().await;
        c.list_permission_sets()
            .instance_arn(instance)
            .send()
            .await
            .map_err(|e| classify(&e, "sso:ListPermissionSets", &at.account, Some(&at.region)))?
            .permission_sets()
            .to_vec()
    };
    let mut named = Vec::new();
    for arn in arns {
        let _slot = aws.permit().await;
        let out = c
            .describe_permission_set()
            .instance_arn(instance)
            .permission_set_arn(&arn)
            .send()
            .await
            .map_err(|e| classify(&e, "sso:DescribePermissionSet", &at.account, Some(&at.region)))?;
        if let Some(name) = out.permission_set().and_then(|p| p.name()) {
            named.push((name.to_owned(), arn));
        }
    }
    Ok(named)
}

/// Whether the group is already assigned to the account with the permission set.
pub async fn is_assigned(
    aws: &Aws,
    at: &At,
    instance: &str,
    account: &str,
    ps: &str,
    group: &str,
) -> Result<bool, AwsError> {
    let _slot = aws.permit().await;
    let out = sso(aws, at)
        .list_account_assignments()
        .instance_arn(instance)
        .account_id(account)
        .permission_set_arn(ps)
        .send()
        .await
        .map_err(|e| classify(&e, "sso:ListAccountAssignments", &at.account, Some(&at.region)))?;
    Ok(out.account_assignments().iter().any(|a| a.principal_id() == Some(group)))
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
    let out = store(aws, at)
        .create_user()
        .identity_store_id(store_id)
        .user_name(user_name)
        .display_name(format!("{given} {family}"))
        .name(Name::builder().given_name(given).family_name(family).build())
        .emails(Email::builder().value(email).primary(true).r#type("work").build())
        .send()
        .await
        .map_err(|e| classify(&e, "identitystore:CreateUser", &at.account, Some(&at.region)))?;
    Ok(out.user_id().to_owned())
}

pub async fn create_group(aws: &Aws, at: &At, store_id: &str, name: &str) -> Result<String, AwsError> {
    let out = store(aws, at)
        .create_group()
        .identity_store_id(store_id)
        .display_name(name)
        .send()
        .await
        .map_err(|e| classify(&e, "identitystore:CreateGroup", &at.account, Some(&at.region)))?;
    Ok(out.group_id().to_owned())
}

pub async fn add_to_group(aws: &Aws, at: &At, store_id: &str, group: &str, user: &str) -> Result<(), AwsError> {
    store(aws, at)
        .create_group_membership()
        .identity_store_id(store_id)
        .group_id(group)
        .member_id(MemberId::UserId(user.to_owned()))
        .send()
        .await
        .map_err(|e| classify(&e, "identitystore:CreateGroupMembership", &at.account, Some(&at.region)))?;
    Ok(())
}

/// Creates a permission set (always with a session duration) with one AWS managed policy.
pub async fn create_permission_set(
    aws: &Aws,
    at: &At,
    instance: &str,
    name: &str,
    policy_arn: &str,
    session: &str,
) -> Result<String, AwsError> {
    let c = sso(aws, at);
    let out = c
        .create_permission_set()
        .instance_arn(instance)
        .name(name)
        .session_duration(session)
        .send()
        .await
        .map_err(|e| classify(&e, "sso:CreatePermissionSet", &at.account, Some(&at.region)))?;
    let arn = out.permission_set().and_then(|p| p.permission_set_arn()).unwrap_or_default().to_owned();
    c.attach_managed_policy_to_permission_set()
        .instance_arn(instance)
        .permission_set_arn(&arn)
        .managed_policy_arn(policy_arn)
        .send()
        .await
        .map_err(|e| classify(&e, "sso:AttachManagedPolicyToPermissionSet", &at.account, Some(&at.region)))?;
    Ok(arn)
}

/// Assigns the group to the account and waits for AWS to finish provisioning it.
pub async fn assign(aws: &Aws, at: &At, instance: &str, account: &str, ps: &str, group: &str) -> Result<(), AwsError> {
    let c = sso(aws, at);
    let out = c
        .create_account_assignment()
        .instance_arn(instance)
        .target_id(account)
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(ps)
        .principal_type(PrincipalType::Group)
        .principal_id(group)
        .send()
        .await
        .map_err(|e| classify(&e, "sso:CreateAccountAssignment", &at.account, Some(&at.region)))?;
    let mut status = out.account_assignment_creation_status().cloned();
    for _ in 0..60 {
        let Some(s) = &status else { break };
        match s.status() {
            Some(StatusValues::Succeeded) => return Ok(()),
            Some(StatusValues::Failed) => {
                return Err(AwsError {
                    kind: ErrorKind::Other,
                    action: "sso:CreateAccountAssignment",
                    account: account.to_owned(),
                    region: Some(at.region.clone()),
                    code: None,
                    message: s.failure_reason().unwrap_or("failed").to_owned(),
                });
            }
            _ => {}
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        status = c
            .describe_account_assignment_creation_status()
            .instance_arn(instance)
            .account_assignment_creation_request_id(s.request_id().unwrap_or_default())
            .send()
            .await
            .map_err(|e| classify(&e, "sso:DescribeAccountAssignmentCreationStatus", &at.account, Some(&at.region)))?
            .account_assignment_creation_status()
            .cloned();
    }
    Ok(())
}
