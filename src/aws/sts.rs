//! Who the caller is.

use super::{Aws, AwsError};

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
    let client = aws_sdk_sts::Client::new(&aws.base_config());
    let at = super::At::new("unknown", aws.region());
    let out = aws.call("sts:GetCallerIdentity", &at, || client.get_caller_identity().send()).await?;
    Ok(Identity {
        account: super::missing(out.account(), "sts:GetCallerIdentity", "Account", &at)?,
        arn: super::missing(out.arn(), "sts:GetCallerIdentity", "Arn", &at)?,
    })
}
