//! s3-public-access: S3 Block Public Access, all four account-level settings, in every active
//! account of the organization (the caller's own alone outside one), each read in that account.
//!
//! What AWS reads back (`GetPublicAccessBlock`) is the account's effective setting, which already
//! includes what an organization-level S3 policy imposes, so the verdict holds either way; the
//! plan only ever uses the account level. Before a change is planned for an account, its buckets
//! are read: one that is public today would stop being public, so that account is a conflict until
//! the person answers, per account, `close` (go ahead) or `keep` (leave the account as it is).

use std::collections::BTreeMap;

use futures_util::future::join_all;

use crate::aws::change::Action;
use crate::aws::s3::{self, Bucket};
use crate::aws::s3control::{self, Block, SETTINGS};
use crate::aws::{At, Aws, AwsError};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::inputs::{Ask, InputError};
use crate::steps::{Change, Plan};
use crate::verdict::{Finding, Status};

/// The answer, per account, for accounts with a bucket that is public today.
pub const KEY: &str = "s3-public-access.public-buckets";

/// Everything the step reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// The Region the account-level calls go to.
    pub region: String,
    /// Every account judged (the caller's first), with what was read there or why it could not be.
    pub accounts: Vec<(String, Result<Seen, AwsError>)>,
}

/// One account.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub block: Block,
    /// The account's buckets; read only where the block is not fully on (where a change could be
    /// planned), `None` elsewhere.
    pub buckets: Option<Result<Vec<Bucket>, AwsError>>,
}

pub async fn observe(aws: &Aws, facts: &Facts) -> Result<Observed, AwsError> {
    let me = facts.identity.account.clone();
    let region = aws.region().to_owned();
    let mut ids = vec![me.clone()];
    if facts.managed_org().is_some() {
        ids.extend(facts.accounts.clone()?.into_iter().filter(|a| a.active && a.id != me).map(|a| a.id));
    }
    let reads = ids.iter().map(|id| {
        let at = At::new(id, &region);
        async move {
            let block = s3control::account_block(aws, &at).await?;
            let buckets = if block.iter().all(|on| *on) { None } else { Some(s3::buckets(aws, &at).await) };
            Ok(Seen { block, buckets })
        }
    });
    let accounts = ids.iter().cloned().zip(join_all(reads).await).collect();
    Ok(Observed { region, accounts })
}

/// The buckets that are public today, each with why: a public policy that the bucket's and the
/// account's `RestrictPublicBuckets` do not already neutralise, or a public ACL grant that their
/// `IgnorePublicAcls` does not (AWS applies the stricter of the bucket's and the account's).
pub fn public_now(block: Block, buckets: &[Bucket], step: &Step) -> Vec<String> {
    let mut found = Vec::new();
    for b in buckets {
        let on = |i: usize| block[i] || b.block[i];
        let args = [("bucket", b.name.as_str()), ("region", b.region.as_str())];
        if b.policy_public && !on(3) {
            found.push(step.say("public-policy", &args));
        }
        if !b.acl_grants.is_empty() && !on(1) {
            let grants = b.acl_grants.join(", ");
            found.push(step.say("public-acl", &[args[0], args[1], ("grants", &grants)]));
        }
    }
    found
}

fn named(block: Block, want: bool) -> String {
    SETTINGS.iter().zip(block).filter(|(_, on)| *on == want).map(|(s, _)| *s).collect::<Vec<_>>().join(", ")
}

pub fn judge(o: &Observed, step: &Step) -> Vec<Finding> {
    o.accounts.iter().map(|(account, read)| judge_account(step, account, read)).collect()
}

fn judge_account(step: &Step, account: &str, read: &Result<Seen, AwsError>) -> Finding {
    let seen = match read {
        Ok(s) => s,
        Err(e) => return super::unknown(e),
    };
    let on = seen.block.iter().filter(|b| **b).count();
    let (status, mut detail) = match on {
        4 => (Status::Done, step.say("all-on", &[])),
        0 => (Status::NotDone, step.say("none-on", &[])),
        _ => (
            Status::Partial,
            step.say("some-on", &[("on", &named(seen.block, true)), ("off", &named(seen.block, false))]),
        ),
    };
    match &seen.buckets {
        Some(Ok(buckets)) => {
            let public = public_now(seen.block, buckets, step);
            if !public.is_empty() {
                detail = format!("{detail} {}", step.say("public-now", &[("buckets", &public.join("; "))]));
            }
        }
        Some(Err(e)) => detail = format!("{detail} {}", step.say("buckets-unreadable", &[("why", &e.explain())])),
        None => {}
    }
    Finding::new(account, None, status, detail)
}

/// The person's choice per account: `close` or `keep`.
fn choices(answer: &str) -> BTreeMap<String, String> {
    answer
        .split(',')
        .filter_map(|pair| pair.split_once('='))
        .map(|(a, c)| (a.trim().to_owned(), c.trim().to_owned()))
        .collect()
}

/// One `PutPublicAccessBlock` (all four on) per account where any is off, unless a bucket there is
/// public today and the person has not chosen `close` for that account. A read that failed stops
/// the plan: groundwork never changes what it could not read.
pub fn plan(o: &Observed, ask: &mut dyn Ask, step: &Step) -> Result<Plan, PlanFailure> {
    let mut plan = Plan::default();
    let mut answer: Option<BTreeMap<String, String>> = None;
    for (account, read) in &o.accounts {
        let seen = read.as_ref().map_err(|e| PlanFailure::Aws(e.clone()))?;
        if seen.block.iter().all(|on| *on) {
            continue;
        }
        let buckets = match &seen.buckets {
            Some(Ok(b)) => b,
            Some(Err(e)) => return Err(PlanFailure::Aws(e.clone())),
            None => &Vec::new(),
        };
        let public = public_now(seen.block, buckets, step).join("; ");
        if !public.is_empty() {
            if answer.is_none() {
                let given = ask.given(KEY).unwrap_or_else(|| "none".to_owned());
                answer = Some(choices(&ask.get(KEY, Some(&given))?));
            }
            let args = [("account", account.as_str()), ("buckets", public.as_str())];
            match answer.as_ref().and_then(|a| a.get(account)).map(String::as_str) {
                Some("close") => plan.notes.push(step.say("plan-closes", &args)),
                Some("keep") => {
                    plan.notes.push(step.say("plan-kept", &args));
                    continue;
                }
                _ => {
                    plan.conflicts.push(step.say("conflict-public", &args));
                    if !plan.conflicting_answers.iter().any(|k| k == KEY) {
                        plan.conflicting_answers.push(KEY.to_owned());
                    }
                    continue;
                }
            }
        }
        if seen.block.iter().any(|on| *on) {
            plan.notes.push(step.say("plan-kept-on", &[("account", account), ("on", &named(seen.block, true))]));
        }
        plan.changes.push(Change {
            at: At::new(account, &o.region),
            global: true,
            action: Action::PutAccountPublicAccessBlock { account: account.clone() },
        });
    }
    if plan.changes.is_empty() && plan.conflicts.is_empty() && plan.notes.is_empty() {
        plan.notes.push(step.say("plan-all-on", &[]));
    }
    if !plan.changes.is_empty() {
        plan.notes.push(step.say("denied-by-organization", &[]));
    }
    Ok(plan)
}

/// Why a plan could not be made from an observation.
#[derive(Debug, thiserror::Error)]
pub enum PlanFailure {
    #[error("{}", .0.explain())]
    Aws(AwsError),
    #[error("{0}")]
    Input(#[from] InputError),
}

impl From<PlanFailure> for crate::steps::PlanError {
    fn from(f: PlanFailure) -> Self {
        match f {
            PlanFailure::Aws(e) => e.into(),
            PlanFailure::Input(e) => e.into(),
        }
    }
}

pub async fn check(aws: &Aws, facts: &Facts, step: &Step) -> Vec<Finding> {
    match observe(aws, facts).await {
        Ok(o) => judge(&o, step),
        Err(e) => vec![super::unknown(&e)],
    }
}

pub async fn plan_live(ctx: &mut crate::steps::Ctx<'_>) -> Result<Plan, crate::steps::PlanError> {
    let o = observe(ctx.aws, ctx.facts).await?;
    Ok(plan(&o, ctx.ask, ctx.step)?)
}
