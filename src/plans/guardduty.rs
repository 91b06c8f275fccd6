//! guardduty: in every governed Region, Audit's detector (created first, naming every protection
//! plan on or off as chosen, so AWS's paid defaults are not switched on silently), Audit as
//! delegated administrator, auto-enable ALL (organization-level plans the person already has are
//! kept, never lowered), and every existing account enrolled now as a member instead of within the
//! 24 hours ALL takes. An account that already runs GuardDuty on its own is a conflict: enrolling
//! it would apply the organization's settings over its own.

use super::{Change, Ctx, Plan, PlanError};
use crate::aws::At;
use crate::aws::change::guardduty::is_org_feature;
use crate::aws::change::{Action, Ref};
use crate::aws::guardduty::{OrgConfig, detector, members, org_admins, org_config};
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
    let accounts: Vec<(String, String)> = match &ctx.facts.accounts {
        Ok(list) => {
            list.iter().filter(|a| a.active && a.id != audit).map(|a| (a.id.clone(), a.email.clone())).collect()
        }
        Err(e) => return Err(e.clone().into()),
    };
    let mut kept_notes = Vec::new();
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
        let (config, current) = match (&detector_ref, is_admin) {
            (Ref::Known(id), true) => (org_config(ctx.aws, &theirs, id).await?, members(ctx.aws, &theirs, id).await?),
            _ => (OrgConfig::default(), Vec::new()),
        };
        let (features, kept) = org_features(&plans, &config);
        for (name, value) in kept {
            let note = format!("{name}={value}");
            if !kept_notes.contains(&note) {
                kept_notes.push(note);
            }
        }
        let lowered = |name: &str| config.features.iter().find(|(n, _)| n == name).is_none_or(|(_, v)| v != "ALL");
        if config.members != "ALL" || plans.iter().any(|(n, on)| *on && is_org_feature(n) && lowered(n)) {
            plan.changes.push(Change {
                at: theirs.clone(),
                global: false,
                action: Action::GuardDutyAutoEnable { detector: detector_ref.clone(), features },
            });
        }
        for (account, email) in &accounts {
            match current.iter().find(|m| &m.account == account).map(|m| m.status.as_str()) {
                Some("Enabled") => {}
                Some(status) => plan.conflicts.push(
                    ctx.say("conflict-member-status", &[("account", account), ("region", &region), ("status", status)]),
                ),
                // Looked at from inside: a detector of its own would be overridden by enrolment.
                None => match detector(ctx.aws, &At::new(account, &region)).await? {
                    Some(_) => plan
                        .conflicts
                        .push(ctx.say("conflict-own-detector", &[("account", account), ("region", &region)])),
                    None => plan.changes.push(Change {
                        at: theirs.clone(),
                        global: false,
                        action: Action::CreateGuardDutyMember {
                            detector: detector_ref.clone(),
                            account: account.clone(),
                            email: email.clone(),
                        },
                    }),
                },
            }
        }
    }
    if plan.changes.iter().any(|c| matches!(c.action, Action::CreateDetector { .. })) {
        let on: Vec<&str> = plans.iter().filter(|(_, on)| *on).map(|(p, _)| p.as_str()).collect();
        let on = if on.is_empty() { "none".to_owned() } else { on.join(", ") };
        plan.notes.push(ctx.say("plan-plans", &[("plans", &on)]));
    }
    if !kept_notes.is_empty() {
        plan.notes.push(ctx.say("plan-kept-features", &[("features", &kept_notes.join(", "))]));
    }
    Ok(plan)
}

/// Plans by name, each with an organization-level auto-enable value.
type Features = Vec<(String, String)>;

/// Every organization-level plan and the value groundwork sends: `ALL` for a chosen plan, the
/// organization's own value otherwise (`NONE` where it has none), so nothing is ever lowered. Also
/// the plans that are on although not chosen, which are kept and shown.
fn org_features(plans: &[(String, bool)], config: &OrgConfig) -> (Features, Features) {
    let (mut features, mut kept) = (Vec::new(), Vec::new());
    for (name, on) in plans.iter().filter(|(n, _)| is_org_feature(n)) {
        let current = config.features.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        let value = if *on { "ALL".to_owned() } else { current.clone().unwrap_or_else(|| "NONE".to_owned()) };
        if !on && current.as_deref().is_some_and(|v| v != "NONE") {
            kept.push((name.clone(), value.clone()));
        }
        features.push((name.clone(), value));
    }
    (features, kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organization_plans_are_kept_never_lowered() {
        let plans = vec![("S3_DATA_EVENTS".to_owned(), false), ("EKS_AUDIT_LOGS".to_owned(), true)];
        let config = OrgConfig { members: "NEW".into(), features: vec![("S3_DATA_EVENTS".into(), "ALL".into())] };
        let (features, kept) = org_features(&plans, &config);
        assert_eq!(
            features,
            vec![("S3_DATA_EVENTS".to_owned(), "ALL".to_owned()), ("EKS_AUDIT_LOGS".to_owned(), "ALL".to_owned())]
        );
        assert_eq!(kept, vec![("S3_DATA_EVENTS".to_owned(), "ALL".to_owned())]);
        let (features, kept) = org_features(&plans, &OrgConfig::default());
        assert_eq!(features[0], ("S3_DATA_EVENTS".to_owned(), "NONE".to_owned()));
        assert!(kept.is_empty());
    }
}
