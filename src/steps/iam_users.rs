//! iam-users: people sign in through IAM Identity Center, not IAM users. In every active account
//! (members through the member role), the credential report names each IAM user with a console
//! password; each user's access keys are read live with their last use. Done when no user has a
//! console password and no active key has gone unused for 90 days.
//!
//! The plan never deletes a user or a key: each key unused for 90 days may be deactivated (its own
//! change, after its own yes; `Status=Inactive` is reversible), and moving people to Identity Center
//! is the person's part. Keys used recently are left alone: they are probably a machine's.

use futures_util::future::join_all;

use crate::aws::change::Action;
use crate::aws::credential_report::{self, AccessKey};
use crate::aws::{At, Aws, AwsError};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::inputs::Ask;
use crate::steps::{Change, Plan, PlanError};
use crate::verdict::{Finding, Status};

/// An active key unused this long is offered for deactivation (AWS's and CIS's 90 days).
pub const UNUSED_DAYS: i64 = 90;
const DAY: i64 = 86_400;

/// Everything the step reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// When it was read (seconds since the epoch): ages are judged against it.
    pub now: i64,
    /// The Region IAM's global calls are made from.
    pub region: String,
    /// Each active account, with its IAM users or why they could not be read.
    pub accounts: Vec<(String, Result<Credentials, AwsError>)>,
}

/// One account's IAM users as the credential report and their keys show them.
#[derive(Debug, Clone, PartialEq)]
pub struct Credentials {
    /// When AWS generated the report (it is reused for up to four hours).
    pub generated: i64,
    pub users: Vec<User>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub name: String,
    /// A console password (the report's `password_enabled`).
    pub console: bool,
    pub mfa: bool,
    pub keys: Vec<AccessKey>,
}

/// What one active key is: unused for 90 days (offered for deactivation), used recently (a
/// machine's, probably), or too new to tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// Days since its last use, or since it was made when never used.
    Unused {
        days: i64,
        never: bool,
    },
    InUse {
        days: i64,
    },
    New,
}

pub fn key_use(key: &AccessKey, now: i64) -> KeyUse {
    match key.last_used {
        Some(t) if now - t >= UNUSED_DAYS * DAY => KeyUse::Unused { days: (now - t) / DAY, never: false },
        Some(t) => KeyUse::InUse { days: (now - t) / DAY },
        None if now - key.created >= UNUSED_DAYS * DAY => {
            KeyUse::Unused { days: (now - key.created) / DAY, never: true }
        }
        None => KeyUse::New,
    }
}

pub async fn observe(aws: &Aws, facts: &Facts) -> Result<Observed, AwsError> {
    let me = facts.identity.account.clone();
    let region = aws.region().to_owned();
    let ids: Vec<String> = if facts.managed_org().is_some() {
        let mut ids: Vec<String> = facts.accounts.clone()?.into_iter().filter(|a| a.active).map(|a| a.id).collect();
        if !ids.contains(&me) {
            ids.insert(0, me.clone());
        }
        ids
    } else {
        vec![me]
    };
    let reads = ids.iter().map(|account| read_account(aws, At::new(account, &region)));
    let accounts = ids.iter().cloned().zip(join_all(reads).await).collect();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    Ok(Observed { now, region, accounts })
}

async fn read_account(aws: &Aws, at: At) -> Result<Credentials, AwsError> {
    let report = credential_report::report(aws, &at).await?;
    let keys = join_all(report.rows.iter().map(|r| credential_report::access_keys(aws, &at, &r.user))).await;
    let mut users = Vec::new();
    for (row, keys) in report.rows.into_iter().zip(keys) {
        users.push(User { name: row.user, console: row.password_enabled, mfa: row.mfa_active, keys: keys? });
    }
    Ok(Credentials { generated: report.generated, users })
}

pub fn judge(o: &Observed, step: &Step) -> Vec<Finding> {
    o.accounts.iter().map(|(account, read)| judge_account(o.now, step, account, read)).collect()
}

fn judge_account(now: i64, step: &Step, account: &str, read: &Result<Credentials, AwsError>) -> Finding {
    let creds = match read {
        Ok(c) => c,
        Err(e) => return super::unknown(e),
    };
    let mut items = Vec::new();
    let mut machines = Vec::new();
    for user in &creds.users {
        if user.console {
            let key = if user.mfa { "console-mfa" } else { "console-no-mfa" };
            items.push(step.say(key, &[("user", &user.name)]));
        }
        for key in user.keys.iter().filter(|k| k.active) {
            let (id, name) = (("key", key.id.as_str()), ("user", user.name.as_str()));
            match key_use(key, now) {
                KeyUse::Unused { days, never } => {
                    let words = if never { "stale-never" } else { "stale-used" };
                    items.push(step.say(words, &[id, name, ("days", &days.to_string())]));
                }
                KeyUse::InUse { days } => {
                    let service = ("service", key.service.as_deref().unwrap_or("an unknown service"));
                    machines.push(step.say("machine-key", &[id, name, ("days", &days.to_string()), service]));
                }
                KeyUse::New => {}
            }
        }
    }
    let age = age(step, now - creds.generated);
    let age = ("age", age.as_str());
    let (status, mut detail) = if items.is_empty() {
        (Status::Done, step.say("clear", &[age]))
    } else {
        (Status::Partial, step.say("found", &[("items", &items.join("; ")), age]))
    };
    if !machines.is_empty() {
        detail = format!("{detail} {}", step.say("machine", &[("keys", &machines.join(", "))]));
    }
    Finding::new(account, None, status, detail)
}

fn age(step: &Step, secs: i64) -> String {
    match secs / 3600 {
        0 => step.say("age-minutes", &[]),
        hours => step.say("age-hours", &[("hours", &hours.to_string())]),
    }
}

/// The key for the yes that deactivates one key: each is asked on its own, "no" unless answered.
pub fn deactivate_key(key: &str) -> String {
    format!("iam-users.deactivate.{key}")
}

/// Each key unused for 90 days is deactivated only after its own yes; a key kept, and every
/// console password, leaves a part for the person. An account that could not be read stops the
/// plan (groundwork never plans on what it could not read).
pub fn plan(o: &Observed, ask: &mut dyn Ask, step: &Step) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    let mut console = Vec::new();
    for (account, read) in &o.accounts {
        let creds = read.as_ref().map_err(|e| PlanError::Aws(e.clone()))?;
        for user in &creds.users {
            if user.console {
                console.push(format!("{} ({account})", user.name));
            }
            for key in user.keys.iter().filter(|k| k.active && matches!(key_use(k, o.now), KeyUse::Unused { .. })) {
                if ask.get(&deactivate_key(&key.id), Some("no"))? == "yes" {
                    plan.changes.push(Change {
                        at: At::new(account, &o.region),
                        global: true,
                        action: Action::DeactivateAccessKey { user: user.name.clone(), key: key.id.clone() },
                    });
                } else {
                    let args = [("key", key.id.as_str()), ("user", user.name.as_str()), ("account", account.as_str())];
                    plan.notes.push(step.say("plan-kept", &args));
                    plan.manual = true;
                }
            }
        }
    }
    if !console.is_empty() {
        plan.notes
            .push(step.say("plan-move", &[("count", &console.len().to_string()), ("users", &console.join(", "))]));
        plan.manual = true;
    }
    if plan.changes.is_empty() && !plan.manual {
        plan.notes.push(step.say("plan-clear", &[]));
    }
    Ok(plan)
}

pub async fn check(aws: &Aws, facts: &Facts, step: &Step) -> Vec<Finding> {
    match observe(aws, facts).await {
        Ok(o) => judge(&o, step),
        Err(e) => vec![super::unknown(&e)],
    }
}

pub async fn plan_live(ctx: &mut crate::steps::Ctx<'_>) -> Result<Plan, PlanError> {
    let o = observe(ctx.aws, ctx.facts).await?;
    plan(&o, ctx.ask, ctx.step)
}
