//! Control Tower: create (or reset) the landing zone and follow its operation.

use aws_smithy_types::{Document, Number};

use crate::aws::{At, Aws, AwsError, error::classify};

/// The output name under which a started landing zone operation's id is kept.
pub const OPERATION: &str = "landing-zone-operation";

/// The landing zone manifest version groundwork was tested with.
pub const TESTED_VERSION: &str = "3.3";

/// The manifest for a new landing zone (version 3.x shape); the account ids are filled in when the
/// accounts exist.
pub fn manifest(regions: &[String]) -> serde_json::Value {
    serde_json::json!({
        "governedRegions": regions,
        "organizationStructure": {"security": {"name": "Security"}, "sandbox": {"name": "Sandbox"}},
        "centralizedLogging": {
            "accountId": "",
            "configurations": {"loggingBucket": {"retentionDays": 365}, "accessLoggingBucket": {"retentionDays": 3650}},
            "enabled": true
        },
        "securityRoles": {"accountId": ""},
        "accessManagement": {"enabled": true}
    })
}

fn client(aws: &Aws, at: &At) -> aws_sdk_controltower::Client {
    aws.client(at, aws_sdk_controltower::Client::new)
}

/// Starts the landing zone; returns the operation id to poll.
pub async fn create_landing_zone(
    aws: &Aws,
    at: &At,
    version: &str,
    manifest: &serde_json::Value,
    log_archive: &str,
    audit: &str,
) -> Result<String, AwsError> {
    let mut m = manifest.clone();
    m["centralizedLogging"]["accountId"] = log_archive.into();
    m["securityRoles"]["accountId"] = audit.into();
    let out = client(aws, at)
        .create_landing_zone()
        .version(version)
        .manifest(to_document(&m))
        .send()
        .await
        .map_err(|e| classify(&e, "controltower:CreateLandingZone", &at.account, Some(&at.region)))?;
    Ok(out.operation_identifier().to_owned())
}

pub async fn reset_landing_zone(aws: &Aws, at: &At, arn: &str) -> Result<String, AwsError> {
    let out = client(aws, at)
        .reset_landing_zone()
        .landing_zone_identifier(arn)
        .send()
        .await
        .map_err(|e| classify(&e, "controltower:ResetLandingZone", &at.account, Some(&at.region)))?;
    Ok(out.operation_identifier().to_owned())
}

/// An operation's status (`IN_PROGRESS`, `SUCCEEDED`, `FAILED`) and AWS's message, if any.
pub async fn operation(aws: &Aws, at: &At, id: &str) -> Result<(String, Option<String>), AwsError> {
    let _slot = aws.permit().await;
    let out = client(aws, at)
        .get_landing_zone_operation()
        .operation_identifier(id)
        .send()
        .await
        .map_err(|e| classify(&e, "controltower:GetLandingZoneOperation", &at.account, Some(&at.region)))?;
    let op = out.operation_details();
    Ok((
        op.and_then(|o| o.status()).map_or("UNKNOWN", |s| s.as_str()).to_owned(),
        op.and_then(|o| o.status_message()).map(str::to_owned),
    ))
}

fn to_document(v: &serde_json::Value) -> Document {
    use serde_json::Value;
    match v {
        Value::Object(m) => Document::Object(m.iter().map(|(k, v)| (k.clone(), to_document(v))).collect()),
        Value::Array(a) => Document::Array(a.iter().map(to_document).collect()),
        Value::String(s) => Document::String(s.clone()),
        Value::Bool(b) => Document::Bool(*b),
        Value::Null => Document::Null,
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Document::Number(Number::PosInt(u)),
            (None, Some(i)) => Document::Number(Number::NegInt(i)),
            _ => Document::Number(Number::Float(n.as_f64().unwrap_or_default())),
        },
    }
}
