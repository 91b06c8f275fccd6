//! Organizations: the organization and its accounts.

#[allow(deprecated)] // `AccountStatus` is read only where AWS sends no `State` (moto, older answers)
use aws_sdk_organizations::types::{AccountState, AccountStatus, OrganizationFeatureSet};

use super::{At, Aws, AwsError, call::classify_at, missing};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: String,
    pub all_features: bool,
    pub management_account: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    /// The account's root email (GuardDuty's CreateMembers needs it).
    pub email: String,
    pub active: bool,
    /// `Account.State` as AWS sends it (`ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`, ...).
    pub state: String,
}

/// The caller's organization, or `None` when the account is in none.
pub async fn organization(aws: &Aws) -> Result<Option<Organization>, AwsError> {
    let at = At::new(aws.caller(), aws.region());
    let client = aws.client(&at, aws_sdk_organizations::Client::new);
    let res = aws.send("organizations:DescribeOrganization", &at, || client.describe_organization().send()).await;
    match res {
        Ok(out) => {
            const ACTION: &str = "organizations:DescribeOrganization";
            let Some(o) = out.organization() else { return Ok(None) };
            Ok(Some(Organization {
                id: missing(o.id(), ACTION, "Organization.Id", &at)?,
                all_features: o.feature_set() == Some(&OrganizationFeatureSet::All),
                management_account: missing(o.master_account_id(), ACTION, "Organization.MasterAccountId", &at)?,
            }))
        }
        Err(e) if e.as_service_error().is_some_and(aws_sdk_organizations::operation::describe_organization::DescribeOrganizationError::is_aws_organizations_not_in_use_exception) => Ok(None),
        Err(e) => Err(classify_at(&e, "organizations:DescribeOrganization", &at)),
    }
}

/// Every account in the organization (management account only).
pub async fn accounts(aws: &Aws) -> Result<Vec<OrgAccount>, AwsError> {
    let at = At::new(aws.caller(), aws.region());
    // Organizations' paginators yield pages, not items.
    let client = aws.client(&at, aws_sdk_organizations::Client::new);
    let pages = aws.pages("organizations:ListAccounts", &at, || client.list_accounts().into_paginator().send()).await?;
    pages
        .iter()
        .flat_map(|p| p.accounts())
        .map(|a| {
            Ok(OrgAccount {
                id: missing(a.id(), "organizations:ListAccounts", "Account.Id", &at)?,
                name: a.name().unwrap_or_default().to_owned(),
                email: a.email().unwrap_or_default().to_owned(),
                state: a
                    .state()
                    .map(|s| s.as_str().to_owned())
                    .or_else(|| a.status().map(|s| s.as_str().to_owned()))
                    .unwrap_or_default(),
                // `state` replaced `status`; moto and older answers only send the latter.
                active: match a.state() {
                    Some(state) => *state == AccountState::Active,
                    None => a.status().is_none_or(|s| *s == AccountStatus::Active),
                },
            })
        })
        .collect()
}

/// The service principals with trusted access in the organization (management account only),
/// every page.
pub async fn service_access(aws: &Aws, at: &At) -> Result<Vec<String>, AwsError> {
    let client = aws.client(at, aws_sdk_organizations::Client::new);
    let pages = aws
        .pages("organizations:ListAWSServiceAccessForOrganization", at, || {
            client.list_aws_service_access_for_organization().into_paginator().send()
        })
        .await?;
    Ok(pages
        .iter()
        .flat_map(|page| page.enabled_service_principals())
        .filter_map(|p| p.service_principal().map(str::to_owned))
        .collect())
}
