//! guardduty: in every governed Region, Audit is the delegated administrator, its detector is
//! enabled, auto-enable is ALL, and every active account of the organization is a member whose
//! relationship is `Enabled` (read from Audit's own member list, so no role is assumed into an
//! account that is covered). An account that is not covered is looked at from inside: a detector
//! of its own makes it partial, never "not done".

use futures_util::future::join_all;

use super::coverage::{self, Cell};
use crate::aws::guardduty::{self as gd, Admin, Detector, Member, OrgConfig};
use crate::aws::{At, Aws, AwsError};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::verdict::{Finding, Status};

type Seen<T> = Result<T, AwsError>;

/// What Audit and the management account showed in one Region.
struct View {
    admins: Seen<Vec<Admin>>,
    detector: Seen<Option<Detector>>,
    /// Read only when Audit is the administrator with a detector.
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
            (super::parts_finding(audit, Some(region), judge(step, audit, view)), region.clone(), cells)
        }
    }))
    .await;
    coverage::conclude(step, &audit, &accounts, regions, per_region)
}

async fn read(aws: &Aws, mine: &At, theirs: &At, audit: &str) -> View {
    let (admins, detector) = tokio::join!(gd::org_admins(aws, mine), gd::detector(aws, theirs));
    let is_admin = admins.as_ref().is_ok_and(|l| l.iter().any(|a| a.account == audit && a.status == "ENABLED"));
    let (config, members) = match &detector {
        Ok(Some(d)) if is_admin => {
            let (c, m) = tokio::join!(gd::org_config(aws, theirs, &d.id), gd::members(aws, theirs, &d.id));
            (Some(c), Some(m))
        }
        _ => (None, None),
    };
    View { admins, detector, config, members }
}

/// The organization-wide setup in one Region, as Audit runs it.
fn judge(step: &Step, audit: &str, view: &View) -> Vec<Cell> {
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
    let detector = match &view.detector {
        Err(e) => unknown(e),
        Ok(None) => (Status::NotDone, step.say("no-detector", &[])),
        Ok(Some(d)) if d.status == "ENABLED" => (Status::Done, step.say("detector-enabled", &[])),
        // A suspended detector watches nothing: never done, whatever else is configured.
        Ok(Some(_)) => (Status::NotDone, step.say("detector-suspended", &[])),
    };
    let mut parts = vec![admin, detector];
    match &view.config {
        None => {}
        Some(Err(e)) => parts.push(unknown(e)),
        Some(Ok(c)) if c.members == "ALL" => parts.push((Status::Done, step.say("auto-enable-all", &[]))),
        Some(Ok(c)) => parts.push((Status::NotDone, step.say("auto-enable-partial", &[("value", &c.members)]))),
    }
    parts
}

/// One account in one Region: covered when it is Audit with an enabled detector, or an `Enabled`
/// member; otherwise what runs inside it, read through the account itself.
async fn cell(aws: &Aws, step: &Step, audit: &str, region: &str, account: &str, view: &View) -> Cell {
    if account == audit {
        return match &view.detector {
            Err(e) => (Status::Unknown, e.explain()),
            Ok(Some(d)) if d.status == "ENABLED" => (Status::Done, step.say("detector-enabled", &[])),
            Ok(Some(_)) => (Status::NotDone, step.say("detector-suspended", &[])),
            Ok(None) => (Status::NotDone, step.say("no-detector", &[])),
        };
    }
    let membership = match &view.members {
        Some(Err(e)) => return (Status::Unknown, e.explain()),
        Some(Ok(list)) => list.iter().find(|m| m.account == account).map(|m| m.status.as_str()),
        None => None,
    };
    if membership == Some("Enabled") {
        return (Status::Done, step.say("member-enabled", &[]));
    }
    let enrolling = view.config.as_ref().is_some_and(|c| c.as_ref().is_ok_and(|c| c.members == "ALL"));
    let why = match membership {
        Some(status) => step.say("member-status", &[("status", status)]),
        None if enrolling => step.say("member-enrolling", &[]),
        None => step.say("member-none", &[]),
    };
    match gd::detector(aws, &At::new(account, region)).await {
        Ok(Some(d)) if d.status == "ENABLED" => (Status::Partial, format!("{why}; {}", step.say("own-detector", &[]))),
        Ok(_) => (Status::NotDone, why),
        Err(e) => (Status::Unknown, format!("{why}; {}", e.explain())),
    }
}

/// No organization-wide setup can be judged (no organization, no Audit account): still, a
/// detector running in this account makes the step partial, not "not set up".
async fn standalone(aws: &Aws, facts: &Facts, step: &Step, blocked: Finding) -> Vec<Finding> {
    if blocked.status == Status::Unknown {
        return vec![blocked];
    }
    let me = &facts.identity.account;
    let running = join_all(facts.governed_regions.iter().map(|region| async move {
        match gd::detector(aws, &At::new(me, region)).await {
            Ok(Some(d)) if d.status == "ENABLED" => {
                Some(Finding::new(me, Some(region), Status::Partial, step.say("standalone-detector", &[])))
            }
            Ok(_) => None,
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

    fn view(admins: Vec<Admin>, detector: Option<&str>, auto: Option<&str>) -> View {
        View {
            admins: Ok(admins),
            detector: Ok(detector.map(|s| Detector { id: "d".into(), status: s.into() })),
            config: auto.map(|v| Ok(OrgConfig { members: v.to_owned(), features: vec![] })),
            members: Some(Ok(vec![])),
        }
    }

    fn status(v: &View) -> Status {
        crate::checks::parts_finding("222", None, judge(step(StepId::Guardduty), "222", v)).status
    }

    #[test]
    fn suspended_detector_is_never_done() {
        let audit = vec![Admin { account: "222".into(), status: "ENABLED".into() }];
        assert_eq!(status(&view(audit.clone(), Some("ENABLED"), Some("ALL"))), Status::Done);
        assert_eq!(status(&view(audit.clone(), Some("DISABLED"), Some("ALL"))), Status::Partial);
        assert_eq!(status(&view(audit, Some("ENABLED"), Some("NEW"))), Status::Partial);
        assert_eq!(status(&view(vec![], None, None)), Status::NotDone);
        let other = vec![Admin { account: "333".into(), status: "ENABLED".into() }];
        assert_eq!(status(&view(other, Some("ENABLED"), Some("ALL"))), Status::Partial);
    }
}
