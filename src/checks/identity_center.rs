//! identity-center: an active organization instance in the home Region, and at least one person's
//! user who can reach an account (directly or through a group).

use futures_util::future::join_all;

use crate::aws::identity_center::{self as ic, Instance, User};
use crate::aws::{At, Aws, AwsError};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::verdict::{Finding, Status};

pub async fn check(aws: &Aws, facts: &Facts, step: &Step) -> Vec<Finding> {
    let at = At::new(&facts.identity.account, &facts.home_region);
    let region = facts.home_region.as_str();
    let instances = match ic::instances(aws, &at).await {
        Ok(list) => list,
        Err(e) => return vec![super::unknown(&e)],
    };
    let found = |status, detail: String| vec![Finding::new(&at.account, Some(region), status, detail)];
    let Some(instance) = pick(&instances, &at.account) else {
        return found(Status::NotDone, step.say("no-instance", &[("region", region)]));
    };
    if instance.status != "ACTIVE" {
        return found(Status::Partial, step.say("instance-not-active", &[("status", &instance.status)]));
    }
    if instance.owner_account != at.account {
        return found(Status::Partial, step.say("account-instance", &[("owner", &instance.owner_account)]));
    }
    match users_with_access(aws, &at, instance).await {
        Err(e) => vec![super::unknown(&e)],
        Ok((0, _)) => found(Status::Partial, step.say("no-users", &[])),
        Ok((n, with_access)) if with_access.is_empty() => {
            found(Status::Partial, step.say("no-assignments", &[("users", &n.to_string())]))
        }
        Ok((n, with_access)) => found(
            Status::Done,
            step.say("users-with-access", &[("users", &n.to_string()), ("names", &with_access.join(", "))]),
        ),
    }
}

/// The organization instance (owned by the caller) if there is one, else any listed instance.
fn pick<'a>(instances: &'a [Instance], me: &str) -> Option<&'a Instance> {
    instances.iter().find(|i| i.owner_account == me).or_else(|| instances.first())
}

/// How many users exist, and the names of those assigned to at least one account.
async fn users_with_access(aws: &Aws, at: &At, instance: &Instance) -> Result<(usize, Vec<String>), AwsError> {
    let users = ic::users(aws, at, &instance.identity_store_id).await?;
    let checks = users.iter().map(|u| has_access(aws, at, instance, u));
    let mut names = Vec::new();
    for (user, access) in users.iter().zip(join_all(checks).await) {
        if access? {
            names.push(user.user_name.clone());
        }
    }
    Ok((users.len(), names))
}

async fn has_access(aws: &Aws, at: &At, instance: &Instance, user: &User) -> Result<bool, AwsError> {
    if !ic::assigned_accounts(aws, at, &instance.arn, &user.id, false).await?.is_empty() {
        return Ok(true);
    }
    for group in ic::groups_of(aws, at, &instance.identity_store_id, &user.id).await? {
        if !ic::assigned_accounts(aws, at, &instance.arn, &group, true).await?.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}
