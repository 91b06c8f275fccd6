//! control-tower, no landing zone yet: the preflight, then the whole API path to a 4.0 landing zone
//! (Log Archive and Audit accounts, the Security OU holding both, the four service roles created or
//! repaired, CreateLandingZone with the newest manifest shape, then waiting for it).

use super::{Change, Ctx, Plan, PlanError, control_tower_preflight as preflight};
use crate::aws::change::{Action, Ref, controltower, iam, organizations};
use crate::facts::SharedAccount;
use crate::inputs::InputError;
use crate::landing_zone::{self, OuConflict, Place};

/// The OU groundwork creates when Log Archive and Audit have none (4.0 no longer creates it).
const SECURITY_OU: &str = "Security";

pub async fn plan(ctx: &mut Ctx<'_>, mut plan: Plan) -> Result<Plan, PlanError> {
    let configured = ctx.aws.region().to_owned();
    let mgmt = ctx.me(&configured);
    let access = preflight::organization(ctx, &mut plan, &mgmt).await?;
    if !plan.conflicts.is_empty() {
        return Ok(plan);
    }
    let home = ctx.ask.get("control-tower.home-region", Some(&configured))?;
    let regions = ctx.ask.get("control-tower.regions", Some(&home))?;
    let mut governed: Vec<String> = vec![home.clone()];
    governed.extend(regions.split(',').map(|r| r.trim().to_owned()).filter(|r| *r != home));
    let known = preflight::regions(ctx, &mut plan, &governed).await;
    preflight::identity_center(ctx, &mut plan, &access, &home, known.as_deref()).await?;
    preflight::config_resources(ctx, &mut plan, &governed, known.as_deref()).await;
    if !plan.conflicts.is_empty() {
        return Ok(plan);
    }

    let log_archive =
        shared(ctx, &mut plan, ctx.facts.log_archive.clone(), "Log Archive", "control-tower.log-archive-email")?;
    let audit = shared(ctx, &mut plan, ctx.facts.audit.clone(), "Audit", "control-tower.audit-email")?;
    security_ou(ctx, &mut plan, &mgmt, [&log_archive, &audit]).await?;
    roles(ctx, &mut plan, &mgmt).await?;
    if !plan.conflicts.is_empty() {
        plan.changes.clear();
        return Ok(plan);
    }
    let version = version(ctx, &mut plan)?;
    let at = ctx.me(&home);
    plan.changes.push(Change {
        at: at.clone(),
        global: false,
        action: Action::CreateLandingZone { version, regions: governed, log_archive, audit },
    });
    plan.changes.push(Change {
        at,
        global: false,
        action: Action::WaitForLandingZone { operation: Ref::Output(controltower::OPERATION.into()) },
    });
    plan.notes.push(ctx.say("plan-duration", &[]));
    Ok(plan)
}

/// The version to create: the newest groundwork knows, or the expert override
/// `control-tower.version` (written with the newest manifest shape, and said so). An override older
/// than the newest known is refused: AWS creates only its latest version.
fn version(ctx: &Ctx<'_>, plan: &mut Plan) -> Result<String, PlanError> {
    let known = landing_zone::newest().version;
    let Some(wanted) = ctx.ask.given("control-tower.version") else { return Ok(known.to_owned()) };
    if landing_zone::older(&wanted, known) {
        let why = ctx.say("input-version-older", &[("version", &wanted), ("known", known)]);
        return Err(InputError::Invalid(why).into());
    }
    if wanted != known {
        plan.notes.push(ctx.say("plan-version-override", &[("version", &wanted), ("known", known)]));
    }
    Ok(wanted)
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

/// Landing zone 4.0 needs Log Archive and Audit in one OU directly under the root: reuse a suitable
/// one or create it, and move the accounts that are not in it yet.
async fn security_ou(
    ctx: &Ctx<'_>,
    plan: &mut Plan,
    mgmt: &crate::aws::At,
    accounts: [&Ref; 2],
) -> Result<(), PlanError> {
    let root = organizations::root(ctx.aws, mgmt).await?;
    let under = organizations::ous_under(ctx.aws, mgmt, &root).await?;
    let mut places = Vec::new();
    for account in accounts {
        places.push(match account {
            // CreateAccount puts a new account directly under the root.
            Ref::Output(_) => Place::Root,
            Ref::Known(id) => {
                let parent = organizations::parent(ctx.aws, mgmt, id).await?;
                if parent == root {
                    Place::Root
                } else if under.iter().any(|(ou, _)| *ou == parent) {
                    Place::Ou(parent)
                } else {
                    Place::Nested(parent)
                }
            }
        });
    }
    let ou_name = |id: &str| under.iter().find(|(ou, _)| ou == id).map_or_else(|| id.to_owned(), |(_, n)| n.clone());
    let decided = landing_zone::security_ou([&places[0], &places[1]], &under, SECURITY_OU);
    let found = match decided {
        Ok(found) => found,
        Err(OuConflict::Nested(n, ou)) => {
            let account = accounts[n].show();
            plan.conflicts.push(ctx.say("conflict-ou-nested", &[("account", &account), ("ou", &ou)]));
            return Ok(());
        }
        Err(OuConflict::Apart(a, b)) => {
            plan.conflicts.push(ctx.say("conflict-ou-apart", &[("first", &ou_name(&a)), ("second", &ou_name(&b))]));
            return Ok(());
        }
    };
    let target = match &found.existing {
        Some(id) => {
            plan.notes.push(ctx.say("plan-security-ou-reuse", &[("ou", &ou_name(id)), ("id", id)]));
            Ref::Known(id.clone())
        }
        None => {
            let output = format!("ou:{SECURITY_OU}");
            plan.notes.push(ctx.say("plan-security-ou-create", &[("ou", SECURITY_OU)]));
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
async fn roles(ctx: &Ctx<'_>, plan: &mut Plan, mgmt: &crate::aws::At) -> Result<(), PlanError> {
    for role in &iam::CONTROL_TOWER_ROLES {
        let change = |action| Change { at: mgmt.clone(), global: true, action };
        let Some(found) = iam::role(ctx.aws, mgmt, role.name).await? else {
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
        if found.path != "/service-role/" || !found.trust.contains(role.service) {
            let args = [("role", role.name), ("path", found.path.as_str()), ("service", role.service)];
            plan.conflicts.push(ctx.say("conflict-role", &args));
            continue;
        }
        if let Some(policy) = role.managed_policy.filter(|p| !found.managed.iter().any(|m| m == p)) {
            plan.notes.push(ctx.say("plan-role-repair", &[("role", role.name), ("policy", policy)]));
            plan.changes.push(change(Action::AttachRolePolicy { role: role.name, policy }));
        }
        if role.inline.is_some() && !found.inline.contains(&role.inline_name()) {
            plan.notes.push(ctx.say("plan-role-repair", &[("role", role.name), ("policy", &role.inline_name())]));
            plan.changes.push(change(Action::PutRolePolicy { role: role.clone() }));
        }
    }
    Ok(())
}
