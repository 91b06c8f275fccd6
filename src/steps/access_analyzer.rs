//! access-analyzer: IAM Access Analyzer's external-access analyzer with the organization as its zone
//! of trust, `ACTIVE` in every governed Region, run from Audit as the delegated administrator for
//! `access-analyzer.amazonaws.com`. AWS asks for trusted access first when this is set up through its
//! API (IAM user guide, *Add a delegated administrator for IAM Access Analyzer*), then the
//! registration, both from the management account; the analyzers are then created in Audit. One
//! observation feeds the verdict and the plan.
//!
//! Active findings (resources shared outside the organization) are counted in the verdict's words:
//! each is worth a look, none makes the step fail. An organization analyzer the person already has
//! in Audit is used whatever its name, never replaced; groundwork never creates the paid unused-access
//! analyzer.

use futures_util::future::join_all;

use super::contacts::PlanFailure;
use super::coverage::{self, Alone, Cell, Seen, change};
use crate::aws::access_analyzer::{self as aa, Analyzer};
use crate::aws::change::Action;
use crate::aws::guardduty::Admin;
use crate::aws::{At, Aws, AwsError, organizations};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::steps::{Change, Plan};
use crate::verdict::{Finding, Status};

/// The service principal of trusted access and of the delegated administrator.
pub const PRINCIPAL: &str = "access-analyzer.amazonaws.com";
/// The name of the analyzer groundwork creates (one per Region, in Audit).
pub const NAME: &str = "groundwork-organization";
/// The analyzer type this step is about: external access, the organization as zone of trust (free).
const ORGANIZATION: &str = "ORGANIZATION";

/// Everything the step reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// The caller: the management account when the organization is covered.
    pub me: String,
    /// Where the management account's (global) calls are made from.
    pub home: String,
    pub scope: Scope,
}

// Observed once per check and plan: the size of the larger variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// Run from Audit: trusted access and the delegated administrators (read from the management
    /// account), and Audit's analyzers in each governed Region.
    Org { audit: String, trusted: Seen<bool>, admins: Seen<Vec<String>>, regions: Vec<Region> },
    /// Nothing org-wide can be done from here: why, and this account's own analyzers per Region.
    Alone { why: Alone, own: Vec<(String, Seen<Vec<Analyzer>>)> },
}

/// Audit's analyzers in one Region.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub region: String,
    pub analyzers: Seen<Vec<Analyzer>>,
    /// The active findings of the `ACTIVE` organization analyzer, when there is one.
    pub findings: Option<Seen<usize>>,
}

impl Region {
    fn organization(&self) -> Vec<&Analyzer> {
        self.analyzers.as_ref().map(|l| l.iter().filter(|a| a.kind == ORGANIZATION).collect()).unwrap_or_default()
    }

    fn active(&self) -> Option<&Analyzer> {
        self.organization().into_iter().find(|a| a.status == "ACTIVE")
    }
}

pub async fn observe(aws: &Aws, facts: &Facts) -> Result<Observed, AwsError> {
    let me = facts.identity.account.clone();
    let home = aws.region().to_owned();
    let regions = &facts.governed_regions;
    // Trusted access and delegated administrators need an organization with all features.
    let reach = coverage::reach(facts)?.and_then(|found| match facts.managed_org() {
        Some(org) if !org.all_features => Err(Alone::NotAllFeatures),
        _ => Ok(found),
    });
    let scope = match reach {
        Err(why) => {
            let reads = regions.iter().map(|r| {
                let at = At::new(&me, r);
                async move { aa::analyzers(aws, &at).await }
            });
            Scope::Alone { why, own: regions.iter().cloned().zip(join_all(reads).await).collect() }
        }
        Ok((audit, _)) => {
            let mine = At::new(&me, &home);
            let (trusted, admins, regions) = tokio::join!(
                organizations::service_access(aws, &mine),
                organizations::delegated_admins(aws, &mine, PRINCIPAL),
                join_all(regions.iter().map(|r| region(aws, &audit, r)))
            );
            let trusted = trusted.map(|list| list.iter().any(|p| p == PRINCIPAL));
            Scope::Org { audit, trusted, admins, regions }
        }
    };
    Ok(Observed { me, home, scope })
}

async fn region(aws: &Aws, audit: &str, region: &str) -> Region {
    let at = At::new(audit, region);
    let analyzers = aa::analyzers(aws, &at).await;
    let mut r = Region { region: region.to_owned(), analyzers, findings: None };
    if let Some(arn) = r.active().map(|a| a.arn.clone()) {
        r.findings = Some(aa::active_findings(aws, &at, &arn).await);
    }
    r
}

pub fn judge(o: &Observed, step: &Step) -> Vec<Finding> {
    let (audit, trusted, admins, regions) = match &o.scope {
        Scope::Alone { why, own } => {
            let running: Vec<(String, Seen<bool>)> =
                own.iter().map(|(r, seen)| (r.clone(), seen.clone().map(|l| l.iter().any(watching)))).collect();
            return coverage::alone_findings(&o.me, *why, step, &running, "standalone-analyzer");
        }
        Scope::Org { audit, trusted, admins, regions } => (audit, trusted, admins, regions),
    };
    let trust = match trusted {
        Err(e) => (Status::Unknown, e.explain()),
        Ok(true) => (Status::Done, step.say("trusted-on", &[])),
        Ok(false) => (Status::NotDone, step.say("trusted-off", &[])),
    };
    let admin = coverage::admin_cell(step, &as_admins(admins), audit);
    let mut findings = vec![coverage::parts_finding(&o.me, None, vec![trust, admin])];
    findings.extend(regions.iter().map(|r| {
        let (status, detail) = region_cell(step, r);
        Finding::new(audit, Some(&r.region), status, detail)
    }));
    findings
}

/// An analyzer that watches for external access now (of the account or the organization).
fn watching(a: &Analyzer) -> bool {
    (a.kind == ORGANIZATION || a.kind == "ACCOUNT") && a.status == "ACTIVE"
}

/// The delegated administrators as the shared admin cells read them (Organizations lists only
/// registered ones: each is enabled).
fn as_admins(admins: &Seen<Vec<String>>) -> Seen<Vec<Admin>> {
    admins.clone().map(|l| l.into_iter().map(|account| Admin { account, status: "ENABLED".into() }).collect())
}

/// Audit's analyzers in one Region, judged.
fn region_cell(step: &Step, r: &Region) -> Cell {
    let list = match &r.analyzers {
        Err(e) => return (Status::Unknown, e.explain()),
        Ok(list) => list,
    };
    if let Some(a) = r.active() {
        let findings = match &r.findings {
            Some(Ok(0)) | None => step.say("no-findings", &[]),
            Some(Ok(n)) => step.say("findings", &[("count", &n.to_string())]),
            Some(Err(e)) => step.say("findings-unread", &[("why", &e.explain())]),
        };
        return (Status::Done, step.say("org-active", &[("name", &a.name), ("findings", &findings)]));
    }
    let organization = r.organization();
    if let Some(a) = organization.iter().find(|a| a.status == "CREATING") {
        return (Status::Partial, step.say("org-creating", &[("name", &a.name)]));
    }
    // Something else watching this Region (Audit alone) is partial: what runs is never "not set up".
    let account = list.iter().find(|a| a.kind == "ACCOUNT" && a.status == "ACTIVE");
    let stopped = organization.first().map(|a| stopped(step, a));
    match (account, stopped) {
        (Some(a), Some(s)) => (Status::Partial, format!("{} {s}", step.say("account-only", &[("name", &a.name)]))),
        (Some(a), None) => (Status::Partial, step.say("account-only", &[("name", &a.name)])),
        (None, Some(s)) => (Status::NotDone, s),
        (None, None) => (Status::NotDone, step.say("no-analyzer", &[])),
    }
}

/// An organization analyzer that is not running (`DISABLED` or `FAILED`), with AWS's reason.
fn stopped(step: &Step, a: &Analyzer) -> String {
    let reason = a.reason.as_deref().unwrap_or("no reason given");
    step.say("org-stopped", &[("name", &a.name), ("status", &a.status), ("reason", reason)])
}

/// Reasons AWS gives for disabling an organization analyzer that the planned trusted access and
/// registration put right (AWS: the analyzers come back once the account is delegated administrator
/// again).
const RESTORED_BY_PLAN: [&str; 2] = ["AWS_SERVICE_ACCESS_DISABLED", "DELEGATED_ADMINISTRATOR_DEREGISTERED"];

/// The changes that would make the step done, from the same observation. A read the plan needs
/// that failed stops it: nothing is planned blind.
pub fn plan(o: &Observed, step: &Step) -> Result<Plan, PlanFailure> {
    let (audit, trusted, admins, regions) = match &o.scope {
        Scope::Alone { why, .. } => return Ok(coverage::stopped(why.conflict())),
        Scope::Org { audit, trusted, admins, regions } => (audit, trusted, admins, regions),
    };
    let mut plan = Plan::default();
    let mine = At::new(&o.me, &o.home);
    let global = |action| Change { at: mine.clone(), global: true, action };
    let trusted = *seen(trusted)?;
    if !trusted {
        plan.changes.push(global(Action::EnableServiceAccess { principal: PRINCIPAL.into() }));
    }
    let admins = as_admins(admins).map_err(PlanFailure::Aws)?;
    let is_admin = match coverage::audit_admin(step, &admins, audit, &o.home) {
        Ok(yes) => yes,
        Err(conflict) => {
            plan.conflicts.push(conflict);
            false
        }
    };
    if !is_admin && plan.conflicts.is_empty() {
        plan.changes
            .push(global(Action::RegisterDelegatedAdmin { account: audit.clone(), principal: PRINCIPAL.into() }));
    }
    let repairs = !trusted || !is_admin;
    for r in regions {
        let at = At::new(audit, &r.region);
        let list = seen(&r.analyzers)?;
        let organization = r.organization();
        if organization.iter().any(|a| a.status == "ACTIVE") {
            continue;
        }
        if let Some(a) = organization.iter().find(|a| a.status == "CREATING") {
            plan.changes.push(change(&at, Action::WaitForAnalyzer { name: a.name.clone() }));
            continue;
        }
        let args = [("account", audit.as_str()), ("region", r.region.as_str())];
        if let Some(a) = organization.first() {
            let restored = a.status == "DISABLED" && a.reason.as_deref().is_some_and(|c| RESTORED_BY_PLAN.contains(&c));
            if restored && repairs {
                let args = [args[0], args[1], ("name", a.name.as_str())];
                plan.notes.push(step.say("plan-restored", &args));
            } else {
                let reason = a.reason.as_deref().unwrap_or("no reason given");
                let args = [args[0], args[1], ("name", &a.name), ("status", &a.status), ("reason", reason)];
                plan.conflicts.push(step.say("conflict-stopped", &args));
            }
            continue;
        }
        if let Some(taken) = list.iter().find(|a| a.name == NAME) {
            let args = [args[0], args[1], ("name", NAME), ("type", taken.kind.as_str())];
            plan.conflicts.push(step.say("conflict-name", &args));
            continue;
        }
        plan.changes.push(change(&at, Action::CreateAnalyzer { name: NAME.into() }));
    }
    if plan.changes.iter().any(|c| matches!(c.action, Action::CreateAnalyzer { .. })) {
        plan.notes.push(step.say("plan-free", &[]));
    }
    Ok(plan)
}

fn seen<T>(read: &Seen<T>) -> Result<&T, PlanFailure> {
    read.as_ref().map_err(|e| PlanFailure::Aws(e.clone()))
}

pub async fn check(aws: &Aws, facts: &Facts, step: &Step) -> Vec<Finding> {
    match observe(aws, facts).await {
        Ok(o) => judge(&o, step),
        Err(e) => vec![super::unknown(&e)],
    }
}

pub async fn plan_live(ctx: &mut crate::steps::Ctx<'_>) -> Result<Plan, crate::steps::PlanError> {
    let o = observe(ctx.aws, ctx.facts).await?;
    Ok(plan(&o, ctx.step)?)
}
