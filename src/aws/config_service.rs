//! AWS Config (the service): the configuration recorders and delivery channels an account already
//! has in a Region, and whether a recorder records. Read only: Control Tower's preflight uses them in
//! Log Archive and Audit, security-hub in every account (Security Hub CSPM's controls need Config).

use super::{At, Aws, AwsError};

/// The names of the Config resources the account has in `at.region`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigResources {
    pub recorders: Vec<String>,
    pub delivery_channels: Vec<String>,
}

impl ConfigResources {
    pub fn is_empty(&self) -> bool {
        self.recorders.is_empty() && self.delivery_channels.is_empty()
    }
}

/// Every configuration recorder (customer managed and service-linked) and delivery channel in
/// `at` (neither call pages: AWS answers all of them at once).
pub async fn resources(aws: &Aws, at: &At) -> Result<ConfigResources, AwsError> {
    let client = aws.client(at, aws_sdk_config::Client::new);
    let recorders = describe_recorders(aws, &client, at).await?;
    let channels = describe_channels(aws, &client, at).await?;
    Ok(ConfigResources {
        recorders: recorders
            .configuration_recorders()
            .iter()
            .map(|r| r.name().or(r.arn()).unwrap_or("(unnamed)").to_owned())
            .collect(),
        delivery_channels: channels
            .delivery_channels()
            .iter()
            .map(|c| c.name().unwrap_or("(unnamed)").to_owned())
            .collect(),
    })
}

/// Which resource types a configuration recorder records, as its recording group says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Records {
    /// Every current and future supported type (`ALL_SUPPORTED_RESOURCE_TYPES`).
    All,
    /// Every supported type but these (`EXCLUSION_BY_RESOURCE_TYPES`).
    AllBut(Vec<String>),
    /// Only these (`INCLUSION_BY_RESOURCE_TYPES`).
    Only(Vec<String>),
}

/// One configuration recorder and whether it records now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorder {
    pub name: String,
    /// The owning service, for a service-linked recorder; `None` for the customer managed one.
    pub service: Option<String>,
    pub records: Records,
    /// `recording` from `DescribeConfigurationRecorderStatus`.
    pub recording: bool,
}

/// One delivery channel and where it delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub name: String,
    pub bucket: Option<String>,
    pub prefix: Option<String>,
    pub kms_key: Option<String>,
}

/// AWS Config in one account and Region: its recorders (with their status) and delivery channels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recording {
    pub recorders: Vec<Recorder>,
    pub channels: Vec<Channel>,
}

impl Recording {
    /// The customer managed recorder (AWS allows one per account and Region).
    pub fn own(&self) -> Option<&Recorder> {
        self.recorders.iter().find(|r| r.service.is_none())
    }
}

/// The recorders, their status and the delivery channels in `at` (none of the three calls pages).
pub async fn recording(aws: &Aws, at: &At) -> Result<Recording, AwsError> {
    let client = aws.client(at, aws_sdk_config::Client::new);
    let recorders = describe_recorders(aws, &client, at).await?;
    let status = {
        aws.call("config:DescribeConfigurationRecorderStatus", at, || {
            client.describe_configuration_recorder_status().send()
        })
        .await?
    };
    let channels = describe_channels(aws, &client, at).await?;
    let recording =
        |name: &str| status.configuration_recorders_status().iter().any(|s| s.name() == Some(name) && s.recording());
    Ok(Recording {
        recorders: recorders
            .configuration_recorders()
            .iter()
            .map(|r| {
                let name = r.name().or(r.arn()).unwrap_or("(unnamed)").to_owned();
                Recorder {
                    recording: recording(&name),
                    service: r.service_principal().map(str::to_owned),
                    records: records(r.recording_group()),
                    name,
                }
            })
            .collect(),
        channels: channels
            .delivery_channels()
            .iter()
            .map(|c| Channel {
                name: c.name().unwrap_or("(unnamed)").to_owned(),
                bucket: c.s3_bucket_name().map(str::to_owned),
                prefix: c.s3_key_prefix().map(str::to_owned),
                kms_key: c.s3_kms_key_arn().map(str::to_owned),
            })
            .collect(),
    })
}

/// What a recording group records. AWS: without a group (or with `allSupported`) a customer
/// managed recorder records every supported type; an exclusion strategy records all but the listed
/// types; otherwise only the listed ones.
fn records(group: Option<&aws_sdk_config::types::RecordingGroup>) -> Records {
    use aws_sdk_config::types::RecordingStrategyType as S;
    let Some(g) = group else { return Records::All };
    let strategy = g.recording_strategy().and_then(|s| s.use_only());
    let names = |types: &[aws_sdk_config::types::ResourceType]| types.iter().map(|t| t.as_str().to_owned()).collect();
    match strategy {
        Some(S::ExclusionByResourceTypes) => {
            Records::AllBut(g.exclusion_by_resource_types().map(|e| names(e.resource_types())).unwrap_or_default())
        }
        Some(S::InclusionByResourceTypes) => Records::Only(names(g.resource_types())),
        _ if g.all_supported() => Records::All,
        _ => Records::Only(names(g.resource_types())),
    }
}

/// `config:DescribeConfigurationRecorders` in `at` (every recorder at once: it does not page).
async fn describe_recorders(
    aws: &Aws,
    client: &aws_sdk_config::Client,
    at: &At,
) -> Result<aws_sdk_config::operation::describe_configuration_recorders::DescribeConfigurationRecordersOutput, AwsError>
{
    aws.call("config:DescribeConfigurationRecorders", at, || client.describe_configuration_recorders().send()).await
}

/// `config:DescribeDeliveryChannels` in `at` (every channel at once: it does not page).
async fn describe_channels(
    aws: &Aws,
    client: &aws_sdk_config::Client,
    at: &At,
) -> Result<aws_sdk_config::operation::describe_delivery_channels::DescribeDeliveryChannelsOutput, AwsError> {
    aws.call("config:DescribeDeliveryChannels", at, || client.describe_delivery_channels().send()).await
}
