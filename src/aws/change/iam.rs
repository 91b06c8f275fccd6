//! IAM: the service roles a Control Tower landing zone needs (defined in `landing_zone::roles`),
//! read, created if missing and repaired (a missing policy attached or added) if they exist without
//! what they need. Nothing is removed.

use crate::aws::{At, Aws, AwsError, call::classify_at, missing};
use crate::landing_zone::roles::{PATH, ServiceRole};

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

/// The role of that name (at any path) with its policies, or `None` when there is none.
pub async fn role(aws: &Aws, at: &At, name: &str) -> Result<Option<RoleFound>, AwsError> {
    let c = client(aws, at);
    let got = match aws.send("iam:GetRole", at, || c.get_role().role_name(name).send()).await {
        Ok(out) => out,
        Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => return Ok(None),
        Err(e) => return Err(classify_at(&e, "iam:GetRole", at)),
    };
    // A role without its path or trust policy would be judged a conflict it is not: say what is missing.
    let role = got.role();
    let path = missing(role.map(|r| r.path()), "iam:GetRole", "Role.Path", at)?;
    let trust = missing(
        role.and_then(|r| r.assume_role_policy_document()),
        "iam:GetRole",
        "Role.AssumeRolePolicyDocument",
        at,
    )?;
    let mut managed = Vec::new();
    let mut token = None;
    loop {
        let out = aws
            .call("iam:ListAttachedRolePolicies", at, || {
                c.list_attached_role_policies().role_name(name).set_marker(token.clone()).send()
            })
            .await?;
        managed.extend(out.attached_policies().iter().filter_map(|p| p.policy_arn().map(str::to_owned)));
        token = out.marker().map(str::to_owned).filter(|_| out.is_truncated());
        if token.is_none() {
            break;
        }
    }
    let mut inline = Vec::new();
    let mut token = None;
    loop {
        let out = aws
            .call("iam:ListRolePolicies", at, || {
                c.list_role_policies().role_name(name).set_marker(token.clone()).send()
            })
            .await?;
        inline.extend(out.policy_names().iter().cloned());
        token = out.marker().map(str::to_owned).filter(|_| out.is_truncated());
        if token.is_none() {
            break;
        }
    }
    Ok(Some(RoleFound { path, trust, managed, inline }))
}

pub async fn attach_policy(aws: &Aws, at: &At, role: &str, policy_arn: &str) -> Result<(), AwsError> {
    aws.call("iam:AttachRolePolicy", at, || {
        client(aws, at).attach_role_policy().role_name(role).policy_arn(policy_arn).send()
    })
    .await?;
    Ok(())
}

/// Adds the role's inline policy under its own name (a name the role does not have yet).
pub async fn put_inline(aws: &Aws, at: &At, role: &ServiceRole) -> Result<(), AwsError> {
    let Some(doc) = role.inline_policy() else { return Ok(()) };
    aws.call("iam:PutRolePolicy", at, || {
        client(aws, at)
            .put_role_policy()
            .role_name(role.name)
            .policy_name(role.inline_name())
            .policy_document(doc.to_string())
            .send()
    })
    .await?;
    Ok(())
}

/// Creates the role alone: its policies are separate changes (`AttachRolePolicy`, `PutRolePolicy`),
/// each logged before it is made, so a run stopped between them leaves a role the next plan repairs.
pub async fn create_service_role(aws: &Aws, at: &At, role: &ServiceRole) -> Result<(), AwsError> {
    aws.call("iam:CreateRole", at, || {
        client(aws, at)
            .create_role()
            .role_name(role.name)
            .path(PATH)
            .assume_role_policy_document(role.trust().to_string())
            .send()
    })
    .await?;
    Ok(())
}
