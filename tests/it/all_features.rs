//! An organization with consolidated billing only: AWS allows trusted access and delegated
//! administrators only with all features, so contacts and guardduty say why and plan nothing AWS
//! would refuse (no EnableAWSServiceAccess, no EnableOrganizationAdminAccount).

use crate::common;

use common::{Emulator, MGMT, REGION, check_json, config, groundwork, step_status};

#[tokio::test]
async fn a_billing_only_organization_gets_no_plan_aws_would_refuse() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let orgs = aws_sdk_organizations::Client::new(&config(&emu, MGMT, REGION).await);
    orgs.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::ConsolidatedBilling)
        .send()
        .await
        .expect("organization");
    for (name, email) in [("Log Archive", "log@example.com"), ("Audit", "audit@example.com")] {
        orgs.create_account().account_name(name).email(email).send().await.expect("account");
    }

    let (_, json) = check_json(&emu, state.path());
    for step in ["contacts", "guardduty"] {
        assert_ne!(step_status(&json, step), "done", "{json:#}");
    }
    let text = json.to_string();
    assert!(text.matches("consolidated billing only").count() >= 2, "both steps say why: {json:#}");

    let plan = |step: &str| {
        let mut args = vec!["plan".to_owned(), step.to_owned()];
        for kind in ["security", "billing", "operations"] {
            for (field, value) in
                [("name", "Ada"), ("title", "CTO"), ("email", "sec@example.com"), ("phone", "+1 555 0100")]
            {
                args.extend(["--set".to_owned(), format!("contacts.{kind}.{field}={value}")]);
            }
        }
        let out = groundwork(&emu.url(), state.path()).args(&args).output().expect("plan");
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    };
    let contacts = plan("contacts");
    assert!(!contacts.contains("organizations:EnableAWSServiceAccess"), "{contacts}");
    assert!(contacts.contains("consolidated billing only"), "{contacts}");
    let guardduty = plan("guardduty");
    assert!(!guardduty.contains("guardduty:EnableOrganizationAdminAccount"), "{guardduty}");
    assert!(!guardduty.contains("guardduty:CreateDetector"), "{guardduty}");
    assert!(guardduty.contains("consolidated billing only"), "{guardduty}");
}
