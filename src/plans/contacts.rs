//! contacts: set the missing SECURITY, BILLING and OPERATIONS contacts, in this account and (after
//! turning on trusted access for Account Management) in every member account. Contacts that are
//! already set are left exactly as they are. Every change runs with the caller's own credentials:
//! a member's contacts are written from the management account with `AccountId=<member>` (AWS's
//! "organizations context"), never from inside the member; the caller's own are written without
//! `AccountId`, which AWS refuses to the management account naming itself.

use futures_util::future::join_all;

use super::{Change, Ctx, Plan, PlanError};
use crate::aws::account::{CONTACT_TYPES, alternate_contact};
use crate::aws::change::{Action, organizations};
use crate::aws::{At, AwsError};

const TRUSTED: &str = "account.amazonaws.com";

pub async fn plan(ctx: &mut Ctx<'_>) -> Result<Plan, PlanError> {
    let me = ctx.facts.identity.account.clone();
    let region = ctx.aws.region().to_owned();
    let mut plan = Plan::default();
    let mut accounts = vec![me.clone()];
    if ctx.facts.managed_org().is_some() {
        let trusted = organizations::service_access(ctx.aws, &ctx.me(&region)).await?.iter().any(|p| p == TRUSTED);
        let members: Vec<String> = match &ctx.facts.accounts {
            Ok(list) => list.iter().filter(|a| a.active && a.id != me).map(|a| a.id.clone()).collect(),
            Err(e) => return Err(e.clone().into()),
        };
        if trusted {
            accounts.extend(members);
        } else if !members.is_empty() {
            // Member contacts cannot be read before trusted access is on, and groundwork never
            // writes what it could not read: they are planned on the next run.
            plan.changes.push(Change {
                at: ctx.me(&region),
                global: true,
                action: Action::EnableServiceAccess { principal: TRUSTED.into() },
            });
            plan.notes.push(ctx.say("plan-members-next-run", &[("count", &members.len().to_string())]));
        }
    }
    let missing = missing_contacts(ctx, &accounts, &me, &region).await?;
    for (account, kind) in missing {
        let k = kind.to_lowercase();
        let mut field = |f: &str| ctx.ask.get(&format!("contacts.{k}.{f}"), None);
        let (name, title, email, phone) = (field("name")?, field("title")?, field("email")?, field("phone")?);
        plan.changes.push(Change {
            at: At::new(&me, &region),
            global: true,
            action: Action::PutAlternateContact {
                own: account == me,
                account,
                kind: kind.to_owned(),
                name,
                title,
                email,
                phone,
            },
        });
    }
    if plan.changes.is_empty() {
        plan.notes.push(ctx.say("plan-all-set", &[]));
    }
    Ok(plan)
}

/// (account, contact type) pairs that are not set.
async fn missing_contacts(
    ctx: &Ctx<'_>,
    accounts: &[String],
    me: &str,
    region: &str,
) -> Result<Vec<(String, &'static str)>, AwsError> {
    let reads = accounts.iter().flat_map(|account| {
        CONTACT_TYPES.iter().map(move |kind| async move {
            let at = At::new(account, region);
            alternate_contact(ctx.aws, &at, kind, account == me).await.map(|v| (account.clone(), *kind, v.is_none()))
        })
    });
    let mut missing = Vec::new();
    for result in join_all(reads).await {
        let (account, kind, absent) = result?;
        if absent {
            missing.push((account, kind));
        }
    }
    Ok(missing)
}
