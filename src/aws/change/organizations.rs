//! Organizations: create the organization and accounts, turn on trusted access.

use std::time::Duration;

use aws_sdk_organizations::types::{CreateAccountState, OrganizationFeatureSet};

use crate::aws::{At, Aws, AwsError, ErrorKind, error::classify};

fn client(aws: &Aws, at: &At) -> aws_sdk_organizations::Client {
    aws.client(at, aws_sdk_organizations::Client::new)
}

/// The service principals with trusted access in the organization.
pub async fn service_access(aws: &Aws, at: &At) -> Result<Vec<String>, AwsError> {
    let _slot = aws.permit().await;
    let out = client(aws, at)
        .list_aws_service_access_for_organization()
        .send()
        .await
        .map_err(|e| classify(&e, "organizations:ListAWSServiceAccessForOrganization", &at.account, None))?;
    Ok(out.enabled_service_principals().iter().filter_map(|p| p.service_principal().map(str::to_owned)).collect())
}

pub async fn create_organization(aws: &Aws, at: &At) -> Result<(), AwsError> {
    client(aws, at)
        .create_organization()
        .feature_set(OrganizationFeatureSet::All)
        .send()
        .await
        .map_err(|e| classify(&e, "organizations:CreateOrganization", &at.account, None))?;
    Ok(())
}

pub async fn enable_service_access(aws: &Aws, at: &At, principal: &str) -> Result<(), AwsError> {
    client(aws, at)
        .enable_aws_service_access()
        .service_principal(principal)
        .send()
        .await
        .map_err(|e| classify(&e, "organizations:EnableAWSServiceAccess", &at.account, None))?;
    Ok(())
}

/// Creates an account and waits (AWS does this asynchronously, usually within minutes).
pub async fn create_account(aws: &Aws, at: &At, name: &str, email: &str) -> Result<String, AwsError> {
    let c = client(aws, at);
    let out = c
        .create_account()
        .account_name(name)
        .email(email)
        .send()
        .await
        .map_err(|e| classify(&e, "organizations:CreateAccount", &at.account, None))?;
    let mut status = out.create_account_status().cloned();
    loop {
        let Some(s) = &status else { return Err(failed(at, "CreateAccount returned no status".into())) };
        match s.state() {
            Some(CreateAccountState::Succeeded) => return Ok(s.account_id().unwrap_or_default().to_owned()),
            Some(CreateAccountState::Failed) => {
                let reason = s.failure_reason().map_or("unknown", |r| r.as_str());
                return Err(failed(at, format!("creating account {name} failed: {reason}")));
            }
            _ => {}
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
        let id = s.id().unwrap_or_default().to_owned();
        status = c
            .describe_create_account_status()
            .create_account_request_id(id)
            .send()
            .await
            .map_err(|e| classify(&e, "organizations:DescribeCreateAccountStatus", &at.account, None))?
            .create_account_status()
            .cloned();
    }
}

fn failed(at: &At, message: String) -> AwsError {
    AwsError {
        kind: ErrorKind::Other,
        action: "organizations:CreateAccount",
        account: at.account.clone(),
        region: None,
        code: None,
        message,
    }
}
