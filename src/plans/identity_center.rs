//! identity-center: a person's user, in an administrators group, assigned to every account with an
//! AdministratorAccess permission set (ReadOnlyAccess is created alongside for later use). Only
//! what is missing is created. Enabling the instance and sending the invitation are console tasks.

use super::{Change, Ctx, Plan, PlanError};
use crate::aws::change::identity_center as ic;
use crate::aws::change::{Action, Ref};
use crate::aws::identity_center::instances;

const ADMIN_SET: (&str, &str) = ("AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess");
const READ_ONLY_SET: (&str, &str) = ("ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess");
/// A working day: long enough not to nag, short enough that a leaked session soon expires.
const SESSION: &str = "PT8H";

pub async fn plan(ctx: &mut Ctx<'_>) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    let region = ctx.facts.home_region.clone();
    let at = ctx.me(&region);
    let me = at.account.clone();
    let list = instances(ctx.aws, &at).await?;
    let Some(instance) = list.iter().find(|i| i.owner_account == me && i.status == "ACTIVE") else {
        plan.manual = true;
        plan.notes.push(ctx.say("no-instance", &[("region", &region)]));
        return Ok(plan);
    };
    let (store, arn) = (instance.identity_store_id.clone(), instance.arn.clone());
    let change = |action| Change { at: at.clone(), global: false, action };

    let user_name = ctx.ask.get("identity-center.user-name", None)?;
    let user = match ic::user_id(ctx.aws, &at, &store, &user_name).await? {
        Some(id) => Ref::Known(id),
        None => {
            let given = ctx.ask.get("identity-center.given-name", None)?;
            let family = ctx.ask.get("identity-center.family-name", None)?;
            let email = ctx.ask.get("identity-center.email", None)?;
            plan.changes.push(change(Action::CreateUser {
                store: store.clone(),
                user_name: user_name.clone(),
                given,
                family,
                email,
            }));
            // API-created users get no invitation email: the person must send it from the console.
            plan.manual = true;
            Ref::Output("user".into())
        }
    };
    let group_name = ctx.ask.get("identity-center.group", None)?;
    let group = match ic::group_id(ctx.aws, &at, &store, &group_name).await? {
        Some(id) => Ref::Known(id),
        None => {
            plan.changes.push(change(Action::CreateGroup { store: store.clone(), name: group_name.clone() }));
            Ref::Output("group".into())
        }
    };
    let member = match (&group, &user) {
        (Ref::Known(g), Ref::Known(u)) => ic::is_member(ctx.aws, &at, &store, g, u).await?,
        _ => false,
    };
    if !member {
        plan.changes.push(change(Action::AddToGroup { store: store.clone(), group: group.clone(), user }));
    }

    let existing = ic::permission_sets(ctx.aws, &at, &arn).await?;
    let mut admin_set = None;
    for (name, policy) in [ADMIN_SET, READ_ONLY_SET] {
        let found = existing.iter().find(|(n, _)| n == name).map(|(_, a)| Ref::Known(a.clone()));
        let set = found.unwrap_or_else(|| {
            plan.changes.push(change(Action::CreatePermissionSet {
                instance: arn.clone(),
                name: name.into(),
                policy_arn: policy.into(),
                session: SESSION.into(),
            }));
            Ref::Output(format!("permission-set:{name}"))
        });
        if name == ADMIN_SET.0 {
            admin_set = Some(set);
        }
    }
    let admin_set = admin_set.unwrap_or_else(|| Ref::Output(format!("permission-set:{}", ADMIN_SET.0)));

    for account in accounts(ctx) {
        let assigned = match (&admin_set, &group) {
            (Ref::Known(ps), Ref::Known(g)) => ic::is_assigned(ctx.aws, &at, &arn, &account, ps, g).await?,
            _ => false,
        };
        if !assigned {
            plan.changes.push(change(Action::AssignAccount {
                instance: arn.clone(),
                account,
                permission_set: admin_set.clone(),
                group: group.clone(),
            }));
        }
    }
    plan.notes.push(ctx.say("plan-portal", &[("url", &format!("https://{store}.awsapps.com/start"))]));
    Ok(plan)
}

/// Every active account of the organization, or just this one outside an organization.
fn accounts(ctx: &Ctx<'_>) -> Vec<String> {
    let me = ctx.facts.identity.account.clone();
    match (&ctx.facts.accounts, ctx.facts.managed_org()) {
        (Ok(list), Some(_)) if !list.is_empty() => list.iter().filter(|a| a.active).map(|a| a.id.clone()).collect(),
        _ => vec![me],
    }
}
