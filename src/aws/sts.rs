//! Who the caller is.

use super::{Aws, AwsError, error::classify};

/// The principal groundwork runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub account: String,
    pub arn: String,
}

impl Identity {
    /// The root user's ARN ends in `:root`; running as root deserves a loud warning.
    pub fn is_root(&self) -> bool {
        self.arn.ends_with(":root")
    }
}

pub async fn caller_identity(aws: &Aws) -> Result<Identity, AwsError> {
    let _slot = aws.permit().await;
    let conf = aws.base_config();
    let out = aws_sdk_sts::Client::new(&conf)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| classify(&e, "sts:GetCallerIdentity", "unknown", Some(aws.region())))?;
    let at = super::At::new("unknown", aws.region());
    Ok(Identity {
        account: super::missing(out.account(), "sts:GetCallerIdentity", "Account", &at)?,
        arn: super::missing(out.arn(), "sts:GetCallerIdentity", "Arn", &at)?,
    })
}
