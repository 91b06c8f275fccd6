//! The drill: one sample GuardDuty finding (free; titled "[SAMPLE]"), and the CloudWatch metrics
//! of the alert path it travels (rules in AWS/Events, topics in AWS/SNS).

use std::time::SystemTime;

use crate::aws::{At, Aws, AwsError};

/// Creates one sample finding of `finding_type` in the detector. The caller holds the permit.
pub async fn create_sample_finding(aws: &Aws, at: &At, detector: &str, finding_type: &str) -> Result<(), AwsError> {
    aws.call("guardduty:CreateSampleFindings", at, || {
        aws.client(at, aws_sdk_guardduty::Client::new)
            .create_sample_findings()
            .detector_id(detector)
            .finding_types(finding_type)
            .send()
    })
    .await?;
    Ok(())
}

/// The sum of a Count metric with one dimension, from `since` to now (one-minute periods).
/// CloudWatch counts by minute, so the sum also holds what happened earlier in `since`'s minute:
/// the drill compares it with a baseline read at its start.
pub async fn metric_sum(
    aws: &Aws,
    at: &At,
    namespace: &str,
    metric: &str,
    dimension: (&str, &str),
    since: SystemTime,
) -> Result<f64, AwsError> {
    use aws_sdk_cloudwatch::primitives::DateTime;
    use aws_sdk_cloudwatch::types::{Dimension, Statistic};
    // From the drill's start (CloudWatch takes in its whole minute) to a minute ahead.
    let start = since;
    let end = SystemTime::now() + std::time::Duration::from_mins(1);
    let out = aws
        .call("cloudwatch:GetMetricStatistics", at, || {
            aws.client(at, aws_sdk_cloudwatch::Client::new)
                .get_metric_statistics()
                .namespace(namespace)
                .metric_name(metric)
                .dimensions(Dimension::builder().name(dimension.0).value(dimension.1).build())
                .start_time(DateTime::from(start))
                .end_time(DateTime::from(end))
                .period(60)
                .statistics(Statistic::Sum)
                .send()
        })
        .await?;
    Ok(out.datapoints().iter().filter_map(|d| d.sum()).sum())
}
