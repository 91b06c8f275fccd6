//! security-hub: in every governed Region, Audit's hub (Security Hub CSPM, without AWS's default
//! standards) with FSBP, Audit as delegated administrator, and new members enabled automatically.
//! A hub that already runs other standards is left alone: that is the person's choice to make.

use super::{Change, Ctx, Plan, PlanError};
use crate::aws::At;
use crate::aws::change::Action;
use crate::aws::securityhub::{enabled_standards, fsbp_arn, hub_enabled, org_admins, org_config};

pub async fn plan(ctx: &mut Ctx<'_>) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    let audit = match super::audit_or_stop(ctx) {
        Ok(a) => a,
        Err(stop) => return Ok(stop),
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
        let hub = hub_enabled(ctx.aws, &theirs).await?;
        let change = |at: &At, action| Change { at: at.clone(), global: false, action };
        if hub {
            let standards = enabled_standards(ctx.aws, &theirs).await?;
            let fsbp = fsbp_arn(&region);
            if !standards.iter().any(|s| s.arn == fsbp) {
                if standards.is_empty() {
                    plan.changes.push(change(&theirs, Action::EnableFsbp));
                } else {
                    let names: Vec<&str> = standards.iter().map(|s| s.arn.as_str()).collect();
                    plan.conflicts.push(
                        ctx.say("conflict-other-standards", &[("region", &region), ("standards", &names.join(", "))]),
                    );
                    continue;
                }
            }
        } else {
            // Enabled before delegation, so AWS does not turn on every default standard for us.
            plan.changes.push(change(&theirs, Action::EnableHub));
            plan.changes.push(change(&theirs, Action::EnableFsbp));
        }
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
    }
    Ok(plan)
}
