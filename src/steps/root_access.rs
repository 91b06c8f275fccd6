//! root-access: members' root users, managed centrally. Done when trusted access for IAM is on,
//! both centralized root access features (`RootCredentialsManagement`, `RootSessions`) are enabled,
//! and no active member account's root user has a password, access keys, signing certificates or
//! MFA devices, each member read through an audit root session (`sts:AssumeRoot` with
//! `IAMAuditRootUserCredentials`) from the management account. The management account's own root
//! is root-mfa's: never read or touched here (AWS refuses root sessions into it anyway).
//!
//! The plan turns on trusted access and the two features (free, each a change). A member's root
//! credentials are deleted only with a yes for that account (`root-access.delete.<account>`,
//! default no, never remembered), a change of its own that says what the person gives up.

use futures_util::future::join_all;

use super::contacts::PlanFailure;
use crate::aws::change::Action;
use crate::aws::root_access::{self as ra, RootCredentials, TRUSTED};
use crate::aws::{At, Aws, AwsError, ErrorKind, organizations};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::inputs::Ask;
use crate::steps::{Change, Plan};
use crate::verdict::{Finding, Status};

/// The per-account answer that allows deleting that member's root credentials.
pub const DELETE_KEY: &str = "root-access.delete.";
pub const CREDENTIALS_MANAGEMENT: &str = "RootCredentialsManagement";
pub const ROOT_SESSIONS: &str = "RootSessions";

/// Everything the step reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub me: String,
    pub region: String,
    pub scope: Scope,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// Nothing can be managed from here: the message key that says why.
    Outside(&'static str),
    Org {
        trusted: bool,
        /// Read only with trusted access on (AWS refuses the read without it).
        features: Option<Result<Vec<String>, AwsError>>,
        /// Each active member (never the management account) with its root credentials, read only
        /// once root sessions are on; `None` before.
        members: Vec<(String, Option<Result<RootCredentials, AwsError>>)>,
    },
}

pub async fn observe(aws: &Aws, facts: &Facts) -> Result<Observed, AwsError> {
    let me = facts.identity.account.clone();
    let region = aws.region().to_owned();
    let at = At::new(&me, &region);
    if let Err(e) = &facts.organization {
        return Err(e.clone());
    }
    let scope = match (&facts.organization, facts.managed_org()) {
        (Ok(None), _) => Scope::Outside("needs-organization"),
        (_, None) => Scope::Outside("not-management"),
        (_, Some(org)) if !org.all_features => Scope::Outside("needs-all-features"),
        (_, Some(_)) => {
            let ids: Vec<String> =
                facts.accounts.clone()?.iter().filter(|a| a.active && a.id != me).map(|a| a.id.clone()).collect();
            let trusted = organizations::service_access(aws, &at).await?.iter().any(|p| p == TRUSTED);
            let features = if trusted { Some(ra::features(aws, &at).await) } else { None };
            let sessions = matches!(&features, Some(Ok(f)) if f.iter().any(|f| f == ROOT_SESSIONS));
            let reads = ids.iter().map(|id| {
                let at = at.clone();
                async move { if sessions { Some(ra::root_credentials(aws, &at, id).await) } else { None } }
            });
            let members = ids.iter().cloned().zip(join_all(reads).await).collect();
            Scope::Org { trusted, features, members }
        }
    };
    Ok(Observed { me, region, scope })
}

/// What a root user has, in words ("a password, 1 access key").
fn held(c: &RootCredentials, step: &Step) -> String {
    let mut parts = Vec::new();
    if c.password {
        parts.push(step.say("has-password", &[]));
    }
    for (n, key) in
        [(c.access_keys.len(), "has-keys"), (c.certificates.len(), "has-certificates"), (c.mfa.len(), "has-mfa")]
    {
        if n > 0 {
            parts.push(step.say(key, &[("count", &n.to_string())]));
        }
    }
    parts.join(", ")
}

pub fn judge(o: &Observed, step: &Step) -> Vec<Finding> {
    let (trusted, features, members) = match &o.scope {
        Scope::Outside(key) => {
            let status = if *key == "not-management" { Status::Unknown } else { Status::NotDone };
            return vec![Finding::new(&o.me, None, status, step.say(key, &[]))];
        }
        Scope::Org { trusted, features, members } => (*trusted, features, members),
    };
    let mut findings = vec![setup(step, &o.me, trusted, features.as_ref())];
    for (id, read) in members {
        let (status, detail) = match read {
            None => (Status::Unknown, step.say("member-waits-for-sessions", &[])),
            Some(Ok(c)) if c.is_empty() => (Status::Done, step.say("member-clean", &[])),
            Some(Ok(c)) => (Status::Partial, step.say("member-has", &[("account", id), ("what", &held(c, step))])),
            Some(Err(e)) => (Status::Unknown, refused(step, e)),
        };
        findings.push(Finding::new(id, None, status, detail));
    }
    findings
}

/// The organization's setup, seen from the management account.
fn setup(step: &Step, me: &str, trusted: bool, features: Option<&Result<Vec<String>, AwsError>>) -> Finding {
    let (status, detail) = match features {
        _ if !trusted => (Status::NotDone, step.say("trusted-off", &[])),
        None => (Status::NotDone, step.say("trusted-off", &[])),
        Some(Err(e)) => (Status::Unknown, format!("{} {}", step.say("features-unreadable", &[]), e.explain())),
        Some(Ok(on)) => {
            let missing: Vec<&str> =
                [CREDENTIALS_MANAGEMENT, ROOT_SESSIONS].into_iter().filter(|f| !on.iter().any(|o| o == f)).collect();
            if missing.is_empty() {
                (Status::Done, step.say("features-on", &[]))
            } else {
                (Status::NotDone, step.say("features-off", &[("features", &missing.join(", "))]))
            }
        }
    };
    Finding::new(me, None, status, detail)
}

/// A member that could not be read: a refused root session says what usually refuses it.
fn refused(step: &Step, e: &AwsError) -> String {
    let denied = matches!(e.kind, ErrorKind::AccessDenied | ErrorKind::DeniedByOrganization);
    if denied && e.action == "sts:AssumeRoot" {
        format!("{} {}", step.say("session-refused", &[]), e.explain())
    } else {
        e.explain()
    }
}

/// Trusted access and the features first; then, per member with root credentials, their deletion
/// only when the person said yes for that account.
pub fn plan(o: &Observed, ask: &mut dyn Ask, step: &Step) -> Result<Plan, PlanFailure> {
    let mut plan = Plan::default();
    let (trusted, features, members) = match &o.scope {
        Scope::Outside(key) => {
            plan.conflicts.push(step.say(key, &[]));
            return Ok(plan);
        }
        Scope::Org { trusted, features, members } => (*trusted, features, members),
    };
    let at = At::new(&o.me, &o.region);
    let change = |action| Change { at: at.clone(), global: true, action };
    if !trusted {
        plan.changes.push(change(Action::EnableServiceAccess { principal: TRUSTED.into() }));
    }
    let on = match features {
        Some(read) => read.clone().map_err(PlanFailure::Aws)?,
        None => Vec::new(),
    };
    if !on.iter().any(|f| f == CREDENTIALS_MANAGEMENT) {
        plan.changes.push(change(Action::EnableRootCredentialsManagement));
    }
    if !on.iter().any(|f| f == ROOT_SESSIONS) {
        plan.changes.push(change(Action::EnableRootSessions));
        if !members.is_empty() {
            plan.notes.push(step.say("plan-members-next-run", &[("count", &members.len().to_string())]));
        }
    }
    let mut asked = false;
    for (id, read) in members {
        match read {
            Some(Ok(c)) if !c.is_empty() => {
                asked = true;
                let what = held(c, step);
                if ask.get(&format!("{DELETE_KEY}{id}"), Some("no"))? == "yes" {
                    plan.changes.push(change(Action::DeleteRootCredentials { account: id.clone(), found: c.clone() }));
                } else {
                    // Kept by the person's answer: deleting is theirs to do, here or in the console.
                    plan.manual = true;
                    plan.notes.push(
                        step.say(
                            "plan-kept",
                            &[("account", id), ("what", &what), ("key", &format!("{DELETE_KEY}{id}"))],
                        ),
                    );
                }
            }
            // Nothing is planned for a member that could not be read; the rest waits with it.
            Some(Err(e)) => plan.conflicts.push(format!("{id}: {}", refused(step, e))),
            _ => {}
        }
    }
    if asked {
        plan.notes.push(step.say("plan-gives-up", &[]));
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
    Ok(plan(&o, ctx.ask, ctx.step)?)
}
