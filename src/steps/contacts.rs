//! contacts: the SECURITY, BILLING and OPERATIONS alternate contacts, in the account groundwork
//! runs in and, from the management account, in every active member account. One observation
//! feeds the verdict and the plan.
//!
//! A member's contacts are read and written with the management account's own credentials and
//! `AccountId=<member>` (AWS's "organizations context", which needs trusted access for Account
//! Management), never from inside the member; the caller's own without `AccountId`, which AWS
//! refuses to the management account naming itself. Contacts already set are left exactly as they
//! are. Until trusted access is on, the members' contacts cannot be read: they are `unknown`, and
//! the plan turns trusted access on first (the missing ones are planned on the next run, since
//! groundwork never writes what it could not read).

use futures_util::future::join_all;

use crate::aws::account::{CONTACT_TYPES, alternate_contact};
use crate::aws::change::Action;
use crate::aws::{At, Aws, AwsError, organizations};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::inputs::{Ask, InputError};
use crate::steps::{Change, Plan};
use crate::verdict::{Finding, Status};

/// The trusted-access principal behind the organizations context.
pub const TRUSTED: &str = "account.amazonaws.com";

/// Everything the step reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub me: String,
    pub region: String,
    /// Member accounts (active, other than the caller); empty outside a managed organization.
    pub members: Vec<String>,
    /// Whether trusted access for Account Management is on (members are read only when it is).
    pub trusted: bool,
    /// Whether the organization has all features: AWS allows trusted access only then, so in a
    /// consolidated-billing-only organization the members' contacts cannot be managed from here.
    pub all_features: bool,
    /// Each account read, with the email address of each of the three contacts that is set (in
    /// `CONTACT_TYPES` order), or why they could not be read.
    pub contacts: Vec<(String, Result<Addresses, AwsError>)>,
}

/// The email address of each of the three contacts that is set, in `CONTACT_TYPES` order.
pub type Addresses = [Option<String>; 3];

pub async fn observe(aws: &Aws, facts: &Facts) -> Result<Observed, AwsError> {
    let me = facts.identity.account.clone();
    let region = aws.region().to_owned();
    let all_features = facts.managed_org().is_none_or(|o| o.all_features);
    let (members, trusted) = if facts.managed_org().is_some() {
        let members: Vec<String> =
            facts.accounts.clone()?.iter().filter(|a| a.active && a.id != me).map(|a| a.id.clone()).collect();
        // Without all features there is no trusted access to read (AWS refuses the list too).
        let trusted = members.is_empty()
            || (all_features
                && organizations::service_access(aws, &At::new(&me, &region)).await?.iter().any(|p| p == TRUSTED));
        (members, trusted)
    } else {
        (Vec::new(), true)
    };
    let readable: Vec<&String> = std::iter::once(&me).chain(members.iter().filter(|_| trusted)).collect();
    let reads = readable.iter().map(|account| {
        let (at, own) = (At::new(account, &region), *account == &me);
        async move {
            let answers = join_all(CONTACT_TYPES.iter().map(|kind| alternate_contact(aws, &at, kind, own))).await;
            let mut set: Addresses = Default::default();
            for (slot, answer) in set.iter_mut().zip(answers) {
                *slot = answer?;
            }
            Ok(set)
        }
    });
    let contacts = readable.iter().map(|a| (*a).clone()).zip(join_all(reads).await).collect();
    Ok(Observed { me, region, members, trusted, all_features, contacts })
}

pub fn judge(o: &Observed, step: &Step) -> Vec<Finding> {
    let mut findings: Vec<Finding> =
        o.contacts.iter().map(|(account, read)| judge_account(step, account, read)).collect();
    if !o.trusted {
        let key = if o.all_features { "member-needs-trusted-access" } else { "member-needs-all-features" };
        let why = step.say(key, &[]);
        findings.extend(o.members.iter().map(|m| Finding::new(m, None, Status::Unknown, why.clone())));
    }
    findings
}

fn judge_account(step: &Step, account: &str, read: &Result<Addresses, AwsError>) -> Finding {
    let set = match read {
        Ok(set) => set,
        Err(e) => return super::unknown(e),
    };
    let named = |want: bool| -> Vec<&str> {
        CONTACT_TYPES.iter().zip(set).filter(|(_, s)| s.is_some() == want).map(|(k, _)| *k).collect()
    };
    let (present, missing) = (named(true), named(false));
    // The addresses are named, so a person can see a typo in what AWS will write to.
    let to: Vec<String> = CONTACT_TYPES
        .iter()
        .zip(set)
        .map(|(kind, email)| format!("{} {}", kind.to_lowercase(), email.as_deref().unwrap_or_default()))
        .collect();
    let (status, detail) = match present.len() {
        3 => (Status::Done, step.say("all-set", &[("to", &to.join(", "))])),
        0 => (Status::NotDone, step.say("none-set", &[])),
        _ => (Status::Partial, step.say("some-set", &[("set", &present.join(", ")), ("missing", &missing.join(", "))])),
    };
    Finding::new(account, None, status, detail)
}

/// The missing contacts, each asked for once (the same people serve every account); trusted
/// access first when the members can't be read yet. A read that failed stops the plan.
pub fn plan(o: &Observed, ask: &mut dyn Ask, step: &Step) -> Result<Plan, PlanFailure> {
    let mut plan = Plan::default();
    let at = At::new(&o.me, &o.region);
    if !o.trusted && !o.all_features {
        // AWS refuses trusted access without all features: only the person can turn them on.
        plan.notes.push(step.say("plan-needs-all-features", &[("count", &o.members.len().to_string())]));
        plan.manual = true;
    } else if !o.trusted {
        plan.changes.push(Change {
            at: at.clone(),
            global: true,
            action: Action::EnableServiceAccess { principal: TRUSTED.into() },
        });
        plan.notes.push(step.say("plan-members-next-run", &[("count", &o.members.len().to_string())]));
    }
    for (account, read) in &o.contacts {
        let set = read.as_ref().map_err(|e| PlanFailure::Aws(e.clone()))?;
        for (kind, _) in CONTACT_TYPES.iter().zip(set).filter(|(_, s)| s.is_none()) {
            let k = kind.to_lowercase();
            let mut field = |f: &str| ask.get(&format!("contacts.{k}.{f}"), None);
            let (name, title, email, phone) = (field("name")?, field("title")?, field("email")?, field("phone")?);
            plan.changes.push(Change {
                at: at.clone(),
                global: true,
                action: Action::PutAlternateContact {
                    own: *account == o.me,
                    account: account.clone(),
                    kind: (*kind).to_owned(),
                    name,
                    title,
                    email,
                    phone,
                },
            });
        }
    }
    if plan.changes.is_empty() {
        plan.notes.push(step.say("plan-all-set", &[]));
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
