//! Coverage per account for the organization-wide services (GuardDuty, Security Hub CSPM): each
//! active account's state in each governed Region, folded into one finding per account, and the
//! rule that a read that failed never becomes "not done". Pure functions over plain data.

use std::collections::HashMap;

use crate::catalog::Step;
use crate::facts::Facts;
use crate::verdict::{Finding, Status, combine};

/// The Audit account when the organization's accounts can be judged from here (the caller manages
/// the organization and its accounts could be listed), or the finding that says why not. A
/// landing zone can name Audit while Organizations is unreadable: the Regions alone never make done.
pub fn org_audit(facts: &Facts, step: &Step) -> Result<String, Finding> {
    let audit = super::audit_account(facts, step)?;
    match (&facts.organization, &facts.accounts) {
        (Err(e), _) | (_, Err(e)) => Err(super::unknown(e)),
        _ if facts.managed_org().is_none() => Err(super::blocked(facts, step, "needs-management-account")),
        _ => Ok(audit),
    }
}

/// One account's state in one Region: its status and what was seen, in a person's words.
pub type Cell = (Status, String);

/// One Region as read: Audit's finding there, the Region, and each account's cell.
pub type RegionView = (Finding, String, Vec<(String, Cell)>);

/// Combines parts the honest way: a part that could not be read makes a "not done" unknown (the
/// unread part may be exactly what runs), and anything running already makes it partial.
pub fn honest(parts: &[Status]) -> Status {
    let status = combine(parts.iter().copied());
    if status == Status::NotDone && parts.contains(&Status::Unknown) { Status::Unknown } else { status }
}

/// The organization's active accounts, management account first, when the caller can list them.
pub fn active_accounts(facts: &Facts) -> Vec<(String, String)> {
    let me = &facts.identity.account;
    let mut accounts: Vec<(String, String)> = facts
        .accounts
        .as_ref()
        .map(|list| list.iter().filter(|a| a.active).map(|a| (a.id.clone(), a.email.clone())).collect())
        .unwrap_or_default();
    accounts.sort_by_key(|(id, _)| (id != me, id.clone()));
    accounts
}

/// The step's findings: one per Region for Audit's own setup, then one per account saying in
/// which Regions it is covered (`per_region`: Audit's finding, the Region, each account's cell).
pub fn conclude(
    step: &Step,
    audit: &str,
    accounts: &[(String, String)],
    regions: &[String],
    per_region: Vec<RegionView>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut cells = HashMap::new();
    for (finding, region, account_cells) in per_region {
        findings.push(finding);
        for (account, c) in account_cells {
            cells.insert((account, region.clone()), c);
        }
    }
    let count = regions.len().to_string();
    let covered = |account: &str| {
        let key = if account == audit { "audit-covered" } else { "account-covered" };
        step.say(key, &[("regions", &count)])
    };
    let in_region = |r: &str, d: &str| step.say("account-in-region", &[("region", r), ("detail", d)]);
    findings.extend(account_findings(accounts, regions, &cells, &covered, &in_region));
    findings
}
/// One finding per account (no Region: it spans them): done when covered in every governed
/// Region, otherwise the Regions where it is not, each with what was seen there.
pub fn account_findings(
    accounts: &[(String, String)],
    regions: &[String],
    cells: &HashMap<(String, String), Cell>,
    covered: &dyn Fn(&str) -> String,
    in_region: &dyn Fn(&str, &str) -> String,
) -> Vec<Finding> {
    accounts
        .iter()
        .map(|(account, _)| {
            let seen: Vec<(&String, &Cell)> =
                regions.iter().filter_map(|r| cells.get(&(account.clone(), r.clone())).map(|c| (r, c))).collect();
            let statuses: Vec<Status> = seen.iter().map(|(_, c)| c.0).collect();
            let status = honest(&statuses);
            let detail = if status == Status::Done {
                covered(account)
            } else {
                seen.iter()
                    .filter(|(_, c)| c.0 != Status::Done)
                    .map(|(r, c)| in_region(r, &c.1))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            Finding::new(account, None, status, super::sentence(&detail))
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
        let accounts = vec![("111".to_owned(), String::new()), ("222".to_owned(), String::new())];
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
