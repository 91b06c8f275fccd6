//! AWS Config (the service): the configuration recorders and delivery channels an account already
//! has in a Region. Read only; Control Tower's preflight uses them in Log Archive and Audit.

use super::{At, Aws, AwsError, error::classify};

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
    let recorders = {
        let _slot = aws.permit().await;
        client
            .describe_configuration_recorders()
            .send()
            .await
            .map_err(|e| classify(&e, "config:DescribeConfigurationRecorders", &at.account, Some(&at.region)))?
    };
    let channels = {
        let _slot = aws.permit().await;
        client
            .describe_delivery_channels()
            .send()
            .await
            .map_err(|e| classify(&e, "config:DescribeDeliveryChannels", &at.account, Some(&at.region)))?
    };
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
