//! control-tower: the whole API path to a landing zone (Log Archive and Audit accounts, the four
//! service roles, CreateLandingZone, then waiting for it), or resuming the wait for one already
//! started, or resetting one that drifted.

use super::{Change, Ctx, Plan, PlanError};
use crate::aws::change::{Action, Ref, controltower, iam, organizations};
use crate::aws::controltower::LandingZone;
use crate::catalog::StepId;
use crate::facts::SharedAccount;
use crate::inputs::InputError;

pub async fn plan(ctx: &mut Ctx<'_>) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    if ctx.facts.managed_org().is_none() {
        plan.conflicts.push(super::needs_management_org());
        return Ok(plan);
    }
    match &ctx.facts.landing_zone {
        Err(e) => Err(e.clone().into()),
        Ok(Some(lz)) => Ok(existing(ctx, lz, plan)),
        Ok(None) => new_landing_zone(ctx, plan).await,
    }
}

/// A landing zone exists: wait for it, reset it, or leave it alone.
fn existing(ctx: &Ctx<'_>, lz: &LandingZone, mut plan: Plan) -> Plan {
    let at = ctx.me(&lz.home_region);
    let pending = ctx.record.pending.iter().find(|p| p.step == StepId::ControlTower);
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
            None => plan.notes.push(ctx.say("processing", &[("region", &lz.home_region), ("version", &lz.version)])),
        },
        ("ACTIVE", Some("DRIFTED")) => {
            plan.notes.push(ctx.say("drifted", &[("region", &lz.home_region)]));
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
        ("FAILED", _) => {
            plan.manual = true;
            let reason = lz.failure.clone().unwrap_or_else(|| "-".into());
            plan.notes.push(ctx.say("failed-because", &[("region", &lz.home_region), ("reason", &reason)]));
        }
        ("ACTIVE", _) if lz.latest_version.as_deref().is_some_and(|l| l != lz.version) => {
            plan.manual = true;
            let latest = lz.latest_version.clone().unwrap_or_default();
            plan.notes.push(
                ctx.say("outdated", &[("region", &lz.home_region), ("version", &lz.version), ("latest", &latest)]),
            );
        }
        _ => plan.notes.push(ctx.say("active", &[("region", &lz.home_region), ("version", &lz.version)])),
    }
    plan
}

async fn new_landing_zone(ctx: &mut Ctx<'_>, mut plan: Plan) -> Result<Plan, PlanError> {
    let configured = ctx.aws.region().to_owned();
    let mgmt = ctx.me(&configured);
    let access = organizations::service_access(ctx.aws, &mgmt).await?;
    for principal in ["config.amazonaws.com", "cloudtrail.amazonaws.com"] {
        if access.iter().any(|p| p == principal) {
            plan.conflicts.push(ctx.say("conflict-trusted-access", &[("principal", principal)]));
        }
    }
    if !plan.conflicts.is_empty() {
        return Ok(plan);
    }
    let home = ctx.ask.get("control-tower.home-region", Some(&configured))?;
    let regions = ctx.ask.get("control-tower.regions", Some(&home))?;
    let mut governed: Vec<String> = vec![home.clone()];
    governed.extend(regions.split(',').map(str::to_owned).filter(|r| *r != home));

    let log_archive =
        shared(ctx, &mut plan, ctx.facts.log_archive.clone(), "Log Archive", "control-tower.log-archive-email")?;
    let audit = shared(ctx, &mut plan, ctx.facts.audit.clone(), "Audit", "control-tower.audit-email")?;
    for role in &iam::CONTROL_TOWER_ROLES {
        if !crate::aws::change::iam::role_exists(ctx.aws, &mgmt, role.name).await? {
            plan.changes.push(Change {
                at: mgmt.clone(),
                global: true,
                action: Action::CreateServiceRole { role: role.clone() },
            });
        }
    }
    let at = ctx.me(&home);
    plan.changes.push(Change {
        at: at.clone(),
        global: false,
        action: Action::CreateLandingZone {
            version: controltower::TESTED_VERSION.into(),
            manifest: controltower::manifest(&governed),
            log_archive,
            audit,
        },
    });
    plan.changes.push(Change {
        at,
        global: false,
        action: Action::WaitForLandingZone { operation: Ref::Output(controltower::OPERATION.into()) },
    });
    plan.notes.push(ctx.say("plan-duration", &[]));
    Ok(plan)
}

/// An existing shared account to reuse, or the change that creates it.
fn shared(
    ctx: &mut Ctx<'_>,
    plan: &mut Plan,
    found: Option<SharedAccount>,
    name: &str,
    email_key: &str,
) -> Result<Ref, PlanError> {
    if let Some(account) = found {
        plan.notes.push(ctx.say("plan-reuse-account", &[("name", name), ("account", &account.id)]));
        return Ok(Ref::Known(account.id));
    }
    let email = ctx.ask.get(email_key, None)?;
    let taken = plan.changes.iter().any(|c| matches!(&c.action, Action::CreateAccount { email: e, .. } if *e == email));
    if taken {
        return Err(InputError::Invalid(ctx.say("input-distinct-emails", &[])).into());
    }
    let output = format!("account:{name}");
    plan.changes.push(Change {
        at: ctx.me(ctx.aws.region()),
        global: true,
        action: Action::CreateAccount { name: name.into(), email, output: output.clone() },
    });
    Ok(Ref::Output(output))
}
