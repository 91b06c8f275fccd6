//! security-hub: Security Hub CSPM (never V2) in every governed Region: Audit is the delegated
//! administrator with its own hub and FSBP, new accounts get a hub automatically, and every active
//! account of the organization is a member (Audit's member list) whose own hub runs FSBP `READY`
//! (read in the account itself: no administrator's view shows a member's standards under local
//! configuration), with AWS Config recording every supported resource type there (FSBP's controls
//! run on Config rules; see `recording`). A hub running anywhere makes the step at least partial.
//! One observation feeds the verdict and the plan.
//!
//! The plan turns on each missing hub without AWS's default standards (CIS) and adds FSBP, makes
//! Audit the administrator, auto-enables new accounts, and makes every existing account a member.
//! In the management account it first makes Config record (role, recorder, delivery channel to the
//! landing zone's Config bucket, start); every other account gets Config from Control Tower.
//! A hub that already runs other standards without FSBP, another administrator, or central
//! configuration is a conflict: those are the person's choices. FSBP that AWS has not made `READY`
//! (still being enabled, or missing AWS Config) is for the person to wait for or fix.

mod recording;

use futures_util::future::join_all;

use super::contacts::PlanFailure;
use super::coverage::{self, Account, Alone, Cell, Seen, change};
use crate::aws::change::Action;
use crate::aws::change::config::ROLE;
use crate::aws::config_service::{self, Recording};
use crate::aws::guardduty::Admin;
use crate::aws::securityhub::{self as sh, Member, OrgConfig, Standard};
use crate::aws::{At, Aws, AwsError};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::steps::Plan;
use crate::verdict::{Finding, Status};

/// The standards a hub runs, `None` when the account has no hub in the Region.
pub type Hub = Option<Vec<Standard>>;

/// Everything the step reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// The caller: the management account when the organization is covered.
    pub me: String,
    pub scope: Scope,
    /// Whether the management account has Config's service-linked role (read only for `Org`).
    pub config_role: Option<Seen<bool>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// Run from Audit: the organization's active accounts (management first), each governed Region,
    /// and the home Region (where the management account's recorder records global IAM types).
    Org { audit: String, accounts: Vec<Account>, regions: Vec<Region>, home: String },
    /// Nothing org-wide can be done from here: why, and whether a hub runs in this account, per
    /// Region (`DescribeHub`: a hub whose standards cannot be read still runs).
    Alone { why: Alone, own: Vec<(String, Seen<bool>)> },
}

/// What the management account, Audit and every other account showed in one Region.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub region: String,
    /// The delegated administrators, read from the management account.
    pub admins: Seen<Vec<Admin>>,
    /// Audit's hub.
    pub hub: Seen<Hub>,
    /// Read only when Audit is the administrator with a hub.
    pub config: Option<Seen<OrgConfig>>,
    pub members: Option<Seen<Vec<Member>>>,
    /// Every other account's own hub, read in the account.
    pub hubs: Vec<(String, Seen<Hub>)>,
    /// AWS Config in every account (Audit and the management account included), read in the account.
    pub recording: Vec<(String, Seen<Recording>)>,
}

impl Region {
    fn hub_of(&self, account: &str) -> Option<&Seen<Hub>> {
        self.hubs.iter().find(|(a, _)| a == account).map(|(_, h)| h)
    }

    fn recording_of(&self, account: &str) -> Option<&Seen<Recording>> {
        self.recording.iter().find(|(a, _)| a == account).map(|(_, r)| r)
    }
}

pub async fn observe(aws: &Aws, facts: &Facts) -> Result<Observed, AwsError> {
    let me = facts.identity.account.clone();
    let regions = &facts.governed_regions;
    // Trusted access and delegated administrators need an organization with all features.
    let reach = coverage::reach(facts)?.and_then(|found| match facts.managed_org() {
        Some(org) if !org.all_features => Err(Alone::NotAllFeatures),
        _ => Ok(found),
    });
    let mut config_role = None;
    let scope = match reach {
        Err(why) => {
            let places: Vec<At> = regions.iter().map(|r| At::new(&me, r)).collect();
            let own = join_all(places.iter().map(|at| sh::hub_enabled(aws, at))).await;
            Scope::Alone { why, own: regions.iter().cloned().zip(own).collect() }
        }
        Ok((audit, accounts)) => {
            let reads = regions.iter().map(|r| region(aws, &me, &audit, &accounts, r));
            let home = At::new(&me, &facts.home_region);
            let role = crate::aws::iam::role_exists(aws, &home, ROLE);
            let (regions, role) = tokio::join!(join_all(reads), role);
            config_role = Some(role);
            Scope::Org { regions, audit, accounts, home: facts.home_region.clone() }
        }
    };
    Ok(Observed { me, scope, config_role })
}

async fn hub(aws: &Aws, account: &str, region: &str) -> Seen<Hub> {
    sh::hub_standards(aws, &At::new(account, region)).await
}

async fn region(aws: &Aws, me: &str, audit: &str, accounts: &[Account], region: &str) -> Region {
    let (mine, theirs) = (At::new(me, region), At::new(audit, region));
    let (admins, audit_hub) = tokio::join!(sh::org_admins(aws, &mine), hub(aws, audit, region));
    let is_admin = admins.as_ref().is_ok_and(|l| coverage::audit_is_admin(l, audit));
    let others: Vec<&str> = accounts.iter().map(|a| a.id.as_str()).filter(|id| *id != audit).collect();
    let hubs = join_all(others.iter().map(|id| hub(aws, id, region)));
    let places: Vec<At> = accounts.iter().map(|a| At::new(&a.id, region)).collect();
    let config = join_all(places.iter().map(|at| config_service::recording(aws, at)));
    let org = async {
        if is_admin && matches!(audit_hub, Ok(Some(_))) {
            let (c, m) = tokio::join!(sh::org_config(aws, &theirs), sh::members(aws, &theirs));
            (Some(c), Some(m))
        } else {
            (None, None)
        }
    };
    let (hubs, recording, (config, members)) = tokio::join!(hubs, config, org);
    let hubs = others.iter().map(|id| (*id).to_owned()).zip(hubs).collect();
    let recording = accounts.iter().map(|a| a.id.clone()).zip(recording).collect();
    Region { region: region.to_owned(), admins, hub: audit_hub, config, members, hubs, recording }
}

/// The verdict, from the observation alone.
pub fn judge(o: &Observed, step: &Step) -> Vec<Finding> {
    let (audit, accounts, regions) = match &o.scope {
        Scope::Alone { why, own } => return coverage::alone_findings(&o.me, *why, step, own, "standalone-hub"),
        Scope::Org { audit, accounts, regions, .. } => (audit, accounts, regions),
    };
    let per_region = regions
        .iter()
        .map(|r| {
            let setup = coverage::parts_finding(audit, Some(&r.region), setup(step, audit, r));
            let cells = accounts.iter().map(|a| (a.id.clone(), cell(step, audit, &a.id, r))).collect();
            (setup, r.region.clone(), cells)
        })
        .collect();
    coverage::conclude(step, audit, accounts, per_region)
}

/// The organization-wide setup in one Region, as Audit runs it.
fn setup(step: &Step, audit: &str, r: &Region) -> Vec<Cell> {
    let mut parts = vec![coverage::admin_cell(step, &r.admins, audit)];
    match &r.hub {
        Err(e) => parts.push((Status::Unknown, e.explain())),
        Ok(None) => parts.push((Status::NotDone, step.say("hub-disabled", &[]))),
        Ok(Some(standards)) => {
            parts.push((Status::Done, step.say("hub-enabled", &[])));
            parts.push(fsbp(step, &r.region, standards));
        }
    }
    match &r.config {
        None => {}
        Some(Err(e)) => parts.push((Status::Unknown, e.explain())),
        Some(Ok(c)) if is_central(c) => {
            // Central configuration decides per policy; groundwork does not read policies yet,
            // so it cannot honestly call members covered.
            parts.push((Status::Unknown, step.say("central-configuration", &[])));
        }
        Some(Ok(c)) if c.auto_enable => parts.push((Status::Done, step.say("auto-enable-on", &[]))),
        Some(Ok(_)) => parts.push((Status::NotDone, step.say("auto-enable-off", &[]))),
    }
    parts
}

fn is_central(config: &OrgConfig) -> bool {
    config.configuration_type.as_deref() == Some("CENTRAL")
}

/// FSBP in one hub: `READY` is done; anything else running is partial.
fn fsbp(step: &Step, region: &str, standards: &[Standard]) -> Cell {
    match standards.iter().find(|s| s.arn == sh::fsbp_arn(region)) {
        // The hub runs, without FSBP: something is there, so partial.
        None => (Status::Partial, step.say("no-fsbp", &[])),
        Some(s) if s.status == "READY" => (Status::Done, step.say("fsbp-ready", &[])),
        Some(s) if s.status == "PENDING" => (Status::Partial, step.say("fsbp-pending", &[])),
        Some(s) => (Status::Partial, step.say("fsbp-problem", &[("status", &s.status), ("reason", &reason(step, s))])),
    }
}

/// AWS's reason for FSBP `INCOMPLETE` where no recorder records.
const NO_RECORDER: &str = "NO_AVAILABLE_CONFIGURATION_RECORDER";

/// AWS's reason code and what it means, in plain words.
fn reason(step: &Step, s: &Standard) -> String {
    match s.reason.as_deref() {
        None => step.say("reason-none", &[]),
        Some(
            code @ ("NO_AVAILABLE_CONFIGURATION_RECORDER"
            | "MAXIMUM_NUMBER_OF_CONFIG_RULES_EXCEEDED"
            | "INTERNAL_ERROR"),
        ) => {
            format!("{code}: {}", step.say(&format!("reason-{code}"), &[]))
        }
        Some(code) => code.to_owned(),
    }
}

/// Whether the administrator manages the account (`Enabled`, or the older `Associated`, in
/// whichever case AWS writes it).
fn is_managed(status: &str) -> bool {
    status.eq_ignore_ascii_case("enabled") || status.eq_ignore_ascii_case("associated")
}

/// One account in one Region: its own hub and FSBP, Config recording there, and, for every
/// account but Audit, a managed membership of Audit.
fn cell(step: &Step, audit: &str, account: &str, r: &Region) -> Cell {
    let hub = if account == audit { Some(&r.hub) } else { r.hub_of(account) };
    let config = recording::cell(step, r.recording_of(account));
    let standards = match hub {
        Some(Err(e)) => return (Status::Unknown, e.explain()),
        // Config recording alone is not Security Hub running: no hub is not done, whatever Config does.
        None | Some(Ok(None)) => {
            return (Status::NotDone, format!("{}; {}", step.say("account-no-hub", &[]), config.1));
        }
        Some(Ok(Some(s))) => s,
    };
    let own = fsbp(step, &r.region, standards);
    if account == audit {
        return both(own.1, own.0, config);
    }
    let membership = match &r.members {
        Some(Err(e)) => (Status::Unknown, e.explain()),
        Some(Ok(list)) => match list.iter().find(|m| m.account == account).map(|m| m.status.as_str()) {
            Some(status) if is_managed(status) => (Status::Done, step.say("member-enabled", &[])),
            Some(status) => (Status::Partial, step.say("member-status", &[("status", status)])),
            None => (Status::Partial, step.say("member-none", &[])),
        },
        // Without Audit as administrator there are no members: this hub runs on its own.
        None => (Status::Partial, step.say("member-none", &[])),
    };
    let status = coverage::honest(&[own.0, membership.0, config.0]);
    (status, format!("{}; {}; {}", own.1, membership.1, config.1))
}

/// A hub part and the Config part of one cell.
fn both(detail: String, status: Status, config: Cell) -> Cell {
    (coverage::honest(&[status, config.0]), format!("{detail}; {}", config.1))
}

/// The changes that would make the step done, from the same observation. A read the plan needs
/// that failed stops it: nothing is planned blind.
pub fn plan(o: &Observed, step: &Step) -> Result<Plan, PlanFailure> {
    let (audit, accounts, regions, home) = match &o.scope {
        Scope::Alone { why, .. } => return Ok(coverage::stopped(why.conflict())),
        Scope::Org { audit, accounts, regions, home } => (audit, accounts, regions, home),
    };
    let mut plan = Plan::default();
    // The role is read only when a recorder is to be made with it.
    let needs_role = regions.iter().any(|r| matches!(r.recording_of(&o.me), Some(Ok(c)) if c.own().is_none()));
    let mut role = match &o.config_role {
        Some(read) if needs_role => *seen(read)?,
        // Not read: nothing to be made with it, or (never for `Org`) no read at all.
        _ => !needs_role,
    };
    let mut config_planned = false;
    for r in regions {
        let (mine, theirs) = (At::new(&o.me, &r.region), At::new(audit, &r.region));
        // Config first: FSBP turns READY only where a recorder records.
        let mine_records = match r.recording_of(&o.me) {
            Some(seen_here) => {
                let bucket = match r.recording_of(audit) {
                    Some(Ok(a)) => a.channels.iter().find(|c| c.bucket.is_some()),
                    _ => None,
                };
                let own = recording::Own {
                    at: mine.clone(),
                    seen: seen_here,
                    bucket,
                    home: &r.region == home,
                    role: &mut role,
                };
                recording::plan_own(step, own, &mut plan)?
            }
            None => false,
        };
        config_planned |= mine_records;
        for Account { id, .. } in accounts.iter().filter(|a| a.id != o.me) {
            recording::plan_member(step, id, &r.region, r.recording_of(id), &mut plan)?;
        }
        let is_admin = match coverage::audit_admin(step, seen(&r.admins)?, audit, &r.region) {
            Ok(yes) => yes,
            Err(conflict) => {
                plan.conflicts.push(conflict);
                continue;
            }
        };
        let Some(had_hub) = own_hub(step, &theirs, seen(&r.hub)?, false, &mut plan) else { continue };
        if !is_admin {
            plan.changes.push(change(&mine, Action::EnableSecurityHubAdmin { admin: audit.clone() }));
        }
        let config = match &r.config {
            Some(c) if is_admin && had_hub => Some(seen(c)?),
            _ => None,
        };
        if config.is_some_and(is_central) {
            // Central configuration is governed by policies; switching it back to LOCAL would undo them.
            plan.conflicts.push(step.say("conflict-central", &[("region", &r.region)]));
            continue;
        }
        if !config.is_some_and(|c| c.auto_enable) {
            plan.changes.push(change(&theirs, Action::SecurityHubAutoEnable));
        }
        let current = match &r.members {
            Some(m) if is_admin && had_hub => seen(m)?.as_slice(),
            _ => &[],
        };
        for Account { id, .. } in accounts.iter().filter(|a| &a.id != audit) {
            let hub = match r.hub_of(id) {
                Some(h) => seen(h)?,
                None => &None,
            };
            let records_now = id == &o.me && mine_records;
            if own_hub(step, &At::new(id, &r.region), hub, records_now, &mut plan).is_none() {
                continue; // its own standards: a conflict, already said
            }
            let status = current.iter().find(|m| &m.account == id).map(|m| m.status.as_str());
            match (status, status.map(str::to_ascii_lowercase).as_deref()) {
                (_, Some(s)) if is_managed(s) => {}
                // AWS lets the administrator add back an account that was removed or deleted.
                (None, _) | (_, Some("removed" | "deleted" | "resigned")) => {
                    plan.changes.push(change(&theirs, Action::CreateSecurityHubMember { account: id.clone() }));
                }
                (Some(other), _) => {
                    let args = [("account", id.as_str()), ("region", r.region.as_str()), ("status", other)];
                    plan.conflicts.push(step.say("conflict-member-status", &args));
                }
            }
        }
    }
    if config_planned {
        plan.notes.push(step.say("plan-config-cost", &[("account", &o.me)]));
    }
    Ok(plan)
}

fn seen<T>(read: &Seen<T>) -> Result<&T, PlanFailure> {
    read.as_ref().map_err(|e| PlanFailure::Aws(e.clone()))
}

/// Plans the account's own hub with FSBP in `at`: `Some(true)` when it already had a hub,
/// `Some(false)` when this plan turns one on, `None` when the account runs other standards without
/// FSBP (a conflict, added to the plan). FSBP that is there but not `READY` is for the person,
/// unless it only lacks the Config recorder this plan makes (`config_planned`).
fn own_hub(step: &Step, at: &At, hub: &Hub, config_planned: bool, plan: &mut Plan) -> Option<bool> {
    let Some(standards) = hub else {
        // Enabled before it is a member, so AWS does not turn on every default standard for us.
        plan.changes.push(change(at, Action::EnableHub));
        plan.changes.push(change(at, Action::EnableFsbp));
        return Some(false);
    };
    let (account, region) = (at.account.as_str(), at.region.as_str());
    match standards.iter().find(|s| s.arn == sh::fsbp_arn(region)) {
        Some(s) if s.status == "READY" => {}
        // AWS is still turning it on (a run that stopped waiting, or another tool): nothing to
        // change, only to wait for; never enabled a second time.
        Some(s) if s.status == "PENDING" => {
            plan.changes.push(change(at, Action::WaitForFsbp));
            plan.manual = true;
            plan.notes.push(step.say("plan-fsbp-pending", &[("account", account), ("region", region)]));
        }
        // AWS makes it READY once the recorder this plan makes records.
        Some(s) if config_planned && s.reason.as_deref() == Some(NO_RECORDER) => {
            plan.notes.push(step.say("plan-fsbp-after-config", &[("account", account), ("region", region)]));
        }
        // INCOMPLETE or FAILED (AWS Config not recording, most often), or being deleted.
        Some(s) => {
            plan.manual = true;
            let why = reason(step, s);
            let args = [("account", account), ("region", region), ("status", &s.status), ("reason", &why)];
            plan.notes.push(step.say("plan-fsbp-problem", &args));
        }
        None if standards.is_empty() => plan.changes.push(change(at, Action::EnableFsbp)),
        None => {
            let names: Vec<&str> = standards.iter().map(|s| s.arn.as_str()).collect();
            let args = [("account", account), ("region", region), ("standards", &names.join(", "))];
            plan.conflicts.push(step.say("conflict-other-standards", &args));
            return None;
        }
    }
    Some(true)
}

/// `check`: observe, then judge.
pub async fn check(aws: &Aws, facts: &Facts, step: &Step) -> Vec<Finding> {
    match observe(aws, facts).await {
        Ok(o) => judge(&o, step),
        Err(e) => vec![super::unknown(&e)],
    }
}

/// `plan` and `apply`: observe, then plan.
pub async fn plan_live(ctx: &mut crate::steps::Ctx<'_>) -> Result<Plan, crate::steps::PlanError> {
    let o = observe(ctx.aws, ctx.facts).await?;
    Ok(plan(&o, ctx.step)?)
}
