//! Control Tower's controls: what the Control Catalog offers (`controlcatalog:ListControls`, global,
//! every page) and what is enabled on an OU (`controltower:ListEnabledControls` per target, every
//! page, in the landing zone's home Region). Identifiers are read here, never written down: the
//! catalog's ARN is the control's global identifier, its aliases the names people know.

use super::{At, Aws, AwsError};

/// One control of the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogControl {
    /// Its global ARN (`arn:aws:controlcatalog:::control/...`), what EnableControl takes.
    pub arn: String,
    /// Human-readable designators (`AWS-GR_RESTRICT_ROOT_USER`, `SH.S3.1`...).
    pub aliases: Vec<String>,
    pub name: String,
    /// `PREVENTIVE`, `DETECTIVE` or `PROACTIVE` (empty when AWS gave none).
    pub behavior: String,
}

/// One control enabled on a target, as ListEnabledControls says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnabledControl {
    /// The identifier it was enabled with: a global ARN, or a legacy Regional one.
    pub control: String,
    pub target: String,
    /// `SUCCEEDED`, `FAILED` or `UNDER_CHANGE` (`UNKNOWN` when AWS gave none).
    pub status: String,
    pub operation: Option<String>,
}

/// Every control of the Control Catalog.
pub async fn catalog(aws: &Aws, at: &At) -> Result<Vec<CatalogControl>, AwsError> {
    let client = aws.client(at, aws_sdk_controlcatalog::Client::new);
    let pages = aws.pages("controlcatalog:ListControls", at, || client.list_controls().into_paginator().send()).await?;
    Ok(pages
        .iter()
        .flat_map(|p| p.controls())
        .map(|c| CatalogControl {
            arn: c.arn().to_owned(),
            aliases: c.aliases().to_vec(),
            name: c.name().to_owned(),
            behavior: c.behavior().map(|b| b.as_str().to_owned()).unwrap_or_default(),
        })
        .collect())
}

/// The controls enabled on one target (an OU's ARN).
pub async fn enabled(aws: &Aws, at: &At, target: &str) -> Result<Vec<EnabledControl>, AwsError> {
    let client = aws.client(at, aws_sdk_controltower::Client::new);
    let pages = aws
        .pages("controltower:ListEnabledControls", at, || {
            client.list_enabled_controls().target_identifier(target).into_paginator().send()
        })
        .await?;
    pages
        .iter()
        .flat_map(|p| p.enabled_controls())
        .map(|c| {
            Ok(EnabledControl {
                // An enabled control without its identifier cannot be matched to the list: an error, not "".
                control: super::missing(
                    c.control_identifier(),
                    "controltower:ListEnabledControls",
                    "controlIdentifier",
                    at,
                )?,
                target: c.target_identifier().unwrap_or(target).to_owned(),
                // No status summary is not success: judged like any status groundwork does not know.
                status: c.status_summary().and_then(|s| s.status()).map_or("UNKNOWN", |s| s.as_str()).to_owned(),
                operation: c.status_summary().and_then(|s| s.last_operation_identifier()).map(str::to_owned),
            })
        })
        .collect()
}
