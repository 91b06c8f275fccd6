//! Organizations: create the organization and accounts, turn on trusted access.

use std::time::{Duration, Instant};

use aws_sdk_organizations::types::{CreateAccountState, CreateAccountStatus, OrganizationFeatureSet};

use crate::aws::{At, Aws, AwsError, ErrorKind, missing};

fn client(aws: &Aws, at: &At) -> aws_sdk_organizations::Client {
    aws.client(at, aws_sdk_organizations::Client::new)
}

pub use crate::aws::organizations::service_access;

pub async fn create_organization(aws: &Aws, at: &At) -> Result<(), AwsError> {
    aws.call("organizations:CreateOrganization", at, || {
        client(aws, at).create_organization().feature_set(OrganizationFeatureSet::All).send()
    })
    .await?;
    Ok(())
}

pub async fn enable_service_access(aws: &Aws, at: &At, principal: &str) -> Result<(), AwsError> {
    aws.call("organizations:EnableAWSServiceAccess", at, || {
        client(aws, at).enable_aws_service_access().service_principal(principal).send()
    })
    .await?;
    Ok(())
}

/// How long one run waits for a new account: AWS creates most within minutes.
pub const ACCOUNT_LIMIT: Duration = Duration::from_mins(15);

/// Creates an account and waits for it, up to the limit (AWS does this asynchronously, and lists the
/// account only once it exists). Past the limit the outcome is "still in progress", never success:
/// the next run finds the request still in progress under the same name and follows it, rather than
/// asking for a second account.
pub async fn create_account(aws: &Aws, at: &At, name: &str, email: &str) -> Result<String, AwsError> {
    const ACTION: &str = "organizations:CreateAccount";
    let c = client(aws, at);
    let mut status = match creating(aws, at, name).await? {
        Some(earlier) => Some(earlier),
        None => {
            let out = aws.call(ACTION, at, || c.create_account().account_name(name).email(email).send()).await?;
            out.create_account_status().cloned()
        }
    };
    let (started, limit) = (Instant::now(), aws.wait_limit(ACCOUNT_LIMIT));
    loop {
        let Some(s) = &status else { return Err(failed(at, "CreateAccount returned no status".into())) };
        match s.state() {
            Some(CreateAccountState::Succeeded) => return missing(s.account_id(), ACTION, "AccountId", at),
            Some(CreateAccountState::Failed) => {
                let reason = s.failure_reason().map_or("unknown", |r| r.as_str());
                let mut e = failed(at, format!("creating account {name} failed: {reason}"));
                if reason == EMAIL_ALREADY_EXISTS {
                    // Said plainly: the account does not exist, and only another email makes one.
                    e.message = crate::catalog::say("account-email-taken", &[("name", name), ("email", email)]);
                }
                e.code = Some(reason.to_owned());
                return Err(e);
            }
            _ if started.elapsed() >= limit => return Err(crate::aws::still_in_progress(ACTION, at, limit)),
            _ => {}
        }
        tokio::time::sleep(aws.poll_interval().min(Duration::from_secs(5))).await;
        let id = missing(s.id(), ACTION, "CreateAccountStatus.Id", at)?;
        status = aws
            .call("organizations:DescribeCreateAccountStatus", at, || {
                c.describe_create_account_status().create_account_request_id(id.clone()).send()
            })
            .await?
            .create_account_status()
            .cloned();
    }
}

/// AWS's reason for a creation that failed because another AWS account has the email.
pub const EMAIL_ALREADY_EXISTS: &str = "EMAIL_ALREADY_EXISTS";

/// A request to create an account of this name that AWS is still working on (every page).
async fn creating(aws: &Aws, at: &At, name: &str) -> Result<Option<CreateAccountStatus>, AwsError> {
    let pages: Vec<_> = aws
        .pages("organizations:ListCreateAccountStatus", at, || {
            client(aws, at).list_create_account_status().states(CreateAccountState::InProgress).into_paginator().send()
        })
        .await?;
    Ok(pages.iter().flat_map(|p| p.create_account_statuses()).find(|s| s.account_name() == Some(name)).cloned())
}

fn failed(at: &At, message: String) -> AwsError {
    AwsError {
        request_id: None,
        kind: ErrorKind::Other,
        action: "organizations:CreateAccount",
        account: at.account.clone(),
        region: None,
        code: None,
        message,
    }
}

/// The organization's root id (every page: a first page may be empty and carry a token).
pub async fn root(aws: &Aws, at: &At) -> Result<String, AwsError> {
    let pages: Vec<_> =
        aws.pages("organizations:ListRoots", at, || client(aws, at).list_roots().into_paginator().send()).await?;
    missing(pages.iter().flat_map(|p| p.roots()).find_map(|r| r.id()), "organizations:ListRoots", "Root.Id", at)
}

/// The OUs directly under a parent, as (id, name), every page.
pub async fn ous_under(aws: &Aws, at: &At, parent: &str) -> Result<Vec<(String, String)>, AwsError> {
    // Organizations' paginators yield pages, not items.
    let pages: Vec<_> = {
        aws.pages("organizations:ListOrganizationalUnitsForParent", at, || {
            client(aws, at).list_organizational_units_for_parent().parent_id(parent).into_paginator().send()
        })
        .await?
    };
    pages
        .iter()
        .flat_map(|p| p.organizational_units())
        .map(|o| {
            let id = missing(o.id(), "organizations:ListOrganizationalUnitsForParent", "OrganizationalUnit.Id", at)?;
            Ok((id, o.name().unwrap_or_default().to_owned()))
        })
        .collect()
}

/// The id of an account's (or OU's) parent (every page, as for the root).
pub async fn parent(aws: &Aws, at: &At, child: &str) -> Result<String, AwsError> {
    let pages: Vec<_> = aws
        .pages("organizations:ListParents", at, || {
            client(aws, at).list_parents().child_id(child).into_paginator().send()
        })
        .await?;
    missing(pages.iter().flat_map(|p| p.parents()).find_map(|p| p.id()), "organizations:ListParents", "Parent.Id", at)
}

/// Creates an OU; keeps its id under `output` and its ARN under `<output>:arn` (Control Tower
/// names an OU by ARN).
pub async fn create_ou(
    aws: &Aws,
    at: &At,
    parent: &str,
    name: &str,
    output: &str,
    outputs: &mut super::Outputs,
) -> Result<(), AwsError> {
    const ACTION: &str = "organizations:CreateOrganizationalUnit";
    let out = aws
        .call(ACTION, at, || client(aws, at).create_organizational_unit().parent_id(parent).name(name).send())
        .await?;
    let ou = out.organizational_unit();
    let id = missing(ou.and_then(|o| o.id()), ACTION, "OrganizationalUnit.Id", at)?;
    let arn = missing(ou.and_then(|o| o.arn()), ACTION, "OrganizationalUnit.Arn", at)?;
    outputs.extend([(output.to_owned(), id), (format!("{output}:arn"), arn)]);
    Ok(())
}

pub async fn move_account(aws: &Aws, at: &At, account: &str, from: &str, to: &str) -> Result<(), AwsError> {
    aws.call("organizations:MoveAccount", at, || {
        client(aws, at).move_account().account_id(account).source_parent_id(from).destination_parent_id(to).send()
    })
    .await?;
    Ok(())
}
