//! control-tower: a landing zone, ACTIVE and IN_SYNC in its home Region, whatever its version (a
//! newer version AWS offers is said, with what updating involves). One observation feeds the
//! verdict (`judge`) and the plan (`plan`), and both read the landing zone through one
//! classification ([`state`]), so `check` and `apply` cannot disagree about it.
//!
//! The plan waits for an operation an earlier run started, resets a drifted or failed landing zone,
//! or, when there is none, runs the preflight ([`preflight`]) and lays out the whole launch
//! ([`launch`]). The preflight's reads are part of the observation: the organization-wide ones
//! first, the per-Region ones once the home and governed Regions are chosen.

pub mod governed;
pub mod launch;
pub mod preflight;

use crate::aws::change::{Action, Ref, controltower};
use crate::aws::controltower::LandingZone;
use crate::aws::{At, Aws, AwsError};
use crate::catalog::{Step, StepId};
use crate::facts::Facts;
use crate::inputs::Ask;
use crate::landing_zone;
use crate::steps::{Change, Plan, PlanError};
use crate::verdict::{Finding, Status};

pub use governed::Organization;
pub use preflight::{ConfigRead, Launch, Regional, Scope};

/// The shared message (in `assets/messages.toml`, not the step's words) for a caller that cannot launch.
const NEEDS_MANAGEMENT_ORG: &str = "plan-needs-management-org";

/// Everything the step reads, as plain values (a test builds one by hand).
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub me: String,
    /// The configured Region: where new accounts are created from and the preflight reads.
    pub region: String,
    /// Whether the caller is the management account of an organization (only it can launch).
    pub managed: bool,
    /// The landing zone from the account model (`None`: there is none), or why it is unknown.
    pub landing_zone: Result<Option<LandingZone>, AwsError>,
    /// A landing zone operation an earlier run started and recorded, to wait for again.
    pub pending: Option<String>,
    /// The preflight: read only for a plan, when there is no landing zone and the caller could
    /// launch one (`check` needs none of it).
    pub launch: Option<Launch>,
    /// What the landing zone governs (accounts, OUs, baselines), read when there is one and the
    /// caller is the management account; or why it could not be read.
    pub org: Option<Result<Organization, AwsError>>,
}

/// What a landing zone's status and drift status mean; `judge` and `plan` both start here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State<'a> {
    /// An operation is running: AWS accepts no other until it ends.
    Processing,
    /// The last operation failed, with AWS's message when it gave one.
    Failed(Option<&'a str>),
    Drifted,
    InSync,
    /// AWS said something groundwork cannot judge: ACTIVE with no drift status, or a status (or
    /// drift status) added after this release. The message key saying so.
    Unjudged(&'static str),
}

pub fn state(lz: &LandingZone) -> State<'_> {
    match (lz.status.as_str(), lz.drift.as_deref()) {
        ("PROCESSING", _) => State::Processing,
        ("FAILED", _) => State::Failed(lz.failure.as_deref()),
        ("ACTIVE", Some("DRIFTED")) => State::Drifted,
        ("ACTIVE", Some("IN_SYNC")) => State::InSync,
        ("ACTIVE", None) => State::Unjudged("no-drift-status"),
        _ => State::Unjudged("unexpected"),
    }
}

/// The step's observation. `check` asks for no preflight and makes no AWS call at all: the landing
/// zone is part of the account model. A plan asks for it (`preflight`), and reads the per-Region
/// part separately once the Regions are chosen ([`preflight::observe_regions`]).
pub async fn observe(aws: &Aws, facts: &Facts, pending: Option<String>, preflight: bool) -> Result<Observed, AwsError> {
    let managed = facts.managed_org().is_some();
    let launch = match &facts.landing_zone {
        Ok(None) if preflight && managed => Some(preflight::observe(aws, facts).await?),
        _ => None,
    };
    let org = match (&facts.landing_zone, &facts.accounts) {
        (Ok(Some(lz)), accounts) if managed => Some(match accounts {
            Ok(accounts) => {
                let (mgmt, home) =
                    (At::new(&facts.identity.account, aws.region()), At::new(&facts.identity.account, &lz.home_region));
                crate::aws::governance::read(aws, &mgmt, &home)
                    .await
                    .map(|governance| Organization { accounts: accounts.clone(), governance })
            }
            Err(e) => Err(e.clone()),
        }),
        _ => None,
    };
    Ok(Observed {
        me: facts.identity.account.clone(),
        region: aws.region().to_owned(),
        managed,
        landing_zone: facts.landing_zone.clone(),
        pending,
        launch,
        org,
    })
}

/// The verdict, from the observation alone.
pub fn judge(o: &Observed, step: &Step) -> Vec<Finding> {
    let lz = match &o.landing_zone {
        Err(e) => return vec![super::unknown(e)],
        Ok(None) => return vec![Finding::new(&o.me, None, Status::NotDone, step.say("no-landing-zone", &[]))],
        Ok(Some(lz)) => lz,
    };
    let region = lz.home_region.as_str();
    let args = [("version", lz.version.as_str()), ("region", region), ("status", lz.status.as_str())];
    let (status, detail) = match state(lz) {
        State::Processing => (Status::Partial, step.say("processing", &args)),
        State::Failed(Some(reason)) => {
            (Status::Partial, step.say("failed-because", &[("region", region), ("reason", reason)]))
        }
        State::Failed(None) => (Status::Partial, step.say("failed", &args)),
        State::Drifted => (Status::Partial, step.say("drifted", &args)),
        // Done whatever its version (a 3.x landing zone too): an update AWS offers is worth saying,
        // not a reason to call the step unfinished.
        State::InSync => {
            let mut detail = step.say("active", &args);
            for note in landing_zone::version_notes(step, lz) {
                detail.push(' ');
                detail.push_str(&note);
            }
            // Only the management account sees what the landing zone governs; anyone else is
            // told the landing zone's own state, as before.
            return match &o.org {
                None => vec![Finding::new(&o.me, Some(region), Status::Done, detail)],
                Some(Err(e)) => vec![super::unknown(e)],
                Some(Ok(org)) => governed::judge(&o.me, lz, &governed::assess(&o.me, lz, org), step, detail),
            };
        }
        State::Unjudged(key) => (Status::Unknown, step.say(key, &args)),
    };
    vec![Finding::new(&o.me, Some(region), status, detail)]
}

/// The changes that would make the step done, from the same observation. A landing zone groundwork
/// cannot judge cannot be planned either (an error, like a landing zone that could not be read).
pub fn plan(o: &Observed, ask: &mut dyn Ask, step: &Step) -> Result<Plan, PlanError> {
    match &o.landing_zone {
        Err(e) => Err(e.clone().into()),
        Ok(Some(lz)) => existing(o, lz, step),
        // Only an organization's management account can launch a landing zone.
        Ok(None) if !o.managed => {
            Ok(Plan { conflicts: vec![crate::catalog::say(NEEDS_MANAGEMENT_ORG, &[])], ..Plan::default() })
        }
        Ok(None) => match &o.launch {
            Some(launch) => launch::plan(o, launch, ask, step),
            None => Err(PlanError::Undetermined(step.say("preflight-not-read", &[]))),
        },
    }
}

/// A landing zone exists: wait for it, reset it, or leave it alone.
fn existing(o: &Observed, lz: &LandingZone, step: &Step) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    let at = At::new(&o.me, &lz.home_region);
    let region = lz.home_region.as_str();
    let wait = |operation| Change { at: at.clone(), global: false, action: Action::WaitForLandingZone { operation } };
    match state(lz) {
        State::Processing => match &o.pending {
            Some(op) => {
                plan.notes.push(step.say("plan-resume", &[("operation", op)]));
                plan.changes.push(wait(Ref::Known(op.clone())));
            }
            // Not ours to follow, and AWS refuses a second operation while one runs.
            None => {
                plan.conflicts.push(step.say("conflict-processing", &[("region", region), ("version", &lz.version)]));
            }
        },
        State::Drifted | State::Failed(_) => {
            let why = match state(lz) {
                State::Failed(reason) => ("failed-because", reason.unwrap_or("-")),
                _ => ("drifted", ""),
            };
            plan.notes.push(step.say(why.0, &[("region", region), ("reason", why.1)]));
            plan.notes.push(step.say("plan-reset-puts-back", &[("version", &lz.version)]));
            let reset = Action::ResetLandingZone { arn: lz.arn.clone() };
            plan.changes.push(Change { at: at.clone(), global: false, action: reset });
            plan.changes.push(wait(Ref::Output(controltower::OPERATION.into())));
        }
        State::InSync => {
            plan.notes.push(step.say("active", &[("region", region), ("version", &lz.version)]));
            plan.notes.extend(landing_zone::version_notes(step, lz));
            match &o.org {
                None => {}
                Some(Err(e)) => return Err(e.clone().into()),
                Some(Ok(org)) => governed::plan(&o.me, lz, org, &governed::assess(&o.me, lz, org), step, &mut plan),
            }
        }
        State::Unjudged(key) => {
            let args = [("status", lz.status.as_str()), ("region", region), ("version", lz.version.as_str())];
            return Err(PlanError::Undetermined(step.say(key, &args)));
        }
    }
    Ok(plan)
}

/// `check`: observe (the account model only), then judge.
pub async fn check(aws: &Aws, facts: &Facts, step: &Step) -> Vec<Finding> {
    match observe(aws, facts, None, false).await {
        Ok(o) => judge(&o, step),
        Err(e) => vec![super::unknown(&e)],
    }
}

/// `plan` and `apply`: observe with the preflight; once the organization-wide part stops nothing,
/// ask for the Regions and read the per-Region part; then plan.
pub async fn plan_live(ctx: &mut crate::steps::Ctx<'_>) -> Result<Plan, PlanError> {
    // Baseline operations are recorded under this step too; they are found again live
    // (ListEnabledBaselines names each one under change), so only a landing zone operation is taken.
    let mut pending = ctx
        .record
        .pending
        .iter()
        .find(|p| p.step == StepId::ControlTower && p.operation.contains("LandingZone"))
        .map(|p| p.id.clone());
    if let (None, Ok(Some(lz))) = (&pending, &ctx.facts.landing_zone)
        && state(lz) == State::Processing
    {
        // A run killed after AWS accepted its operation, before the record kept the id, left no
        // pending operation: follow the one AWS is running (waiting changes nothing).
        let home = crate::aws::At::new(&ctx.facts.identity.account, &lz.home_region);
        pending = crate::aws::controltower::running_operation(ctx.aws, &home).await?;
    }
    let mut o = observe(ctx.aws, ctx.facts, pending, true).await?;
    if let Some(launch) = o.launch.as_mut()
        && stops_nothing(launch, ctx.step, preflight::accepts_unverified(ctx.ask))
    {
        let scope = preflight::scope(ctx.ask, &o.region)?;
        launch.regional = Some(preflight::observe_regions(ctx.aws, &o.me, launch, scope).await?);
    }
    plan(&o, ctx.ask, ctx.step)
}

/// Whether the organization-wide preflight lets the launch go on to the Regions (the same rules the
/// plan applies first).
fn stops_nothing(launch: &Launch, step: &Step, accept: bool) -> bool {
    let mut probe = Plan::default();
    preflight::organization(launch, step, &mut probe, accept);
    probe.conflicts.is_empty()
}
