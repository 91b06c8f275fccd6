//! control-tower's preflight: what would make the hour-long launch fail, or cost more, found before
//! the first change. Reads only. Each finding is a conflict (nothing will be changed) or a note.

use super::{Ctx, Plan, PlanError};
use crate::aws::change::organizations;
use crate::aws::organizations::OrgAccount;
use crate::aws::regions::{self, AccountRegion};
use crate::aws::{At, cloudtrail, config_service};

/// The organization: all features, the shared accounts usable, no other setup owning Config or
/// CloudTrail. Returns the service principals with trusted access.
pub async fn organization(ctx: &Ctx<'_>, plan: &mut Plan, mgmt: &At) -> Result<Vec<String>, PlanError> {
    if ctx.facts.managed_org().is_some_and(|o| !o.all_features) {
        plan.conflicts.push(ctx.say("conflict-not-all-features", &[]));
    }
    if let Ok(accounts) = &ctx.facts.accounts {
        let wanted = [ctx.facts.log_archive.is_none(), ctx.facts.audit.is_none()];
        for account in inactive_shared(accounts) {
            let is_log = account.name.to_ascii_lowercase().contains("log");
            if (is_log && wanted[0]) || (!is_log && wanted[1]) {
                let args =
                    [("name", account.name.as_str()), ("account", account.id.as_str()), ("state", &account.state)];
                plan.conflicts.push(ctx.say("conflict-account-state", &args));
            }
        }
    }
    let access = organizations::service_access(ctx.aws, mgmt).await?;
    for principal in ["config.amazonaws.com", "cloudtrail.amazonaws.com"] {
        if access.iter().any(|p| p == principal) {
            plan.conflicts.push(ctx.say("conflict-trusted-access", &[("principal", principal)]));
        }
    }
    trails(ctx, plan, mgmt).await;
    Ok(access)
}

/// An organization trail already logging: Control Tower adds its own, so events are delivered
/// twice and the second copy is billed ("you may see duplicate charges", Control Tower User Guide,
/// about-logging.html). A note, not a conflict: AWS launches anyway. Read from the
/// configured Region, which sees every multi-Region trail (all console-made organization trails
/// are) and the single-Region ones homed there.
async fn trails(ctx: &Ctx<'_>, plan: &mut Plan, mgmt: &At) {
    match cloudtrail::organization_trails(ctx.aws, mgmt).await {
        Ok(trails) => {
            for t in trails.iter().filter(|t| t.logging) {
                plan.notes.push(ctx.say("note-org-trail", &[("trail", &t.name), ("region", &t.home_region)]));
            }
        }
        Err(e) => plan.notes.push(ctx.say("note-trails-unverified", &[("why", &e.explain())])),
    }
}

/// A Config recorder or delivery channel already in Log Archive or Audit, in a governed Region,
/// makes the launch fail: AWS says existing Config resources must be deleted before those accounts
/// join a landing zone (Control Tower User Guide, getting-started-configure.html). Each is a
/// conflict (groundwork deletes nothing). Accounts still to be
/// created have none; Regions that are not usable are conflicts already. An account that cannot be
/// read is a note saying so, once.
pub async fn config_resources(ctx: &Ctx<'_>, plan: &mut Plan, governed: &[String], known: Option<&[AccountRegion]>) {
    let usable = |r: &String| known.is_none_or(|k| k.iter().any(|k| k.name == *r && k.usable()));
    let shared = [("Log Archive", &ctx.facts.log_archive), ("Audit", &ctx.facts.audit)];
    for (name, account) in shared.iter().filter_map(|(n, a)| a.as_ref().map(|a| (*n, a.id.as_str()))) {
        for region in governed.iter().filter(|r| usable(r)) {
            match config_service::resources(ctx.aws, &At::new(account, region)).await {
                Ok(found) if found.is_empty() => {}
                Ok(found) => {
                    let list = |names: &[String]| if names.is_empty() { "none".to_owned() } else { names.join(", ") };
                    let args = [
                        ("name", name),
                        ("account", account),
                        ("region", region.as_str()),
                        ("recorders", &list(&found.recorders)),
                        ("channels", &list(&found.delivery_channels)),
                    ];
                    plan.conflicts.push(ctx.say("conflict-config-resources", &args));
                }
                Err(e) => {
                    let args = [("name", name), ("account", account), ("why", &e.explain())];
                    plan.notes.push(ctx.say("note-config-unverified", &args));
                    break;
                }
            }
        }
    }
}

/// Every governed Region must be a Region of this account, and enabled when it is opt-in. When the
/// account's Regions cannot be read, a note says so: the launch would tell, but only at the end.
/// Returns the account's Regions, when they could be read.
pub async fn regions(ctx: &Ctx<'_>, plan: &mut Plan, governed: &[String]) -> Option<Vec<AccountRegion>> {
    match regions::regions(ctx.aws).await {
        Ok(known) => {
            plan.conflicts.extend(region_findings(ctx, &known, governed));
            Some(known)
        }
        Err(e) => {
            plan.notes.push(ctx.say("note-regions-unverified", &[("why", &e.explain())]));
            None
        }
    }
}

/// An organization instance of Identity Center must live in the home Region (Control Tower sets up
/// access management there). Looked for only when Identity Center has trusted access and the home
/// Region has no instance.
pub async fn identity_center(
    ctx: &Ctx<'_>,
    plan: &mut Plan,
    access: &[String],
    home: &str,
    known: Option<&[AccountRegion]>,
) -> Result<(), PlanError> {
    if !access.iter().any(|p| p == "sso.amazonaws.com") || !instances(ctx, home).await?.is_empty() {
        return Ok(());
    }
    let Some(known) = known else { return Ok(()) };
    for region in known.iter().filter(|r| r.usable() && r.name != home) {
        if !instances(ctx, &region.name).await?.is_empty() {
            plan.conflicts
                .push(ctx.say("conflict-identity-center-region", &[("region", &region.name), ("home", home)]));
            return Ok(());
        }
    }
    Ok(())
}

async fn instances(ctx: &Ctx<'_>, region: &str) -> Result<Vec<crate::aws::identity_center::Instance>, PlanError> {
    Ok(crate::aws::identity_center::instances(ctx.aws, &ctx.me(region)).await?)
}

fn region_findings(ctx: &Ctx<'_>, known: &[AccountRegion], governed: &[String]) -> Vec<String> {
    governed
        .iter()
        .filter_map(|r| match known.iter().find(|k| k.name == *r) {
            None => Some(ctx.say("conflict-region-unknown", &[("region", r)])),
            Some(k) if !k.usable() => {
                Some(ctx.say("conflict-region-disabled", &[("region", r), ("status", &k.status)]))
            }
            Some(_) => None,
        })
        .collect()
}

/// Accounts named like Log Archive or Audit that are not `ACTIVE` (suspended, closing): Control
/// Tower cannot use them, and groundwork must not quietly create a second one beside them.
fn inactive_shared(accounts: &[OrgAccount]) -> Vec<&OrgAccount> {
    let norm =
        |n: &str| n.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect::<String>();
    accounts
        .iter()
        .filter(|a| !a.active && ["logarchive", "audit", "securitytooling"].contains(&norm(&a.name).as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(name: &str, active: bool) -> OrgAccount {
        let state = if active { "ACTIVE" } else { "SUSPENDED" };
        OrgAccount { id: "111111111111".into(), name: name.into(), email: String::new(), active, state: state.into() }
    }

    #[test]
    fn only_inactive_shared_accounts_are_found() {
        let accounts = [
            account("Log Archive", false),
            account("Audit", true),
            account("log-archive", true),
            account("Web", false),
        ];
        let found: Vec<&str> = inactive_shared(&accounts).iter().map(|a| a.name.as_str()).collect();
        assert_eq!(found, ["Log Archive"]);
    }
}
