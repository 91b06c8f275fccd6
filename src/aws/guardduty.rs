//! GuardDuty: the delegated administrator, the detector, and organization auto-enable.

use super::{At, Aws, AwsError, missing};

/// A delegated administrator as GuardDuty reports it, in one Region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admin {
    pub account: String,
    /// `ENABLED` or `DISABLE_IN_PROGRESS`.
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detector {
    pub id: String,
    /// `ENABLED` or `DISABLED` (suspended).
    pub status: String,
    /// How often updates to an existing finding are sent on (`FindingPublishingFrequency`:
    /// `FIFTEEN_MINUTES`, `ONE_HOUR` or AWS's default `SIX_HOURS`).
    pub frequency: String,
}

/// The finding publishing frequency the alerts need: an update to a finding (its count, its
/// severity) reaches EventBridge, and the email, within 15 minutes rather than six hours.
pub const FREQUENCY: &str = "FIFTEEN_MINUTES";

/// The organization's GuardDuty administrators in `at.region` (called from the management account).
pub async fn org_admins(aws: &Aws, at: &At) -> Result<Vec<Admin>, AwsError> {
    const ACTION: &str = "guardduty:ListOrganizationAdminAccounts";
    let found: Vec<_> = aws
        .pages(ACTION, at, || {
            aws.client(at, aws_sdk_guardduty::Client::new).list_organization_admin_accounts().into_paginator().send()
        })
        .await?
        .iter()
        .flat_map(|p| p.admin_accounts())
        .cloned()
        .collect();
    let mut admins = found
        .iter()
        .map(|a| {
            Ok(Admin {
                account: missing(a.admin_account_id(), ACTION, "AdminAccountId", at)?,
                status: a.admin_status().map_or("", |s| s.as_str()).to_owned(),
            })
        })
        .collect::<Result<Vec<Admin>, AwsError>>()?;
    admins.dedup();
    Ok(admins)
}

/// The account's detector in `at.region`, if it has one (AWS allows one per account and Region).
pub async fn detector(aws: &Aws, at: &At) -> Result<Option<Detector>, AwsError> {
    let client = aws.client(at, aws_sdk_guardduty::Client::new);
    let ids: Vec<String> = {
        aws.pages("guardduty:ListDetectors", at, || client.list_detectors().into_paginator().send())
            .await?
            .iter()
            .flat_map(|p| p.detector_ids())
            .cloned()
            .collect()
    };
    let Some(id) = ids.first() else {
        return Ok(None);
    };
    let out = aws.call("guardduty:GetDetector", at, || client.get_detector().detector_id(id).send()).await?;
    Ok(Some(Detector {
        id: id.clone(),
        status: out.status().map_or("", |s| s.as_str()).to_owned(),
        frequency: out.finding_publishing_frequency().map_or("", |f| f.as_str()).to_owned(),
    }))
}

/// The organization's GuardDuty configuration, as the delegated administrator reads it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrgConfig {
    /// `AutoEnableOrganizationMembers`: `ALL`, `NEW` or `NONE`.
    pub members: String,
    /// Each protection plan's organization-level auto-enable (`ALL`, `NEW` or `NONE`), by name.
    pub features: Vec<(String, String)>,
}

/// The organization configuration, read by the delegated administrator.
#[allow(deprecated)] // reads the old boolean only as a fallback
pub async fn org_config(aws: &Aws, at: &At, detector_id: &str) -> Result<OrgConfig, AwsError> {
    let client = aws.client(at, aws_sdk_guardduty::Client::new);
    // AWS pages the features (NextToken, at most 50 a page): every page is read, the settings
    // that are not a list come with the first.
    let mut token: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let out = aws
            .call("guardduty:DescribeOrganizationConfiguration", at, || {
                client
                    .describe_organization_configuration()
                    .detector_id(detector_id)
                    .set_next_token(token.clone())
                    .send()
            })
            .await?;
        token = out.next_token().filter(|t| !t.is_empty()).map(str::to_owned);
        pages.push(out);
        if token.is_none() {
            break;
        }
    }
    let out = &pages[0];
    let members = match out.auto_enable_organization_members() {
        Some(v) => v.as_str().to_owned(),
        // Older answers only carry the deprecated boolean, which meant "new accounts".
        None if out.auto_enable() == Some(true) => "NEW".to_owned(),
        None => "NONE".to_owned(),
    };
    let features = pages
        .iter()
        .flat_map(|page| page.features())
        .filter_map(|f| Some((f.name()?.as_str().to_owned(), f.auto_enable()?.as_str().to_owned())))
        .collect();
    Ok(OrgConfig { members, features })
}

/// A member account as the administrator lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub account: String,
    /// `RelationshipStatus`: `Enabled` when GuardDuty watches the account for the organization.
    pub status: String,
}

/// Every member of the administrator's detector (associated or not), all pages.
pub async fn members(aws: &Aws, at: &At, detector_id: &str) -> Result<Vec<Member>, AwsError> {
    let found: Vec<_> = {
        aws.pages("guardduty:ListMembers", at, || {
            aws.client(at, aws_sdk_guardduty::Client::new)
                .list_members()
                .detector_id(detector_id)
                .only_associated("false")
                .max_results(50)
                .into_paginator()
                .send()
        })
        .await?
        .iter()
        .flat_map(|p| p.members())
        .cloned()
        .collect()
    };
    found
        .iter()
        .map(|m| {
            Ok(Member {
                account: missing(m.account_id(), "guardduty:ListMembers", "AccountId", at)?,
                status: m.relationship_status().unwrap_or_default().to_owned(),
            })
        })
        .collect()
}
