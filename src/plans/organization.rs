//! organization: create one with all features, unless the account already belongs to one.

use super::{Change, Ctx, Plan, PlanError};
use crate::aws::change::Action;

pub fn plan(ctx: &Ctx<'_>) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    let me = &ctx.facts.identity.account;
    match &ctx.facts.organization {
        Err(e) => return Err(e.clone().into()),
        Ok(None) => {
            plan.changes.push(Change {
                at: ctx.me(ctx.aws.region()),
                global: true,
                action: Action::CreateOrganization,
            });
        }
        Ok(Some(org)) if org.management_account != *me => {
            plan.conflicts
                .push(ctx.say("conflict-member", &[("org", &org.id), ("management", &org.management_account)]));
        }
        Ok(Some(org)) if !org.all_features => {
            // Enabling all features needs every member account to approve: a console task.
            plan.manual = true;
            plan.notes.push(ctx.say("plan-enable-all-features", &[("org", &org.id)]));
        }
        Ok(Some(org)) => plan.notes.push(ctx.say("ready", &[("org", &org.id)])),
    }
    Ok(plan)
}
