//! IAM: what the account summary says about the root user.

use aws_sdk_iam::types::SummaryKeyType;

use super::{At, Aws, AwsError, error::classify};

/// The root user's credentials as the IAM account summary reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RootCredentials {
    pub mfa_enabled: bool,
    pub access_keys_present: bool,
}

pub async fn root_credentials(aws: &Aws, at: &At) -> Result<RootCredentials, AwsError> {
    let _slot = aws.permit().await;
    let out = aws
        .client(at, aws_sdk_iam::Client::new)
        .get_account_summary()
        .send()
        .await
        .map_err(|e| classify(&e, "iam:GetAccountSummary", &at.account, None))?;
    let map = out.summary_map().cloned().unwrap_or_default();
    let flag = |key: SummaryKeyType| map.get(&key).copied();
    match (flag(SummaryKeyType::AccountMfaEnabled), flag(SummaryKeyType::AccountAccessKeysPresent)) {
        (Some(mfa), Some(keys)) => Ok(RootCredentials { mfa_enabled: mfa == 1, access_keys_present: keys != 0 }),
        // A summary without these keys is not one we understand: never guess.
        _ => Err(AwsError {
            kind: super::ErrorKind::NotSupported,
            action: "iam:GetAccountSummary",
            account: at.account.clone(),
            region: None,
            code: None,
            message: "the account summary has no AccountMFAEnabled or AccountAccessKeysPresent".into(),
        }),
    }
}
