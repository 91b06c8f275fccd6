//! AWS Config under Security Hub CSPM: FSBP's controls run on Config rules, so an account and Region
//! is covered only where a configuration recorder records every supported resource type (AWS: "you
//! must also turn on resource recording for the types of resources that enabled controls
//! evaluate"; FSBP's controls span most types, so a recorder that leaves types out is partial).
//!
//! Who provides the recorder: Control Tower in its Audit and Log Archive accounts and in every
//! account of an OU it governs; groundwork in the management account, which Control Tower never
//! enrols. groundwork uses a customer managed recorder with the service-linked role: a
//! service-linked recorder for Security Hub exists only with the newer Security Hub, which
//! groundwork never turns on. Pure functions of the observation.

use super::super::contacts::PlanFailure;
use super::super::coverage::{Cell, Seen, change};
use crate::aws::At;
use crate::aws::change::Action;
use crate::aws::change::config::{ConfigChange, DEFAULT_NAME};
use crate::aws::config_service::{Channel, Recording, Records};
use crate::catalog::Step;
use crate::steps::{Change, Plan};
use crate::verdict::Status;

/// Config in one account and Region, as a part of that account's cell.
pub fn cell(step: &Step, seen: Option<&Seen<Recording>>) -> Cell {
    let r = match seen {
        None => return (Status::Unknown, step.say("config-unread", &[])),
        Some(Err(e)) => return (Status::Unknown, e.explain()),
        Some(Ok(r)) => r,
    };
    let Some(own) = r.own() else {
        return (Status::NotDone, step.say("config-none", &[]));
    };
    let name = own.name.as_str();
    if !own.recording {
        return (Status::NotDone, step.say("config-stopped", &[("name", name)]));
    }
    match &own.records {
        Records::All => (Status::Done, step.say("config-recording", &[])),
        Records::AllBut(types) if types.is_empty() => (Status::Done, step.say("config-recording", &[])),
        Records::AllBut(types) => {
            (Status::Partial, step.say("config-excludes", &[("name", name), ("types", &types.join(", "))]))
        }
        Records::Only(types) => {
            (Status::Partial, step.say("config-only", &[("name", name), ("count", &types.len().to_string())]))
        }
    }
}

/// What the management account needs in one Region for Config to record there, in order. The
/// person's recorder and channel are used as they are; `bucket` is where the landing zone's Config
/// data goes (read from Audit's own channel). Returns whether anything was planned.
pub struct Own<'a> {
    pub at: At,
    pub seen: &'a Seen<Recording>,
    /// The landing zone's Config delivery, from Audit's channel in this Region, if any.
    pub bucket: Option<&'a Channel>,
    /// The home Region records the global IAM types; the others leave them out.
    pub home: bool,
    /// Whether the service-linked role exists or is already planned.
    pub role: &'a mut bool,
}

pub fn plan_own(step: &Step, own: Own<'_>, plan: &mut Plan) -> Result<bool, PlanFailure> {
    let r = own.seen.as_ref().map_err(|e| PlanFailure::Aws(e.clone()))?;
    let region = own.at.region.as_str();
    let mut changes = Vec::new();
    let name = match r.own() {
        Some(rec) if rec.recording => {
            if cell(step, Some(own.seen)).0 != Status::Done {
                let args = [("region", region), ("account", own.at.account.as_str()), ("name", rec.name.as_str())];
                plan.conflicts.push(step.say("conflict-config-types", &args));
            }
            return Ok(false);
        }
        Some(rec) => rec.name.clone(),
        None => {
            if !*own.role {
                // IAM is global: one role serves every Region.
                changes.push(Change {
                    at: own.at.clone(),
                    global: true,
                    action: Action::Config(ConfigChange::CreateRole),
                });
                *own.role = true;
            }
            let action = Action::Config(ConfigChange::PutRecorder { name: DEFAULT_NAME.into(), global: own.home });
            changes.push(change(&own.at, action));
            DEFAULT_NAME.to_owned()
        }
    };
    if r.channels.is_empty() {
        // AWS starts no recorder without a delivery channel.
        let Some((bucket, channel)) = own.bucket.and_then(|c| c.bucket.as_ref().map(|b| (b, c))) else {
            // Nothing to deliver to yet: the rest of the step goes ahead; Config here waits for
            // the landing zone, and the step is not done until it records.
            plan.manual = true;
            plan.notes.push(step.say("plan-config-no-bucket", &[("region", region)]));
            return Ok(false);
        };
        let action = Action::Config(ConfigChange::PutChannel {
            bucket: bucket.clone(),
            prefix: channel.prefix.clone(),
            kms_key: channel.kms_key.clone(),
        });
        changes.push(change(&own.at, action));
    }
    changes.push(change(&own.at, Action::Config(ConfigChange::Start { name })));
    plan.changes.extend(changes);
    Ok(true)
}

/// A member account without Config: Control Tower provides it, not this step. The plan says so
/// (a dependency on the control-tower step, not a change made here).
pub fn plan_member(
    step: &Step,
    account: &str,
    region: &str,
    seen: Option<&Seen<Recording>>,
    plan: &mut Plan,
) -> Result<(), PlanFailure> {
    if let Some(Err(e)) = seen {
        return Err(PlanFailure::Aws(e.clone()));
    }
    let (status, what) = cell(step, seen);
    if status != Status::Done {
        plan.manual = true;
        let args = [("account", account), ("region", region), ("what", what.as_str())];
        plan.notes.push(step.say("plan-config-from-control-tower", &args));
    }
    Ok(())
}
