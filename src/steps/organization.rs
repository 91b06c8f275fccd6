//! organization: an organization with all features, managed from the account groundwork runs in.
//! The plan creates one (all features) when the account belongs to none; enabling all features in
//! an existing organization needs every member to approve, in the console.

use crate::aws::AwsError;
use crate::aws::change::Action;
use crate::aws::organizations::Organization;
use crate::catalog::Step;
use crate::facts::Facts;
use crate::steps::{Change, Plan};
use crate::verdict::{Finding, Status};

/// What the step reads: the caller's organization, as the account model already holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub me: String,
    /// The Region calls are made from (Organizations itself is global).
    pub region: String,
    pub organization: Option<Organization>,
}

/// The account model read the organization once for every step; a failed read is the step's error.
pub fn observe(facts: &Facts, region: &str) -> Result<Observed, AwsError> {
    let organization = facts.organization.clone()?;
    Ok(Observed { me: facts.identity.account.clone(), region: region.to_owned(), organization })
}

pub fn judge(o: &Observed, step: &Step) -> Vec<Finding> {
    let (status, detail) = match &o.organization {
        None => (Status::NotDone, step.say("no-organization", &[])),
        Some(org) if org.management_account != o.me => (
            // From a member account most steps cannot be checked: say so rather than guess.
            Status::Unknown,
            step.say("member-account", &[("org", &org.id), ("management", &org.management_account)]),
        ),
        Some(org) if !org.all_features => (Status::Partial, step.say("billing-only", &[("org", &org.id)])),
        Some(org) => (Status::Done, step.say("ready", &[("org", &org.id)])),
    };
    vec![Finding::new(&o.me, None, status, detail)]
}

pub fn plan(o: &Observed, step: &Step) -> Plan {
    let mut plan = Plan::default();
    match &o.organization {
        None => plan.changes.push(Change {
            at: crate::aws::At::new(&o.me, &o.region),
            global: true,
            action: Action::CreateOrganization,
        }),
        Some(org) if org.management_account != o.me => {
            plan.conflicts
                .push(step.say("conflict-member", &[("org", &org.id), ("management", &org.management_account)]));
        }
        Some(org) if !org.all_features => {
            plan.manual = true;
            plan.notes.push(step.say("plan-enable-all-features", &[("org", &org.id)]));
        }
        Some(org) => plan.notes.push(step.say("ready", &[("org", &org.id)])),
    }
    plan
}

pub fn check(facts: &Facts, region: &str, step: &Step) -> Vec<Finding> {
    match observe(facts, region) {
        Ok(o) => judge(&o, step),
        Err(e) => vec![super::unknown(&e)],
    }
}

pub fn plan_live(ctx: &crate::steps::Ctx<'_>) -> Result<Plan, crate::steps::PlanError> {
    Ok(plan(&observe(ctx.facts, ctx.aws.region())?, ctx.step))
}
