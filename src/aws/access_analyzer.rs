//! IAM Access Analyzer: the analyzers of an account in one Region, and how many active findings one
//! of them has.

use aws_sdk_accessanalyzer::types::Criterion;

use super::{At, Aws, AwsError};

/// An analyzer as `ListAnalyzers` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analyzer {
    pub arn: String,
    pub name: String,
    /// `ACCOUNT`, `ORGANIZATION`, `ACCOUNT_UNUSED_ACCESS`, `ORGANIZATION_UNUSED_ACCESS`, ...
    pub kind: String,
    /// `ACTIVE`, `CREATING`, `DISABLED` or `FAILED`.
    pub status: String,
    /// Why it is disabled or failed (`DELEGATED_ADMINISTRATOR_DEREGISTERED`, ...), when AWS says.
    pub reason: Option<String>,
}

/// Every analyzer of the account in `at.region`, of every type, all pages.
pub async fn analyzers(aws: &Aws, at: &At) -> Result<Vec<Analyzer>, AwsError> {
    let client = aws.client(at, aws_sdk_accessanalyzer::Client::new);
    let found: Vec<_> = aws
        .pages("access-analyzer:ListAnalyzers", at, || client.list_analyzers().into_paginator().send())
        .await?
        .iter()
        .flat_map(|p| p.analyzers())
        .cloned()
        .collect();
    Ok(found
        .iter()
        .map(|a| Analyzer {
            arn: a.arn().to_owned(),
            name: a.name().to_owned(),
            kind: a.r#type().as_str().to_owned(),
            status: a.status().as_str().to_owned(),
            reason: a.status_reason().map(|r| r.code().as_str().to_owned()),
        })
        .collect())
}

/// How many findings of the analyzer are `ACTIVE` (not archived, not resolved), all pages.
/// `ListFindings` rather than `ListFindingsV2`: both are authorized by `access-analyzer:ListFindings`,
/// and the first is the one whose IAM action carries its own name.
pub async fn active_findings(aws: &Aws, at: &At, analyzer_arn: &str) -> Result<usize, AwsError> {
    let client = aws.client(at, aws_sdk_accessanalyzer::Client::new);
    let pages = aws
        .pages("access-analyzer:ListFindings", at, || {
            client
                .list_findings()
                .analyzer_arn(analyzer_arn)
                .filter("status", Criterion::builder().eq("ACTIVE").build())
                .into_paginator()
                .send()
        })
        .await?;
    Ok(pages.iter().map(|p| p.findings().len()).sum())
}
