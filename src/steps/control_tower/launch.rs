//! control-tower, no landing zone yet: the preflight, then the whole API path to a 4.0 landing zone
//! (Log Archive and Audit accounts, the Security OU holding both, the four service roles created or
//! repaired, CreateLandingZone with the newest manifest shape, then waiting for it). Pure: every
//! read is in the observation.

use super::Observed;
use super::preflight::{self, Launch};
use crate::aws::At;
use crate::aws::change::{Action, Ref, controltower};
use crate::catalog::Step;
use crate::facts::SharedAccount;
use crate::inputs::{Ask, InputError};
use crate::landing_zone::roles::{PATH, ROLES};
use crate::landing_zone::{self, OuConflict, Place};
use crate::steps::{Change, Plan, PlanError};

/// The OU groundwork creates when Log Archive and Audit have none (4.0 no longer creates it).
const SECURITY_OU: &str = "Security";

pub fn plan(o: &Observed, launch: &Launch, ask: &mut dyn Ask, step: &Step) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    let accept = preflight::accepts_unverified(ask);
    preflight::organization(launch, step, &mut plan, accept);
    if !plan.conflicts.is_empty() {
        return Ok(plan);
    }
    let Some(regional) = &launch.regional else {
        return Err(PlanError::Undetermined(step.say("preflight-not-read", &[])));
    };
    preflight::regional(launch, regional, step, &mut plan, accept);
    if !plan.conflicts.is_empty() {
        return Ok(plan);
    }
    let mgmt = At::new(&o.me, &o.region);
    let log_archive = shared(&mut plan, ask, step, &mgmt, launch, launch.log_archive.as_ref(), "Log Archive")?;
    let audit = shared(&mut plan, ask, step, &mgmt, launch, launch.audit.as_ref(), "Audit")?;
    security_ou(&mut plan, step, &mgmt, launch, [&log_archive, &audit])?;
    roles(&mut plan, step, &mgmt, launch);
    if !plan.conflicts.is_empty() {
        plan.changes.clear();
        return Ok(plan);
    }
    let version = version(ask, step, &mut plan)?;
    let at = At::new(&o.me, &regional.scope.home);
    let regions = regional.scope.governed.clone();
    plan.changes.push(Change {
        at: at.clone(),
        global: false,
        action: Action::CreateLandingZone { version, regions, log_archive, audit },
    });
    plan.changes.push(Change {
        at,
        global: false,
        action: Action::WaitForLandingZone { operation: Ref::Output(controltower::OPERATION.into()) },
    });
    plan.notes.push(step.say("plan-duration", &[]));
    // The OUs are registered once the landing zone exists (registering needs its baselines and its
    // Identity Center enablement, which only exist then): say which accounts wait for that.
    let shared = [launch.log_archive.as_ref(), launch.audit.as_ref()];
    let others: Vec<String> = launch
        .accounts
        .iter()
        .filter(|a| a.active && a.id != o.me && !shared.iter().flatten().any(|s| s.id == a.id))
        .map(|a| format!("{} ({})", a.name, a.id))
        .collect();
    if !others.is_empty() {
        plan.notes.push(step.say("plan-then-register", &[("accounts", &others.join(", "))]));
    }
    Ok(plan)
}

/// The version to create: the newest groundwork knows, or the expert override
/// `control-tower.version` (written with the newest manifest shape, and said so). An override older
/// than the newest known is refused: AWS creates only its latest version. Versions compare as
/// numbers everywhere ("4.00" is 4.0).
fn version(ask: &dyn Ask, step: &Step, plan: &mut Plan) -> Result<String, PlanError> {
    let known = landing_zone::newest().version;
    let Some(wanted) = ask.given("control-tower.version") else { return Ok(known.to_owned()) };
    if landing_zone::older(&wanted, known) {
        let why = step.say("input-version-older", &[("version", &wanted), ("known", known)]);
        return Err(InputError::Invalid(why).into());
    }
    if landing_zone::same(&wanted, known) {
        return Ok(known.to_owned());
    }
    plan.notes.push(step.say("plan-version-override", &[("version", &wanted), ("known", known)]));
    Ok(wanted)
}

/// An existing shared account to reuse, or the change that creates it.
fn shared(
    plan: &mut Plan,
    ask: &mut dyn Ask,
    step: &Step,
    mgmt: &At,
    launch: &Launch,
    found: Option<&SharedAccount>,
    name: &str,
) -> Result<Ref, PlanError> {
    if let Some(account) = found {
        plan.notes.push(step.say("plan-reuse-account", &[("name", name), ("account", &account.id)]));
        return Ok(Ref::Known(account.id.clone()));
    }
    let key = if name == "Audit" { "control-tower.audit-email" } else { "control-tower.log-archive-email" };
    let email = ask.get(key, None)?;
    let taken = plan.changes.iter().any(|c| matches!(&c.action, Action::CreateAccount { email: e, .. } if *e == email));
    if taken {
        return Err(InputError::Invalid(step.say("input-distinct-emails", &[])).into());
    }
    // AWS refuses an email another account has (EMAIL_ALREADY_EXISTS), after the plan was approved:
    // one of this organization's is seen now, before any change.
    if let Some(other) = launch.accounts.iter().find(|a| a.email.eq_ignore_ascii_case(&email)) {
        let args = [("email", email.as_str()), ("account", other.id.as_str()), ("other", &other.name), ("key", key)];
        return Err(InputError::Invalid(step.say("input-email-in-use", &args)).into());
    }
    let output = format!("account:{name}");
    plan.changes.push(Change {
        at: mgmt.clone(),
        global: true,
        action: Action::CreateAccount { name: name.into(), email, output: output.clone() },
    });
    Ok(Ref::Output(output))
}

/// Landing zone 4.0 needs Log Archive and Audit in one OU directly under the root: reuse a suitable
/// one or create it, and move the accounts that are not in it yet.
fn security_ou(plan: &mut Plan, step: &Step, mgmt: &At, launch: &Launch, accounts: [&Ref; 2]) -> Result<(), PlanError> {
    let (root, under) = (&launch.root, &launch.ous);
    let mut places = Vec::new();
    for (account, parent) in accounts.iter().zip(&launch.parents) {
        places.push(match (account, parent) {
            // CreateAccount puts a new account directly under the root.
            (Ref::Output(_), _) => Place::Root,
            (Ref::Known(_), Some(parent)) if parent == root => Place::Root,
            (Ref::Known(_), Some(parent)) if under.iter().any(|(ou, _)| ou == parent) => Place::Ou(parent.clone()),
            (Ref::Known(_), Some(parent)) => Place::Nested(parent.clone()),
            // An existing account whose parent was not read: nothing may be moved blind.
            (Ref::Known(_), None) => return Err(PlanError::Undetermined(step.say("preflight-not-read", &[]))),
        });
    }
    let ou_name = |id: &str| under.iter().find(|(ou, _)| ou == id).map_or_else(|| id.to_owned(), |(_, n)| n.clone());
    let found = match landing_zone::security_ou([&places[0], &places[1]], under, SECURITY_OU) {
        Ok(found) => found,
        Err(OuConflict::Nested(n, ou)) => {
            let account = accounts[n].show();
            plan.conflicts.push(step.say("conflict-ou-nested", &[("account", &account), ("ou", &ou)]));
            return Ok(());
        }
        Err(OuConflict::Apart(a, b)) => {
            plan.conflicts.push(step.say("conflict-ou-apart", &[("first", &ou_name(&a)), ("second", &ou_name(&b))]));
            return Ok(());
        }
    };
    let target = match &found.existing {
        Some(id) => {
            plan.notes.push(step.say("plan-security-ou-reuse", &[("ou", &ou_name(id)), ("id", id)]));
            Ref::Known(id.clone())
        }
        None => {
            let output = format!("ou:{SECURITY_OU}");
            plan.notes.push(step.say("plan-security-ou-create", &[("ou", SECURITY_OU)]));
            plan.changes.push(Change {
                at: mgmt.clone(),
                global: true,
                action: Action::CreateOrganizationalUnit {
                    parent: root.clone(),
                    name: SECURITY_OU.into(),
                    output: output.clone(),
                },
            });
            Ref::Output(output)
        }
    };
    for (account, _) in accounts.iter().zip(found.moves).filter(|(_, m)| *m) {
        plan.changes.push(Change {
            at: mgmt.clone(),
            global: true,
            action: Action::MoveAccount { account: (*account).clone(), from: root.clone(), to: target.clone() },
        });
    }
    Ok(())
}

/// Each service role: created when missing, repaired (its missing policy added) when it exists
/// without what Control Tower needs; a role at another path or trusting another service is a
/// conflict, since fixing it would mean replacing what the person has.
fn roles(plan: &mut Plan, step: &Step, mgmt: &At, launch: &Launch) {
    for role in &ROLES {
        let change = |action| Change { at: mgmt.clone(), global: true, action };
        let Some(found) = launch.roles.get(role.name) else {
            // Its policies are changes of their own, each logged: a run stopped between them
            // leaves a role that the next plan repairs like any other.
            plan.changes.push(change(Action::CreateServiceRole { role: role.clone() }));
            if let Some(policy) = role.managed_policy {
                plan.changes.push(change(Action::AttachRolePolicy { role: role.name, policy }));
            }
            if role.inline.is_some() {
                plan.changes.push(change(Action::PutRolePolicy { role: role.clone() }));
            }
            continue;
        };
        if found.path != PATH || !found.trust.contains(role.service) {
            let args = [("role", role.name), ("path", found.path.as_str()), ("service", role.service)];
            plan.conflicts.push(step.say("conflict-role", &args));
            continue;
        }
        if let Some(policy) = role.managed_policy.filter(|p| !found.managed.iter().any(|m| m == p)) {
            plan.notes.push(step.say("plan-role-repair", &[("role", role.name), ("policy", policy)]));
            plan.changes.push(change(Action::AttachRolePolicy { role: role.name, policy }));
        }
        if role.inline.is_some() && !found.inline.contains(&role.inline_name()) {
            plan.notes.push(step.say("plan-role-repair", &[("role", role.name), ("policy", &role.inline_name())]));
            plan.changes.push(change(Action::PutRolePolicy { role: role.clone() }));
        }
    }
}
