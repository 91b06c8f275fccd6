//! Account Management: the Regions of the caller's account and whether each is usable.

use super::{At, Aws, AwsError};

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
    let client = aws.client(&at, aws_sdk_account::Client::new);
    let pages =
        aws.pages("account:ListRegions", &at, || client.list_regions().max_results(50).into_paginator().send()).await?;
    Ok(pages
        .iter()
        .flat_map(|p| p.regions())
        .map(|r| AccountRegion {
            name: r.region_name().unwrap_or_default().to_owned(),
            status: r.region_opt_status().map(|s| s.as_str().to_owned()).unwrap_or_default(),
        })
        .collect())
}

/// Whether a name has the shape of a Region of some AWS partition, by the partitions' `regionRegex`
/// patterns the SDK resolves endpoints with (its `partitions.json`: `aws` is
/// `^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$`, `aws-cn` `^cn-\w+-\d+$`, `aws-us-gov`
/// `^us-gov-\w+-\d+$`, and the isolated and sovereign partitions likewise). The Rust SDK keeps that
/// data private to each client crate, so its patterns are mirrored here; no list of Regions is
/// kept: whether a well-formed name is a Region of this account is `ListRegions`'s answer.
pub fn is_region_name(name: &str) -> bool {
    const PARTITIONS: [&str; 8] = ["us-gov-", "us-iso-", "us-isob-", "us-isof-", "eu-isoe-", "eusc-de-", "cn-", ""];
    const AWS: [&str; 9] = ["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"];
    let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    PARTITIONS.iter().any(|prefix| {
        let rest = if prefix.is_empty() {
            // The commercial partition: one of its area codes, then the same shape.
            let Some((area, rest)) = name.split_once('-') else { return false };
            if !AWS.contains(&area) {
                return false;
            }
            rest
        } else {
            let Some(rest) = name.strip_prefix(prefix) else { return false };
            rest
        };
        matches!(rest.split('-').collect::<Vec<_>>().as_slice(), [w, d] if word(w) && digits(d))
    })
}

#[cfg(test)]
mod tests {
    use super::is_region_name;

    #[test]
    fn region_names_follow_the_partitions_patterns() {
        for name in [
            "us-east-1",
            "eu-west-3",
            "ap-southeast-7",
            "mx-central-1",
            "il-central-1",
            "cn-north-1",
            "us-gov-west-1",
            "us-isob-east-1",
            "eusc-de-east-1",
            "us-east-42",
        ] {
            assert!(is_region_name(name), "{name}");
        }
        for name in ["mars-north-9", "us-east", "useast-1", "us-east-1a", "xx-east-1", "aws-global", "", "us--1"] {
            assert!(!is_region_name(name), "{name}");
        }
    }
}
