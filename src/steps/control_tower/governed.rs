//! control-tower, once the landing zone is in sync: does it govern every account? Its manifest must
//! run centralized logging, Config and the security roles, and every OU holding an active member
//! account (the integration accounts' OU aside) must have `AWSControlTowerBaseline` enabled and
//! succeeded at the version that fits the landing zone. Accounts directly under the root go into a
//! `Workloads` OU. One assessment ([`assess`]) feeds both the verdict and the plan. Pure.

use std::collections::BTreeSet;

use crate::aws::At;
use crate::aws::change::{Action, Ref, controltower};
use crate::aws::controltower::LandingZone;
use crate::aws::governance::{Governance, Ou, WORKLOADS};
use crate::aws::organizations::OrgAccount;
use crate::catalog::Step;
use crate::landing_zone;
use crate::steps::{Change, Plan};
use crate::verdict::{Finding, Status};

/// The baseline that registers an OU, and the one whose enablement carries Identity Center access.
pub const CT_BASELINE: &str = "AWSControlTowerBaseline";
pub const IC_BASELINE: &str = "IdentityCenterBaseline";

/// The organization as Control Tower governs it: its accounts and what was read about them.
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    pub accounts: Vec<OrgAccount>,
    pub governance: Governance,
}

/// What an OU still needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// No `AWSControlTowerBaseline` on it.
    Register,
    /// Its baseline is under change: wait for this operation (none: AWS named none).
    Wait(Option<String>),
    /// Its baseline's last operation failed: reset it (the enabled baseline's ARN).
    Reset(String),
    /// Enabled at another version than the landing zone's (the version it has).
    Version(String),
    /// A status groundwork does not know.
    Unjudged(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct OuNeed<'a> {
    pub ou: &'a Ou,
    pub need: Need,
}

/// Everything between an in-sync landing zone and done.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment<'a> {
    /// Manifest blocks that are off or lack their account.
    pub off: Vec<&'static str>,
    /// Why the OUs cannot be judged (a message key and its value), if they cannot.
    pub unjudged: Option<(&'static str, String)>,
    /// `AWSControlTowerBaseline`'s ARN in the home Region and the version that fits.
    pub baseline: Option<(String, &'static str)>,
    /// OUs that need something, parents before children.
    pub ous: Vec<OuNeed<'a>>,
    /// Active member accounts directly under the root.
    pub at_root: Vec<&'a OrgAccount>,
    /// The OU named `Workloads` directly under the root, if there is one.
    pub workloads: Option<&'a Ou>,
    /// How many OUs are registered and sound.
    pub registered: usize,
}

impl Assessment<'_> {
    pub fn done(&self) -> bool {
        self.off.is_empty() && self.unjudged.is_none() && self.ous.is_empty() && self.at_root.is_empty()
    }
}

pub fn assess<'a>(me: &str, lz: &LandingZone, org: &'a Organization) -> Assessment<'a> {
    let g = &org.governance;
    let off = landing_zone::integrations_off(&lz.manifest);
    let arn = g.baselines.iter().find(|(name, _)| name == CT_BASELINE).map(|(_, arn)| arn.clone());
    let version = landing_zone::baseline_version(&lz.version);
    let mut unjudged = match (&arn, version) {
        (None, _) => Some(("baseline-not-offered", lz.home_region.clone())),
        (_, None) => Some(("baseline-version-unknown", lz.version.clone())),
        _ => None,
    };
    let baseline = arn.zip(version);
    // The integration accounts' OU is governed by the landing zone itself, not by an OU baseline.
    let integration: BTreeSet<&str> =
        ["/centralizedLogging/accountId", "/config/accountId", "/securityRoles/accountId"]
            .iter()
            .filter_map(|p| lz.manifest.pointer(p).and_then(serde_json::Value::as_str))
            .collect();
    let security: BTreeSet<&str> = integration.iter().filter_map(|a| g.parents.get(*a).map(String::as_str)).collect();
    let members = || org.accounts.iter().filter(|a| a.active && a.id != me && !integration.contains(a.id.as_str()));
    let at_root: Vec<&OrgAccount> = members().filter(|a| g.parents.get(&a.id) == Some(&g.root)).collect();
    let holding: BTreeSet<&str> = members().filter_map(|a| g.parents.get(&a.id).map(String::as_str)).collect();
    let workloads = g.ous.iter().find(|o| o.parent == g.root && o.name == WORKLOADS);

    let need = |ou: &Ou| baseline.as_ref().and_then(|(arn, version)| need(g, ou, arn, version));
    // OUs that hold members, the Workloads OU when accounts will move into it, and (a child OU can
    // only be registered under a registered parent) the ancestors of any OU to register.
    let mut wanted: BTreeSet<&str> =
        holding.iter().copied().filter(|id| *id != g.root && !security.contains(id)).collect();
    if let Some(w) = workloads.filter(|_| !at_root.is_empty()) {
        wanted.insert(&w.id);
    }
    for id in wanted.clone() {
        let mut parent = g.ous.iter().find(|o| o.id == id).map(|o| o.parent.as_str());
        while let Some(p) = parent.filter(|p| *p != g.root) {
            let Some(ou) = g.ous.iter().find(|o| o.id == p) else { break };
            if need(ou).is_some() {
                wanted.insert(&ou.id);
            }
            parent = Some(&ou.parent);
        }
    }
    // With no account to govern outside the integration OU, neither the baseline nor its version
    // matters (a landing zone newer than groundwork knows is still judged).
    if wanted.is_empty() && at_root.is_empty() {
        unjudged = None;
    }
    let (mut ous, mut registered) = (Vec::new(), 0);
    for ou in g.ous.iter().filter(|o| wanted.contains(o.id.as_str())) {
        match need(ou) {
            Some(need) => ous.push(OuNeed { ou, need }),
            None if baseline.is_some() => registered += 1,
            None => {}
        }
    }
    Assessment { off, unjudged, baseline, ous, at_root, workloads, registered }
}

/// What one OU needs, from its `AWSControlTowerBaseline` enablement.
fn need(g: &Governance, ou: &Ou, baseline: &str, version: &str) -> Option<Need> {
    let Some(e) = g.enabled.iter().find(|e| e.target == ou.arn && e.baseline == baseline) else {
        return Some(Need::Register);
    };
    match e.status.as_str() {
        "UNDER_CHANGE" => Some(Need::Wait(e.operation.clone())),
        "FAILED" => Some(Need::Reset(e.arn.clone())),
        "SUCCEEDED" => match e.version.as_deref() {
            Some(v) if landing_zone::same(v, version) || landing_zone::older(version, v) => None,
            have => Some(Need::Version(have.unwrap_or("-").to_owned())),
        },
        other => Some(Need::Unjudged(other.to_owned())),
    }
}

fn ou_args(ou: &Ou) -> [(&'static str, String); 2] {
    [("ou", ou.name.clone()), ("id", ou.id.clone())]
}

fn say(step: &Step, key: &str, args: &[(&str, &str)]) -> String {
    step.say(key, args)
}

/// The findings for an in-sync landing zone: the landing zone itself (done), then each gap.
pub fn judge(me: &str, lz: &LandingZone, a: &Assessment<'_>, step: &Step, done: String) -> Vec<Finding> {
    let region = Some(lz.home_region.as_str());
    let mut findings = Vec::new();
    let mut add = |status, detail| findings.push(Finding::new(me, region, status, detail));
    if !a.off.is_empty() {
        add(Status::Partial, say(step, "manifest-off", &[("blocks", &a.off.join(", "))]));
    }
    if let Some((key, value)) = &a.unjudged {
        add(Status::Unknown, say(step, key, &[("value", value), ("region", &lz.home_region)]));
    }
    for n in &a.ous {
        let [(_, name), (_, id)] = ou_args(n.ou);
        let want = a.baseline.as_ref().map_or("-", |(_, v)| v);
        let (status, detail) = match &n.need {
            Need::Register => (Status::Partial, say(step, "ou-not-registered", &[("ou", &name), ("id", &id)])),
            Need::Wait(_) => (Status::Partial, say(step, "ou-registering", &[("ou", &name), ("id", &id)])),
            Need::Reset(_) => (Status::Partial, say(step, "ou-baseline-failed", &[("ou", &name), ("id", &id)])),
            Need::Version(have) => (
                Status::Partial,
                say(step, "ou-baseline-version", &[("ou", &name), ("id", &id), ("have", have), ("want", want)]),
            ),
            Need::Unjudged(s) => {
                (Status::Unknown, say(step, "ou-baseline-unjudged", &[("ou", &name), ("id", &id), ("status", s)]))
            }
        };
        add(status, detail);
    }
    if !a.at_root.is_empty() {
        let accounts: Vec<String> = a.at_root.iter().map(|x| format!("{} ({})", x.name, x.id)).collect();
        add(Status::Partial, say(step, "accounts-at-root", &[("accounts", &accounts.join(", "))]));
    }
    // The landing zone itself is in sync whatever else is missing: said first, as done, and with
    // what it governs once nothing else is missing (combining findings never rounds a gap up).
    let detail = if findings.is_empty() {
        format!("{done} {}", say(step, "governed", &[("n", &a.registered.to_string())]))
    } else {
        done
    };
    findings.insert(0, Finding::new(me, region, Status::Done, detail));
    findings
}

/// The plan for an in-sync landing zone: what the person must decide (a manifest with an
/// integration off is theirs to change), then the Workloads OU, the moves, and each OU's
/// registration, parents first, each followed by its wait.
pub fn plan(me: &str, lz: &LandingZone, org: &Organization, a: &Assessment<'_>, step: &Step, plan: &mut Plan) {
    if !a.off.is_empty() {
        plan.conflicts.push(say(step, "conflict-manifest-off", &[("blocks", &a.off.join(", "))]));
        return;
    }
    if let Some((key, value)) = &a.unjudged {
        plan.conflicts.push(say(step, key, &[("value", value), ("region", &lz.home_region)]));
        return;
    }
    let Some((baseline, version)) = &a.baseline else { return };
    let g = &org.governance;
    let home = At::new(me, &lz.home_region);
    let change = |at: &At, global, action| Change { at: at.clone(), global, action };
    let Ok(identity_center) = identity_center(lz, g) else {
        plan.conflicts.push(say(step, "conflict-identity-center-baseline", &[("region", &lz.home_region)]));
        return;
    };
    let register = |target: Ref, ou: &str, plan: &mut Plan| {
        plan.changes.push(change(
            &home,
            false,
            Action::EnableBaseline {
                baseline: baseline.clone(),
                version: (*version).to_owned(),
                target,
                ou: ou.to_owned(),
                identity_center: identity_center.clone(),
            },
        ));
        let operation = Ref::Output(controltower::BASELINE_OPERATION.into());
        plan.changes.push(change(&home, false, Action::WaitForBaseline { operation, ou: ou.to_owned() }));
    };
    if workloads(me, lz, g, a, step, plan) {
        register(Ref::Output(format!("ou:{WORKLOADS}:arn")), WORKLOADS, plan);
    }
    for n in &a.ous {
        let [(_, name), (_, id)] = ou_args(n.ou);
        match &n.need {
            Need::Register => {
                plan.notes.push(say(step, "plan-register", &[("ou", &name), ("id", &id), ("version", version)]));
                register(Ref::Known(n.ou.arn.clone()), &name, plan);
            }
            Need::Wait(Some(op)) => {
                plan.notes.push(say(step, "plan-baseline-resume", &[("ou", &name), ("operation", op)]));
                let action = Action::WaitForBaseline { operation: Ref::Known(op.clone()), ou: name.clone() };
                plan.changes.push(change(&home, false, action));
            }
            Need::Reset(arn) => {
                plan.notes.push(say(step, "plan-baseline-reset", &[("ou", &name), ("id", &id)]));
                plan.changes.push(change(
                    &home,
                    false,
                    Action::ResetEnabledBaseline { arn: arn.clone(), ou: name.clone() },
                ));
                let operation = Ref::Output(controltower::BASELINE_OPERATION.into());
                plan.changes.push(change(&home, false, Action::WaitForBaseline { operation, ou: name.clone() }));
            }
            Need::Wait(None) => plan.conflicts.push(say(step, "conflict-baseline-busy", &[("ou", &name), ("id", &id)])),
            Need::Version(have) => plan.conflicts.push(say(
                step,
                "conflict-baseline-version",
                &[("ou", &name), ("id", &id), ("have", have), ("want", version)],
            )),
            Need::Unjudged(s) => {
                plan.conflicts.push(say(step, "ou-baseline-unjudged", &[("ou", &name), ("id", &id), ("status", s)]));
            }
        }
    }
    if !plan.conflicts.is_empty() {
        plan.changes.clear();
    } else if !plan.changes.is_empty() {
        plan.notes.push(say(step, "plan-baseline-effect", &[]));
    }
}

/// Accounts directly under the root go into Workloads (reused, else created), each move said with
/// its effect. Returns whether the OU is new (and so still to be registered).
fn workloads(me: &str, lz: &LandingZone, g: &Governance, a: &Assessment<'_>, step: &Step, plan: &mut Plan) -> bool {
    if a.at_root.is_empty() {
        return false;
    }
    let mgmt = At::new(me, &lz.home_region);
    let change = |action| Change { at: mgmt.clone(), global: true, action };
    let (target, scps) = match a.workloads {
        Some(w) => {
            plan.notes.push(say(step, "plan-workloads-reuse", &[("ou", WORKLOADS), ("id", &w.id)]));
            let scps = g.scps.get(&w.id).map(|s| s.join(", ")).unwrap_or_default();
            (Ref::Known(w.id.clone()), if scps.is_empty() { say(step, "plan-scps-none", &[]) } else { scps })
        }
        None => {
            plan.notes.push(say(step, "plan-workloads-create", &[("ou", WORKLOADS)]));
            let output = format!("ou:{WORKLOADS}");
            let parent = g.root.clone();
            plan.changes.push(change(Action::CreateOrganizationalUnit {
                parent,
                name: WORKLOADS.into(),
                output: output.clone(),
            }));
            (Ref::Output(output), say(step, "plan-scps-new", &[]))
        }
    };
    for account in &a.at_root {
        let args = [("account", account.name.as_str()), ("id", &account.id), ("ou", WORKLOADS), ("scps", &scps)];
        plan.notes.push(say(step, "plan-move", &args));
        let (account, from, to) = (Ref::Known(account.id.clone()), g.root.clone(), target.clone());
        plan.changes.push(change(Action::MoveAccount { account, from, to }));
    }
    a.workloads.is_none()
}

/// The Identity Center enabled baseline's ARN when the landing zone manages Identity Center access
/// (`accessManagement.enabled`), read from ListEnabledBaselines; `Err` when it should be there and
/// is not (EnableBaseline would then register the OU without the access the landing zone gives).
fn identity_center(lz: &LandingZone, g: &Governance) -> Result<Option<String>, ()> {
    let on = lz.manifest.pointer("/accessManagement/enabled").and_then(serde_json::Value::as_bool) == Some(true);
    if !on {
        return Ok(None);
    }
    let arn = g.baselines.iter().find(|(name, _)| name == IC_BASELINE).map(|(_, arn)| arn);
    arn.and_then(|arn| g.enabled.iter().find(|e| &e.baseline == arn)).map(|e| Some(e.arn.clone())).ok_or(())
}
