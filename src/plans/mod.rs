//! Plans: for each step, exactly the changes `apply` would make, read from the live account. What
//! is already in place does not appear; what only a person can do is a guide; anything that would
//! overwrite or delete what the person has is a conflict, and a plan with a conflict is never run.

mod guessed;

pub use crate::steps::alerts::TOPIC as ALERT_TOPIC;
pub use guessed::CONFIRM_KEYS;

pub use crate::steps::{Change, Ctx, Plan, PlanError};

use crate::aws::Aws;
use crate::catalog::{self, StepId, say};
use crate::facts::Facts;
use crate::inputs::Ask;
use crate::record::Record;

/// Plans one step against the live account.
pub async fn plan(aws: &Aws, facts: &Facts, ask: &mut dyn Ask, record: &Record, id: StepId) -> Result<Plan, PlanError> {
    if let Some(why) = crate::checks::undetermined(facts, id) {
        // Planned on a guessed Region or account, the changes could land in the wrong place.
        return Err(PlanError::Undetermined(why));
    }
    // Other accounts are reached the way the account model says (its caller, its member role).
    let aws = &aws.bound(facts);
    let mut ctx = Ctx { aws, facts, ask, record, step: catalog::step(id) };
    let mut plan = match id {
        StepId::RootMfa => crate::steps::root_mfa::plan_live(&ctx).await?,
        StepId::Contacts => crate::steps::contacts::plan_live(&mut ctx).await?,
        StepId::Organization => crate::steps::organization::plan_live(&ctx)?,
        StepId::ControlTower => crate::steps::control_tower::plan_live(&mut ctx).await?,
        StepId::IdentityCenter => crate::steps::identity_center::plan_live(&mut ctx).await?,
        StepId::Guardduty => crate::steps::guardduty::plan_live(&mut ctx).await?,
        StepId::SecurityHub => crate::steps::security_hub::plan_live(&mut ctx).await?,
        StepId::Alerts => crate::steps::alerts::plan_live(&mut ctx).await?,
        StepId::Guardrails => crate::steps::guardrails::plan_live(&mut ctx).await?,
        StepId::IamUsers => crate::steps::iam_users::plan_live(&mut ctx).await?,
        StepId::AccessAnalyzer => crate::steps::access_analyzer::plan_live(&mut ctx).await?,
        StepId::EbsEncryption => crate::steps::ebs_encryption::plan_live(&mut ctx).await?,
        StepId::RootAccess => crate::steps::root_access::plan_live(&mut ctx).await?,
        StepId::S3PublicAccess => crate::steps::s3_public_access::plan_live(&mut ctx).await?,
        StepId::Budget => crate::steps::budget::plan_live(&mut ctx).await?,
    };
    guessed::review(&mut ctx, &mut plan)?;
    Ok(plan)
}

/// A plan as a person reads it: every change with its account, Region, AWS call and parameters.
pub fn render(id: StepId, plan: &Plan, facts: &Facts) -> String {
    use crate::output::inert;
    let step = catalog::step(id);
    let mut out = say("plan-title", &[("title", &step.title), ("id", id.as_str())]) + "\n";
    for c in &plan.conflicts {
        out += &format!("  {} {}\n", say("plan-conflict", &[]), inert(c));
    }
    if plan.changes.iter().any(|c| c.action.is_change()) {
        out += &reached(plan, facts);
        out += "\n";
    }
    // Only changes are numbered (and counted in the confirmation); a wait is shown as one.
    let mut n = 0;
    for c in &plan.changes {
        let region = if c.global { say("plan-global", &[]) } else { c.at.region.clone() };
        let lead = if c.action.is_change() {
            n += 1;
            format!("{n}.")
        } else {
            say("plan-wait", &[])
        };
        out += &format!("  {lead} {} · account {} · {}\n", c.action.call(), c.at.account, region);
        for (k, v) in c.action.params() {
            out += &format!("       {k}: {}\n", inert(&v));
        }
    }
    for n in &plan.notes {
        out += &format!("  - {}\n", inert(n));
    }
    if plan.manual {
        if let Some(manual) = &step.manual {
            out += &say("plan-manual", &[]);
            out += "\n";
            for line in manual.trim().lines() {
                out += &format!("    {line}\n");
            }
        }
        for link in &step.links {
            out += &format!("    {}: {}\n", link.label, link.url);
        }
    }
    if plan.changes.iter().any(|c| c.action.is_change()) && !step.cost.starts_with("No cost") {
        out += &say("plan-cost", &[("cost", &step.cost)]);
        out += "\n";
    }
    if plan.is_empty() {
        out += &say("plan-nothing", &[]);
        out += "\n";
    }
    out
}

/// Who makes the changes and how each account is reached: all from the caller's own account (a
/// call may still name a member, as contacts do), or other accounts through the member role the
/// account model implies, the other role as the fallback (`Aws::bound`).
fn reached(plan: &Plan, facts: &Facts) -> String {
    let me = &facts.identity.account;
    let principal = ("principal", facts.identity.arn.as_str());
    if plan.changes.iter().filter(|c| c.action.is_change()).all(|c| c.at.account == *me) {
        return say("plan-changes", &[principal, ("account", me)]);
    }
    let (first, then) = if matches!(facts.landing_zone, Ok(Some(_))) {
        (crate::aws::CONTROL_TOWER_ROLE, crate::aws::ORGANIZATIONS_ROLE)
    } else {
        (crate::aws::ORGANIZATIONS_ROLE, crate::aws::CONTROL_TOWER_ROLE)
    };
    say("plan-changes-roles", &[principal, ("account", me), ("role", first), ("fallback", then)])
}
