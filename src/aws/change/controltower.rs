//! Control Tower: create (or reset) the landing zone and follow its operation.

use aws_smithy_types::{Document, Number};

use crate::aws::{At, Aws, AwsError};
use crate::landing_zone::{self, Integrations};

/// The output name under which a started landing zone operation's id is kept.
pub const OPERATION: &str = "landing-zone-operation";

fn client(aws: &Aws, at: &At) -> aws_sdk_controltower::Client {
    aws.client(at, aws_sdk_controltower::Client::new)
}

/// Starts the landing zone at `version` with that version's manifest shape, or the newest shape for
/// a version groundwork does not know (the expert override `control-tower.version`); returns the
/// operation id to poll.
pub async fn create_landing_zone(
    aws: &Aws,
    at: &At,
    version: &str,
    integrations: &Integrations,
) -> Result<String, AwsError> {
    let shape = shape(version);
    let manifest = (shape.build)(integrations);
    let client = client(aws, at);
    let out = aws
        .call("controltower:CreateLandingZone", at, || {
            client.create_landing_zone().version(version).manifest(to_document(&manifest)).send()
        })
        .await
        .map_err(|e| explain_refusal(e, version))?;
    Ok(out.operation_identifier().to_owned())
}

/// How a CreateLandingZone reads in a plan and the action log: the version, then exactly the manifest
/// that will be sent, block by block, with accounts still to be created shown by name.
pub fn params(version: &str, regions: &[String], log_archive: &str, audit: &str) -> Vec<(&'static str, String)> {
    let shown = Integrations { regions: regions.to_vec(), log_archive: log_archive.into(), audit: audit.into() };
    let manifest = (shape(version).build)(&shown);
    let mut p = vec![("version", version.to_owned())];
    for key in ["governedRegions", "centralizedLogging", "config", "securityRoles", "accessManagement", "backup"] {
        if let Some(v) = manifest.get(key) {
            p.push((key, v.to_string()));
        }
    }
    p
}

/// The manifest shape of a version, or the newest one (for an expert override's version).
fn shape(version: &str) -> &'static landing_zone::Shape {
    landing_zone::SHAPES.iter().find(|s| s.version == version).unwrap_or_else(|| landing_zone::newest())
}

/// AWS accepts only its latest landing zone version for a new landing zone. When it refuses ours,
/// say so plainly with the two ways forward; never retry with a guessed version.
pub fn explain_refusal(mut e: AwsError, version: &str) -> AwsError {
    if landing_zone::version_refused(&e.message) {
        let step = crate::catalog::step(crate::catalog::StepId::ControlTower);
        let known = landing_zone::newest().version;
        // A version groundwork has no shape for came from the expert override.
        let key = if landing_zone::SHAPES.iter().any(|s| s.version == version) {
            "version-refused"
        } else {
            "version-refused-override"
        };
        e.message = step.say(key, &[("version", version), ("aws", &e.message), ("known", known)]);
    }
    e
}

pub async fn reset_landing_zone(aws: &Aws, at: &At, arn: &str) -> Result<String, AwsError> {
    let out = aws
        .call("controltower:ResetLandingZone", at, || {
            client(aws, at).reset_landing_zone().landing_zone_identifier(arn).send()
        })
        .await?;
    Ok(out.operation_identifier().to_owned())
}

/// The output name under which a started baseline operation's id is kept.
pub const BASELINE_OPERATION: &str = "baseline-operation";

/// Registers an OU: enables a baseline on it (`target` is the OU's ARN), with the Identity Center
/// enabled baseline as parameter when the landing zone manages Identity Center access. Returns the
/// operation id to poll with GetBaselineOperation.
pub async fn enable_baseline(
    aws: &Aws,
    at: &At,
    baseline: &str,
    version: &str,
    target: &str,
    identity_center: Option<&str>,
) -> Result<String, AwsError> {
    use aws_sdk_controltower::types::EnabledBaselineParameter;
    let mut call = client(aws, at)
        .enable_baseline()
        .baseline_identifier(baseline)
        .baseline_version(version)
        .target_identifier(target);
    if let Some(arn) = identity_center {
        let parameter = EnabledBaselineParameter::builder()
            .key("IdentityCenterEnabledBaselineArn")
            .value(Document::String(arn.to_owned()))
            .build()
            .map_err(|e| AwsError {
                request_id: None,
                kind: crate::aws::ErrorKind::Other,
                action: "controltower:EnableBaseline",
                account: at.account.clone(),
                region: Some(at.region.clone()),
                code: None,
                message: e.to_string(),
            })?;
        call = call.parameters(parameter);
    }
    let out = aws.call("controltower:EnableBaseline", at, || call.clone().send()).await?;
    Ok(out.operation_identifier().to_owned())
}

/// Re-deploys a baseline whose last operation failed; returns the operation id.
pub async fn reset_enabled_baseline(aws: &Aws, at: &At, arn: &str) -> Result<String, AwsError> {
    let out = aws
        .call("controltower:ResetEnabledBaseline", at, || {
            client(aws, at).reset_enabled_baseline().enabled_baseline_identifier(arn).send()
        })
        .await?;
    Ok(out.operation_identifier().to_owned())
}

/// A baseline operation's status (`IN_PROGRESS`, `SUCCEEDED`, `FAILED`) and AWS's message.
pub async fn baseline_operation(aws: &Aws, at: &At, id: &str) -> Result<(String, Option<String>), AwsError> {
    let out = aws
        .call("controltower:GetBaselineOperation", at, || {
            client(aws, at).get_baseline_operation().operation_identifier(id).send()
        })
        .await?;
    let op = out.baseline_operation();
    Ok((
        op.and_then(|o| o.status()).map_or("UNKNOWN", |s| s.as_str()).to_owned(),
        op.and_then(|o| o.status_message()).map(str::to_owned),
    ))
}

/// An operation's status (`IN_PROGRESS`, `SUCCEEDED`, `FAILED`) and AWS's message, if any.
pub async fn operation(aws: &Aws, at: &At, id: &str) -> Result<(String, Option<String>), AwsError> {
    let out = aws
        .call("controltower:GetLandingZoneOperation", at, || {
            client(aws, at).get_landing_zone_operation().operation_identifier(id).send()
        })
        .await?;
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

/// Starts a landing zone operation (creating one, or resetting it), keeping its id for the wait
/// that follows.
pub async fn start_landing_zone(
    aws: &Aws,
    at: &At,
    action: &super::Action,
    outputs: &mut super::Outputs,
) -> Result<(), AwsError> {
    let op = match action {
        super::Action::CreateLandingZone { version, regions, log_archive, audit } => {
            let integrations = Integrations {
                regions: regions.clone(),
                log_archive: log_archive.resolve(outputs)?,
                audit: audit.resolve(outputs)?,
            };
            create_landing_zone(aws, at, version, &integrations).await?
        }
        super::Action::ResetLandingZone { arn } => reset_landing_zone(aws, at, arn).await?,
        _ => return Ok(()),
    };
    outputs.insert(OPERATION.into(), op);
    Ok(())
}

/// Starts a baseline operation (registering an OU, or resetting a failed registration), keeping its
/// id for the wait that follows.
pub async fn start_baseline(
    aws: &Aws,
    at: &At,
    action: &super::Action,
    outputs: &mut super::Outputs,
) -> Result<(), AwsError> {
    let op = match action {
        super::Action::EnableBaseline { baseline, version, target, identity_center, .. } => {
            let target = target.resolve(outputs)?;
            enable_baseline(aws, at, baseline.as_str(), version.as_str(), &target, identity_center.as_deref()).await?
        }
        super::Action::ResetEnabledBaseline { arn, .. } => reset_enabled_baseline(aws, at, arn).await?,
        _ => return Ok(()),
    };
    outputs.insert(BASELINE_OPERATION.into(), op);
    Ok(())
}
