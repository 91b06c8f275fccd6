//! root-mfa: the root user of the account groundwork runs in has MFA and no access keys. Only a
//! person signed in as root can change either, in the console: the plan is that guide, never a call.

use crate::aws::iam::{self, RootCredentials};
use crate::aws::{At, Aws, AwsError};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::steps::Plan;
use crate::verdict::{Finding, Status, combine};

/// What the step reads: the account summary's two root flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub account: String,
    pub root: RootCredentials,
}

pub async fn observe(aws: &Aws, facts: &Facts) -> Result<Observed, AwsError> {
    let account = facts.identity.account.clone();
    let root = iam::root_credentials(aws, &At::new(&account, aws.region())).await?;
    Ok(Observed { account, root })
}

/// MFA is what matters most: without it the step is not done whatever else holds; with it,
/// leftover root access keys still make it only partial.
pub fn judge(o: &Observed, step: &Step) -> Vec<Finding> {
    let status = match (o.root.mfa_enabled, o.root.access_keys_present) {
        (true, false) => Status::Done,
        (true, true) => Status::Partial,
        (false, _) => Status::NotDone,
    };
    let mfa = if o.root.mfa_enabled { "mfa-on" } else { "mfa-off" };
    let keys = if o.root.access_keys_present { "keys-present" } else { "keys-absent" };
    vec![Finding::new(&o.account, None, status, format!("{} {}", step.say(mfa, &[]), step.say(keys, &[])))]
}

/// Nothing groundwork may do: enrolling MFA and deleting root keys are the root user's, in the console.
pub fn plan(o: &Observed, step: &Step) -> Plan {
    let mut plan = Plan::default();
    if combine(judge(o, step).iter().map(|f| f.status)) != Status::Done {
        plan.manual = true;
        plan.notes.push(step.say("plan-recheck", &[]));
    }
    plan
}

pub async fn check(aws: &Aws, facts: &Facts, step: &Step) -> Vec<Finding> {
    match observe(aws, facts).await {
        Ok(o) => judge(&o, step),
        Err(e) => vec![super::unknown(&e)],
    }
}

pub async fn plan_live(ctx: &crate::steps::Ctx<'_>) -> Result<Plan, crate::steps::PlanError> {
    Ok(plan(&observe(ctx.aws, ctx.facts).await?, ctx.step))
}
