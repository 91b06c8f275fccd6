//! guardduty: in every governed Region, Audit is the delegated administrator, its detector is
//! enabled, auto-enable is ALL (with every protection plan the person chose on for the whole
//! organization), and every active account of the organization is a member whose relationship is
//! `Enabled` (read from Audit's own member list, so no role is assumed into an account that is
//! covered). An account that is not covered is looked at from inside: a detector of its own makes
//! it partial in the verdict and a conflict in the plan, since enrolling it would apply the
//! organization's settings over its own. One observation feeds the verdict and the plan.
//!
//! The plan creates Audit's detector naming every protection plan on or off as chosen (AWS's paid
//! defaults are not switched on silently), makes Audit the administrator, sets auto-enable ALL
//! (organization-level plans the person already has are kept, never lowered), and enrols every
//! existing account now instead of within the 24 hours ALL takes.

use futures_util::future::join_all;

use super::contacts::PlanFailure;
use super::coverage::{self, Account, Alone, Cell, Seen, change};
use crate::aws::change::guardduty::is_org_feature;
use crate::aws::change::{Action, Ref};
use crate::aws::guardduty::{self as gd, Admin, Detector, Member, OrgConfig};
use crate::aws::{At, Aws, AwsError};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::inputs::{Ask, GUARDDUTY_PLANS, declared};
use crate::steps::Answers;
use crate::steps::Plan;
use crate::verdict::{Finding, Status};

/// The person's choice of paid protection plans.
pub const PLANS_KEY: &str = "guardduty.plans";

/// Everything the step reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// The caller: the management account when the organization is covered.
    pub me: String,
    pub scope: Scope,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// Run from Audit: the organization's active accounts (management first), each governed Region.
    Org { audit: String, accounts: Vec<Account>, regions: Vec<Region> },
    /// Nothing org-wide can be done from here: why, and this account's own detector per Region.
    Alone { why: Alone, own: Vec<(String, Seen<Option<Detector>>)> },
}

/// What the management account and Audit showed in one Region.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub region: String,
    /// The delegated administrators, read from the management account.
    pub admins: Seen<Vec<Admin>>,
    /// Audit's detector.
    pub detector: Seen<Option<Detector>>,
    /// Read only when Audit is the administrator with a detector.
    pub config: Option<Seen<OrgConfig>>,
    pub members: Option<Seen<Vec<Member>>>,
    /// The detector of each account (other than Audit) that is not an `Enabled` member, read in
    /// the account itself; not read when the member list could not be.
    pub inside: Vec<(String, Seen<Option<Detector>>)>,
}

impl Region {
    fn inside(&self, account: &str) -> Option<&Seen<Option<Detector>>> {
        self.inside.iter().find(|(a, _)| a == account).map(|(_, d)| d)
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
    let scope = match reach {
        Err(why) => {
            let reads = regions.iter().map(|r| {
                let at = At::new(&me, r);
                async move { gd::detector(aws, &at).await }
            });
            let own = regions.iter().cloned().zip(join_all(reads).await).collect();
            Scope::Alone { why, own }
        }
        Ok((audit, accounts)) => {
            let reads = regions.iter().map(|r| region(aws, &me, &audit, &accounts, r));
            Scope::Org { regions: join_all(reads).await, audit, accounts }
        }
    };
    Ok(Observed { me, scope })
}

async fn region(aws: &Aws, me: &str, audit: &str, accounts: &[Account], region: &str) -> Region {
    let (mine, theirs) = (At::new(me, region), At::new(audit, region));
    let (admins, detector) = tokio::join!(gd::org_admins(aws, &mine), gd::detector(aws, &theirs));
    let is_admin = admins.as_ref().is_ok_and(|l| coverage::audit_is_admin(l, audit));
    let (config, members) = match &detector {
        Ok(Some(d)) if is_admin => {
            let (c, m) = tokio::join!(gd::org_config(aws, &theirs, &d.id), gd::members(aws, &theirs, &d.id));
            (Some(c), Some(m))
        }
        _ => (None, None),
    };
    let enabled =
        |id: &str| matches!(&members, Some(Ok(l)) if l.iter().any(|m| m.account == id && m.status == "Enabled"));
    let outside: Vec<&str> = match &members {
        Some(Err(_)) => Vec::new(),
        _ => accounts.iter().map(|a| a.id.as_str()).filter(|id| *id != audit && !enabled(id)).collect(),
    };
    let reads = outside.iter().map(|id| {
        let at = At::new(id, region);
        async move { gd::detector(aws, &at).await }
    });
    let inside = outside.iter().map(|id| (*id).to_owned()).zip(join_all(reads).await).collect();
    Region { region: region.to_owned(), admins, detector, config, members, inside }
}

/// The chosen plans, each on or off, from the answer (`none` or a comma-separated list).
fn chosen(answer: &str) -> Vec<(String, bool)> {
    GUARDDUTY_PLANS.iter().map(|p| ((*p).to_owned(), answer.split(',').any(|c| c == *p))).collect()
}

/// The verdict, judged with the person's choice of protection plans.
pub fn judge(o: &Observed, answers: &Answers, step: &Step) -> Vec<Finding> {
    let (audit, accounts, regions) = match &o.scope {
        Scope::Alone { why, own } => {
            let running: Vec<(String, Seen<bool>)> = own
                .iter()
                .map(|(r, d)| (r.clone(), d.clone().map(|d| d.is_some_and(|d| d.status == "ENABLED"))))
                .collect();
            return coverage::alone_findings(&o.me, *why, step, &running, "standalone-detector");
        }
        Scope::Org { audit, accounts, regions } => (audit, accounts, regions),
    };
    let default = declared(PLANS_KEY).and_then(|i| i.default.clone()).unwrap_or_default();
    let plans = chosen(answers.get(PLANS_KEY).unwrap_or(&default));
    let per_region = regions
        .iter()
        .map(|r| {
            let setup = coverage::parts_finding(audit, Some(&r.region), setup(step, audit, &plans, r));
            let cells = accounts.iter().map(|a| (a.id.clone(), cell(step, audit, &a.id, r))).collect();
            (setup, r.region.clone(), cells)
        })
        .collect();
    coverage::conclude(step, audit, accounts, per_region)
}

/// The organization-wide setup in one Region, as Audit runs it.
fn setup(step: &Step, audit: &str, plans: &[(String, bool)], r: &Region) -> Vec<Cell> {
    let mut parts = vec![coverage::admin_cell(step, &r.admins, audit), detector_cell(step, &r.detector)];
    // The administrator's frequency is the organization's: updates to a finding in any account
    // reach the alert email only this often.
    if let Ok(Some(d)) = &r.detector
        && d.status == "ENABLED"
        && d.frequency != gd::FREQUENCY
    {
        parts.push((Status::Partial, step.say("frequency-slow", &[("frequency", &d.frequency)])));
    }
    match &r.config {
        None => {}
        Some(Err(e)) => parts.push((Status::Unknown, e.explain())),
        Some(Ok(c)) => {
            parts.push(if c.members == "ALL" {
                (Status::Done, step.say("auto-enable-all", &[]))
            } else {
                (Status::NotDone, step.say("auto-enable-partial", &[("value", &c.members)]))
            });
            let off = lowered(plans, c);
            if !off.is_empty() {
                parts.push((Status::NotDone, step.say("plans-not-all", &[("plans", &off.join(", "))])));
            }
        }
    }
    parts
}

fn detector_cell(step: &Step, detector: &Seen<Option<Detector>>) -> Cell {
    match detector {
        Err(e) => (Status::Unknown, e.explain()),
        Ok(None) => (Status::NotDone, step.say("no-detector", &[])),
        Ok(Some(d)) if d.status == "ENABLED" => (Status::Done, step.say("detector-enabled", &[])),
        // A suspended detector watches nothing: never done, whatever else is configured.
        Ok(Some(_)) => (Status::NotDone, step.say("detector-suspended", &[])),
    }
}

/// The chosen organization-level plans that do not yet cover every account (auto-enable not ALL).
fn lowered(plans: &[(String, bool)], config: &OrgConfig) -> Vec<String> {
    let all = |name: &str| config.features.iter().any(|(n, v)| n == name && v == "ALL");
    plans.iter().filter(|(n, on)| *on && is_org_feature(n) && !all(n)).map(|(n, _)| n.clone()).collect()
}

/// One account in one Region: covered when it is Audit with an enabled detector, or an `Enabled`
/// member; otherwise what runs inside it.
fn cell(step: &Step, audit: &str, account: &str, r: &Region) -> Cell {
    if account == audit {
        return detector_cell(step, &r.detector);
    }
    let membership = match &r.members {
        Some(Err(e)) => return (Status::Unknown, e.explain()),
        Some(Ok(list)) => list.iter().find(|m| m.account == account).map(|m| m.status.as_str()),
        None => None,
    };
    if membership == Some("Enabled") {
        return (Status::Done, step.say("member-enabled", &[]));
    }
    let enrolling = matches!(&r.config, Some(Ok(c)) if c.members == "ALL");
    let why = match membership {
        Some(status) => step.say("member-status", &[("status", status)]),
        None if enrolling => step.say("member-enrolling", &[]),
        None => step.say("member-none", &[]),
    };
    match r.inside(account) {
        Some(Ok(Some(d))) if d.status == "ENABLED" => {
            (Status::Partial, format!("{why}; {}", step.say("own-detector", &[])))
        }
        Some(Err(e)) => (Status::Unknown, format!("{why}; {}", e.explain())),
        _ => (Status::NotDone, why),
    }
}

/// The changes that would make the step done, from the same observation. A read the plan needs
/// that failed stops it: nothing is planned blind.
pub fn plan(o: &Observed, ask: &mut dyn Ask, step: &Step) -> Result<Plan, PlanFailure> {
    let (audit, accounts, regions) = match &o.scope {
        Scope::Alone { why, .. } => return Ok(coverage::stopped(why.conflict())),
        Scope::Org { audit, accounts, regions } => (audit, accounts, regions),
    };
    let plans = chosen(&ask.get(PLANS_KEY, None)?);
    let mut plan = Plan::default();
    let mut kept_notes = Vec::new();
    for r in regions {
        let (mine, theirs) = (At::new(&o.me, &r.region), At::new(audit, &r.region));
        let is_admin = match coverage::audit_admin(step, seen(&r.admins)?, audit, &r.region) {
            Ok(yes) => yes,
            Err(conflict) => {
                plan.conflicts.push(conflict);
                continue;
            }
        };
        let detector = match seen(&r.detector)? {
            None => {
                plan.changes.push(change(&theirs, Action::CreateDetector { plans: plans.clone() }));
                Ref::Output(format!("detector:{}", r.region))
            }
            Some(d) if d.status != "ENABLED" => {
                plan.conflicts.push(step.say("conflict-suspended", &[("account", audit), ("region", &r.region)]));
                continue;
            }
            Some(d) => {
                if d.frequency != gd::FREQUENCY {
                    plan.changes.push(change(&theirs, Action::SetFindingFrequency { detector: d.id.clone() }));
                }
                Ref::Known(d.id.clone())
            }
        };
        if !is_admin {
            plan.changes.push(change(&mine, Action::EnableGuardDutyAdmin { admin: audit.clone() }));
        }
        let config = match &r.config {
            Some(c) => seen(c)?.clone(),
            None => OrgConfig::default(),
        };
        let current = match &r.members {
            Some(m) => seen(m)?.as_slice(),
            None => &[],
        };
        let (features, kept) = org_features(&plans, &config);
        for (name, value) in kept {
            let note = format!("{name}={value}");
            if !kept_notes.contains(&note) {
                kept_notes.push(note);
            }
        }
        if config.members != "ALL" || !lowered(&plans, &config).is_empty() {
            let action = Action::GuardDutyAutoEnable { detector: detector.clone(), features };
            plan.changes.push(change(&theirs, action));
        }
        for Account { id, email } in accounts.iter().filter(|a| &a.id != audit) {
            let at = [("account", id.as_str()), ("region", r.region.as_str())];
            match current.iter().find(|m| &m.account == id).map(|m| m.status.as_str()) {
                Some("Enabled") => {}
                Some(status) => {
                    let args = [at[0], at[1], ("status", status)];
                    plan.conflicts.push(step.say("conflict-member-status", &args));
                }
                // A detector of its own (even suspended) would be overridden by enrolment.
                None => match r.inside(id).map(seen).transpose()? {
                    Some(Some(_)) => plan.conflicts.push(step.say("conflict-own-detector", &at)),
                    _ => plan.changes.push(change(
                        &theirs,
                        Action::CreateGuardDutyMember {
                            detector: detector.clone(),
                            account: id.clone(),
                            email: email.clone(),
                        },
                    )),
                },
            }
        }
    }
    if plan.changes.iter().any(|c| matches!(c.action, Action::CreateDetector { .. })) {
        let on: Vec<&str> = plans.iter().filter(|(_, on)| *on).map(|(p, _)| p.as_str()).collect();
        let on = if on.is_empty() { "none".to_owned() } else { on.join(", ") };
        plan.notes.push(step.say("plan-plans", &[("plans", &on)]));
    }
    if !kept_notes.is_empty() {
        plan.notes.push(step.say("plan-kept-features", &[("features", &kept_notes.join(", "))]));
    }
    Ok(plan)
}

fn seen<T>(read: &Seen<T>) -> Result<&T, PlanFailure> {
    read.as_ref().map_err(|e| PlanFailure::Aws(e.clone()))
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

/// `check`: observe, then judge with the person's answers.
pub async fn check(aws: &Aws, facts: &Facts, answers: &Answers, step: &Step) -> Vec<Finding> {
    match observe(aws, facts).await {
        Ok(o) => judge(&o, answers, step),
        Err(e) => vec![super::unknown(&e)],
    }
}

/// `plan` and `apply`: observe, then plan.
pub async fn plan_live(ctx: &mut crate::steps::Ctx<'_>) -> Result<Plan, crate::steps::PlanError> {
    let o = observe(ctx.aws, ctx.facts).await?;
    Ok(plan(&o, ctx.ask, ctx.step)?)
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
        assert_eq!(lowered(&plans, &config), vec!["EKS_AUDIT_LOGS".to_owned()]);
        let (features, kept) = org_features(&plans, &OrgConfig::default());
        assert_eq!(features[0], ("S3_DATA_EVENTS".to_owned(), "NONE".to_owned()));
        assert!(kept.is_empty());
    }
}
