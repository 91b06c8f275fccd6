//! Centralized root access: IAM's organization features, and a member account's root credentials,
//! read (and, in `change::root_access`, deleted) through a short root session: `sts:AssumeRoot`
//! from the management account with a root-task policy, whose credentials act as the member's root
//! user and may call only what that task policy allows.

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_sts::types::PolicyDescriptorType;

use super::{At, Aws, AwsError, call::classify_at, missing};

/// The task policy that lets a root session read the root user's credentials and nothing else.
pub const AUDIT_TASK: &str = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials";
/// The task policy that lets a root session delete them.
pub const DELETE_TASK: &str = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials";
/// AWS's longest root session (15 minutes); a task takes seconds.
pub const SESSION_SECONDS: i32 = 900;
/// The trusted-access principal centralized root access needs.
pub const TRUSTED: &str = "iam.amazonaws.com";

/// The centralized root access features enabled for the organization (`iam:ListOrganizationsFeatures`).
pub async fn features(aws: &Aws, at: &At) -> Result<Vec<String>, AwsError> {
    let client = aws.client(at, aws_sdk_iam::Client::new);
    let out = aws.call("iam:ListOrganizationsFeatures", at, || client.list_organizations_features().send()).await?;
    Ok(out.enabled_features().iter().map(|f| f.as_str().to_owned()).collect())
}

/// What a member's root user has that lets someone sign in or call AWS as it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RootCredentials {
    pub password: bool,
    pub access_keys: Vec<String>,
    pub certificates: Vec<String>,
    /// MFA devices by serial number.
    pub mfa: Vec<String>,
}

impl RootCredentials {
    pub fn is_empty(&self) -> bool {
        !self.password && self.access_keys.is_empty() && self.certificates.is_empty() && self.mfa.is_empty()
    }
}

/// An IAM client acting as `member`'s root user for one task, from a root session the caller
/// (`me`, the management account) opens in its own Region (AWS refuses STS's global endpoint).
pub async fn root_session(aws: &Aws, me: &At, member: &str, task: &str) -> Result<aws_sdk_iam::Client, AwsError> {
    let action = "sts:AssumeRoot";
    let at = At::new(member, &me.region);
    // The management account makes the request (its pace and slot); a failure names the member.
    let sts = aws.client(me, aws_sdk_sts::Client::new);
    let out = aws
        .send(action, me, || {
            sts.assume_root()
                .target_principal(member)
                .task_policy_arn(PolicyDescriptorType::builder().arn(task).build())
                .duration_seconds(SESSION_SECONDS)
                .send()
        })
        .await
        .map_err(|e| classify_at(&e, action, &at))?;
    let c = out.credentials();
    let key = missing(c.map(|c| c.access_key_id()), action, "Credentials.AccessKeyId", &at)?;
    let secret = missing(c.map(|c| c.secret_access_key()), action, "Credentials.SecretAccessKey", &at)?;
    let token = missing(c.map(|c| c.session_token()), action, "Credentials.SessionToken", &at)?;
    let creds = Credentials::new(key, secret, Some(token), None, "groundwork-root-session");
    let mut conf = aws.config(me).to_builder();
    conf.set_credentials_provider(Some(SharedCredentialsProvider::new(creds)));
    Ok(aws_sdk_iam::Client::new(&conf.build()))
}

/// A member's root credentials, read through an audit root session.
pub async fn root_credentials(aws: &Aws, me: &At, member: &str) -> Result<RootCredentials, AwsError> {
    let iam = root_session(aws, me, member, AUDIT_TASK).await?;
    // The root session's calls act in the member.
    let at = At::new(member, &me.region);
    let password = match aws.send("iam:GetLoginProfile", &at, || iam.get_login_profile().send()).await {
        Ok(_) => true,
        Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => false,
        Err(e) => return Err(classify_at(&e, "iam:GetLoginProfile", &at)),
    };
    let mut found = RootCredentials { password, ..RootCredentials::default() };
    let mut marker = None;
    loop {
        let out =
            aws.call("iam:ListAccessKeys", &at, || iam.list_access_keys().set_marker(marker.clone()).send()).await?;
        found.access_keys.extend(out.access_key_metadata().iter().filter_map(|k| k.access_key_id().map(str::to_owned)));
        marker = out.marker().map(str::to_owned).filter(|_| out.is_truncated());
        if marker.is_none() {
            break;
        }
    }
    let mut marker = None;
    loop {
        let out = aws
            .call("iam:ListSigningCertificates", &at, || {
                iam.list_signing_certificates().set_marker(marker.clone()).send()
            })
            .await?;
        found.certificates.extend(out.certificates().iter().map(|c| c.certificate_id().to_owned()));
        marker = out.marker().map(str::to_owned).filter(|_| out.is_truncated());
        if marker.is_none() {
            break;
        }
    }
    let mut marker = None;
    loop {
        let out =
            aws.call("iam:ListMFADevices", &at, || iam.list_mfa_devices().set_marker(marker.clone()).send()).await?;
        found.mfa.extend(out.mfa_devices().iter().map(|d| d.serial_number().to_owned()));
        marker = out.marker().map(str::to_owned).filter(|_| out.is_truncated());
        if marker.is_none() {
            break;
        }
    }
    Ok(found)
}
