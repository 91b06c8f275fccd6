//! GuardDuty: a detector with the protection plans the person chose, the delegated administrator,
//! organization auto-enable, and the organization's existing accounts enrolled as members.

use aws_sdk_guardduty::types::{
    AccountDetail, AutoEnableMembers, DetectorFeature, DetectorFeatureConfiguration, FeatureStatus,
    FindingPublishingFrequency, OrgFeature, OrgFeatureStatus, OrganizationFeatureConfiguration,
};

use crate::aws::{At, Aws, AwsError, ErrorKind};

/// Features the SDK lists that groundwork names through another: AWS refuses a request naming both
/// EKS Runtime Monitoring and Runtime Monitoring, which already covers EKS.
pub const COVERED_BY: [(&str, &str); 1] = [("EKS_RUNTIME_MONITORING", "RUNTIME_MONITORING")];

/// Whether a plan can be set at organization level (`OrgFeature`); some are per detector only.
pub fn is_org_feature(name: &str) -> bool {
    OrgFeature::values().contains(&name)
}

fn client(aws: &Aws, at: &At) -> aws_sdk_guardduty::Client {
    aws.client(at, aws_sdk_guardduty::Client::new)
}

/// Creates an enabled detector with every optional plan set explicitly: AWS turns on every plan a
/// `CreateDetector` does not name.
pub async fn create_detector(aws: &Aws, at: &At, plans: &[(String, bool)]) -> Result<String, AwsError> {
    let mut req = client(aws, at)
        .create_detector()
        .enable(true)
        .finding_publishing_frequency(FindingPublishingFrequency::from(crate::aws::guardduty::FREQUENCY));
    for (name, on) in plans {
        let status = if *on { FeatureStatus::Enabled } else { FeatureStatus::Disabled };
        req = req.features(
            DetectorFeatureConfiguration::builder().name(DetectorFeature::from(name.as_str())).status(status).build(),
        );
    }
    let out = aws.call("guardduty:CreateDetector", at, || req.clone().send()).await?;
    crate::aws::missing(out.detector_id(), "guardduty:CreateDetector", "DetectorId", at)
}

/// Sets the detector's finding publishing frequency to what the alerts need.
pub async fn set_frequency(aws: &Aws, at: &At, detector: &str) -> Result<(), AwsError> {
    aws.call("guardduty:UpdateDetector", at, || {
        client(aws, at)
            .update_detector()
            .detector_id(detector)
            .finding_publishing_frequency(FindingPublishingFrequency::from(crate::aws::guardduty::FREQUENCY))
            .send()
    })
    .await?;
    Ok(())
}

pub async fn enable_admin(aws: &Aws, at: &At, admin: &str) -> Result<(), AwsError> {
    aws.call("guardduty:EnableOrganizationAdminAccount", at, || {
        client(aws, at).enable_organization_admin_account().admin_account_id(admin).send()
    })
    .await?;
    Ok(())
}

/// Auto-enables every member account (existing and new), naming every organization-level plan
/// with the value the plan decided (`ALL` for a chosen one, the organization's own value otherwise).
pub async fn auto_enable_all(
    aws: &Aws,
    at: &At,
    detector: &str,
    features: &[(String, String)],
) -> Result<(), AwsError> {
    let mut req = client(aws, at)
        .update_organization_configuration()
        .detector_id(detector)
        .auto_enable_organization_members(AutoEnableMembers::All);
    for (name, value) in features {
        req = req.features(
            OrganizationFeatureConfiguration::builder()
                .name(OrgFeature::from(name.as_str()))
                .auto_enable(OrgFeatureStatus::from(value.as_str()))
                .build(),
        );
    }
    aws.call("guardduty:UpdateOrganizationConfiguration", at, || req.clone().send()).await?;
    Ok(())
}

/// Enrols one organization account now (the administrator's `CreateMembers`): AWS enables GuardDuty
/// in it with the organization's auto-enable settings, instead of within the 24 hours `ALL` takes.
pub async fn create_member(aws: &Aws, at: &At, detector: &str, account: &str, email: &str) -> Result<(), AwsError> {
    let detail = AccountDetail::builder().account_id(account).email(email).build();
    let out = aws
        .call("guardduty:CreateMembers", at, || {
            client(aws, at).create_members().detector_id(detector).account_details(detail.clone()).send()
        })
        .await?;
    match out.unprocessed_accounts().first() {
        // AWS answers 200 and lists the accounts it did not enrol, with why.
        Some(u) => Err(AwsError {
            request_id: None,
            kind: ErrorKind::Other,
            action: "guardduty:CreateMembers",
            account: at.account.clone(),
            region: Some(at.region.clone()),
            code: None,
            message: format!("account {account} was not enrolled: {}", u.result().unwrap_or("no reason given")),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::GUARDDUTY_PLANS;

    /// groundwork names every feature the SDK knows: when the SDK gains one, this fails until it is
    /// added to the plans a person chooses from (and so named off by default).
    #[test]
    fn every_sdk_feature_is_named() {
        let mut named: Vec<&str> = GUARDDUTY_PLANS.to_vec();
        named.extend(COVERED_BY.iter().map(|(f, _)| *f));
        named.sort_unstable();
        let mut sdk: Vec<&str> = DetectorFeature::values().to_vec();
        sdk.sort_unstable();
        assert_eq!(named, sdk);
        for (_, by) in COVERED_BY {
            assert!(GUARDDUTY_PLANS.contains(&by));
        }
        for f in OrgFeature::values() {
            assert!(sdk.contains(f), "organization feature {f} is not a detector feature");
        }
    }
}
