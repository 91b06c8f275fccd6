//! control-tower: a landing zone, ACTIVE and IN_SYNC in its home Region (whatever its version; a
//! newer version AWS offers is said in the finding).

use crate::aws::controltower::LandingZone;
use crate::catalog::Step;
use crate::facts::Facts;
use crate::verdict::{Finding, Status};

pub fn check(facts: &Facts, step: &Step) -> Vec<Finding> {
    let me = &facts.identity.account;
    match &facts.landing_zone {
        Err(e) => vec![super::unknown(e)],
        Ok(None) => vec![Finding::new(me, None, Status::NotDone, step.say("no-landing-zone", &[]))],
        Ok(Some(lz)) => {
            let (status, detail) = judge(step, lz);
            vec![Finding::new(me, Some(&lz.home_region), status, detail)]
        }
    }
}

fn judge(step: &Step, lz: &LandingZone) -> (Status, String) {
    let args = [
        ("version", lz.version.as_str()),
        ("latest", lz.latest_version.as_deref().unwrap_or("unknown")),
        ("region", lz.home_region.as_str()),
    ];
    let drifted = lz.drift.as_deref() == Some("DRIFTED");
    match lz.status.as_str() {
        "PROCESSING" => (Status::Partial, step.say("processing", &args)),
        "FAILED" => match &lz.failure {
            Some(reason) => {
                (Status::Partial, step.say("failed-because", &[("region", &lz.home_region), ("reason", reason)]))
            }
            None => (Status::Partial, step.say("failed", &args)),
        },
        "ACTIVE" if drifted => (Status::Partial, step.say("drifted", &args)),
        // Done whatever its version (a 3.x landing zone too): an update AWS offers is worth saying,
        // not a reason to call the step unfinished.
        "ACTIVE" if lz.drift.as_deref() == Some("IN_SYNC") => {
            let mut detail = step.say("active", &args);
            for note in crate::landing_zone::version_notes(step, lz) {
                detail.push(' ');
                detail.push_str(&note);
            }
            (Status::Done, detail)
        }
        // ACTIVE without a drift status, or a status AWS added after we were written.
        _ => (Status::Unknown, step.say("unexpected", &[("status", lz.status.as_str()), ("region", &lz.home_region)])),
    }
}
