//! Table tests of the wizard's way out of a stopped plan and of verdicts that follow the account
//! model: `e` where an answer stopped the plan, a changed account model re-checking every step, and
//! `x` re-checking whatever happened.

use super::*;
use crate::aws::At;
use crate::aws::change::Action;
use crate::plans::{Change, Plan};
use crate::verdict::StepResult;

fn connected() -> Model {
    let recorded = StepId::ALL.iter().map(|_| (None::<StepResult>, None)).collect();
    let mut m = Model::new(Header::default(), recorded, 1_000);
    update(&mut m, Msg::Connected(Header::default()));
    m
}

fn stopped(named: &[&str]) -> Proposal {
    let plan = Plan {
        changes: vec![Change {
            at: At::new("123456789012", "us-east-1"),
            global: true,
            action: Action::CreateOrganization,
        }],
        conflicts: vec!["af-south-1 is an opt-in Region that is DISABLED".into()],
        conflicting_answers: named.iter().map(|k| (*k).to_owned()).collect(),
        ..Plan::default()
    };
    let asked = vec![
        ("control-tower.home-region".to_owned(), Some("us-east-1".to_owned())),
        ("control-tower.regions".to_owned(), Some("us-east-1,af-south-1".to_owned())),
    ];
    Proposal { text: "plan".into(), plan, asked }
}

#[test]
fn a_plan_stopped_by_an_answer_asks_that_answer_again_where_it_stopped() {
    let mut m = connected();
    let id = StepId::ControlTower;
    m.selected = id as usize;
    update(&mut m, Msg::Planned { id, result: Ok(stopped(&["control-tower.regions"])) });
    assert_eq!(m.overlay, None, "a stopped plan is never confirmed");
    let notice = m.notice.clone().unwrap_or_default();
    assert!(notice.contains("e to change control-tower.regions (now us-east-1,af-south-1)"), "{notice}");
    assert!(update(&mut m, Msg::EditAnswers).is_empty());
    assert_eq!(m.overlay, Some(Overlay::Input(id)));
    let form = m.form.as_ref().expect("a form");
    let asked: Vec<(&str, Option<&str>)> = form.fields.iter().map(|f| (f.key.as_str(), f.default.as_deref())).collect();
    assert_eq!(asked, vec![("control-tower.regions", Some("us-east-1,af-south-1"))]);
}

#[test]
fn a_stopped_plan_naming_no_answer_offers_every_answer_it_asked_and_none_without_answers() {
    let mut m = connected();
    let id = StepId::ControlTower;
    m.selected = id as usize;
    update(&mut m, Msg::Planned { id, result: Ok(stopped(&[])) });
    update(&mut m, Msg::EditAnswers);
    assert_eq!(m.form.as_ref().map(|f| f.fields.len()), Some(2));
    // Nothing planned on this step: e says there is nothing to change.
    let mut m = connected();
    assert!(update(&mut m, Msg::EditAnswers).is_empty());
    assert_eq!(m.overlay, None);
    assert!(m.notice.is_some());
}

#[test]
fn region_answers_are_checked_against_the_regions_listed() {
    let mut m = connected();
    let id = StepId::ControlTower;
    m.selected = id as usize;
    update(&mut m, Msg::Regions(vec!["us-east-1".into(), "eu-west-1".into()]));
    update(&mut m, Msg::Planned { id, result: Ok(stopped(&["control-tower.regions"])) });
    update(&mut m, Msg::EditAnswers);
    assert_eq!(m.form.as_ref().and_then(|f| f.regions.clone()), Some(vec!["us-east-1".into(), "eu-west-1".into()]));
}

#[test]
fn a_changed_account_model_rechecks_every_step_and_an_unchanged_one_none() {
    let mut m = connected();
    for id in StepId::ALL {
        let generation = m.step(id).generation;
        update(&mut m, Msg::Checked { id, generation, result: result(id) });
    }
    assert!(update(&mut m, Msg::Refreshed(Header::default())).is_empty(), "nothing changed");
    let header = Header { organization: Some("organization o-1".into()), ..Header::default() };
    let effects = update(&mut m, Msg::Refreshed(header.clone()));
    assert_eq!(effects.len(), StepId::ALL.len(), "{effects:?}");
    assert!(effects.iter().all(|e| matches!(e, Effect::Check { .. })));
    assert_eq!(m.header, header);
    assert!(m.steps.iter().all(|s| s.checking), "each marked as re-checking until it answers");
}

#[test]
fn the_simulate_key_rechecks_even_when_it_failed() {
    let mut m = connected();
    let id = StepId::Alerts;
    let effects = update(&mut m, Msg::Simulated { id, result: Err("part way".into()) });
    assert!(matches!(effects.as_slice(), [Effect::Check { id: StepId::Alerts, .. }]), "{effects:?}");
    assert_eq!(m.advance, None);
}

fn result(id: StepId) -> StepResult {
    StepResult {
        id,
        title: catalog::step(id).title.clone(),
        status: crate::verdict::Status::NotDone,
        summary: "s".into(),
        findings: Vec::new(),
    }
}
