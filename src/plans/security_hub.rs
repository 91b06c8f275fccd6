//! security-hub: in every governed Region, Audit's hub (Security Hub CSPM, without AWS's default
//! standards) with FSBP, Audit as delegated administrator, new accounts given a hub automatically
//! (without default standards), and every existing account given its own hub with FSBP only and
//! made a member of Audit. The hub is turned on in the account before it becomes a member, so AWS
//! adds no default standards (CIS) of its own. A hub that already runs other standards without FSBP
//! is a conflict: that is the person's choice to make.

use super::{Change, Ctx, Plan, PlanError};
use crate::aws::At;
use crate::aws::change::Action;
use crate::aws::securityhub::{fsbp_arn, hub_standards, members, org_admins, org_config};

pub async fn plan(ctx: &mut Ctx<'_>) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    let audit = match super::audit_or_stop(ctx) {
        Ok(a) => a,
        Err(stop) => return Ok(stop),
    };
    let accounts: Vec<String> = match &ctx.facts.accounts {
        Ok(list) => list.iter().filter(|a| a.active && a.id != audit).map(|a| a.id.clone()).collect(),
        Err(e) => return Err(e.clone().into()),
    };
    for region in ctx.facts.governed_regions.clone() {
        let (mine, theirs) = (ctx.me(&region), At::new(&audit, &region));
        let is_admin = match super::audit_admin(ctx.step, &org_admins(ctx.aws, &mine).await?, &audit, &region) {
            Ok(yes) => yes,
            Err(conflict) => {
                plan.conflicts.push(conflict);
                continue;
            }
        };
        let change = |at: &At, action| Change { at: at.clone(), global: false, action };
        let Some(hub) = own_hub(ctx, &theirs, &mut plan).await? else { continue };
        if !is_admin {
            plan.changes.push(change(&mine, Action::EnableSecurityHubAdmin { admin: audit.clone() }));
        }
        let config = if is_admin && hub { Some(org_config(ctx.aws, &theirs).await?) } else { None };
        if config.as_ref().and_then(|c| c.configuration_type.as_deref()) == Some("CENTRAL") {
            // Central configuration is governed by policies; switching it back to LOCAL would undo them.
            plan.conflicts.push(ctx.say("conflict-central", &[("region", &region)]));
            continue;
        }
        if !config.is_some_and(|c| c.auto_enable) {
            plan.changes.push(change(&theirs, Action::SecurityHubAutoEnable));
        }
        let current = if is_admin && hub { members(ctx.aws, &theirs).await? } else { Vec::new() };
        for account in &accounts {
            if own_hub(ctx, &At::new(account, &region), &mut plan).await?.is_none() {
                continue; // its own standards: a conflict, already said
            }
            let status = current.iter().find(|m| &m.account == account).map(|m| m.status.to_ascii_lowercase());
            let add = match status.as_deref() {
                Some("enabled" | "associated") => false,
                // AWS lets the administrator add back an account that was removed or deleted.
                None | Some("removed" | "deleted" | "resigned") => true,
                Some(other) => {
                    let args = [("account", account.as_str()), ("region", region.as_str()), ("status", other)];
                    plan.conflicts.push(ctx.say("conflict-member-status", &args));
                    false
                }
            };
            if add {
                plan.changes.push(change(&theirs, Action::CreateSecurityHubMember { account: account.clone() }));
            }
        }
    }
    Ok(plan)
}

/// Plans the account's own hub with FSBP in `at`: `Some(true)` when it already had a hub, `Some(false)`
/// when this plan turns one on, `None` when the account runs other standards without FSBP (a
/// conflict, added to the plan).
async fn own_hub(ctx: &Ctx<'_>, at: &At, plan: &mut Plan) -> Result<Option<bool>, PlanError> {
    let change = |action| Change { at: at.clone(), global: false, action };
    let Some(standards) = hub_standards(ctx.aws, at).await? else {
        // Enabled before it is a member, so AWS does not turn on every default standard for us.
        plan.changes.push(change(Action::EnableHub));
        plan.changes.push(change(Action::EnableFsbp));
        return Ok(Some(false));
    };
    let fsbp = fsbp_arn(&at.region);
    if let Some(s) = standards.iter().find(|s| s.arn == fsbp) {
        if s.status == "PENDING" {
            // Enabled by a run that stopped waiting: wait again; never enable it a second time.
            plan.changes.push(change(Action::WaitForFsbp));
        }
        return Ok(Some(true));
    }
    if standards.is_empty() {
        plan.changes.push(change(Action::EnableFsbp));
        return Ok(Some(true));
    }
    let names: Vec<&str> = standards.iter().map(|s| s.arn.as_str()).collect();
    plan.conflicts.push(ctx.say(
        "conflict-other-standards",
        &[("account", &at.account), ("region", &at.region), ("standards", &names.join(", "))],
    ));
    Ok(None)
}
