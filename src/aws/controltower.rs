//! Control Tower: the landing zone, read in its home Region.

use aws_smithy_types::{Document, Number};

use super::{At, Aws, AwsError};

#[derive(Debug, Clone, PartialEq)]
pub struct LandingZone {
    pub arn: String,
    /// The Region inside the ARN: where the landing zone lives and must be read.
    pub home_region: String,
    /// `ACTIVE`, `PROCESSING` or `FAILED`.
    pub status: String,
    /// `IN_SYNC` or `DRIFTED`, when AWS says.
    pub drift: Option<String>,
    pub version: String,
    pub latest_version: Option<String>,
    pub manifest: serde_json::Value,
    /// For a FAILED landing zone, what AWS said about the latest failed operation.
    pub failure: Option<String>,
}

/// The landing zone, or `None` when there is none. Looked up from the configured Region, then read
/// in its home Region (AWS answers GetLandingZone only there). A landing zone at home in an opt-in
/// Region is listed only from that Region: when none is listed here but the organization has trusted
/// access for Control Tower, the account's enabled opt-in Regions are searched, and if it is still
/// not found the answer is an error (unknown), never "none".
pub async fn landing_zone(aws: &Aws) -> Result<Option<LandingZone>, AwsError> {
    let here = At::new(aws.caller(), aws.region());
    let arn = match list(aws, &here).await? {
        Some(arn) => arn,
        None => match search_opt_in(aws, &here).await? {
            Some(arn) => arn,
            None => return Ok(None),
        },
    };
    let arn = arn.as_str();
    let home_region = arn.split(':').nth(3).filter(|r| !r.is_empty()).unwrap_or(aws.region()).to_owned();
    let home = At::new(&here.account, &home_region);
    let out = aws
        .call("controltower:GetLandingZone", &home, || {
            aws.client(&home, aws_sdk_controltower::Client::new).get_landing_zone().landing_zone_identifier(arn).send()
        })
        .await?;
    let Some(lz) = out.landing_zone() else {
        return Ok(None);
    };
    let status = lz.status().map_or("UNKNOWN", |s| s.as_str()).to_owned();
    // Only worth two more calls when something failed; if they fail too, the console still knows.
    let failure = if status == "FAILED" { last_failure(aws, &home).await.ok().flatten() } else { None };
    Ok(Some(LandingZone {
        arn: arn.to_owned(),
        home_region,
        status,
        failure,
        drift: lz.drift_status().and_then(|d| d.status()).map(|s| s.as_str().to_owned()),
        version: lz.version().to_owned(),
        latest_version: lz.latest_available_version().map(str::to_owned),
        manifest: to_json(lz.manifest()),
    }))
}

/// The landing zone ARN listed in one Region, if any (every page: AWS may answer with an empty
/// first page and a token).
async fn list(aws: &Aws, at: &At) -> Result<Option<String>, AwsError> {
    let zones: Vec<_> = aws
        .pages("controltower:ListLandingZones", at, || {
            aws.client(at, aws_sdk_controltower::Client::new).list_landing_zones().into_paginator().send()
        })
        .await?
        .iter()
        .flat_map(|p| p.landing_zones())
        .cloned()
        .collect();
    Ok(zones.iter().find_map(|z| z.arn()).map(str::to_owned))
}

/// Looks for a landing zone at home in an opt-in Region, when Control Tower has trusted access.
async fn search_opt_in(aws: &Aws, here: &At) -> Result<Option<String>, AwsError> {
    // Only the management account can have a landing zone, and only it may read trusted access;
    // elsewhere the answer stays what ListLandingZones said.
    match super::organizations::organization(aws).await? {
        Some(org) if org.management_account == here.account => {}
        _ => return Ok(None),
    }
    let access = super::organizations::service_access(aws, here).await?;
    if !access.iter().any(|p| p == "controltower.amazonaws.com") {
        return Ok(None);
    }
    let regions = super::regions::regions(aws).await?;
    for region in regions.iter().filter(|r| r.opted_in() && r.name != here.region) {
        if let Some(arn) = list(aws, &At::new(&here.account, &region.name)).await? {
            return Ok(Some(arn));
        }
    }
    Err(AwsError {
        request_id: None,
        kind: super::ErrorKind::Other,
        action: "controltower:ListLandingZones",
        account: here.account.clone(),
        region: Some(here.region.clone()),
        code: None,
        message: crate::catalog::step(crate::catalog::StepId::ControlTower).say("home-not-found", &[]),
    })
}

/// The status message of the most recent failed landing zone operation.
/// The landing zone operation running in its home Region, if AWS lists one (AWS runs one at a
/// time): what a run killed after starting it, before recording its id, must wait for again.
pub async fn running_operation(aws: &Aws, home: &At) -> Result<Option<String>, AwsError> {
    use aws_sdk_controltower::types::{LandingZoneOperationFilter, LandingZoneOperationStatus};
    let running: Vec<_> = aws
        .pages("controltower:ListLandingZoneOperations", &home, || {
            aws.client(home, aws_sdk_controltower::Client::new)
                .list_landing_zone_operations()
                .filter(LandingZoneOperationFilter::builder().statuses(LandingZoneOperationStatus::InProgress).build())
                .into_paginator()
                .send()
        })
        .await?
        .iter()
        .flat_map(|p| p.landing_zone_operations())
        .cloned()
        .collect();
    Ok(running.iter().find_map(|o| o.operation_identifier()).map(str::to_owned))
}

async fn last_failure(aws: &Aws, home: &At) -> Result<Option<String>, AwsError> {
    use aws_sdk_controltower::types::{LandingZoneOperationFilter, LandingZoneOperationStatus};
    let client = aws.client(home, aws_sdk_controltower::Client::new);
    let failed: Vec<_> = {
        aws.pages("controltower:ListLandingZoneOperations", &home, || {
            client
                .list_landing_zone_operations()
                .filter(LandingZoneOperationFilter::builder().statuses(LandingZoneOperationStatus::Failed).build())
                .into_paginator()
                .send()
        })
        .await?
        .iter()
        .flat_map(|p| p.landing_zone_operations())
        .cloned()
        .collect()
    };
    let mut latest: Option<(f64, String)> = None;
    for id in failed.iter().filter_map(|o| o.operation_identifier()).take(5) {
        let out = aws
            .call("controltower:GetLandingZoneOperation", &home, || {
                client.get_landing_zone_operation().operation_identifier(id).send()
            })
            .await?;
        let Some(op) = out.operation_details() else { continue };
        let started = op.start_time().map_or(0.0, aws_smithy_types::DateTime::as_secs_f64);
        if latest.as_ref().is_none_or(|(t, _)| started > *t) {
            latest = Some((started, op.status_message().unwrap_or_default().to_owned()));
        }
    }
    Ok(latest.map(|(_, message)| message).filter(|m| !m.is_empty()))
}

/// The manifest arrives as a Smithy document; the rest of groundwork reads plain JSON.
pub(crate) fn to_json(doc: &Document) -> serde_json::Value {
    use serde_json::Value;
    match doc {
        Document::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
        Document::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Document::Number(Number::PosInt(n)) => Value::from(*n),
        Document::Number(Number::NegInt(n)) => Value::from(*n),
        Document::Number(Number::Float(f)) => Value::from(*f),
        Document::String(s) => Value::String(s.clone()),
        Document::Bool(b) => Value::Bool(*b),
        Document::Null => Value::Null,
    }
}
