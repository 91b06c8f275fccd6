//! The AWS SDK's own account of its operations, read from the sources of the SDK crates this
//! build uses (found with `cargo metadata`): each fluent method, the operation's name as AWS spells
//! it, its IAM action, and whether its output carries a next-page token. The source scans
//! (tests/list_reads.rs, tests/policies.rs) use it to find every SDK call in src/ by its method
//! name, rather than trusting a label written beside the call.
#![allow(dead_code)] // each scan uses a different part

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One SDK operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The crate's name in code (`aws_sdk_organizations`).
    pub krate: String,
    /// The fluent builder's method (`list_accounts`).
    pub method: String,
    /// The IAM action that authorizes it (`organizations:ListAccounts`).
    pub action: String,
    /// Its output has a token for the next page (`NextToken`, `Marker`, `NextMarker`...).
    pub paged: bool,
}

/// The SDK crates that sign with IAM credentials, and the IAM service prefix of each. The SSO portal
/// and OIDC crates are left out: they fetch credentials with a bearer token, not IAM actions.
const PREFIX: &[(&str, &str)] = &[
    ("aws-sdk-accessanalyzer", "access-analyzer"),
    ("aws-sdk-account", "account"),
    ("aws-sdk-budgets", "budgets"),
    ("aws-sdk-cloudtrail", "cloudtrail"),
    ("aws-sdk-cloudwatch", "cloudwatch"),
    ("aws-sdk-config", "config"),
    ("aws-sdk-controlcatalog", "controlcatalog"),
    ("aws-sdk-controltower", "controltower"),
    ("aws-sdk-costexplorer", "ce"),
    ("aws-sdk-ec2", "ec2"),
    ("aws-sdk-eventbridge", "events"),
    ("aws-sdk-guardduty", "guardduty"),
    ("aws-sdk-iam", "iam"),
    ("aws-sdk-identitystore", "identitystore"),
    ("aws-sdk-organizations", "organizations"),
    ("aws-sdk-s3", "s3"),
    ("aws-sdk-s3control", "s3"),
    ("aws-sdk-securityhub", "securityhub"),
    ("aws-sdk-sns", "sns"),
    ("aws-sdk-ssoadmin", "sso"),
    ("aws-sdk-sts", "sts"),
];

/// Operations whose IAM action is not named after the operation (S3's, from the Service
/// Authorization Reference): (crate, operation, IAM action).
const RENAMED: &[(&str, &str, &str)] = &[
    ("aws-sdk-s3", "ListBuckets", "s3:ListAllMyBuckets"),
    ("aws-sdk-s3", "GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
    ("aws-sdk-s3", "PutPublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
    ("aws-sdk-s3", "DeletePublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
    ("aws-sdk-s3control", "GetPublicAccessBlock", "s3:GetAccountPublicAccessBlock"),
    ("aws-sdk-s3control", "PutPublicAccessBlock", "s3:PutAccountPublicAccessBlock"),
    ("aws-sdk-s3control", "DeletePublicAccessBlock", "s3:PutAccountPublicAccessBlock"),
];

/// Every operation of every SDK crate the build uses.
pub fn operations() -> Vec<Operation> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // Only this machine's dependencies: the others (Windows crates) may never have been downloaded.
    let rustc = std::process::Command::new("rustc").arg("-vV").output().expect("rustc -vV runs");
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .expect("rustc names its host");
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--filter-platform", &host, "--manifest-path"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("cargo metadata is JSON");
    let mut found = Vec::new();
    let mut crates = 0;
    for package in meta["packages"].as_array().expect("packages") {
        let name = package["name"].as_str().unwrap_or_default();
        let Some((_, prefix)) = PREFIX.iter().find(|(n, _)| *n == name) else { continue };
        crates += 1;
        let manifest = PathBuf::from(package["manifest_path"].as_str().expect("manifest path"));
        let dir = manifest.parent().expect("crate dir").join("src/operation");
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("entry").path();
            if !path.is_dir() {
                continue;
            }
            let method = path.file_name().and_then(|n| n.to_str()).expect("name").to_owned();
            let Some(api_name) = api_name(&dir.join(format!("{method}.rs"))) else { continue };
            let output = std::fs::read_to_string(path.join(format!("_{method}_output.rs"))).unwrap_or_default();
            let paged = path.join("paginator.rs").exists() || has_page_token(&output);
            let action = RENAMED
                .iter()
                .find(|(k, op, _)| *k == name && *op == api_name)
                .map_or_else(|| iam_action(prefix, &api_name), |(_, _, a)| (*a).to_owned());
            found.push(Operation { krate: name.replace('-', "_"), method, action, paged });
        }
    }
    assert_eq!(crates, PREFIX.len(), "every SDK crate found by cargo metadata");
    found
}

/// The IAM action that authorizes an operation: `prefix:Operation`, except for AWS Budgets, whose
/// reads are all `budgets:ViewBudget` and whose budget changes are `budgets:ModifyBudget` (Service
/// Authorization Reference, "Actions, resources, and condition keys for Amazon Budget Service", list_budgets.html).
fn iam_action(prefix: &str, api_name: &str) -> String {
    const VIEW: [&str; 4] =
        ["DescribeBudget", "DescribeBudgets", "DescribeNotificationsForBudget", "DescribeSubscribersForNotification"];
    const MODIFY: [&str; 8] = [
        "CreateBudget",
        "UpdateBudget",
        "DeleteBudget",
        "CreateNotification",
        "UpdateNotification",
        "DeleteNotification",
        "CreateSubscriber",
        "DeleteSubscriber",
    ];
    match prefix {
        "budgets" if VIEW.contains(&api_name) => "budgets:ViewBudget".to_owned(),
        "budgets" if MODIFY.contains(&api_name) => "budgets:ModifyBudget".to_owned(),
        _ => format!("{prefix}:{api_name}"),
    }
}

/// The operation's name as AWS spells it: the first string the operation's runtime metadata is
/// made with (`Metadata::new("ListAWSServiceAccessForOrganization", "Organizations")`).
fn api_name(op_file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(op_file).ok()?;
    let after = &text[text.find("Metadata::new(")? + "Metadata::new(".len()..];
    let start = after.find('"')? + 1;
    let len = after[start..].find('"')?;
    Some(after[start..start + len].to_owned())
}

/// An output struct with a field for the next page.
fn has_page_token(output: &str) -> bool {
    output.lines().map(str::trim).filter_map(|l| l.strip_prefix("pub ")).filter_map(|l| l.split_once(':')).any(
        |(field, _)| {
            field == "marker" || (field.starts_with("next") && (field.contains("token") || field.contains("marker")))
        },
    )
}

/// One SDK call in a source file.
#[derive(Debug, Clone)]
pub struct Call {
    pub file: PathBuf,
    /// 0-based line of the call.
    pub line: usize,
    pub op: Operation,
}

/// Every SDK call in the Rust files under `dir` (and below when `deep`): a `.method(` whose method is
/// an operation of an SDK crate the file names (`aws_sdk_sns::…`), or of any crate when it names
/// none (a file reaching its clients through a helper elsewhere). A method name two such crates
/// share is an error: the scan would have to guess which service it calls.
pub fn calls(dir: &Path, deep: bool, ops: &[Operation]) -> Vec<Call> {
    let mut by_method: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
    for op in ops {
        by_method.entry(op.method.as_str()).or_default().push(op);
    }
    let mut found = Vec::new();
    let mut files = Vec::new();
    rust_files(dir, deep, &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        // A crate is named by its path (`aws_sdk_s3::`), so aws_sdk_s3control does not name aws_sdk_s3.
        let named: Vec<&str> =
            PREFIX.iter().map(|(k, _)| *k).filter(|k| text.contains(&format!("{}::", k.replace('-', "_")))).collect();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for (at, _) in line.match_indices('.') {
                let rest = &line[at + 1..];
                let method: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                if method.is_empty() || !rest[method.len()..].starts_with('(') {
                    continue;
                }
                let Some(candidates) = by_method.get(method.as_str()) else { continue };
                let mine: Vec<&&Operation> = candidates
                    .iter()
                    .filter(|op| named.is_empty() || named.iter().any(|k| k.replace('-', "_") == op.krate))
                    .collect();
                match mine.as_slice() {
                    [] => {}
                    [op] => found.push(Call { file: file.clone(), line: n, op: (**op).clone() }),
                    many => panic!(
                        "{}:{}: `.{method}(` is an operation of {:?}: name the crate in the file so the scan can tell",
                        file.display(),
                        n + 1,
                        many.iter().map(|o| &o.krate).collect::<Vec<_>>()
                    ),
                }
            }
        }
    }
    found
}

fn rust_files(dir: &Path, deep: bool, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            if deep {
                rust_files(&path, true, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
