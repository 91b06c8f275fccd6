//! EC2: turns EBS encryption by default on in one account and Region (new volumes only; the
//! account's default key is left as it is).

use crate::aws::{At, Aws, AwsError, ErrorKind};

pub async fn enable_ebs_encryption(aws: &Aws, at: &At) -> Result<(), AwsError> {
    const ACTION: &str = "ec2:EnableEbsEncryptionByDefault";
    let client = aws.client(at, aws_sdk_ec2::Client::new);
    let out = aws.call(ACTION, at, || client.enable_ebs_encryption_by_default().send()).await?;
    if out.ebs_encryption_by_default() == Some(true) {
        return Ok(());
    }
    Err(AwsError {
        request_id: None,
        kind: ErrorKind::Other,
        action: ACTION,
        account: at.account.clone(),
        region: Some(at.region.clone()),
        code: None,
        message: "AWS answered that encryption by default is still off".to_owned(),
    })
}
