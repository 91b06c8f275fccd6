//! The account model's unknowns stay unknown: when the landing zone cannot be read (denied,
//! throttled), nothing that depends on the governed Regions is judged or planned on a guessed
//! Region; when the Audit account cannot be established in an organization, nothing that lives in
//! Audit is judged in the management account instead. Failures come from the emulator's fault
//! hook (tests/emulator/faults.py), as AWS would send them.

use crate::common;

use common::{Emulator, seed, session};
use groundwork::catalog::StepId;
use groundwork::inputs::Placeholders;
use groundwork::plans::{self, PlanError};
use groundwork::record::Record;
use groundwork::verdict::{Status, StepResult};
use groundwork::{checks, facts};
use serde_json::json;

const REGION_STEPS: [StepId; 4] = [StepId::IdentityCenter, StepId::Guardduty, StepId::SecurityHub, StepId::Alerts];

async fn check_all(emu: &Emulator) -> (facts::Facts, Vec<StepResult>) {
    let aws = session(emu, 8).await;
    let f = facts::gather(&aws).await.expect("identity");
    let results = checks::run(&aws, &f, &StepId::ALL).await;
    (f, results)
}

fn result(results: &[StepResult], id: StepId) -> &StepResult {
    results.iter().find(|r| r.id == id).expect("every step is checked")
}

#[tokio::test]
async fn an_unreadable_landing_zone_makes_every_region_step_unknown() {
    let emu = Emulator::start();
    seed::everything(&emu, &["us-east-1", "eu-west-1"]).await;
    // Readable, the same organization is done in both Regions: the faults below are what changes.
    let (_, results) = check_all(&emu).await;
    for id in REGION_STEPS {
        assert_ne!(result(&results, id).status, Status::Unknown, "{:?}", result(&results, id));
    }
    assert_eq!(result(&results, StepId::Guardduty).status, Status::Done);

    for (code, status, word) in
        [("AccessDeniedException", 403, "Access denied"), ("ThrottlingException", 429, "throttling")]
    {
        emu.hook(
            "/_groundwork/faults",
            json!({"operation": "ListLandingZones", "status": status, "code": code, "message": "injected"}),
        );
        let (f, results) = check_all(&emu).await;
        assert!(f.regions_unknown.is_some(), "{f:?}");
        assert!(f.regions_shown().contains("unknown"), "{}", f.regions_shown());
        for id in REGION_STEPS {
            let r = result(&results, id);
            assert_eq!(r.status, Status::Unknown, "{code}: {r:?}");
            assert_eq!(r.findings.len(), 1, "judged in no Region at all: {r:?}");
            let detail = &r.findings[0].detail;
            assert!(detail.contains("governed"), "{detail}");
            assert!(detail.contains("controltower:ListLandingZones"), "{detail}");
            assert!(detail.contains(word), "{code}: {detail}");
        }
        assert_eq!(result(&results, StepId::ControlTower).status, Status::Unknown);
        // What does not depend on the Regions is still judged.
        assert_eq!(result(&results, StepId::Organization).status, Status::Done);
        assert_eq!(result(&results, StepId::Contacts).status, Status::Done);

        // Nor is anything planned on the guessed Region.
        let aws = session(&emu, 8).await;
        for id in REGION_STEPS {
            let mut ask = Placeholders::default();
            let planned = plans::plan(&aws, &f, &mut ask, &Record::default(), id).await;
            assert!(matches!(&planned, Err(PlanError::Undetermined(why)) if why.contains("governed")), "{planned:?}");
        }
        emu.hook("/_groundwork/faults/clear", json!({}));
    }
}

#[tokio::test]
async fn no_landing_zone_at_all_is_judged_in_the_configured_region() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    seed::guardduty(&emu, &org, common::REGION, true, "ALL").await;
    let (f, results) = check_all(&emu).await;
    assert!(f.regions_unknown.is_none(), "a read that finds none is not unknown");
    assert_eq!(f.governed_regions, vec![common::REGION.to_owned()]);
    let r = result(&results, StepId::Guardduty);
    assert_eq!(r.status, Status::Done, "{r:?}");
    assert_eq!(r.findings[0].region.as_deref(), Some(common::REGION));
}

#[tokio::test]
async fn an_audit_that_cannot_be_established_is_not_judged_in_the_management_account() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    // Alerts in the Audit account (found by its name, there being no landing zone): judged there.
    seed::alerts(&emu, &org.audit, common::REGION, true).await;
    let (f, results) = check_all(&emu).await;
    assert_eq!(f.audit.as_ref().map(|a| a.id.as_str()), Some(org.audit.as_str()));
    assert_eq!(result(&results, StepId::Alerts).status, Status::Done);

    // The accounts cannot be listed: no Audit, and nothing of Audit is judged in its place.
    emu.hook(
        "/_groundwork/faults",
        json!({"operation": "ListAccounts", "service": "organizations", "code": "AccessDeniedException",
               "message": "You don't have permissions to access this resource."}),
    );
    let (f, results) = check_all(&emu).await;
    assert!(f.audit.is_none() && f.audit_unknown().is_some(), "{f:?}");
    for id in [StepId::Guardduty, StepId::SecurityHub, StepId::Alerts] {
        let r = result(&results, id);
        assert_eq!(r.status, Status::Unknown, "{r:?}");
        assert!(r.findings[0].detail.contains("Audit"), "{r:?}");
        assert!(r.findings[0].detail.contains("organizations:ListAccounts"), "{r:?}");
    }
    // The management account's own alerts path would have been judged instead before.
    assert!(result(&results, StepId::Alerts).findings.iter().all(|x| x.region.is_none()));
}
