//! What GuardDuty and Security Hub CSPM share: both run org-wide from the Audit account in every
//! governed Region, so both first work out whether the organization can be covered from here (the
//! `Reach`), judge Audit as delegated administrator the same way, and fold each account's state in
//! each Region into one finding per account. Pure functions over plain data, except `reach`, which
//! reads only the account model.

use std::collections::HashMap;

use crate::aws::guardduty::Admin;
use crate::aws::{At, AwsError};
use crate::catalog::{Step, say};
use crate::facts::Facts;
use crate::steps::{Change, Plan};
use crate::verdict::{Finding, Status, combine};

/// A read as it came back: the value, or why AWS did not give it.
pub type Seen<T> = Result<T, AwsError>;

/// One account's state in one Region, or one part of Audit's setup: its status and what was seen,
/// in a person's words.
pub type Cell = (Status, String);

/// An active account of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub email: String,
}

/// Why no organization-wide setup can be judged or planned from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alone {
    NoOrganization,
    /// In an organization, but not as its management account.
    NotManagement,
    /// No landing zone names Audit, and no account is called so.
    NoAudit,
    /// The organization has consolidated billing only: AWS refuses trusted access and delegated
    /// administrators without all features.
    NotAllFeatures,
}

impl Alone {
    /// The verdict's finding: the step cannot be set up from here.
    pub fn finding(self, me: &str, step: &Step) -> Finding {
        let key = match self {
            Alone::NoOrganization => "needs-organization",
            Alone::NotManagement => "needs-management-account",
            Alone::NoAudit => "needs-audit-account",
            Alone::NotAllFeatures => "needs-all-features",
        };
        Finding::new(me, None, Status::NotDone, step.say(key, &[]))
    }

    /// The plan's conflict: what to apply first (shared words, from `assets/messages.toml`).
    pub fn conflict(self) -> String {
        let key = match self {
            Alone::NoOrganization | Alone::NotManagement => "plan-needs-management-org",
            Alone::NoAudit => "plan-needs-audit",
            Alone::NotAllFeatures => "plan-needs-all-features",
        };
        say(key, &[])
    }
}

/// Whom the step covers: Audit and the organization's active accounts (management account first),
/// or why it works alone. An unreadable organization is an error: a landing zone can name Audit
/// while Organizations cannot be read, and the Regions alone never make the step done.
pub fn reach(facts: &Facts) -> Result<Result<(String, Vec<Account>), Alone>, AwsError> {
    if let (Err(e), _) | (_, Err(e)) = (&facts.organization, &facts.accounts) {
        return Err(e.clone());
    }
    let alone = match (&facts.organization, &facts.audit) {
        (Ok(None), None) => Alone::NoOrganization,
        _ if facts.managed_org().is_none() => Alone::NotManagement,
        (_, None) => Alone::NoAudit,
        (_, Some(audit)) => return Ok(Ok((audit.id.clone(), active_accounts(facts)))),
    };
    Ok(Err(alone))
}

/// The organization's active accounts, management account first.
fn active_accounts(facts: &Facts) -> Vec<Account> {
    let me = &facts.identity.account;
    let mut accounts: Vec<Account> = facts
        .accounts
        .as_ref()
        .map(|list| {
            list.iter().filter(|a| a.active).map(|a| Account { id: a.id.clone(), email: a.email.clone() }).collect()
        })
        .unwrap_or_default();
    accounts.sort_by_key(|a| (&a.id != me, a.id.clone()));
    accounts
}

/// The findings of a step that works alone: why, and, in each Region where the service already runs
/// in this account (`running`), a partial finding: what runs is never "not set up".
pub fn alone_findings(me: &str, why: Alone, step: &Step, running: &[(String, Seen<bool>)], key: &str) -> Vec<Finding> {
    let own = running.iter().filter_map(|(region, seen)| match seen {
        Ok(true) => Some(Finding::new(me, Some(region), Status::Partial, step.say(key, &[]))),
        Ok(false) => None,
        Err(e) => Some(Finding::new(me, Some(region), Status::Unknown, e.explain())),
    });
    std::iter::once(why.finding(me, step)).chain(own).collect()
}

/// Whether Audit is the `ENABLED` delegated administrator in a list of administrators.
pub fn audit_is_admin(admins: &[Admin], audit: &str) -> bool {
    admins.iter().any(|a| a.account == audit && a.status == "ENABLED")
}

/// The verdict on the delegated administrator: Audit (done), another account, or none.
pub fn admin_cell(step: &Step, admins: &Seen<Vec<Admin>>, audit: &str) -> Cell {
    match admins {
        Err(e) => (Status::Unknown, e.explain()),
        Ok(list) if audit_is_admin(list, audit) => (Status::Done, step.say("admin-audit", &[])),
        Ok(list) => match list.iter().find(|a| a.account != audit) {
            Some(other) => (Status::NotDone, step.say("admin-other", &[("admin", &other.account)])),
            // None at all, or Audit on its way out (DISABLE_IN_PROGRESS).
            None => (Status::NotDone, step.say("no-admin", &[])),
        },
    }
}

/// The plan's view of the same list: whether Audit already is the administrator, or the conflict
/// that stops the Region when another account is.
pub fn audit_admin(step: &Step, admins: &[Admin], audit: &str, region: &str) -> Result<bool, String> {
    if let Some(other) = admins.iter().find(|a| a.account != audit) {
        return Err(
            step.say("conflict-other-admin", &[("admin", &other.account), ("audit", audit), ("region", region)])
        );
    }
    Ok(audit_is_admin(admins, audit))
}

/// A plan that stops before it starts.
pub fn stopped(conflict: String) -> Plan {
    Plan { conflicts: vec![conflict], ..Plan::default() }
}

/// A change in one account and Region (never global: both services are regional).
pub fn change(at: &At, action: crate::aws::change::Action) -> Change {
    Change { at: at.clone(), global: false, action }
}

/// Combines parts the honest way: a part that could not be read makes a "not done" unknown (the
/// unread part may be exactly what runs), and anything running already makes it partial.
pub fn honest(parts: &[Status]) -> Status {
    let status = combine(parts.iter().copied());
    if status == Status::NotDone && parts.contains(&Status::Unknown) { Status::Unknown } else { status }
}

/// One finding from several parts of the same account and Region: its status combines theirs and
/// its detail lists what each saw.
pub fn parts_finding(account: &str, region: Option<&str>, parts: Vec<Cell>) -> Finding {
    let statuses: Vec<Status> = parts.iter().map(|(s, _)| *s).collect();
    let detail = parts.into_iter().map(|(_, d)| d).collect::<Vec<_>>().join("; ");
    Finding::new(account, region, honest(&statuses), sentence(&detail))
}

/// Capitalised and closed with a full stop, as the other findings read.
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// One Region as judged: Audit's finding there, the Region, and each account's cell.
pub type RegionView = (Finding, String, Vec<(String, Cell)>);

/// The step's findings: one per Region for Audit's own setup, then one per account saying in
/// which Regions it is covered.
pub fn conclude(step: &Step, audit: &str, accounts: &[Account], per_region: Vec<RegionView>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let (mut regions, mut cells) = (Vec::new(), HashMap::new());
    for (finding, region, account_cells) in per_region {
        findings.push(finding);
        for (account, c) in account_cells {
            cells.insert((account, region.clone()), c);
        }
        regions.push(region);
    }
    let count = regions.len().to_string();
    let covered = |account: &str| {
        let key = if account == audit { "audit-covered" } else { "account-covered" };
        step.say(key, &[("regions", &count)])
    };
    let in_region = |r: &str, d: &str| step.say("account-in-region", &[("region", r), ("detail", d)]);
    findings.extend(account_findings(accounts, &regions, &cells, &covered, &in_region));
    findings
}

/// One finding per account (no Region: it spans them): done when covered in every governed
/// Region, otherwise the Regions where it is not, each with what was seen there.
fn account_findings(
    accounts: &[Account],
    regions: &[String],
    cells: &HashMap<(String, String), Cell>,
    covered: &dyn Fn(&str) -> String,
    in_region: &dyn Fn(&str, &str) -> String,
) -> Vec<Finding> {
    accounts
        .iter()
        .map(|Account { id, .. }| {
            let seen: Vec<(&String, &Cell)> =
                regions.iter().filter_map(|r| cells.get(&(id.clone(), r.clone())).map(|c| (r, c))).collect();
            let statuses: Vec<Status> = seen.iter().map(|(_, c)| c.0).collect();
            let status = honest(&statuses);
            let detail = if status == Status::Done {
                covered(id)
            } else {
                seen.iter()
                    .filter(|(_, c)| c.0 != Status::Done)
                    .map(|(r, c)| in_region(r, &c.1))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            Finding::new(id, None, status, sentence(&detail))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_read_is_never_not_done() {
        assert_eq!(honest(&[Status::NotDone, Status::Unknown]), Status::Unknown);
        assert_eq!(honest(&[Status::NotDone, Status::NotDone]), Status::NotDone);
        assert_eq!(honest(&[Status::Partial, Status::Unknown]), Status::Partial);
        assert_eq!(honest(&[Status::Done, Status::Done]), Status::Done);
        assert_eq!(honest(&[Status::Done, Status::NotDone]), Status::Partial);
    }

    #[test]
    fn an_account_is_done_only_in_every_region() {
        let account = |id: &str| Account { id: id.to_owned(), email: String::new() };
        let accounts = vec![account("111"), account("222")];
        let regions = vec!["us-east-1".to_owned(), "eu-west-1".to_owned()];
        let mut cells = HashMap::new();
        for r in &regions {
            cells.insert(("111".to_owned(), r.clone()), (Status::Done, "member".to_owned()));
        }
        cells.insert(("222".to_owned(), "us-east-1".to_owned()), (Status::Done, "member".to_owned()));
        cells.insert(("222".to_owned(), "eu-west-1".to_owned()), (Status::NotDone, "not a member".to_owned()));
        let f =
            account_findings(&accounts, &regions, &cells, &|_| "covered".to_owned(), &|r, d| format!("in {r}: {d}"));
        assert_eq!((f[0].status, f[0].detail.as_str()), (Status::Done, "Covered."));
        assert_eq!((f[1].status, f[1].detail.as_str()), (Status::Partial, "In eu-west-1: not a member."));
    }
}
