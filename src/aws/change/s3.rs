//! S3 Block Public Access at the account level: all four settings on, in the account itself.

use aws_sdk_s3control::types::PublicAccessBlockConfiguration;

use crate::aws::{At, Aws, AwsError, error::classify, s3control};

/// Turns all four settings on in `account` (a setting already on stays on: all four are sent as
/// true, none as false). Called in that account: S3 Control acts only on the caller's own account.
pub async fn put_account_block(aws: &Aws, at: &At, account: &str) -> Result<(), AwsError> {
    let all = PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .ignore_public_acls(true)
        .block_public_policy(true)
        .restrict_public_buckets(true)
        .build();
    let client = aws.client(at, s3control::client);
    aws.send("s3:PutAccountPublicAccessBlock", at, || {
        client.put_public_access_block().account_id(account).public_access_block_configuration(all.clone()).send()
    })
    .await
    .map(|_| ())
    .map_err(|e| classify(&e, "s3:PutAccountPublicAccessBlock", account, Some(&at.region)))
}
