//! AWS Config for the management account, which Control Tower never enrols: the service-linked role
//! the recorder uses, a customer managed recorder of every supported type, a delivery channel to the
//! landing zone's Config bucket, and starting the recorder. A recorder or channel the person already
//! has is never replaced or renamed: the plan only creates what is missing and starts what is stopped.

use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel, RecordingGroup};

use crate::aws::{At, Aws, AwsError};

/// The service-linked role AWS Config records with (AWS creates it under this name and path).
pub const ROLE: &str = "AWSServiceRoleForConfig";
/// The name AWS itself gives a recorder or channel created without one.
pub const DEFAULT_NAME: &str = "default";

/// The role's ARN in `account`.
pub fn role_arn(account: &str) -> String {
    format!("arn:aws:iam::{account}:role/aws-service-role/config.amazonaws.com/{ROLE}")
}

/// One change to AWS Config in the management account, described fully before it is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigChange {
    /// The service-linked role AWS Config records with (`AWSServiceRoleForConfig`).
    CreateRole,
    /// A customer managed recorder of every supported type; global IAM types where `global`.
    PutRecorder {
        name: String,
        global: bool,
    },
    /// A delivery channel to the landing zone's Config bucket.
    PutChannel {
        bucket: String,
        prefix: Option<String>,
        kms_key: Option<String>,
    },
    Start {
        name: String,
    },
}

impl ConfigChange {
    /// The AWS operation, as its IAM action.
    pub fn call(&self) -> &'static str {
        match self {
            ConfigChange::CreateRole => "iam:CreateServiceLinkedRole",
            ConfigChange::PutRecorder { .. } => "config:PutConfigurationRecorder",
            ConfigChange::PutChannel { .. } => "config:PutDeliveryChannel",
            ConfigChange::Start { .. } => "config:StartConfigurationRecorder",
        }
    }

    /// The key parameters, as a person and the action log read them.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            ConfigChange::CreateRole => vec![("AWSServiceName", "config.amazonaws.com".into())],
            ConfigChange::PutRecorder { name, global } => vec![
                ("Name", name.clone()),
                ("RoleARN", format!("service-linked role {ROLE}")),
                ("AllSupported", "true".into()),
                ("IncludeGlobalResourceTypes", global.to_string()),
            ],
            ConfigChange::PutChannel { bucket, prefix, kms_key } => {
                let mut p = vec![("Name", DEFAULT_NAME.into()), ("S3BucketName", bucket.clone())];
                p.extend(prefix.iter().map(|v| ("S3KeyPrefix", v.clone())));
                p.extend(kms_key.iter().map(|v| ("S3KmsKeyArn", v.clone())));
                p
            }
            ConfigChange::Start { name } => vec![("ConfigurationRecorderName", name.clone())],
        }
    }

    pub async fn perform(&self, aws: &Aws, at: &At) -> Result<(), AwsError> {
        match self {
            ConfigChange::CreateRole => create_role(aws, at).await,
            ConfigChange::PutRecorder { name, global } => put_recorder(aws, at, name, *global).await,
            ConfigChange::PutChannel { bucket, prefix, kms_key } => {
                put_channel(aws, at, bucket, prefix.as_deref(), kms_key.as_deref()).await
            }
            ConfigChange::Start { name } => start_recorder(aws, at, name).await,
        }
    }
}

fn client(aws: &Aws, at: &At) -> aws_sdk_config::Client {
    aws.client(at, aws_sdk_config::Client::new)
}

/// `iam:CreateServiceLinkedRole` for `config.amazonaws.com` (global: IAM has no Regions).
pub async fn create_role(aws: &Aws, at: &At) -> Result<(), AwsError> {
    aws.call("iam:CreateServiceLinkedRole", at, || {
        aws.client(at, aws_sdk_iam::Client::new)
            .create_service_linked_role()
            .aws_service_name("config.amazonaws.com")
            .send()
    })
    .await?;
    Ok(())
}

/// A customer managed recorder that records every supported resource type (global IAM types only
/// where `global`: recording them in one Region is enough, and each extra Region would bill them
/// again). Continuous recording, AWS's default.
pub async fn put_recorder(aws: &Aws, at: &At, name: &str, global: bool) -> Result<(), AwsError> {
    let group = RecordingGroup::builder().all_supported(true).include_global_resource_types(global).build();
    let recorder =
        ConfigurationRecorder::builder().name(name).role_arn(role_arn(&at.account)).recording_group(group).build();
    aws.call("config:PutConfigurationRecorder", at, || {
        client(aws, at).put_configuration_recorder().configuration_recorder(recorder.clone()).send()
    })
    .await?;
    Ok(())
}

/// A delivery channel to the landing zone's Config bucket (with its prefix and KMS key, as Audit's
/// own channel delivers there).
pub async fn put_channel(
    aws: &Aws,
    at: &At,
    bucket: &str,
    prefix: Option<&str>,
    kms_key: Option<&str>,
) -> Result<(), AwsError> {
    let channel = DeliveryChannel::builder()
        .name(DEFAULT_NAME)
        .s3_bucket_name(bucket)
        .set_s3_key_prefix(prefix.map(str::to_owned))
        .set_s3_kms_key_arn(kms_key.map(str::to_owned))
        .build();
    aws.call("config:PutDeliveryChannel", at, || {
        client(aws, at).put_delivery_channel().delivery_channel(channel.clone()).send()
    })
    .await?;
    Ok(())
}

pub async fn start_recorder(aws: &Aws, at: &At, name: &str) -> Result<(), AwsError> {
    aws.call("config:StartConfigurationRecorder", at, || {
        client(aws, at).start_configuration_recorder().configuration_recorder_name(name).send()
    })
    .await?;
    Ok(())
}
