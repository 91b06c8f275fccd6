//! ebs-encryption: EBS encryption by default, on in every active account of the organization and
//! every governed Region (a per-account, per-Region setting: AWS has no organization-wide switch in
//! the EC2 API). Each account is read from inside it, through the member role; the management
//! account with its own credentials. One observation feeds the verdict and the plan.
//!
//! Turning it on changes only volumes created afterwards, with the account's default KMS key: AWS's
//! managed `alias/aws/ebs` unless the person chose another, which is kept.

use futures_util::future::join_all;

use super::contacts::PlanFailure;
use super::coverage::{self, Alone, Cell, Seen, change, honest, sentence};
use crate::aws::change::Action;
use crate::aws::ec2::{EbsDefaults, ebs_defaults};
use crate::aws::{At, Aws, AwsError};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::steps::Plan;
use crate::verdict::{Finding, Status};

/// One account and its settings in each governed Region.
pub type Account = (String, Vec<(String, Seen<EbsDefaults>)>);

/// Everything the step reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub me: String,
    /// Each account read (management account first) with its settings in each governed Region.
    pub accounts: Vec<Account>,
    /// Run from a member account: the organization's other accounts cannot be seen from here.
    pub member_only: bool,
}

pub async fn observe(aws: &Aws, facts: &Facts) -> Result<Observed, AwsError> {
    let me = facts.identity.account.clone();
    let (ids, member_only) = match coverage::reach(facts)? {
        Ok((_, accounts)) => (accounts.into_iter().map(|a| a.id).collect(), false),
        // Every active account, Audit or not: an organization without a landing zone counts too.
        Err(Alone::NoAudit | Alone::NotAllFeatures) if facts.managed_org().is_some() => {
            let mut ids: Vec<String> = facts.accounts.clone()?.into_iter().filter(|a| a.active).map(|a| a.id).collect();
            ids.sort_by_key(|id| (id != &me, id.clone()));
            (ids, false)
        }
        Err(Alone::NotManagement) => (vec![me.clone()], true),
        Err(_) => (vec![me.clone()], false),
    };
    let regions = &facts.governed_regions;
    let reads = ids.iter().map(|id| async move {
        let per_region = regions.iter().map(|r| async move { (r.clone(), ebs_defaults(aws, &At::new(id, r)).await) });
        (id.clone(), join_all(per_region).await)
    });
    Ok(Observed { me, accounts: join_all(reads).await, member_only })
}

pub fn judge(o: &Observed, step: &Step) -> Vec<Finding> {
    let mut findings: Vec<Finding> =
        o.accounts.iter().map(|(id, regions)| account_finding(step, id, regions)).collect();
    if o.member_only {
        findings.push(Finding::new(&o.me, None, Status::Unknown, step.say("needs-management-account", &[])));
    }
    findings
}

/// One account across the governed Regions: done when on in every one.
fn account_finding(step: &Step, account: &str, regions: &[(String, Seen<EbsDefaults>)]) -> Finding {
    let cells: Vec<(&String, Cell)> = regions.iter().map(|(r, seen)| (r, cell(step, seen))).collect();
    let status = honest(&cells.iter().map(|(_, c)| c.0).collect::<Vec<_>>());
    let detail = if status == Status::Done {
        let mut keys: Vec<String> =
            regions.iter().filter_map(|(_, s)| s.as_ref().ok()).map(|d| key_words(step, &d.key)).collect();
        keys.dedup();
        let count = regions.len().to_string();
        step.say("on-everywhere", &[("regions", &count), ("key", &keys.join(", "))])
    } else {
        let off = cells.iter().filter(|(_, c)| c.0 != Status::Done);
        off.map(|(r, c)| step.say("account-in-region", &[("region", r), ("detail", &c.1)]))
            .collect::<Vec<_>>()
            .join("; ")
    };
    Finding::new(account, None, status, sentence(&detail))
}

fn cell(step: &Step, seen: &Seen<EbsDefaults>) -> Cell {
    match seen {
        Err(e) => (Status::Unknown, e.explain()),
        Ok(d) if d.enabled => (Status::Done, step.say("on", &[])),
        Ok(_) => (Status::NotDone, step.say("off", &[])),
    }
}

/// The key as a person reads it: AWS's managed key by its alias, any other by its ARN.
fn key_words(step: &Step, key: &str) -> String {
    if key.ends_with(":alias/aws/ebs") || key == "alias/aws/ebs" {
        step.say("aws-managed-key", &[])
    } else {
        key.to_owned()
    }
}

/// Turns it on wherever it is off, in that account and Region. A read that failed stops the plan.
pub fn plan(o: &Observed, step: &Step) -> Result<Plan, PlanFailure> {
    let mut plan = Plan::default();
    if o.member_only {
        plan.conflicts.push(Alone::NotManagement.conflict());
    }
    let mut keys = Vec::new();
    for (account, regions) in &o.accounts {
        for (region, seen) in regions {
            let d = seen.as_ref().map_err(|e| PlanFailure::Aws(e.clone()))?;
            if !d.enabled {
                plan.changes.push(change(&At::new(account, region), Action::EnableEbsEncryption));
                let key = key_words(step, &d.key);
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
    }
    if !plan.changes.is_empty() {
        plan.notes.push(step.say("plan-new-only", &[]));
        plan.notes.push(step.say("plan-key", &[("keys", &keys.join(", "))]));
        plan.notes.push(step.say("plan-shared", &[]));
    }
    Ok(plan)
}

pub async fn check(aws: &Aws, facts: &Facts, step: &Step) -> Vec<Finding> {
    match observe(aws, facts).await {
        Ok(o) => judge(&o, step),
        Err(e) => vec![super::unknown(&e)],
    }
}

pub async fn plan_live(ctx: &mut crate::steps::Ctx<'_>) -> Result<Plan, crate::steps::PlanError> {
    let o = observe(ctx.aws, ctx.facts).await?;
    Ok(plan(&o, ctx.step)?)
}
