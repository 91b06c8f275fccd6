//! CloudTrail: the organization trails the management account sees, and whether each is logging.
//! Read only; Control Tower's preflight uses them (its own organization trail would be a second).

use super::{At, Aws, AwsError};

/// An organization trail and whether it is delivering events now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgTrail {
    pub name: String,
    pub arn: String,
    pub home_region: String,
    pub logging: bool,
}

/// The organization trails visible from `at`: those homed in its Region and every multi-Region
/// trail homed elsewhere (shadow trails), each with its logging status read in its home Region.
pub async fn organization_trails(aws: &Aws, at: &At) -> Result<Vec<OrgTrail>, AwsError> {
    let client = aws.client(at, aws_sdk_cloudtrail::Client::new);
    let described = aws
        .call("cloudtrail:DescribeTrails", at, || client.describe_trails().include_shadow_trails(true).send())
        .await?;
    let mut trails = Vec::new();
    for trail in described.trail_list().iter().filter(|t| t.is_organization_trail() == Some(true)) {
        let arn = super::missing(trail.trail_arn(), "cloudtrail:DescribeTrails", "TrailARN", at)?;
        if trails.iter().any(|t: &OrgTrail| t.arn == arn) {
            continue;
        }
        let home = At::new(&at.account, trail.home_region().unwrap_or(&at.region));
        // A shadow trail's status is asked by ARN (AWS: "you must specify its ARN").
        let client = aws.client(&home, aws_sdk_cloudtrail::Client::new);
        let status =
            aws.call("cloudtrail:GetTrailStatus", &home, || client.get_trail_status().name(&arn).send()).await?;
        trails.push(OrgTrail {
            name: trail.name().unwrap_or_default().to_owned(),
            arn,
            home_region: home.region,
            logging: status.is_logging() == Some(true),
        });
    }
    Ok(trails)
}
