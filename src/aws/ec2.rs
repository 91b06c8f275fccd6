//! EC2: EBS encryption by default and its KMS key, per account and Region.

use super::{At, Aws, AwsError, ErrorKind};

/// EBS encryption by default in one account and Region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EbsDefaults {
    pub enabled: bool,
    /// The KMS key new volumes are encrypted with (AWS: the AWS managed `alias/aws/ebs` unless the
    /// account chose another), as `GetEbsDefaultKmsKeyId` names it.
    pub key: String,
}

/// Whether EBS encryption by default is on in `at`, and with which key.
pub async fn ebs_defaults(aws: &Aws, at: &At) -> Result<EbsDefaults, AwsError> {
    let client = aws.client(at, aws_sdk_ec2::Client::new);
    let on = aws.call("ec2:GetEbsEncryptionByDefault", at, || client.get_ebs_encryption_by_default().send()).await?;
    let key = aws.call("ec2:GetEbsDefaultKmsKeyId", at, || client.get_ebs_default_kms_key_id().send()).await?;
    // A verdict never rests on a value AWS did not send.
    let enabled = on.ebs_encryption_by_default().ok_or_else(|| AwsError {
        request_id: None,
        kind: ErrorKind::Other,
        action: "ec2:GetEbsEncryptionByDefault",
        account: at.account.clone(),
        region: Some(at.region.clone()),
        code: Some("incomplete answer".to_owned()),
        message: "AWS's answer had no EbsEncryptionByDefault".to_owned(),
    })?;
    let key = super::missing(key.kms_key_id(), "ec2:GetEbsDefaultKmsKeyId", "KmsKeyId", at)?;
    Ok(EbsDefaults { enabled, key })
}
