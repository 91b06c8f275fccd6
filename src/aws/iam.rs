//! IAM: what the account summary says about the root user, and what a role lets a service do.

use aws_sdk_iam::types::SummaryKeyType;

use super::{At, Aws, AwsError, call::classify_at};

/// The root user's credentials as the IAM account summary reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RootCredentials {
    pub mfa_enabled: bool,
    pub access_keys_present: bool,
}

pub async fn root_credentials(aws: &Aws, at: &At) -> Result<RootCredentials, AwsError> {
    let out = aws
        .call("iam:GetAccountSummary", at, || aws.client(at, aws_sdk_iam::Client::new).get_account_summary().send())
        .await?;
    let map = out.summary_map().cloned().unwrap_or_default();
    let flag = |key: SummaryKeyType| map.get(&key).copied();
    match (flag(SummaryKeyType::AccountMfaEnabled), flag(SummaryKeyType::AccountAccessKeysPresent)) {
        (Some(mfa), Some(keys)) => Ok(RootCredentials { mfa_enabled: mfa == 1, access_keys_present: keys != 0 }),
        // A summary without these keys is not one we understand: never guess.
        _ => Err(AwsError {
            request_id: None,
            kind: super::ErrorKind::NotSupported,
            action: "iam:GetAccountSummary",
            account: at.account.clone(),
            region: None,
            code: None,
            message: "the account summary has no AccountMFAEnabled or AccountAccessKeysPresent".into(),
        }),
    }
}

/// What decides whether EventBridge may act through a role: who may assume it, and its inline
/// policies (documents as JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleDocs {
    pub trust: String,
    pub inline: Vec<String>,
}

/// Whether a role of that name exists (`iam:GetRole`).
pub async fn role_exists(aws: &Aws, at: &At, name: &str) -> Result<bool, AwsError> {
    let client = aws.client(at, aws_sdk_iam::Client::new);
    match aws.send("iam:GetRole", at, || client.get_role().role_name(name).send()).await {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => Ok(false),
        Err(e) => Err(classify_at(&e, "iam:GetRole", at)),
    }
}

/// A role's trust policy and inline policies, or `None` when no role of that name exists.
pub async fn role_docs(aws: &Aws, at: &At, name: &str) -> Result<Option<RoleDocs>, AwsError> {
    let client = aws.client(at, aws_sdk_iam::Client::new);
    let role = match aws.send("iam:GetRole", at, || client.get_role().role_name(name).send()).await {
        Ok(out) => out,
        Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => return Ok(None),
        Err(e) => return Err(classify_at(&e, "iam:GetRole", at)),
    };
    let trust = role.role().and_then(|r| r.assume_role_policy_document()).map(url_decode).unwrap_or_default();
    let mut names = Vec::new();
    let mut marker = None;
    loop {
        let out = aws
            .call("iam:ListRolePolicies", at, || {
                client.list_role_policies().role_name(name).set_marker(marker.clone()).send()
            })
            .await?;
        names.extend(out.policy_names().iter().cloned());
        marker = out.marker().map(str::to_owned);
        if !out.is_truncated() || marker.is_none() {
            break;
        }
    }
    let mut inline = Vec::new();
    for policy in names {
        let out = aws
            .call("iam:GetRolePolicy", at, || client.get_role_policy().role_name(name).policy_name(&policy).send())
            .await?;
        inline.push(url_decode(out.policy_document()));
    }
    Ok(Some(RoleDocs { trust, inline }))
}

/// IAM returns policy documents URL-encoded (RFC 3986); a plain document passes unchanged.
fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn policy_documents_are_url_decoded() {
        assert_eq!(super::url_decode("%7B%22a%22%3A1%7D"), r#"{"a":1}"#);
        assert_eq!(super::url_decode(r#"{"a":"100%"}"#), r#"{"a":"100%"}"#);
    }
}
