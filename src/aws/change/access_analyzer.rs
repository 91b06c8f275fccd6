//! IAM Access Analyzer: an organization analyzer for external access, created in the delegated
//! administrator (Audit) and waited for until AWS says it is `ACTIVE`.

use std::time::{Duration, Instant};

use aws_sdk_accessanalyzer::types::Type;

use crate::aws::{At, Aws, AwsError, ErrorKind};

/// How long one run waits for a new analyzer: AWS creates it within minutes.
pub const ANALYZER_LIMIT: Duration = Duration::from_mins(10);

fn client(aws: &Aws, at: &At) -> aws_sdk_accessanalyzer::Client {
    aws.client(at, aws_sdk_accessanalyzer::Client::new)
}

/// Creates an `ORGANIZATION` analyzer (external access, the free kind) and waits until it is
/// `ACTIVE`. AWS creates it `CREATING`; it ends `FAILED` when, for instance, its service-linked role
/// cannot be created. Past the limit it is "still in progress", never success.
pub async fn create_analyzer(aws: &Aws, at: &At, name: &str) -> Result<(), AwsError> {
    const ACTION: &str = "access-analyzer:CreateAnalyzer";
    let client = client(aws, at);
    aws.call(ACTION, at, || client.create_analyzer().analyzer_name(name).r#type(Type::Organization).send()).await?;
    wait(aws, at, name, ACTION).await
}

/// Waits until the analyzer is `ACTIVE` (`Ok`), ends otherwise (an error saying how), or the limit
/// passes while it is still `CREATING` ("still in progress", never `Ok`).
pub async fn wait(aws: &Aws, at: &At, name: &str, action: &'static str) -> Result<(), AwsError> {
    let (started, limit) = (Instant::now(), aws.wait_limit(ANALYZER_LIMIT));
    loop {
        let (status, reason) = status(aws, at, name).await?;
        match status.as_str() {
            "ACTIVE" => return Ok(()),
            "CREATING" => {}
            _ => {
                let reason = reason.unwrap_or_else(|| "no reason given".to_owned());
                let words = crate::catalog::say("apply-analyzer-ended", &[("status", &status), ("reason", &reason)]);
                return Err(AwsError {
                    request_id: None,
                    kind: ErrorKind::Other,
                    action,
                    account: at.account.clone(),
                    region: Some(at.region.clone()),
                    code: Some(status),
                    message: words,
                });
            }
        }
        if started.elapsed() >= limit {
            return Err(crate::aws::still_in_progress(action, at, limit));
        }
        tokio::time::sleep(aws.poll_interval().min(Duration::from_secs(5))).await;
    }
}

/// The analyzer's status and, when it is disabled or failed, AWS's reason.
async fn status(aws: &Aws, at: &At, name: &str) -> Result<(String, Option<String>), AwsError> {
    let client = client(aws, at);
    let out = aws.call("access-analyzer:GetAnalyzer", at, || client.get_analyzer().analyzer_name(name).send()).await?;
    let analyzer = out.analyzer();
    let status = analyzer.map_or("", |a| a.status().as_str()).to_owned();
    let reason = analyzer.and_then(|a| a.status_reason()).map(|r| r.code().as_str().to_owned());
    Ok((status, reason))
}
