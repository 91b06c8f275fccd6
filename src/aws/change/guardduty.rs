//! GuardDuty: a detector with the protection plans the person chose, the delegated administrator,
//! and organization auto-enable.

use aws_sdk_guardduty::types::{
    AutoEnableMembers, DetectorFeature, DetectorFeatureConfiguration, FeatureStatus, OrgFeature, OrgFeatureStatus,
    OrganizationFeatureConfiguration,
};

use crate::aws::{At, Aws, AwsError, error::classify};

fn client(aws: &Aws, at: &At) -> aws_sdk_guardduty::Client {
    aws.client(at, aws_sdk_guardduty::Client::new)
}

/// Creates an enabled detector with every optional plan set explicitly: AWS would otherwise turn
/// most paid plans on by default.
pub async fn create_detector(aws: &Aws, at: &At, plans: &[(String, bool)]) -> Result<String, AwsError> {
    let mut req = client(aws, at).create_detector().enable(true);
    for (name, on) in plans {
        let status = if *on { FeatureStatus::Enabled } else { FeatureStatus::Disabled };
        req = req.features(
            DetectorFeatureConfiguration::builder().name(DetectorFeature::from(name.as_str())).status(status).build(),
        );
    }
    let out = req.send().await.map_err(|e| classify(&e, "guardduty:CreateDetector", &at.account, Some(&at.region)))?;
    Ok(out.detector_id().unwrap_or_default().to_owned())
}

pub async fn enable_admin(aws: &Aws, at: &At, admin: &str) -> Result<(), AwsError> {
    client(aws, at)
        .enable_organization_admin_account()
        .admin_account_id(admin)
        .send()
        .await
        .map_err(|e| classify(&e, "guardduty:EnableOrganizationAdminAccount", &at.account, Some(&at.region)))?;
    Ok(())
}

/// Auto-enables every member account (existing and new), with the same plans as the admin.
pub async fn auto_enable_all(aws: &Aws, at: &At, detector: &str, plans: &[(String, bool)]) -> Result<(), AwsError> {
    let mut req = client(aws, at)
        .update_organization_configuration()
        .detector_id(detector)
        .auto_enable_organization_members(AutoEnableMembers::All);
    for (name, on) in plans {
        let auto = if *on { OrgFeatureStatus::All } else { OrgFeatureStatus::None };
        req = req.features(
            OrganizationFeatureConfiguration::builder().name(OrgFeature::from(name.as_str())).auto_enable(auto).build(),
        );
    }
    req.send()
        .await
        .map_err(|e| classify(&e, "guardduty:UpdateOrganizationConfiguration", &at.account, Some(&at.region)))?;
    Ok(())
}
