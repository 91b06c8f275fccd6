//! IAM: the four service roles a Control Tower landing zone needs, created if missing and repaired
//! (a missing policy attached or added) if they exist without what they need. Nothing is removed.

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
        // Landing zone 4.0 needs the managed policy (its operations fail without it); the inline
        // policy of 3.x roles is left in place, never removed.
        managed_policy: Some("arn:aws:iam::aws:policy/service-role/AWSControlTowerCloudTrailRolePolicy"),
        inline: None,
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

/// What an existing role has, as far as Control Tower cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleFound {
    pub path: String,
    /// The trust policy document (as IAM returns it, URL-encoded).
    pub trust: String,
    pub managed: Vec<String>,
    pub inline: Vec<String>,
}

impl ServiceRole {
    /// The name groundwork (and the console) gives the role's inline policy.
    pub fn inline_name(&self) -> String {
        format!("{}Policy", self.name)
    }
}

/// The role of that name (at any path) with its policies, or `None` when there is none.
pub async fn role(aws: &Aws, at: &At, name: &str) -> Result<Option<RoleFound>, AwsError> {
    let c = client(aws, at);
    let got = {
        let _slot = aws.permit().await;
        match c.get_role().role_name(name).send().await {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => return Ok(None),
            Err(e) => return Err(classify(&e, "iam:GetRole", &at.account, None)),
        }
    };
    let (path, trust) = got.role().map_or_else(Default::default, |r| {
        (r.path().to_owned(), r.assume_role_policy_document().unwrap_or_default().to_owned())
    });
    let mut managed = Vec::new();
    let mut token = None;
    loop {
        let _slot = aws.permit().await;
        let out = c
            .list_attached_role_policies()
            .role_name(name)
            .set_marker(token)
            .send()
            .await
            .map_err(|e| classify(&e, "iam:ListAttachedRolePolicies", &at.account, None))?;
        managed.extend(out.attached_policies().iter().filter_map(|p| p.policy_arn().map(str::to_owned)));
        token = out.marker().map(str::to_owned).filter(|_| out.is_truncated());
        if token.is_none() {
            break;
        }
    }
    let mut inline = Vec::new();
    let mut token = None;
    loop {
        let _slot = aws.permit().await;
        let out = c
            .list_role_policies()
            .role_name(name)
            .set_marker(token)
            .send()
            .await
            .map_err(|e| classify(&e, "iam:ListRolePolicies", &at.account, None))?;
        inline.extend(out.policy_names().iter().cloned());
        token = out.marker().map(str::to_owned).filter(|_| out.is_truncated());
        if token.is_none() {
            break;
        }
    }
    Ok(Some(RoleFound { path, trust, managed, inline }))
}

pub async fn attach_policy(aws: &Aws, at: &At, role: &str, policy_arn: &str) -> Result<(), AwsError> {
    client(aws, at)
        .attach_role_policy()
        .role_name(role)
        .policy_arn(policy_arn)
        .send()
        .await
        .map_err(|e| classify(&e, "iam:AttachRolePolicy", &at.account, None))?;
    Ok(())
}

/// Adds the role's inline policy under its own name (a name the role does not have yet).
pub async fn put_inline(aws: &Aws, at: &At, role: &ServiceRole) -> Result<(), AwsError> {
    let Some(doc) = role.inline else { return Ok(()) };
    client(aws, at)
        .put_role_policy()
        .role_name(role.name)
        .policy_name(role.inline_name())
        .policy_document(doc)
        .send()
        .await
        .map_err(|e| classify(&e, "iam:PutRolePolicy", &at.account, None))?;
    Ok(())
}

/// Creates the role alone: its policies are separate changes (`AttachRolePolicy`, `PutRolePolicy`),
/// each logged before it is made, so a run stopped between them leaves a role the next plan repairs.
pub async fn create_service_role(aws: &Aws, at: &At, role: &ServiceRole) -> Result<(), AwsError> {
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{}"}},"Action":"sts:AssumeRole"}}]}}"#,
        role.service
    );
    client(aws, at)
        .create_role()
        .role_name(role.name)
        .path("/service-role/")
        .assume_role_policy_document(trust)
        .send()
        .await
        .map_err(|e| classify(&e, "iam:CreateRole", &at.account, None))?;
    Ok(())
}
