//! security-hub: Security Hub CSPM (never V2) in every governed Region: Audit is the delegated
//! administrator, its hub is enabled, FSBP is READY, and member accounts are enabled automatically.

use futures_util::future::join_all;

use crate::aws::guardduty::Admin;
use crate::aws::securityhub::{self as sh, OrgConfig, Standard};
use crate::aws::{At, Aws, AwsError};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::verdict::{Finding, Status};

pub async fn check(aws: &Aws, facts: &Facts, step: &Step) -> Vec<Finding> {
    let audit = match super::audit_account(facts, step) {
        Ok(id) => id,
        Err(finding) => return vec![finding],
    };
    let me = &facts.identity.account;
    join_all(facts.governed_regions.iter().map(|region| async {
        let at = At::new(&audit, region);
        let mine = At::new(me, region);
        let (admins, hub) = tokio::join!(sh::org_admins(aws, &mine), sh::hub_enabled(aws, &at));
        let details = match hub {
            Ok(true) => Some(tokio::join!(sh::enabled_standards(aws, &at), sh::org_config(aws, &at))),
            _ => None,
        };
        let view = View { admins, hub, details };
        super::parts_finding(&audit, Some(region), judge(step, &audit, region, &view))
    }))
    .await
}

type Seen<T> = Result<T, AwsError>;

/// What was read in one Region.
struct View {
    admins: Seen<Vec<Admin>>,
    hub: Seen<bool>,
    details: Option<(Seen<Vec<Standard>>, Seen<OrgConfig>)>,
}

fn judge(step: &Step, audit: &str, region: &str, view: &View) -> Vec<(Status, String)> {
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
    let hub = match &view.hub {
        Err(e) => unknown(e),
        Ok(true) => (Status::Done, step.say("hub-enabled", &[])),
        Ok(false) => (Status::NotDone, step.say("hub-disabled", &[])),
    };
    let mut parts = vec![admin, hub];
    if let Some((standards, config)) = &view.details {
        parts.push(match standards {
            Err(e) => unknown(e),
            Ok(list) => fsbp(step, region, list),
        });
        parts.push(match config {
            Err(e) => unknown(e),
            Ok(c) if c.configuration_type.as_deref() == Some("CENTRAL") => {
                // Central configuration decides per policy; groundwork does not read policies yet,
                // so it cannot honestly call members covered.
                (Status::Unknown, step.say("central-configuration", &[]))
            }
            Ok(c) if c.auto_enable => (Status::Done, step.say("auto-enable-on", &[])),
            Ok(_) => (Status::NotDone, step.say("auto-enable-off", &[])),
        });
    }
    parts
}

fn fsbp(step: &Step, region: &str, standards: &[Standard]) -> (Status, String) {
    let arn = sh::fsbp_arn(region);
    match standards.iter().find(|s| s.arn == arn) {
        None => (Status::NotDone, step.say("no-fsbp", &[])),
        Some(s) if s.status == "READY" => (Status::Done, step.say("fsbp-ready", &[])),
        Some(s) if s.status == "PENDING" => (Status::Partial, step.say("fsbp-pending", &[])),
        Some(s) => (
            Status::NotDone,
            step.say("fsbp-problem", &[("status", &s.status), ("reason", s.reason.as_deref().unwrap_or("none given"))]),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{StepId, step};
    use crate::verdict::combine;

    fn status(fsbp: Option<&str>, auto: bool) -> Status {
        let standards = fsbp
            .map(|s| vec![Standard { arn: sh::fsbp_arn("us-east-1"), status: s.into(), reason: None }])
            .unwrap_or_default();
        let view = View {
            admins: Ok(vec![Admin { account: "222".into(), status: "ENABLED".into() }]),
            hub: Ok(true),
            details: Some((Ok(standards), Ok(OrgConfig { auto_enable: auto, configuration_type: None, status: None }))),
        };
        combine(judge(step(StepId::SecurityHub), "222", "us-east-1", &view).into_iter().map(|p| p.0))
    }

    #[test]
    fn fsbp_must_be_ready_and_members_auto_enabled() {
        assert_eq!(status(Some("READY"), true), Status::Done);
        assert_eq!(status(None, true), Status::Partial);
        assert_eq!(status(Some("INCOMPLETE"), true), Status::Partial);
        assert_eq!(status(Some("READY"), false), Status::Partial);
    }
}
