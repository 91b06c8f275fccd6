//! control-tower: a landing zone, ACTIVE and IN_SYNC in its home Region, on the latest version.

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
    let outdated = lz.latest_version.as_deref().is_some_and(|latest| older(&lz.version, latest));
    match lz.status.as_str() {
        "PROCESSING" => (Status::Partial, step.say("processing", &args)),
        "FAILED" => match &lz.failure {
            Some(reason) => {
                (Status::Partial, step.say("failed-because", &[("region", &lz.home_region), ("reason", reason)]))
            }
            None => (Status::Partial, step.say("failed", &args)),
        },
        "ACTIVE" if drifted => (Status::Partial, step.say("drifted", &args)),
        "ACTIVE" if outdated => (Status::Partial, step.say("outdated", &args)),
        "ACTIVE" if lz.drift.as_deref() == Some("IN_SYNC") => (Status::Done, step.say("active", &args)),
        // ACTIVE without a drift status, or a status AWS added after we were written.
        _ => (Status::Unknown, step.say("unexpected", &[("status", lz.status.as_str()), ("region", &lz.home_region)])),
    }
}

/// Compares dotted version numbers ("3.3" < "3.10"); anything unparseable is not called older.
fn older(version: &str, latest: &str) -> bool {
    let parse = |v: &str| v.split('.').map(str::parse::<u64>).collect::<Result<Vec<_>, _>>();
    match (parse(version), parse(latest)) {
        (Ok(a), Ok(b)) => a < b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert!(older("3.3", "3.10"));
        assert!(older("3.3", "4.0"));
        assert!(!older("4.0", "4.0"));
        assert!(!older("4.0", "3.9"));
        assert!(!older("x", "4.0"));
    }
}
