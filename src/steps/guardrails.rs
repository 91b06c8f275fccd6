//! guardrails: Control Tower's strongly recommended controls on every OU Control Tower governs
//! (registered: `AWSControlTowerBaseline` enabled and SUCCEEDED on it). Which controls is data with
//! its source (`assets/guardrails.toml`), named by the aliases the Control Catalog lists; each one's
//! ARN is looked up live in the catalog, and a listed control the catalog lacks makes the step
//! unknown, never silently dropped. A control the person turned off on purpose is skipped with its
//! reason (the `guardrails.skip` answer, remembered). One observation feeds the verdict and the plan.
//!
//! Controls are enabled from the management account in the landing zone's home Region; Control
//! Tower deploys each into the OU's accounts in every governed Region. groundwork never disables one.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::aws::change::{Action, Ref};
use crate::aws::controls::{CatalogControl, EnabledControl};
use crate::aws::governance::Ou;
use crate::aws::{At, Aws, AwsError};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::steps::control_tower::governed::CT_BASELINE;
use crate::steps::{Answers, Change, Ctx, Plan, PlanError};
use crate::verdict::{Finding, Status};

/// The shared message (in `assets/messages.toml`) for a caller that is not the management account.
const NEEDS_MANAGEMENT_ORG: &str = "plan-needs-management-org";

/// The answer naming the controls skipped on purpose, each with its reason.
pub const SKIP: &str = "guardrails.skip";

/// One control of `assets/guardrails.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listed {
    /// The Control Catalog alias it is known by (`AWS-GR_...`).
    pub alias: String,
    /// `strongly-recommended` (enabled) or `elective` (offered only).
    pub guidance: String,
    /// What it prevents or detects.
    pub what: String,
    /// For a preventive control: what it can stop a workload doing.
    #[serde(default)]
    pub blocks: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListFile {
    control: Vec<Listed>,
}

/// Every control of the list, in its order. The file is compiled in and tested.
pub fn listed() -> &'static [Listed] {
    static LIST: OnceLock<Vec<Listed>> = OnceLock::new();
    LIST.get_or_init(|| match toml::from_str::<ListFile>(include_str!("../../assets/guardrails.toml")) {
        Ok(f) => f.control,
        Err(e) => panic!("assets/guardrails.toml is invalid: {e}"),
    })
}

/// The controls enabled by default (the strongly recommended ones).
pub fn wanted() -> impl Iterator<Item = &'static Listed> {
    listed().iter().filter(|c| c.guidance == "strongly-recommended")
}

/// One registered OU and the controls enabled on it, or why they could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Registered {
    pub ou: Ou,
    pub enabled: Result<Vec<EnabledControl>, AwsError>,
}

/// Everything the step reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub me: String,
    /// The landing zone's home Region (`None`: no landing zone).
    pub home: Option<String>,
    /// The landing zone's status (`ACTIVE`, `PROCESSING`, `FAILED`): AWS enables controls only on
    /// an active one.
    pub landing_zone_status: String,
    /// Whether the caller is the organization's management account (only it manages controls).
    pub managed: bool,
    pub catalog: Result<Vec<CatalogControl>, AwsError>,
    /// The OUs Control Tower governs, parents first.
    pub ous: Result<Vec<Registered>, AwsError>,
    /// Controls skipped on purpose: alias to reason.
    pub skips: BTreeMap<String, String>,
}

/// Where one wanted control stands on one OU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    On,
    Missing,
    /// Being enabled (or changed): the operation AWS named, if it named one.
    Busy(Option<String>),
    Failed,
    /// A status groundwork does not know.
    Unjudged(String),
}

/// A wanted control's catalog entry, by alias.
pub fn in_catalog<'a>(catalog: &'a [CatalogControl], alias: &str) -> Option<&'a CatalogControl> {
    catalog.iter().find(|c| c.aliases.iter().any(|a| a == alias))
}

/// Where a control stands among what is enabled on an OU: enabled with its global ARN, or with the
/// legacy Regional identifier `arn:aws:controltower:<Region>::control/<alias>`.
pub fn state(enabled: &[EnabledControl], control: &CatalogControl, alias: &str) -> State {
    let legacy = format!("::control/{alias}");
    let found = enabled
        .iter()
        .find(|e| e.control == control.arn || (e.control.starts_with("arn:aws") && e.control.ends_with(&legacy)));
    match found.map(|e| (e.status.as_str(), e)) {
        None => State::Missing,
        Some(("SUCCEEDED", _)) => State::On,
        Some(("UNDER_CHANGE", e)) => State::Busy(e.operation.clone()),
        Some(("FAILED", _)) => State::Failed,
        Some((other, _)) => State::Unjudged(other.to_owned()),
    }
}

pub async fn observe(aws: &Aws, facts: &Facts, skips: BTreeMap<String, String>) -> Result<Observed, AwsError> {
    let me = facts.identity.account.clone();
    let managed = facts.managed_org().is_some();
    let lz = facts.landing_zone.clone()?;
    let landing_zone_status = lz.as_ref().map(|lz| lz.status.clone()).unwrap_or_default();
    let home = lz.map(|lz| lz.home_region);
    let (catalog, ous) = match &home {
        Some(home) if managed => {
            let at = At::new(&me, home);
            let (catalog, ous) = tokio::join!(crate::aws::controls::catalog(aws, &at), registered(aws, &at));
            (catalog, ous)
        }
        _ => (Ok(Vec::new()), Ok(Vec::new())),
    };
    Ok(Observed { me, home, landing_zone_status, managed, catalog, ous, skips })
}

/// The OUs with a SUCCEEDED `AWSControlTowerBaseline`, each with its enabled controls.
async fn registered(aws: &Aws, home: &At) -> Result<Vec<Registered>, AwsError> {
    let g = crate::aws::governance::read(aws, home, home).await?;
    let baseline = g.baselines.iter().find(|(name, _)| name == CT_BASELINE).map(|(_, arn)| arn.clone());
    let ous: Vec<Ou> = g
        .ous
        .iter()
        .filter(|ou| {
            g.enabled
                .iter()
                .any(|e| Some(&e.baseline) == baseline.as_ref() && e.target == ou.arn && e.status == "SUCCEEDED")
        })
        .cloned()
        .collect();
    let reads = ous.iter().map(|ou| crate::aws::controls::enabled(aws, home, &ou.arn));
    let enabled = futures_util::future::join_all(reads).await;
    Ok(ous.into_iter().zip(enabled).map(|(ou, enabled)| Registered { ou, enabled }).collect())
}

/// Why the step cannot be judged or planned past its prerequisites: a finding, or `None`.
fn prerequisite(o: &Observed, step: &Step) -> Option<Vec<Finding>> {
    let not_done = |key| Some(vec![Finding::new(&o.me, None, Status::NotDone, step.say(key, &[]))]);
    if o.home.is_none() {
        return not_done("needs-landing-zone");
    }
    if !o.managed {
        return not_done("needs-management-account");
    }
    let catalog = match &o.catalog {
        Err(e) => return Some(vec![super::unknown(e)]),
        Ok(c) => c,
    };
    let ous = match &o.ous {
        Err(e) => return Some(vec![super::unknown(e)]),
        Ok(ous) => ous,
    };
    // A listed control the catalog lacks: AWS retired or renamed it, or the list is wrong. Never
    // dropped silently: the step cannot say the OUs are covered.
    let lacking: Vec<Finding> = wanted()
        .filter(|c| in_catalog(catalog, &c.alias).is_none())
        .map(|c| {
            Finding::new(
                &o.me,
                o.home.as_deref(),
                Status::Unknown,
                step.say("not-in-catalog", &[("control", &c.alias)]),
            )
        })
        .collect();
    if !lacking.is_empty() {
        return Some(lacking);
    }
    if ous.is_empty() {
        return Some(vec![Finding::new(
            &o.me,
            o.home.as_deref(),
            Status::NotApplicable,
            step.say("no-registered-ou", &[]),
        )]);
    }
    None
}

/// The controls to judge on each OU: the wanted ones not skipped, with their catalog entries.
fn judged<'a>(o: &'a Observed, catalog: &'a [CatalogControl]) -> Vec<(&'static Listed, &'a CatalogControl)> {
    wanted()
        .filter(|c| !o.skips.contains_key(&c.alias))
        .filter_map(|c| in_catalog(catalog, &c.alias).map(|k| (c, k)))
        .collect()
}

fn skipped_note(o: &Observed, step: &Step) -> Option<String> {
    let skipped: Vec<String> =
        wanted().filter_map(|c| o.skips.get(&c.alias).map(|why| format!("{} ({why})", c.alias))).collect();
    (!skipped.is_empty()).then(|| step.say("skipped", &[("controls", &skipped.join(", "))]))
}

pub fn judge(o: &Observed, step: &Step) -> Vec<Finding> {
    if let Some(findings) = prerequisite(o, step) {
        return findings;
    }
    let (Ok(catalog), Ok(ous)) = (&o.catalog, &o.ous) else { return Vec::new() };
    let controls = judged(o, catalog);
    let skipped = skipped_note(o, step);
    let region = o.home.as_deref();
    ous.iter()
        .map(|r| {
            let enabled = match &r.enabled {
                Err(e) => return super::unknown(e),
                Ok(e) => e,
            };
            let args = |extra: &[(&'static str, String)]| {
                let mut a = vec![("ou", r.ou.name.clone()), ("id", r.ou.id.clone())];
                a.extend(extra.iter().cloned());
                a
            };
            let standing: Vec<(&Listed, State)> =
                controls.iter().map(|(c, k)| (*c, state(enabled, k, &c.alias))).collect();
            let named = |want: fn(&State) -> bool| -> String {
                standing.iter().filter(|(_, s)| want(s)).map(|(c, _)| c.alias.as_str()).collect::<Vec<_>>().join(", ")
            };
            let on = standing.iter().filter(|(_, s)| *s == State::On).count();
            let odd = named(|s| matches!(s, State::Unjudged(_)));
            let (status, key, extra) = if !odd.is_empty() {
                (Status::Unknown, "ou-unjudged", vec![("controls", odd)])
            } else if on == standing.len() {
                (Status::Done, "ou-all-on", vec![("n", on.to_string())])
            } else if on == 0 && !standing.iter().any(|(_, s)| matches!(s, State::Busy(_) | State::Failed)) {
                (Status::NotDone, "ou-none-on", vec![("n", standing.len().to_string())])
            } else {
                let missing = named(|s| *s == State::Missing);
                let busy = named(|s| matches!(s, State::Busy(_)));
                let failed = named(|s| *s == State::Failed);
                let detail = [("ou-missing", missing), ("ou-busy", busy), ("ou-failed", failed)]
                    .into_iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| step.say(k, &[("controls", &v)]))
                    .collect::<Vec<_>>()
                    .join(" ");
                let n = [("on", on.to_string()), ("n", standing.len().to_string()), ("detail", detail)];
                (Status::Partial, "ou-some-on", n.to_vec())
            };
            let a = args(&extra);
            let a: Vec<(&str, &str)> = a.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let mut detail = step.say(key, &a);
            if let Some(s) = &skipped {
                detail = format!("{detail} {s}");
            }
            Finding::new(&o.me, region, status, detail)
        })
        .collect()
}

/// The changes that make the step done: for each registered OU, each wanted control not yet on is
/// enabled and waited for (one at a time: Control Tower runs a limited number of operations at
/// once), each named with what it does and what it costs. A control being enabled is waited for;
/// a failed one, or a status groundwork does not know, stops the plan.
pub fn plan(o: &Observed, step: &Step) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    if o.home.is_none() {
        plan.conflicts.push(step.say("plan-needs-landing-zone", &[]));
        return Ok(plan);
    }
    if !o.managed {
        plan.conflicts.push(crate::catalog::say(NEEDS_MANAGEMENT_ORG, &[]));
        return Ok(plan);
    }
    let catalog = o.catalog.as_ref().map_err(|e| PlanError::Aws(e.clone()))?;
    let ous = o.ous.as_ref().map_err(|e| PlanError::Aws(e.clone()))?;
    for c in wanted().filter(|c| in_catalog(catalog, &c.alias).is_none()) {
        plan.conflicts.push(step.say("not-in-catalog", &[("control", &c.alias)]));
    }
    if !plan.conflicts.is_empty() {
        return Ok(plan);
    }
    if ous.is_empty() {
        plan.notes.push(step.say("no-registered-ou", &[]));
        return Ok(plan);
    }
    let home = At::new(&o.me, o.home.as_deref().unwrap_or_default());
    let controls = judged(o, catalog);
    let mut described = Vec::new();
    for r in ous {
        let enabled = r.enabled.as_ref().map_err(|e| PlanError::Aws(e.clone()))?;
        let (ou, id) = (r.ou.name.as_str(), r.ou.id.as_str());
        for (c, k) in &controls {
            let alias = c.alias.clone();
            let wait = |operation| Change {
                at: home.clone(),
                global: false,
                action: Action::WaitForControl { operation, alias: alias.clone(), ou: ou.to_owned() },
            };
            match state(enabled, k, &c.alias) {
                State::On => {}
                State::Missing => {
                    if !described.contains(&c.alias) {
                        described.push(c.alias.clone());
                        plan.notes.push(describe(c, k, step));
                    }
                    let target = r.ou.arn.clone();
                    let action = Action::EnableControl {
                        control: k.arn.clone(),
                        alias: alias.clone(),
                        target,
                        ou: ou.to_owned(),
                    };
                    plan.changes.push(Change { at: home.clone(), global: false, action });
                    plan.changes.push(wait(Ref::Output(crate::aws::change::controltower::CONTROL_OPERATION.into())));
                }
                State::Busy(Some(op)) => {
                    plan.notes.push(step.say("plan-resume", &[("control", &c.alias), ("ou", ou), ("operation", &op)]));
                    plan.changes.push(wait(Ref::Known(op)));
                }
                State::Busy(None) => {
                    plan.conflicts.push(step.say("conflict-busy", &[("control", &c.alias), ("ou", ou), ("id", id)]));
                }
                State::Failed => {
                    plan.conflicts.push(step.say("conflict-failed", &[("control", &c.alias), ("ou", ou), ("id", id)]));
                }
                State::Unjudged(s) => plan.conflicts.push(
                    step.say("conflict-unjudged", &[("control", &c.alias), ("ou", ou), ("id", id), ("status", &s)]),
                ),
            }
        }
    }
    plan.notes.extend(skipped_note(o, step));
    let electives: Vec<String> = listed()
        .iter()
        .filter(|c| c.guidance == "elective" && in_catalog(catalog, &c.alias).is_some())
        .map(|c| format!("{} ({})", c.alias, c.what))
        .collect();
    if !electives.is_empty() {
        plan.notes.push(step.say("plan-electives", &[("controls", &electives.join("; "))]));
    }
    if plan.changes.iter().any(|c| c.action.is_change()) && o.landing_zone_status != "ACTIVE" {
        // AWS refuses EnableControl while the landing zone is being set up, updated or has failed.
        let status = o.landing_zone_status.as_str();
        plan.conflicts.push(step.say("conflict-landing-zone-not-active", &[("status", status)]));
    }
    if !plan.conflicts.is_empty() {
        plan.changes.clear();
    } else if plan.changes.is_empty() {
        plan.notes.insert(0, step.say("plan-all-on", &[]));
    }
    Ok(plan)
}

/// One control as a plan names it: what it does, and what it costs by how it works (a preventive
/// control is an SCP: free, and it can block; a detective one is an AWS Config rule, billed per
/// evaluation).
fn describe(c: &Listed, k: &CatalogControl, step: &Step) -> String {
    let args = [("control", c.alias.as_str()), ("name", k.name.as_str()), ("what", c.what.as_str())];
    match k.behavior.as_str() {
        "PREVENTIVE" => {
            let blocks = c.blocks.as_deref().unwrap_or("-");
            step.say("plan-preventive", &[args[0], args[1], args[2], ("blocks", blocks)])
        }
        "DETECTIVE" => step.say("plan-detective", &args),
        other => step.say("plan-other", &[args[0], args[1], args[2], ("behavior", other)]),
    }
}

/// The skipped controls, from an answer (`none` or `ALIAS=reason; ...`).
pub fn skips(answer: Option<&str>) -> BTreeMap<String, String> {
    answer.and_then(crate::inputs::control_skips).unwrap_or_default()
}

pub async fn check(aws: &Aws, facts: &Facts, answers: &Answers, step: &Step) -> Vec<Finding> {
    match observe(aws, facts, skips(answers.get(SKIP).map(String::as_str))).await {
        Ok(o) => judge(&o, step),
        Err(e) => vec![super::unknown(&e)],
    }
}

pub async fn plan_live(ctx: &mut Ctx<'_>) -> Result<Plan, PlanError> {
    let answer = ctx.ask.get(SKIP, Some("none"))?;
    let o = observe(ctx.aws, ctx.facts, skips(Some(&answer))).await?;
    plan(&o, ctx.step)
}
