//! security-hub: Security Hub CSPM (never V2) in every governed Region: Audit is the delegated
//! administrator with its own hub and FSBP, new accounts get a hub automatically, and every active
//! account of the organization is a member (Audit's member list) whose own hub runs FSBP `READY`
//! (read in the account itself: no administrator's view shows a member's standards under local
//! configuration). A hub running anywhere makes the step at least partial.

use futures_util::future::join_all;

use super::coverage::{self, Cell};
use crate::aws::guardduty::Admin;
use crate::aws::securityhub::{self as sh, Member, OrgConfig, Standard};
use crate::aws::{At, Aws, AwsError};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::verdict::{Finding, Status};

type Seen<T> = Result<T, AwsError>;

/// What Audit and the management account showed in one Region.
struct View {
    admins: Seen<Vec<Admin>>,
    /// Audit's standards, `None` when it has no hub.
    hub: Seen<Option<Vec<Standard>>>,
    /// Read only when Audit is the administrator with a hub.
    config: Option<Seen<OrgConfig>>,
    members: Option<Seen<Vec<Member>>>,
}

pub async fn check(aws: &Aws, facts: &Facts, step: &Step) -> Vec<Finding> {
    let audit = match coverage::org_audit(facts, step) {
        Ok(id) => id,
        Err(blocked) => return standalone(aws, facts, step, blocked).await,
    };
    let me = &facts.identity.account;
    let accounts = coverage::active_accounts(facts);
    let regions = &facts.governed_regions;
    let per_region = join_all(regions.iter().map(|region| {
        let (audit, accounts) = (&audit, &accounts);
        async move {
            let view = read(aws, &At::new(me, region), &At::new(audit, region), audit).await;
            let view = &view;
            let cells = join_all(accounts.iter().map(|(account, _)| async move {
                (account.clone(), cell(aws, step, audit, region, account, view).await)
            }))
            .await;
            (super::parts_finding(audit, Some(region), judge(step, audit, region, view)), region.clone(), cells)
        }
    }))
    .await;
    coverage::conclude(step, &audit, &accounts, regions, per_region)
}

async fn read(aws: &Aws, mine: &At, theirs: &At, audit: &str) -> View {
    let (admins, hub) = tokio::join!(sh::org_admins(aws, mine), sh::hub_standards(aws, theirs));
    let is_admin = admins.as_ref().is_ok_and(|l| l.iter().any(|a| a.account == audit && a.status == "ENABLED"));
    let (config, members) = if is_admin && matches!(hub, Ok(Some(_))) {
        let (c, m) = tokio::join!(sh::org_config(aws, theirs), sh::members(aws, theirs));
        (Some(c), Some(m))
    } else {
        (None, None)
    };
    View { admins, hub, config, members }
}

/// The organization-wide setup in one Region, as Audit runs it.
fn judge(step: &Step, audit: &str, region: &str, view: &View) -> Vec<Cell> {
    let unknown = |e: &AwsError| (Status::Unknown, e.explain());
    let admin = match &view.admins {
        Err(e) => unknown(e),
        Ok(list) if list.iter().any(|a| a.account == audit && a.status == "ENABLED") => {
            (Status::Done, step.say("admin-audit", &[]))
        }
        Ok(list) => match list.first() {
            Some(other) => (Status::NotDone, step.say("admin-other", &[("admin", &other.account)])),
            None => (Status::NotDone, step.say("no-admin", &[])),
        },
    };
    let mut parts = vec![admin];
    match &view.hub {
        Err(e) => parts.push(unknown(e)),
        Ok(None) => parts.push((Status::NotDone, step.say("hub-disabled", &[]))),
        Ok(Some(standards)) => {
            parts.push((Status::Done, step.say("hub-enabled", &[])));
            parts.push(fsbp(step, region, standards));
        }
    }
    match &view.config {
        None => {}
        Some(Err(e)) => parts.push(unknown(e)),
        Some(Ok(c)) if c.configuration_type.as_deref() == Some("CENTRAL") => {
            // Central configuration decides per policy; groundwork does not read policies yet,
            // so it cannot honestly call members covered.
            parts.push((Status::Unknown, step.say("central-configuration", &[])));
        }
        Some(Ok(c)) if c.auto_enable => parts.push((Status::Done, step.say("auto-enable-on", &[]))),
        Some(Ok(_)) => parts.push((Status::NotDone, step.say("auto-enable-off", &[]))),
    }
    parts
}

fn fsbp(step: &Step, region: &str, standards: &[Standard]) -> Cell {
    let arn = sh::fsbp_arn(region);
    match standards.iter().find(|s| s.arn == arn) {
        // The hub runs, without FSBP: something is there, so partial.
        None => (Status::Partial, step.say("no-fsbp", &[])),
        Some(s) if s.status == "READY" => (Status::Done, step.say("fsbp-ready", &[])),
        Some(s) if s.status == "PENDING" => (Status::Partial, step.say("fsbp-pending", &[])),
        Some(s) => (
            Status::Partial,
            step.say("fsbp-problem", &[("status", &s.status), ("reason", s.reason.as_deref().unwrap_or("none given"))]),
        ),
    }
}

/// One account in one Region: its own hub and FSBP (read in the account), and, for every account
/// but Audit, an `Enabled` membership of Audit.
async fn cell(aws: &Aws, step: &Step, audit: &str, region: &str, account: &str, view: &View) -> Cell {
    let hub =
        if account == audit { clone_seen(&view.hub) } else { sh::hub_standards(aws, &At::new(account, region)).await };
    let standards = match hub {
        Err(e) => return (Status::Unknown, e.explain()),
        Ok(None) => return (Status::NotDone, step.say("account-no-hub", &[])),
        Ok(Some(s)) => s,
    };
    let own = fsbp(step, region, &standards);
    if account == audit {
        return own;
    }
    let membership = match &view.members {
        Some(Err(e)) => (Status::Unknown, e.explain()),
        Some(Ok(list)) => match list.iter().find(|m| m.account == account).map(|m| m.status.as_str()) {
            Some("Enabled" | "Associated" | "ENABLED" | "ASSOCIATED") => {
                (Status::Done, step.say("member-enabled", &[]))
            }
            Some(status) => (Status::Partial, step.say("member-status", &[("status", status)])),
            None => (Status::Partial, step.say("member-none", &[])),
        },
        // Without Audit as administrator there are no members: this hub runs on its own.
        None => (Status::Partial, step.say("member-none", &[])),
    };
    let statuses = [own.0, membership.0];
    (coverage::honest(&statuses), format!("{}; {}", own.1, membership.1))
}

fn clone_seen(hub: &Seen<Option<Vec<Standard>>>) -> Seen<Option<Vec<Standard>>> {
    match hub {
        Ok(v) => Ok(v.clone()),
        Err(e) => Err(e.clone()),
    }
}

/// No organization-wide setup can be judged (no organization, no Audit account): still, a hub
/// running in this account makes the step partial, not "not set up".
async fn standalone(aws: &Aws, facts: &Facts, step: &Step, blocked: Finding) -> Vec<Finding> {
    if blocked.status == Status::Unknown {
        return vec![blocked];
    }
    let me = &facts.identity.account;
    let running = join_all(facts.governed_regions.iter().map(|region| async move {
        match sh::hub_standards(aws, &At::new(me, region)).await {
            Ok(Some(_)) => Some(Finding::new(me, Some(region), Status::Partial, step.say("standalone-hub", &[]))),
            Ok(None) => None,
            Err(e) => Some(Finding::new(me, Some(region), Status::Unknown, e.explain())),
        }
    }))
    .await;
    std::iter::once(blocked).chain(running.into_iter().flatten()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{StepId, step};

    fn status(fsbp: Option<&str>, auto: bool) -> Status {
        let standards = fsbp
            .map(|s| vec![Standard { arn: sh::fsbp_arn("us-east-1"), status: s.into(), reason: None }])
            .unwrap_or_default();
        let config =
            OrgConfig { auto_enable: auto, auto_enable_standards: None, configuration_type: None, status: None };
        let view = View {
            admins: Ok(vec![Admin { account: "222".into(), status: "ENABLED".into() }]),
            hub: Ok(Some(standards)),
            config: Some(Ok(config)),
            members: Some(Ok(vec![])),
        };
        crate::checks::parts_finding("222", None, judge(step(StepId::SecurityHub), "222", "us-east-1", &view)).status
    }

    #[test]
    fn fsbp_must_be_ready_and_members_auto_enabled() {
        assert_eq!(status(Some("READY"), true), Status::Done);
        assert_eq!(status(None, true), Status::Partial);
        assert_eq!(status(Some("INCOMPLETE"), true), Status::Partial);
        assert_eq!(status(Some("READY"), false), Status::Partial);
    }
}
