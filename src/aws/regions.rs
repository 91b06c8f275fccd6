//! Account Management: the Regions of the caller's account and whether each is usable.

use super::{At, Aws, AwsError, error::classify};

/// A Region of this account and its opt status (`ENABLED_BY_DEFAULT`, `ENABLED`, `ENABLING`,
/// `DISABLING`, `DISABLED`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRegion {
    pub name: String,
    pub status: String,
}

impl AccountRegion {
    /// Whether calls into it can succeed.
    pub fn usable(&self) -> bool {
        matches!(self.status.as_str(), "ENABLED" | "ENABLED_BY_DEFAULT")
    }

    /// An opt-in Region the account has enabled (not one every account has).
    pub fn opted_in(&self) -> bool {
        self.status == "ENABLED"
    }
}

/// Every Region of the caller's account, every page.
pub async fn regions(aws: &Aws) -> Result<Vec<AccountRegion>, AwsError> {
    let at = At::new(aws.caller(), aws.region());
    let found: Vec<_> = {
        let _slot = aws.permit().await;
        aws.client(&at, aws_sdk_account::Client::new)
            .list_regions()
            .max_results(50)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| classify(&e, "account:ListRegions", &at.account, None))?
    };
    Ok(found
        .iter()
        .map(|r| AccountRegion {
            name: r.region_name().unwrap_or_default().to_owned(),
            status: r.region_opt_status().map(|s| s.as_str().to_owned()).unwrap_or_default(),
        })
        .collect())
}
