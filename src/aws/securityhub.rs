//! Security Hub CSPM (the `securityhub` API). groundwork never calls the Security Hub V2 operations:
//! enabling V2 would move the person to a different, per-resource pricing plan.

use super::{At, Aws, AwsError, call::classify_at, guardduty::Admin, missing};

/// The FSBP standard's ARN in a Region.
pub fn fsbp_arn(region: &str) -> String {
    format!("arn:aws:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standard {
    pub arn: String,
    /// `PENDING`, `READY`, `FAILED`, `DELETING` or `INCOMPLETE`.
    pub status: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgConfig {
    pub auto_enable: bool,
    /// `DEFAULT` or `NONE`: whether new members also get AWS's default standards (FSBP and CIS).
    pub auto_enable_standards: Option<String>,
    /// `LOCAL` or `CENTRAL`, when AWS says.
    pub configuration_type: Option<String>,
    /// `PENDING`, `ENABLED` or `FAILED`, for central configuration.
    pub status: Option<String>,
}

/// The Security Hub CSPM delegated administrators (called from the management account).
pub async fn org_admins(aws: &Aws, at: &At) -> Result<Vec<Admin>, AwsError> {
    const ACTION: &str = "securityhub:ListOrganizationAdminAccounts";
    let found: Vec<_> = aws
        .pages(ACTION, at, || {
            aws.client(at, aws_sdk_securityhub::Client::new).list_organization_admin_accounts().into_paginator().send()
        })
        .await?
        .iter()
        .flat_map(|p| p.admin_accounts())
        .cloned()
        .collect();
    found
        .iter()
        .map(|a| {
            Ok(Admin {
                account: missing(a.account_id(), ACTION, "AccountId", at)?,
                status: a.status().map_or("", |s| s.as_str()).to_owned(),
            })
        })
        .collect()
}

/// Whether the hub is enabled in the account and Region.
pub async fn hub_enabled(aws: &Aws, at: &At) -> Result<bool, AwsError> {
    let client = aws.client(at, aws_sdk_securityhub::Client::new);
    match aws.send("securityhub:DescribeHub", at, || client.describe_hub().send()).await {
        Ok(out) => Ok(out.hub_arn().is_some()),
        // AWS answers "not subscribed" with InvalidAccessException (or ResourceNotFound).
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_invalid_access_exception() || s.is_resource_not_found_exception()) =>
        {
            Ok(false)
        }
        Err(e) => Err(classify_at(&e, "securityhub:DescribeHub", at)),
    }
}

/// The standards the account is subscribed to in the Region, or `None` when it has no hub there
/// (AWS answers a read in an account without a hub with `InvalidAccessException`).
pub async fn hub_standards(aws: &Aws, at: &At) -> Result<Option<Vec<Standard>>, AwsError> {
    match enabled_standards(aws, at).await {
        Ok(list) => Ok(Some(list)),
        Err(e)
            if e.code.as_deref().is_some_and(|c| c == "InvalidAccessException" || c == "ResourceNotFoundException") =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// A member account as the administrator lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub account: String,
    /// `MemberStatus`: `Enabled` (or the older `Associated`) when the administrator manages it.
    pub status: String,
}

/// Every member of the administrator (associated or not), all pages.
pub async fn members(aws: &Aws, at: &At) -> Result<Vec<Member>, AwsError> {
    let client = aws.client(at, aws_sdk_securityhub::Client::new);
    let (mut members, mut token) = (Vec::new(), None);
    loop {
        let out = aws
            .call("securityhub:ListMembers", at, || {
                client.list_members().only_associated(false).max_results(50).set_next_token(token.clone()).send()
            })
            .await?;
        for m in out.members() {
            members.push(Member {
                account: missing(m.account_id(), "securityhub:ListMembers", "AccountId", at)?,
                status: m.member_status().unwrap_or_default().to_owned(),
            });
        }
        token = out.next_token().filter(|t| !t.is_empty()).map(str::to_owned);
        if token.is_none() {
            return Ok(members);
        }
    }
}

/// The standards the account is subscribed to in the Region.
pub async fn enabled_standards(aws: &Aws, at: &At) -> Result<Vec<Standard>, AwsError> {
    let client = aws.client(at, aws_sdk_securityhub::Client::new);
    let mut standards = Vec::new();
    let mut token = None;
    loop {
        let out = aws
            .call("securityhub:GetEnabledStandards", at, || {
                client.get_enabled_standards().set_next_token(token.clone()).send()
            })
            .await?;
        for s in out.standards_subscriptions() {
            standards.push(Standard {
                arn: missing(s.standards_arn(), "securityhub:GetEnabledStandards", "StandardsArn", at)?,
                status: s.standards_status().map_or("", |v| v.as_str()).to_owned(),
                reason: s.standards_status_reason().and_then(|r| r.status_reason_code()).map(|c| c.as_str().to_owned()),
            });
        }
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(standards);
        }
    }
}

/// The organization configuration, as the delegated administrator sees it.
pub async fn org_config(aws: &Aws, at: &At) -> Result<OrgConfig, AwsError> {
    let client = aws.client(at, aws_sdk_securityhub::Client::new);
    let out = aws
        .call("securityhub:DescribeOrganizationConfiguration", at, || {
            client.describe_organization_configuration().send()
        })
        .await?;
    let central = out.organization_configuration();
    Ok(OrgConfig {
        auto_enable: out.auto_enable().unwrap_or(false),
        auto_enable_standards: out.auto_enable_standards().map(|s| s.as_str().to_owned()),
        configuration_type: central.and_then(|c| c.configuration_type()).map(|t| t.as_str().to_owned()),
        status: central.and_then(|c| c.status()).map(|s| s.as_str().to_owned()),
    })
}
