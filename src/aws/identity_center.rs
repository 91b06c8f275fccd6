//! IAM Identity Center reads: the instance, its users and groups, its permission sets with what
//! they grant, and who is assigned to which account. Every list is read to its last page.

use aws_sdk_identitystore::types::MemberId;
use aws_sdk_ssoadmin::types::PrincipalType;

use super::{At, Aws, AwsError, missing};

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub name: String,
}

/// A permission set and what it grants: a set with no policy of any kind lets people sign in to
/// an account and do nothing there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionSet {
    pub arn: String,
    pub name: String,
    /// AWS managed policy ARNs attached.
    pub managed: Vec<String>,
    /// Whether an inline policy or a customer managed policy reference grants anything more.
    pub other_policies: bool,
}

impl PermissionSet {
    pub fn grants_anything(&self) -> bool {
        !self.managed.is_empty() || self.other_policies
    }
}

/// One push of a permission set to the accounts it is assigned to (`ProvisionPermissionSet`). AWS
/// does the work in the background; a push that failed leaves those accounts with the set as it
/// was before, so what the set says it grants may not be what people get there.
#[derive(Debug, Clone, PartialEq)]
pub struct Push {
    pub permission_set: String,
    /// `IN_PROGRESS`, `FAILED` or `SUCCEEDED`.
    pub status: String,
    pub reason: Option<String>,
    /// When AWS took the request, in seconds since the epoch: the latest push of a set counts.
    pub created: f64,
}

/// One account assignment of a user or a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub account: String,
    pub permission_set: String,
}

fn sso(aws: &Aws, at: &At) -> aws_sdk_ssoadmin::Client {
    aws.client(at, aws_sdk_ssoadmin::Client::new)
}

fn store(aws: &Aws, at: &At) -> aws_sdk_identitystore::Client {
    aws.client(at, aws_sdk_identitystore::Client::new)
}

pub async fn instances(aws: &Aws, at: &At) -> Result<Vec<Instance>, AwsError> {
    const ACTION: &str = "sso:ListInstances";
    let pages: Vec<_> = aws
        .pages(ACTION, at, || sso(aws, at).list_instances().into_paginator().send())
        .await?
        .iter()
        .flat_map(|p| p.instances())
        .cloned()
        .collect();
    pages
        .iter()
        .map(|i| {
            Ok(Instance {
                arn: missing(i.instance_arn(), ACTION, "InstanceArn", at)?,
                identity_store_id: missing(i.identity_store_id(), ACTION, "IdentityStoreId", at)?,
                owner_account: missing(i.owner_account_id(), ACTION, "OwnerAccountId", at)?,
                // Older answers carry no status; an instance that is listed is then taken as active.
                status: i.status().map_or("ACTIVE", |s| s.as_str()).to_owned(),
            })
        })
        .collect()
}

/// Every user in the identity store.
pub async fn users(aws: &Aws, at: &At, store_id: &str) -> Result<Vec<User>, AwsError> {
    let users: Vec<_> = aws
        .pages("identitystore:ListUsers", at, || {
            store(aws, at).list_users().identity_store_id(store_id).into_paginator().send()
        })
        .await?
        .iter()
        .flat_map(|p| p.users())
        .cloned()
        .collect();
    Ok(users
        .iter()
        .map(|u| User { id: u.user_id().to_owned(), user_name: u.user_name().unwrap_or(u.user_id()).to_owned() })
        .collect())
}

/// Every group in the identity store.
pub async fn groups(aws: &Aws, at: &At, store_id: &str) -> Result<Vec<Group>, AwsError> {
    let groups: Vec<_> = aws
        .pages("identitystore:ListGroups", at, || {
            store(aws, at).list_groups().identity_store_id(store_id).into_paginator().send()
        })
        .await?
        .iter()
        .flat_map(|p| p.groups())
        .cloned()
        .collect();
    Ok(groups
        .iter()
        .map(|g| Group { id: g.group_id().to_owned(), name: g.display_name().unwrap_or(g.group_id()).to_owned() })
        .collect())
}

/// The groups a user belongs to.
pub async fn groups_of(aws: &Aws, at: &At, store_id: &str, user_id: &str) -> Result<Vec<String>, AwsError> {
    let memberships: Vec<_> = aws
        .pages("identitystore:ListGroupMembershipsForMember", at, || {
            store(aws, at)
                .list_group_memberships_for_member()
                .identity_store_id(store_id)
                .member_id(MemberId::UserId(user_id.to_owned()))
                .into_paginator()
                .send()
        })
        .await?
        .iter()
        .flat_map(|p| p.group_memberships())
        .cloned()
        .collect();
    Ok(memberships.iter().filter_map(|m| m.group_id().map(str::to_owned)).collect())
}

/// The account assignments of a user or group, with their permission sets.
pub async fn assignments_of(
    aws: &Aws,
    at: &At,
    instance_arn: &str,
    principal_id: &str,
    is_group: bool,
) -> Result<Vec<Assignment>, AwsError> {
    const ACTION: &str = "sso:ListAccountAssignmentsForPrincipal";
    let kind = if is_group { PrincipalType::Group } else { PrincipalType::User };
    let client = sso(aws, at);
    let pages = aws
        .pages(ACTION, at, || {
            client
                .list_account_assignments_for_principal()
                .instance_arn(instance_arn)
                .principal_id(principal_id)
                .principal_type(kind.clone())
                .into_paginator()
                .send()
        })
        .await?;
    pages
        .iter()
        .flat_map(|p| p.account_assignments())
        .map(|a| {
            Ok(Assignment {
                account: missing(a.account_id(), ACTION, "AccountId", at)?,
                permission_set: missing(a.permission_set_arn(), ACTION, "PermissionSetArn", at)?,
            })
        })
        .collect()
}

/// Every permission set of the instance, with the policies that make it grant something.
pub async fn permission_sets(aws: &Aws, at: &At, instance: &str) -> Result<Vec<PermissionSet>, AwsError> {
    let arns: Vec<String> = {
        aws.pages("sso:ListPermissionSets", at, || {
            sso(aws, at).list_permission_sets().instance_arn(instance).into_paginator().send()
        })
        .await?
        .iter()
        .flat_map(|p| p.permission_sets())
        .cloned()
        .collect()
    };
    let reads = arns.iter().map(|arn| permission_set(aws, at, instance, arn));
    futures_util::future::join_all(reads).await.into_iter().collect()
}

async fn permission_set(aws: &Aws, at: &At, instance: &str, arn: &str) -> Result<PermissionSet, AwsError> {
    let c = sso(aws, at);
    let name = {
        const ACTION: &str = "sso:DescribePermissionSet";
        let out = aws
            .call(ACTION, at, || c.describe_permission_set().instance_arn(instance).permission_set_arn(arn).send())
            .await?;
        missing(out.permission_set().and_then(|p| p.name()), ACTION, "PermissionSet.Name", at)?
    };
    let managed: Vec<String> = {
        let policies: Vec<_> = aws
            .pages("sso:ListManagedPoliciesInPermissionSet", at, || {
                c.list_managed_policies_in_permission_set()
                    .instance_arn(instance)
                    .permission_set_arn(arn)
                    .into_paginator()
                    .send()
            })
            .await?
            .iter()
            .flat_map(|p| p.attached_managed_policies())
            .cloned()
            .collect();
        policies.iter().filter_map(|p| p.arn().map(str::to_owned)).collect()
    };
    // Only a set with no AWS managed policy needs the other two reads to tell whether it grants.
    let other_policies = managed.is_empty()
        && (has_inline(aws, at, instance, arn).await? || {
            let refs: Vec<_> = aws
                .pages("sso:ListCustomerManagedPolicyReferencesInPermissionSet", at, || {
                    c.list_customer_managed_policy_references_in_permission_set()
                        .instance_arn(instance)
                        .permission_set_arn(arn)
                        .into_paginator()
                        .send()
                })
                .await?
                .iter()
                .flat_map(|p| p.customer_managed_policy_references())
                .cloned()
                .collect();
            !refs.is_empty()
        });
    Ok(PermissionSet { arn: arn.to_owned(), name, managed, other_policies })
}

async fn has_inline(aws: &Aws, at: &At, instance: &str, arn: &str) -> Result<bool, AwsError> {
    let out = aws
        .call("sso:GetInlinePolicyForPermissionSet", at, || {
            sso(aws, at).get_inline_policy_for_permission_set().instance_arn(instance).permission_set_arn(arn).send()
        })
        .await?;
    Ok(out.inline_policy().is_some_and(|p| !p.trim().is_empty()))
}

/// The pushes that say whether a set's accounts have it as it is: every push that has not
/// succeeded, and every push after the first of those (so a later success is seen). AWS's list
/// names only the request, its status and its time; each of these is described for its set.
pub async fn pushes(aws: &Aws, at: &At, instance: &str) -> Result<Vec<Push>, AwsError> {
    let c = sso(aws, at);
    let listed: Vec<_> = {
        aws.pages("sso:ListPermissionSetProvisioningStatus", at, || {
            c.list_permission_set_provisioning_status().instance_arn(instance).into_paginator().send()
        })
        .await?
        .iter()
        .flat_map(|p| p.permission_sets_provisioning_status())
        .cloned()
        .collect()
    };
    let created = |m: &aws_sdk_ssoadmin::types::PermissionSetProvisioningStatusMetadata| {
        m.created_date().map_or(0.0, aws_smithy_types::DateTime::as_secs_f64)
    };
    let succeeded = |m: &aws_sdk_ssoadmin::types::PermissionSetProvisioningStatusMetadata| {
        m.status().is_some_and(|s| s.as_str() == "SUCCEEDED")
    };
    let Some(first) = listed.iter().filter(|m| !succeeded(m)).map(created).reduce(f64::min) else {
        return Ok(Vec::new());
    };
    let wanted: Vec<&str> =
        listed.iter().filter(|m| !succeeded(m) || created(m) >= first).filter_map(|m| m.request_id()).collect();
    let reads = wanted.into_iter().map(|id| push(aws, at, instance, id));
    futures_util::future::join_all(reads).await.into_iter().collect()
}

async fn push(aws: &Aws, at: &At, instance: &str, request: &str) -> Result<Push, AwsError> {
    const ACTION: &str = "sso:DescribePermissionSetProvisioningStatus";
    let out = aws
        .call(ACTION, at, || {
            sso(aws, at)
                .describe_permission_set_provisioning_status()
                .instance_arn(instance)
                .provision_permission_set_request_id(request)
                .send()
        })
        .await?;
    let status = out.permission_set_provisioning_status();
    Ok(Push {
        permission_set: missing(status.and_then(|s| s.permission_set_arn()), ACTION, "PermissionSetArn", at)?,
        status: missing(status.and_then(|s| s.status()).map(|s| s.as_str()), ACTION, "Status", at)?,
        reason: status.and_then(|s| s.failure_reason()).map(str::to_owned),
        created: status.and_then(|s| s.created_date()).map_or(0.0, aws_smithy_types::DateTime::as_secs_f64),
    })
}
