//! guardduty: in every governed Region, Audit's detector (created first, with the protection plans
//! chosen explicitly, so AWS's paid defaults are not switched on silently), Audit as delegated
//! administrator, and auto-enable for all member accounts.

use super::{Change, Ctx, Plan, PlanError};
use crate::aws::At;
use crate::aws::change::{Action, Ref};
use crate::aws::guardduty::{auto_enable, detector, org_admins};
use crate::inputs::GUARDDUTY_PLANS;

pub async fn plan(ctx: &mut Ctx<'_>) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    let audit = match super::audit_or_stop(ctx) {
        Ok(a) => a,
        Err(stop) => return Ok(stop),
    };
    let chosen = ctx.ask.get("guardduty.plans", None)?;
    let plans: Vec<(String, bool)> =
        GUARDDUTY_PLANS.iter().map(|p| ((*p).to_owned(), chosen.split(',').any(|c| c == *p))).collect();
    for region in ctx.facts.governed_regions.clone() {
        let (mine, theirs) = (ctx.me(&region), At::new(&audit, &region));
        let is_admin = match super::audit_admin(ctx.step, &org_admins(ctx.aws, &mine).await?, &audit, &region) {
            Ok(yes) => yes,
            Err(conflict) => {
                plan.conflicts.push(conflict);
                continue;
            }
        };
        let detector_ref = match detector(ctx.aws, &theirs).await? {
            None => {
                plan.changes.push(Change {
                    at: theirs.clone(),
                    global: false,
                    action: Action::CreateDetector { plans: plans.clone() },
                });
                Ref::Output(format!("detector:{region}"))
            }
            Some(d) if d.status != "ENABLED" => {
                plan.conflicts.push(ctx.say("conflict-suspended", &[("account", &audit), ("region", &region)]));
                continue;
            }
            Some(d) => Ref::Known(d.id),
        };
        if !is_admin {
            plan.changes.push(Change {
                at: mine,
                global: false,
                action: Action::EnableGuardDutyAdmin { admin: audit.clone() },
            });
        }
        let all = match (&detector_ref, is_admin) {
            (Ref::Known(id), true) => auto_enable(ctx.aws, &theirs, id).await? == "ALL",
            _ => false,
        };
        if !all {
            plan.changes.push(Change {
                at: theirs,
                global: false,
                action: Action::GuardDutyAutoEnable { detector: detector_ref, plans: plans.clone() },
            });
        }
    }
    if plan.changes.iter().any(|c| matches!(c.action, Action::CreateDetector { .. })) {
        let on: Vec<&str> = plans.iter().filter(|(_, on)| *on).map(|(p, _)| p.as_str()).collect();
        let on = if on.is_empty() { "none".to_owned() } else { on.join(", ") };
        plan.notes.push(ctx.say("plan-plans", &[("plans", &on)]));
    }
    Ok(plan)
}
