//! S3 Control: an account's own Block Public Access settings (the four switches that hold for
//! every bucket of the account), read in that account. The client is made here for reads and
//! changes alike: against an emulator it needs the host fixed (below); against AWS it is the SDK's.

use aws_sdk_s3control::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_s3control::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_s3control::error::BoxError;

use super::{At, Aws, AwsError, call::classify_at};

/// The four settings, in the order AWS's console and API list them.
pub const SETTINGS: [&str; 4] = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"];

/// Which of the four settings are on, in `SETTINGS` order.
pub type Block = [bool; 4];

/// The account's effective Block Public Access settings (AWS: "may inherit from
/// organization-level policies"). None set at all (`NoSuchPublicAccessBlockConfiguration`) is all
/// off, as AWS documents; a field AWS leaves out is off.
pub async fn account_block(aws: &Aws, at: &At) -> Result<Block, AwsError> {
    let s3control = aws.client(at, client);
    let answer = aws
        .send("s3:GetAccountPublicAccessBlock", at, || {
            s3control.get_public_access_block().account_id(&at.account).send()
        })
        .await;
    match answer {
        Ok(out) => {
            let c = out.public_access_block_configuration();
            Ok([
                c.and_then(|c| c.block_public_acls()).unwrap_or(false),
                c.and_then(|c| c.ignore_public_acls()).unwrap_or(false),
                c.and_then(|c| c.block_public_policy()).unwrap_or(false),
                c.and_then(|c| c.restrict_public_buckets()).unwrap_or(false),
            ])
        }
        Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_public_access_block_configuration()) => {
            Ok([false; 4])
        }
        Err(e) => Err(classify_at(&e, "s3:GetAccountPublicAccessBlock", at)),
    }
}

/// An S3 Control client. Its endpoint rules put the account id in front of the host
/// (`{AccountId}.s3-control.{Region}.amazonaws.com`); with an endpoint override (an emulator on
/// 127.0.0.1) that name does not resolve, so the prefix is taken off again before sending. Without
/// an override (real AWS) the client is the SDK's, untouched.
pub(crate) fn client(conf: &aws_config::SdkConfig) -> aws_sdk_s3control::Client {
    let mut builder = aws_sdk_s3control::config::Builder::from(conf);
    if conf.endpoint_url().is_some() {
        builder = builder.interceptor(AccountHostPrefix);
    }
    aws_sdk_s3control::Client::from_conf(builder.build())
}

/// Removes a leading `<12 digits>.` from the request's host: only ever installed with an endpoint
/// override.
#[derive(Debug)]
struct AccountHostPrefix;

impl Intercept for AccountHostPrefix {
    fn name(&self) -> &'static str {
        "AccountHostPrefix"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let uri = request.uri().to_owned();
        if let Some(fixed) = without_account_prefix(&uri) {
            request.set_uri(fixed)?;
        }
        Ok(())
    }
}

/// `http://123456789012.127.0.0.1:5000/x` to `http://127.0.0.1:5000/x`; `None` when there is no
/// such prefix.
fn without_account_prefix(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let (label, host) = rest.split_once('.')?;
    (label.len() == 12 && label.chars().all(|c| c.is_ascii_digit())).then(|| format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::without_account_prefix;

    #[test]
    fn only_an_account_label_is_taken_off() {
        assert_eq!(
            without_account_prefix("http://123456789012.127.0.0.1:5000/v20180820/configuration/publicAccessBlock"),
            Some("http://127.0.0.1:5000/v20180820/configuration/publicAccessBlock".to_owned())
        );
        assert_eq!(without_account_prefix("http://127.0.0.1:5000/v20180820"), None);
        assert_eq!(without_account_prefix("https://s3-control.us-east-1.amazonaws.com/"), None);
    }
}
