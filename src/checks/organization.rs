//! organization: an organization with all features, managed from the account groundwork runs in.

use crate::catalog::Step;
use crate::facts::Facts;
use crate::verdict::{Finding, Status};

pub fn check(facts: &Facts, step: &Step) -> Vec<Finding> {
    let me = &facts.identity.account;
    let (status, detail) = match &facts.organization {
        Err(e) => return vec![super::unknown(e)],
        Ok(None) => (Status::NotDone, step.say("no-organization", &[])),
        Ok(Some(org)) if org.management_account != *me => (
            // From a member account most steps cannot be checked: say so rather than guess.
            Status::Unknown,
            step.say("member-account", &[("org", &org.id), ("management", &org.management_account)]),
        ),
        Ok(Some(org)) if !org.all_features => (Status::Partial, step.say("billing-only", &[("org", &org.id)])),
        Ok(Some(org)) => (Status::Done, step.say("ready", &[("org", &org.id)])),
    };
    vec![Finding::new(me, None, status, detail)]
}
