//! guardduty: in every governed Region, Audit is the delegated administrator, its detector is
//! enabled, and new and existing member accounts are enabled automatically (ALL).

use futures_util::future::join_all;

use crate::aws::guardduty::{self as gd, Admin, Detector};
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
        let (mine, theirs) = (At::new(me, region), At::new(&audit, region));
        let (admins, detector) = tokio::join!(gd::org_admins(aws, &mine), gd::detector(aws, &theirs));
        let auto = match &detector {
            Ok(Some(d)) => Some(gd::auto_enable(aws, &theirs, &d.id).await),
            _ => None,
        };
        super::parts_finding(&audit, Some(region), judge(step, &audit, &admins, &detector, auto.as_ref()))
    }))
    .await
}

type Seen<T> = Result<T, AwsError>;

fn judge(
    step: &Step,
    audit: &str,
    admins: &Seen<Vec<Admin>>,
    detector: &Seen<Option<Detector>>,
    auto: Option<&Seen<String>>,
) -> Vec<(Status, String)> {
    let unknown = |e: &AwsError| (Status::Unknown, e.explain());
    let admin = match admins {
        Err(e) => unknown(e),
        Ok(list) if list.iter().any(|a| a.account == audit && a.status == "ENABLED") => {
            (Status::Done, step.say("admin-audit", &[]))
        }
        Ok(list) => match list.first() {
            Some(other) => (Status::NotDone, step.say("admin-other", &[("admin", &other.account)])),
            None => (Status::NotDone, step.say("no-admin", &[])),
        },
    };
    let detector_part = match detector {
        Err(e) => unknown(e),
        Ok(None) => (Status::NotDone, step.say("no-detector", &[])),
        Ok(Some(d)) if d.status == "ENABLED" => (Status::Done, step.say("detector-enabled", &[])),
        // A suspended detector watches nothing: never done, whatever else is configured.
        Ok(Some(_)) => (Status::NotDone, step.say("detector-suspended", &[])),
    };
    let mut parts = vec![admin, detector_part];
    match auto {
        None => {}
        Some(Err(e)) => parts.push(unknown(e)),
        Some(Ok(v)) if v == "ALL" => parts.push((Status::Done, step.say("auto-enable-all", &[]))),
        Some(Ok(v)) => parts.push((Status::NotDone, step.say("auto-enable-partial", &[("value", v)]))),
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{StepId, step};
    use crate::verdict::combine;

    fn status(admins: Vec<Admin>, detector: Option<&str>, auto: Option<&str>) -> Status {
        let d = detector.map(|s| Detector { id: "d".into(), status: s.into() });
        let a = auto.map(|v| Ok(v.to_owned()));
        combine(judge(step(StepId::Guardduty), "222", &Ok(admins), &Ok(d), a.as_ref()).into_iter().map(|p| p.0))
    }

    #[test]
    fn suspended_detector_is_never_done() {
        let audit = vec![Admin { account: "222".into(), status: "ENABLED".into() }];
        assert_eq!(status(audit.clone(), Some("ENABLED"), Some("ALL")), Status::Done);
        assert_eq!(status(audit.clone(), Some("DISABLED"), Some("ALL")), Status::Partial);
        assert_eq!(status(audit, Some("ENABLED"), Some("NEW")), Status::Partial);
        assert_eq!(status(vec![], None, None), Status::NotDone);
        let other = vec![Admin { account: "333".into(), status: "ENABLED".into() }];
        assert_eq!(status(other, Some("ENABLED"), Some("ALL")), Status::Partial);
    }
}
