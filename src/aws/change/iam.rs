//! IAM: the four service roles a Control Tower landing zone needs, created only if missing.

use crate::aws::{At, Aws, AwsError, error::classify};

/// A role under `/service-role/` trusted by one AWS service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRole {
    pub name: &'static str,
    pub service: &'static str,
    pub managed_policy: Option<&'static str>,
    /// An inline policy document (JSON), when the role needs one.
    pub inline: Option<&'static str>,
}

/// The roles Control Tower's API setup requires in the management account.
pub const CONTROL_TOWER_ROLES: [ServiceRole; 4] = [
    ServiceRole {
        name: "AWSControlTowerAdmin",
        service: "controltower.amazonaws.com",
        managed_policy: Some("arn:aws:iam::aws:policy/service-role/AWSControlTowerServiceRolePolicy"),
        inline: Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeAvailabilityZones","Resource":"*"}]}"#,
        ),
    },
    ServiceRole {
        name: "AWSControlTowerCloudTrailRole",
        service: "cloudtrail.amazonaws.com",
        managed_policy: None,
        inline: Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:*:*:log-group:aws-controltower/CloudTrailLogs:*"}]}"#,
        ),
    },
    ServiceRole {
        name: "AWSControlTowerStackSetRole",
        service: "cloudformation.amazonaws.com",
        managed_policy: None,
        inline: Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/AWSControlTowerExecution"}]}"#,
        ),
    },
    ServiceRole {
        name: "AWSControlTowerConfigAggregatorRoleForOrganizations",
        service: "config.amazonaws.com",
        managed_policy: Some("arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations"),
        inline: None,
    },
];

fn client(aws: &Aws, at: &At) -> aws_sdk_iam::Client {
    aws.client(at, aws_sdk_iam::Client::new)
}

/// Whether a role of that name exists (at any path).
pub async fn role_exists(aws: &Aws, at: &At, name: &str) -> Result<bool, AwsError> {
    let _slot = aws.permit().await;
    match client(aws, at).get_role().role_name(name).send().await {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => Ok(false),
        Err(e) => Err(classify(&e, "iam:GetRole", &at.account, None)),
    }
}

pub async fn create_service_role(aws: &Aws, at: &At, role: &ServiceRole) -> Result<(), AwsError> {
    let c = client(aws, at);
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{}"}},"Action":"sts:AssumeRole"}}]}}"#,
        role.service
    );
    c.create_role()
        .role_name(role.name)
        .path("/service-role/")
        .assume_role_policy_document(trust)
        .send()
        .await
        .map_err(|e| classify(&e, "iam:CreateRole", &at.account, None))?;
    if let Some(arn) = role.managed_policy {
        c.attach_role_policy()
            .role_name(role.name)
            .policy_arn(arn)
            .send()
            .await
            .map_err(|e| classify(&e, "iam:AttachRolePolicy", &at.account, None))?;
    }
    if let Some(doc) = role.inline {
        c.put_role_policy()
            .role_name(role.name)
            .policy_name(format!("{}Policy", role.name))
            .policy_document(doc)
            .send()
            .await
            .map_err(|e| classify(&e, "iam:PutRolePolicy", &at.account, None))?;
    }
    Ok(())
}
