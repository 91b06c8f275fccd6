//! IAM Identity Center: the instance, its users, and who can reach which account.

use aws_sdk_identitystore::types::MemberId;
use aws_sdk_ssoadmin::types::PrincipalType;

use super::{At, Aws, AwsError, error::classify};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub arn: String,
    pub identity_store_id: String,
    pub owner_account: String,
    /// `ACTIVE`, `CREATE_IN_PROGRESS`, ...
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub user_name: String,
}

pub async fn instances(aws: &Aws, at: &At) -> Result<Vec<Instance>, AwsError> {
    let _slot = aws.permit().await;
    let out = aws
        .client(at, aws_sdk_ssoadmin::Client::new)
        .list_instances()
        .send()
        .await
        .map_err(|e| classify(&e, "sso:ListInstances", &at.account, Some(&at.region)))?;
    Ok(out
        .instances()
        .iter()
        .map(|i| Instance {
            arn: i.instance_arn().unwrap_or_default().to_owned(),
            identity_store_id: i.identity_store_id().unwrap_or_default().to_owned(),
            owner_account: i.owner_account_id().unwrap_or_default().to_owned(),
            // Older answers carry no status; an instance that is listed is then taken as active.
            status: i.status().map_or("ACTIVE", |s| s.as_str()).to_owned(),
        })
        .collect())
}

/// Every user in the identity store.
pub async fn users(aws: &Aws, at: &At, store: &str) -> Result<Vec<User>, AwsError> {
    let client = aws.client(at, aws_sdk_identitystore::Client::new);
    let mut users = Vec::new();
    let mut token = None;
    loop {
        let _slot = aws.permit().await;
        let out = client
            .list_users()
            .identity_store_id(store)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| classify(&e, "identitystore:ListUsers", &at.account, Some(&at.region)))?;
        users.extend(
            out.users()
                .iter()
                .map(|u| User { id: u.user_id().to_owned(), user_name: u.user_name().unwrap_or_default().to_owned() }),
        );
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(users);
        }
    }
}

/// The groups a user belongs to.
pub async fn groups_of(aws: &Aws, at: &At, store: &str, user_id: &str) -> Result<Vec<String>, AwsError> {
    let _slot = aws.permit().await;
    let out = aws
        .client(at, aws_sdk_identitystore::Client::new)
        .list_group_memberships_for_member()
        .identity_store_id(store)
        .member_id(MemberId::UserId(user_id.to_owned()))
        .send()
        .await
        .map_err(|e| classify(&e, "identitystore:ListGroupMembershipsForMember", &at.account, Some(&at.region)))?;
    Ok(out.group_memberships().iter().filter_map(|m| m.group_id().map(str::to_owned)).collect())
}

/// The accounts a user or group is assigned to (with any permission set).
pub async fn assigned_accounts(
    aws: &Aws,
    at: &At,
    instance_arn: &str,
    principal_id: &str,
    is_group: bool,
) -> Result<Vec<String>, AwsError> {
    let _slot = aws.permit().await;
    let kind = if is_group { PrincipalType::Group } else { PrincipalType::User };
    let out = aws
        .client(at, aws_sdk_ssoadmin::Client::new)
        .list_account_assignments_for_principal()
        .instance_arn(instance_arn)
        .principal_id(principal_id)
        .principal_type(kind)
        .send()
        .await
        .map_err(|e| classify(&e, "sso:ListAccountAssignmentsForPrincipal", &at.account, Some(&at.region)))?;
    let mut accounts: Vec<String> =
        out.account_assignments().iter().filter_map(|a| a.account_id().map(str::to_owned)).collect();
    accounts.sort();
    accounts.dedup();
    Ok(accounts)
}
