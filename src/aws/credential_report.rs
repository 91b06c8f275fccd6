//! IAM's credential report and the access keys it leads to: who has a console password, which
//! access keys are active, and when and by what each was last used.
//!
//! AWS makes at most one report per account every four hours: `GenerateCredentialReport` answers
//! `COMPLETE` while the last one is that recent, and that report is reused (its age is kept, so a
//! person can be told how old what they read is). The report does not name access keys, so the keys
//! of each user in it are listed live (`ListAccessKeys`) with their last use (`GetAccessKeyLastUsed`).

use std::time::{Duration, Instant};

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;

use super::{At, Aws, AwsError, ErrorKind};

fn client(aws: &Aws, at: &At) -> aws_sdk_iam::Client {
    aws.client(at, aws_sdk_iam::Client::new)
}

/// One user's row of the report, every documented column (root's row is never one of these).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportRow {
    pub user: String,
    pub arn: String,
    pub user_creation_time: Option<i64>,
    pub password_enabled: bool,
    /// `None` for `N/A` and `no_information`.
    pub password_last_used: Option<i64>,
    pub password_last_changed: Option<i64>,
    pub password_next_rotation: Option<i64>,
    pub mfa_active: bool,
    pub keys: [KeyColumns; 2],
    pub certs_active: [bool; 2],
    pub certs_last_rotated: [Option<i64>; 2],
}

/// The report's five columns about one access key slot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyColumns {
    pub active: bool,
    pub last_rotated: Option<i64>,
    pub last_used_date: Option<i64>,
    pub last_used_region: Option<String>,
    pub last_used_service: Option<String>,
}

/// A credential report: when AWS generated it (seconds since the epoch) and its users' rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub generated: i64,
    pub rows: Vec<ReportRow>,
}

/// One access key, read live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub id: String,
    pub active: bool,
    /// When it was created (seconds since the epoch).
    pub created: i64,
    pub last_used: Option<i64>,
    /// The service namespace of its last use (`s3`, `ec2`), when it was used.
    pub service: Option<String>,
}

/// The account's report: generated if there is none (or it is older than four hours), polled until
/// AWS says COMPLETE, then read.
pub async fn report(aws: &Aws, at: &At) -> Result<Report, AwsError> {
    let c = client(aws, at);
    let limit = aws.wait_limit(Duration::from_mins(2));
    let start = Instant::now();
    // A small account's report is ready within a second or two: ask again soon, then less often
    // (a quarter second, doubling up to two), so a check is not held up by a fixed wait.
    let mut pause = Duration::from_millis(250);
    loop {
        let state = aws.call("iam:GenerateCredentialReport", at, || c.generate_credential_report().send()).await?;
        if state.state().is_some_and(|s| s.as_str() == "COMPLETE") {
            break;
        }
        if start.elapsed() >= limit {
            return Err(error(at, ErrorKind::InProgress, "the credential report was still being generated".into()));
        }
        tokio::time::sleep(pause.min(aws.poll_interval())).await;
        pause = (pause * 2).min(Duration::from_secs(2));
    }
    let out = aws.call("iam:GetCredentialReport", at, || c.get_credential_report().send()).await?;
    let generated = out
        .generated_time()
        .map(|t| t.secs())
        .ok_or_else(|| error(at, ErrorKind::Other, "the credential report has no GeneratedTime".into()))?;
    let content = out.content().map(|b| String::from_utf8_lossy(b.as_ref()).into_owned()).unwrap_or_default();
    let rows = parse(&content).map_err(|why| error(at, ErrorKind::NotSupported, why))?;
    Ok(Report { generated, rows })
}

/// A user's access keys (paged), each with its last use when it is active.
pub async fn access_keys(aws: &Aws, at: &At, user: &str) -> Result<Vec<AccessKey>, AwsError> {
    let c = client(aws, at);
    let mut found = Vec::new();
    let mut marker = None;
    loop {
        let out = aws
            .call("iam:ListAccessKeys", at, || c.list_access_keys().user_name(user).set_marker(marker.clone()).send())
            .await?;
        for k in out.access_key_metadata() {
            let id = super::missing(k.access_key_id(), "iam:ListAccessKeys", "AccessKeyId", at)?;
            let active = k.status().is_some_and(|s| s.as_str() == "Active");
            found.push(AccessKey {
                id,
                active,
                created: k.create_date().map_or(0, DateTime::secs),
                last_used: None,
                service: None,
            });
        }
        marker = out.marker().map(str::to_owned).filter(|_| out.is_truncated());
        if marker.is_none() {
            break;
        }
    }
    for key in found.iter_mut().filter(|k| k.active) {
        let out = aws
            .call("iam:GetAccessKeyLastUsed", at, || c.get_access_key_last_used().access_key_id(&key.id).send())
            .await?;
        let last = out.access_key_last_used();
        key.last_used = last.and_then(|u| u.last_used_date()).map(DateTime::secs);
        key.service = last.map(|u| u.service_name().to_owned()).filter(|s| !s.is_empty() && s != "N/A");
    }
    Ok(found)
}

fn error(at: &At, kind: ErrorKind, message: String) -> AwsError {
    AwsError {
        request_id: None,
        kind,
        action: "iam:GetCredentialReport",
        account: at.account.clone(),
        region: None,
        code: None,
        message,
    }
}

/// The documented columns, in the order AWS writes them.
pub const COLUMNS: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

/// Parses the report's CSV by its header's names (AWS may add columns; a missing one is an answer
/// we do not understand). The root user's row is left out: root is root-mfa's.
pub fn parse(csv: &str) -> Result<Vec<ReportRow>, String> {
    let mut lines = csv.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().ok_or("the credential report is empty")?.split(',').map(str::trim).collect();
    let index: Vec<usize> = COLUMNS
        .iter()
        .map(|c| header.iter().position(|h| h == c).ok_or(format!("the credential report has no column {c}")))
        .collect::<Result<_, _>>()?;
    let mut rows = Vec::new();
    for line in lines {
        // No documented column holds a comma (user names and ARNs cannot).
        let cells: Vec<&str> = line.split(',').collect();
        let cell = |i: usize| cells.get(index[i]).copied().unwrap_or("").trim();
        if cell(0) == "<root_account>" {
            continue;
        }
        let flag = |i: usize| cell(i).eq_ignore_ascii_case("true");
        let key = |first: usize| KeyColumns {
            active: flag(first),
            last_rotated: time(cell(first + 1)),
            last_used_date: time(cell(first + 2)),
            last_used_region: text(cell(first + 3)),
            last_used_service: text(cell(first + 4)),
        };
        rows.push(ReportRow {
            user: cell(0).to_owned(),
            arn: cell(1).to_owned(),
            user_creation_time: time(cell(2)),
            password_enabled: flag(3),
            password_last_used: time(cell(4)),
            password_last_changed: time(cell(5)),
            password_next_rotation: time(cell(6)),
            mfa_active: flag(7),
            keys: [key(8), key(13)],
            certs_active: [flag(18), flag(20)],
            certs_last_rotated: [time(cell(19)), time(cell(21))],
        });
    }
    Ok(rows)
}

/// An ISO 8601 time as the report writes it (`2014-09-01T22:28:48+00:00`); `N/A`,
/// `no_information`, `not_supported` are none.
fn time(s: &str) -> Option<i64> {
    let s = s.strip_suffix("+00:00").map_or_else(|| s.to_owned(), |t| format!("{t}Z"));
    DateTime::from_str(&s, Format::DateTime).ok().map(|t| t.secs())
}

fn text(s: &str) -> Option<String> {
    Some(s.to_owned()).filter(|s| !s.is_empty() && s != "N/A" && s != "not_supported")
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_are_read_by_column_name_and_root_is_left_out() {
        let csv = format!(
            "{}\n<root_account>,arn:aws:iam::1:root,2020-01-01T00:00:00+00:00,not_supported,no_information,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\nada,arn:aws:iam::1:user/ada,2020-01-01T00:00:00+00:00,true,no_information,2020-01-01T00:00:00+00:00,N/A,false,true,2020-01-02T00:00:00+00:00,2020-02-01T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n",
            super::COLUMNS.join(",")
        );
        let rows = super::parse(&csv).expect("parsed");
        assert_eq!(rows.len(), 1);
        assert!(rows[0].password_enabled && !rows[0].mfa_active && rows[0].keys[0].active);
        assert_eq!(rows[0].keys[0].last_used_service.as_deref(), Some("s3"));
        assert_eq!(rows[0].keys[0].last_used_date, Some(1_580_515_200));
        assert_eq!(rows[0].password_last_used, None);
        assert!(super::parse("user,arn\nada,x\n").is_err(), "a report without the documented columns");
    }
}
