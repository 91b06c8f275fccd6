//! control-tower: a new landing zone (see `control_tower_launch`), or for an existing one: resume
//! waiting for its operation, offer a reset when it drifted or failed, or leave it alone (saying
//! when a newer version is available and what updating involves).

use super::{Change, Ctx, Plan, PlanError, control_tower_launch};
use crate::aws::change::{Action, Ref, controltower};
use crate::aws::controltower::LandingZone;
use crate::catalog::StepId;
use crate::landing_zone;

pub async fn plan(ctx: &mut Ctx<'_>) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    if ctx.facts.managed_org().is_none() {
        plan.conflicts.push(super::needs_management_org());
        return Ok(plan);
    }
    match &ctx.facts.landing_zone {
        Err(e) => Err(e.clone().into()),
        Ok(Some(lz)) => Ok(existing(ctx, lz, plan)),
        Ok(None) => control_tower_launch::plan(ctx, plan).await,
    }
}

/// A landing zone exists: wait for it, reset it, or leave it alone.
fn existing(ctx: &Ctx<'_>, lz: &LandingZone, mut plan: Plan) -> Plan {
    let at = ctx.me(&lz.home_region);
    let pending = ctx.record.pending.iter().find(|p| p.step == StepId::ControlTower);
    let region = lz.home_region.as_str();
    match (lz.status.as_str(), lz.drift.as_deref()) {
        ("PROCESSING", _) => match pending {
            Some(op) => {
                plan.notes.push(ctx.say("plan-resume", &[("operation", &op.id)]));
                plan.changes.push(Change {
                    at,
                    global: false,
                    action: Action::WaitForLandingZone { operation: Ref::Known(op.id.clone()) },
                });
            }
            None => plan.notes.push(ctx.say("processing", &[("region", region), ("version", &lz.version)])),
        },
        ("ACTIVE", Some("DRIFTED")) | ("FAILED", _) => {
            if lz.status == "FAILED" {
                let reason = lz.failure.clone().unwrap_or_else(|| "-".into());
                plan.notes.push(ctx.say("failed-because", &[("region", region), ("reason", &reason)]));
            } else {
                plan.notes.push(ctx.say("drifted", &[("region", region)]));
            }
            plan.notes.push(ctx.say("plan-reset-puts-back", &[("version", &lz.version)]));
            plan.changes.push(Change {
                at: at.clone(),
                global: false,
                action: Action::ResetLandingZone { arn: lz.arn.clone() },
            });
            plan.changes.push(Change {
                at,
                global: false,
                action: Action::WaitForLandingZone { operation: Ref::Output(controltower::OPERATION.into()) },
            });
        }
        ("ACTIVE", Some("IN_SYNC")) => {
            plan.notes.push(ctx.say("active", &[("region", region), ("version", &lz.version)]));
            plan.notes.extend(landing_zone::version_notes(ctx.step, lz));
        }
        _ => plan.notes.push(ctx.say("unexpected", &[("status", &lz.status), ("region", region)])),
    }
    plan
}
