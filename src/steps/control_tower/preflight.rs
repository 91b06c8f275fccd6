//! control-tower's preflight: what would make the hour-long launch fail, or cost more, found before
//! the first change. The reads ([`observe`], [`observe_regions`]) happen once, into [`Launch`]; the
//! rules ([`organization`], [`regional`]) are pure and turn it into conflicts (nothing will be
//! changed) and notes. A check whose read failed stops the plan too (accounts groundwork would
//! create before the launch fails cannot be taken back), unless the person accepts going on
//! without it for this run (`control-tower.skip-unreadable-checks=yes`, never remembered).

use std::collections::BTreeMap;

use futures_util::future::join_all;

use crate::aws::change::iam::{self, RoleFound};
use crate::aws::cloudtrail::{self, OrgTrail};
use crate::aws::config_service::{self, ConfigResources};
use crate::aws::identity_center;
use crate::aws::organizations::{self, OrgAccount};
use crate::aws::regions::{self, AccountRegion};
use crate::aws::{At, Aws, AwsError, change};
use crate::catalog::Step;
use crate::facts::{Facts, SharedAccount};
use crate::inputs::{Ask, InputError};
use crate::landing_zone::roles::ROLES;
use crate::steps::Plan;

/// The answer that accepts going on without the checks that could not be read, for one run.
pub const SKIP_UNREADABLE: &str = "control-tower.skip-unreadable-checks";

/// Whether the person accepted, for this run, going on without the checks that could not be read.
pub fn accepts_unverified(ask: &dyn Ask) -> bool {
    ask.given(SKIP_UNREADABLE).as_deref() == Some("yes")
}

/// A check that could not be made: a note when the person accepted going on without it, else a
/// conflict that says how to fix the read or to accept.
fn unverified(plan: &mut Plan, step: &Step, accept: bool, note: String) {
    if accept {
        plan.notes.push(note);
    } else {
        plan.conflicts.push(step.say("conflict-unverified", &[("check", &note), ("key", SKIP_UNREADABLE)]));
    }
}

/// Principals whose trusted access means another setup owns Config or CloudTrail.
const OWNERS: [&str; 2] = ["config.amazonaws.com", "cloudtrail.amazonaws.com"];
/// Identity Center's principal: with trusted access on, an organization instance may exist.
const SSO: &str = "sso.amazonaws.com";

/// What the launch of a new landing zone depends on, read from the management account.
#[derive(Debug, Clone, PartialEq)]
pub struct Launch {
    pub all_features: bool,
    /// Every account of the organization, whatever its state.
    pub accounts: Vec<OrgAccount>,
    /// The Log Archive and Audit accounts the account model found (to reuse), if any.
    pub log_archive: Option<SharedAccount>,
    pub audit: Option<SharedAccount>,
    /// Service principals with trusted access in the organization.
    pub trusted: Vec<String>,
    /// Organization trails seen from the configured Region, or why they could not be read.
    pub trails: Result<Vec<OrgTrail>, AwsError>,
    /// The account's Regions with their opt status, or why they could not be read.
    pub regions: Result<Vec<AccountRegion>, AwsError>,
    /// The organization's root, the OUs directly under it as (id, name), and the parent of each
    /// existing shared account ([Log Archive, Audit]).
    pub root: String,
    pub ous: Vec<(String, String)>,
    pub parents: [Option<String>; 2],
    /// The Control Tower roles that exist, by name (a missing one is absent).
    pub roles: BTreeMap<&'static str, RoleFound>,
    /// The per-Region reads, made once the Regions are chosen and nothing above stops the launch.
    pub regional: Option<Regional>,
}

/// Where the landing zone will live and what it will govern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub home: String,
    /// Governed Regions, the home Region first.
    pub governed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Regional {
    pub scope: Scope,
    /// Regions found holding an Identity Center instance (looked for only with trusted access on:
    /// the home Region first, then the other usable Regions until one is found).
    pub identity_center: Vec<String>,
    /// Config resources of each existing shared account in each usable governed Region, in that
    /// order; an account's reads stop at its first failure.
    pub config: Vec<ConfigRead>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConfigRead {
    /// "Log Archive" or "Audit".
    pub name: &'static str,
    pub account: String,
    pub region: String,
    pub found: Result<ConfigResources, AwsError>,
}

/// Reads the organization-wide part. The accounts must be readable: without them an existing Log
/// Archive or Audit would go unseen and a second one be created.
pub async fn observe(aws: &Aws, facts: &Facts) -> Result<Launch, AwsError> {
    let mgmt = At::new(&facts.identity.account, aws.region());
    let accounts = facts.accounts.clone()?;
    let shared = [facts.log_archive.clone(), facts.audit.clone()];
    let (trusted, trails, regions, root, roles) = tokio::join!(
        organizations::service_access(aws, &mgmt),
        cloudtrail::organization_trails(aws, &mgmt),
        regions::regions(aws),
        change::organizations::root(aws, &mgmt),
        join_all(ROLES.iter().map(|r| async { (r.name, iam::role(aws, &mgmt, r.name).await) })),
    );
    let root = root?;
    let parent = |account: &Option<SharedAccount>| {
        let (mgmt, id) = (&mgmt, account.as_ref().map(|a| a.id.clone()));
        async move {
            match id {
                Some(id) => change::organizations::parent(aws, mgmt, &id).await.map(Some),
                None => Ok(None),
            }
        }
    };
    let (ous, log_parent, audit_parent) =
        tokio::join!(change::organizations::ous_under(aws, &mgmt, &root), parent(&shared[0]), parent(&shared[1]));
    let mut found = BTreeMap::new();
    for (name, role) in roles {
        if let Some(role) = role? {
            found.insert(name, role);
        }
    }
    let [log_archive, audit] = shared;
    Ok(Launch {
        all_features: facts.managed_org().is_some_and(|o| o.all_features),
        accounts,
        log_archive,
        audit,
        trusted: trusted?,
        trails,
        regions,
        root,
        ous: ous?,
        parents: [log_parent?, audit_parent?],
        roles: found,
        regional: None,
    })
}

/// The home Region (the configured one unless the person says otherwise) and the governed Regions.
pub fn scope(ask: &mut dyn Ask, configured: &str) -> Result<Scope, InputError> {
    let home = ask.get("control-tower.home-region", Some(configured))?;
    let regions = ask.get("control-tower.regions", Some(&home))?;
    let mut governed = vec![home.clone()];
    governed.extend(regions.split(',').map(|r| r.trim().to_owned()).filter(|r| *r != home));
    Ok(Scope { home, governed })
}

/// Reads the per-Region part for the chosen Regions.
pub async fn observe_regions(aws: &Aws, me: &str, launch: &Launch, scope: Scope) -> Result<Regional, AwsError> {
    let known = launch.regions.as_ref().ok();
    let usable = |r: &String| known.is_none_or(|k| k.iter().any(|k| k.name == *r && k.usable()));
    let mut instances = Vec::new();
    if launch.trusted.iter().any(|p| p == SSO) {
        let elsewhere = known.into_iter().flatten().filter(|r| r.usable() && r.name != scope.home).map(|r| &r.name);
        for region in std::iter::once(&scope.home).chain(elsewhere) {
            if !identity_center::instances(aws, &At::new(me, region)).await?.is_empty() {
                instances.push(region.clone());
                break;
            }
        }
    }
    let shared = [("Log Archive", &launch.log_archive), ("Audit", &launch.audit)];
    let reads = shared.iter().filter_map(|(n, a)| a.as_ref().map(|a| (*n, a.id.clone()))).map(|(name, account)| {
        let regions: Vec<String> = scope.governed.iter().filter(|r| usable(r)).cloned().collect();
        async move {
            let mut reads = Vec::new();
            for region in regions {
                let found = config_service::resources(aws, &At::new(&account, &region)).await;
                let failed = found.is_err();
                reads.push(ConfigRead { name, account: account.clone(), region, found });
                if failed {
                    break;
                }
            }
            reads
        }
    });
    let config = join_all(reads).await.into_iter().flatten().collect();
    Ok(Regional { scope, identity_center: instances, config })
}

/// The organization-wide rules: all features, the shared accounts usable, no other setup owning
/// Config or CloudTrail (conflicts); an organization trail already logging (a note).
pub fn organization(launch: &Launch, step: &Step, plan: &mut Plan, accept: bool) {
    if !launch.all_features {
        plan.conflicts.push(step.say("conflict-not-all-features", &[]));
    }
    let wanted = [launch.log_archive.is_none(), launch.audit.is_none()];
    for account in inactive_shared(&launch.accounts) {
        let is_log = account.name.to_ascii_lowercase().contains("log");
        if (is_log && wanted[0]) || (!is_log && wanted[1]) {
            let args = [("name", account.name.as_str()), ("account", account.id.as_str()), ("state", &account.state)];
            plan.conflicts.push(step.say("conflict-account-state", &args));
        }
    }
    for principal in OWNERS.iter().filter(|p| launch.trusted.iter().any(|t| t == *p)) {
        plan.conflicts.push(step.say("conflict-trusted-access", &[("principal", principal)]));
    }
    trails(launch, step, plan, accept);
}

/// An organization trail already logging: Control Tower adds its own, so events are delivered
/// twice and the second copy is billed ("you may see duplicate charges", Control Tower User Guide,
/// about-logging.html). A note, not a conflict: AWS launches anyway. Read from the configured
/// Region, which sees every multi-Region trail (all console-made organization trails are) and the
/// single-Region ones homed there.
fn trails(launch: &Launch, step: &Step, plan: &mut Plan, accept: bool) {
    match &launch.trails {
        Ok(trails) => {
            for t in trails.iter().filter(|t| t.logging) {
                plan.notes.push(step.say("note-org-trail", &[("trail", &t.name), ("region", &t.home_region)]));
            }
        }
        Err(e) => unverified(plan, step, accept, step.say("note-trails-unverified", &[("why", &e.explain())])),
    }
}

/// The per-Region rules: every governed Region named like a Region (no call needed to refuse
/// another name) and a usable Region of this account; an organization
/// instance of Identity Center only in the home Region (Control Tower sets up access management
/// there); no Config resources in Log Archive or Audit in a governed Region.
pub fn regional(launch: &Launch, regional: &Regional, step: &Step, plan: &mut Plan, accept: bool) {
    let Scope { home, governed } = &regional.scope;
    let (named, unnamed): (Vec<&String>, Vec<&String>) = governed.iter().partition(|r| regions::is_region_name(r));
    for r in unnamed {
        plan.conflicts.push(step.say("conflict-region-unknown", &[("region", r)]));
        answer(plan, if r == home { HOME_KEY } else { REGIONS_KEY });
    }
    match &launch.regions {
        Ok(known) => {
            for r in named {
                let conflict = match known.iter().find(|k| k.name == *r) {
                    None => step.say("conflict-region-unknown", &[("region", r)]),
                    Some(k) if !k.usable() => {
                        step.say("conflict-region-disabled", &[("region", r), ("status", &k.status)])
                    }
                    Some(_) => continue,
                };
                plan.conflicts.push(conflict);
                answer(plan, if r == home { HOME_KEY } else { REGIONS_KEY });
            }
        }
        // The launch would tell, but only at the end, after the accounts exist.
        Err(e) => unverified(plan, step, accept, step.say("note-regions-unverified", &[("why", &e.explain())])),
    }
    let trusted = launch.trusted.iter().any(|p| p == SSO);
    if trusted
        && !regional.identity_center.contains(home)
        && let Some(region) = regional.identity_center.first()
    {
        plan.conflicts.push(step.say("conflict-identity-center-region", &[("region", region), ("home", home)]));
        answer(plan, HOME_KEY);
    }
    config(regional, step, plan, accept);
}

const HOME_KEY: &str = "control-tower.home-region";
const REGIONS_KEY: &str = "control-tower.regions";

/// Names an answer that caused a conflict, once.
fn answer(plan: &mut Plan, key: &str) {
    if !plan.conflicting_answers.iter().any(|k| k == key) {
        plan.conflicting_answers.push(key.to_owned());
    }
}

/// A Config recorder or delivery channel already in Log Archive or Audit, in a governed Region,
/// makes the launch fail: AWS says existing Config resources must be deleted before those accounts
/// join a landing zone (Control Tower User Guide, getting-started-configure.html). Each is a
/// conflict (groundwork deletes nothing). Accounts still to be created have none. An account that
/// cannot be read is a note saying so, once.
fn config(regional: &Regional, step: &Step, plan: &mut Plan, accept: bool) {
    let mut unread: Vec<&str> = Vec::new();
    for read in &regional.config {
        if unread.contains(&read.account.as_str()) {
            continue;
        }
        match &read.found {
            Ok(found) if found.is_empty() => {}
            Ok(found) => {
                let list = |names: &[String]| if names.is_empty() { "none".to_owned() } else { names.join(", ") };
                let args = [
                    ("name", read.name),
                    ("account", read.account.as_str()),
                    ("region", read.region.as_str()),
                    ("recorders", &list(&found.recorders)),
                    ("channels", &list(&found.delivery_channels)),
                ];
                plan.conflicts.push(step.say("conflict-config-resources", &args));
            }
            Err(e) => {
                let args = [("name", read.name), ("account", read.account.as_str()), ("why", &e.explain())];
                unverified(plan, step, accept, step.say("note-config-unverified", &args));
                unread.push(&read.account);
            }
        }
    }
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
