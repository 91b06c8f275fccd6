//! guardrails' rules as pure functions of one observation: the verdict and the plan over hand-built
//! observations (fresh, partial, legacy identifiers, being enabled, failed, skipped, a control the
//! catalog lacks, unreadable), and for every row the invariant: done means nothing to change, and
//! nothing to change (no change, no conflict) means done or nothing to govern. No emulator.

use std::collections::BTreeMap;

use groundwork::aws::change::Action;
use groundwork::aws::controls::{CatalogControl, EnabledControl};
use groundwork::aws::governance::Ou;
use groundwork::aws::{AwsError, ErrorKind};
use groundwork::catalog::{self, Step, StepId};
use groundwork::steps::guardrails::{Observed, Registered, judge, plan, skips, wanted};
use groundwork::verdict::{Status, combine};

const ME: &str = "111111111111";
const HOME: &str = "us-east-1";

fn step() -> &'static Step {
    catalog::step(StepId::Guardrails)
}

/// The catalog: every listed control (strongly recommended and elective), with an ARN and behaviour.
fn catalog() -> Vec<CatalogControl> {
    groundwork::steps::guardrails::listed()
        .iter()
        .enumerate()
        .map(|(i, c)| CatalogControl {
            arn: format!("arn:aws:controlcatalog:::control/id{i}"),
            aliases: vec![c.alias.clone(), format!("CT.X.{i}")],
            name: c.alias.to_lowercase(),
            behavior: if c.blocks.is_some() { "PREVENTIVE" } else { "DETECTIVE" }.into(),
        })
        .collect()
}

fn ou(name: &str) -> Ou {
    Ou {
        id: format!("ou-ab12-{name}"),
        arn: format!("arn:aws:organizations::{ME}:ou/o-x/ou-ab12-{name}"),
        name: name.into(),
        parent: "r-root".into(),
    }
}

fn on(arn: &str, status: &str) -> EnabledControl {
    EnabledControl { control: arn.into(), target: String::new(), status: status.into(), operation: Some("op-1".into()) }
}

/// Every wanted control enabled (SUCCEEDED) by its catalog ARN.
fn all_on() -> Vec<EnabledControl> {
    let cat = catalog();
    wanted().map(|w| on(&cat.iter().find(|c| c.aliases[0] == w.alias).expect("listed").arn, "SUCCEEDED")).collect()
}

fn denied(action: &'static str) -> AwsError {
    AwsError {
        request_id: None,
        kind: ErrorKind::AccessDenied,
        action,
        account: ME.into(),
        region: Some(HOME.into()),
        code: Some("AccessDeniedException".into()),
        message: "denied".into(),
    }
}

fn observed(ous: Vec<(Ou, Result<Vec<EnabledControl>, AwsError>)>) -> Observed {
    Observed {
        me: ME.into(),
        home: Some(HOME.into()),
        landing_zone_status: "ACTIVE".into(),
        managed: true,
        catalog: Ok(catalog()),
        ous: Ok(ous.into_iter().map(|(ou, enabled)| Registered { ou, enabled }).collect()),
        skips: BTreeMap::new(),
    }
}

fn status(o: &Observed) -> Status {
    combine(judge(o, step()).iter().map(|f| f.status))
}

fn enables(o: &Observed) -> Vec<(String, String)> {
    let p = plan(o, step()).expect("plan");
    p.changes
        .iter()
        .filter_map(|c| match &c.action {
            Action::EnableControl { alias, ou, .. } => Some((alias.clone(), ou.clone())),
            _ => None,
        })
        .collect()
}

/// The invariant, for any observation that can be planned.
fn invariant(o: &Observed) {
    let s = status(o);
    let p = plan(o, step()).expect("plan");
    let nothing = p.changes.is_empty() && p.conflicts.is_empty();
    assert_eq!(s == Status::Done, nothing && s != Status::NotApplicable, "status {s:?}, plan {p:#?}");
    if s == Status::Done {
        assert!(p.changes.is_empty() && p.conflicts.is_empty(), "{p:#?}");
    }
}

#[test]
fn the_list_is_strongly_recommended_controls_with_their_words() {
    let list = groundwork::steps::guardrails::listed();
    assert_eq!(wanted().count(), 13);
    assert!(list.iter().all(|c| !c.what.is_empty() && c.alias.starts_with("AWS-GR_")));
    assert!(list.iter().any(|c| c.guidance == "elective"), "electives are offered");
    // A preventive control says what it can block.
    assert!(wanted().filter(|c| c.alias.starts_with("AWS-GR_RESTRICT_ROOT")).all(|c| c.blocks.is_some()));
}

#[test]
fn a_registered_ou_with_no_control_is_not_done_and_every_control_is_planned_with_its_wait() {
    let o = observed(vec![(ou("Workloads"), Ok(vec![]))]);
    assert_eq!(status(&o), Status::NotDone);
    let planned = enables(&o);
    assert_eq!(planned.len(), 13);
    let p = plan(&o, step()).expect("plan");
    // Each enable is followed by its wait.
    for pair in p.changes.chunks(2) {
        assert!(matches!(pair[0].action, Action::EnableControl { .. }), "{pair:?}");
        assert!(matches!(pair[1].action, Action::WaitForControl { .. }), "{pair:?}");
    }
    let notes = p.notes.join("\n");
    assert!(notes.contains("Preventive") && notes.contains("Detective") && notes.contains("can block"), "{notes}");
    assert!(notes.contains("AWS-GR_IAM_USER_MFA_ENABLED"), "electives offered: {notes}");
    assert!(!planned.iter().any(|(a, _)| a == "AWS-GR_IAM_USER_MFA_ENABLED"), "an elective is never planned");
    invariant(&o);
}

#[test]
fn every_control_on_every_ou_is_done_and_nothing_is_planned() {
    let o = observed(vec![(ou("Workloads"), Ok(all_on())), (ou("Sandbox"), Ok(all_on()))]);
    assert_eq!(status(&o), Status::Done);
    assert!(enables(&o).is_empty());
    invariant(&o);
}

#[test]
fn one_ou_missing_one_control_is_partial_and_only_that_is_planned() {
    let mut some = all_on();
    some.remove(0);
    let o = observed(vec![(ou("Workloads"), Ok(all_on())), (ou("Sandbox"), Ok(some))]);
    assert_eq!(status(&o), Status::Partial);
    let first = wanted().next().expect("one").alias.clone();
    assert_eq!(enables(&o), vec![(first.clone(), "Sandbox".to_owned())]);
    let findings = judge(&o, step());
    assert!(findings.iter().any(|f| f.detail.contains(&first) && f.detail.contains("Sandbox")), "{findings:?}");
    invariant(&o);
}

#[test]
fn a_control_enabled_by_its_legacy_regional_identifier_counts() {
    let mut enabled = all_on();
    let alias = &wanted().next().expect("one").alias;
    enabled[0] = on(&format!("arn:aws:controltower:{HOME}::control/{alias}"), "SUCCEEDED");
    let o = observed(vec![(ou("Workloads"), Ok(enabled))]);
    assert_eq!(status(&o), Status::Done);
    invariant(&o);
}

#[test]
fn a_control_being_enabled_is_waited_for_never_done_and_a_failed_one_stops_the_plan() {
    let mut busy = all_on();
    busy[1].status = "UNDER_CHANGE".into();
    let o = observed(vec![(ou("Workloads"), Ok(busy))]);
    assert_eq!(status(&o), Status::Partial);
    let p = plan(&o, step()).expect("plan");
    assert!(enables(&o).is_empty());
    assert!(matches!(&p.changes[..], [c] if matches!(c.action, Action::WaitForControl { .. })), "{p:#?}");
    invariant(&o);

    let mut failed = all_on();
    failed[2].status = "FAILED".into();
    let o = observed(vec![(ou("Workloads"), Ok(failed))]);
    assert_eq!(status(&o), Status::Partial);
    let p = plan(&o, step()).expect("plan");
    assert!(p.changes.is_empty() && !p.conflicts.is_empty(), "{p:#?}");
    invariant(&o);

    let mut odd = all_on();
    odd[3].status = "UNKNOWN".into();
    let o = observed(vec![(ou("Workloads"), Ok(odd))]);
    assert_eq!(status(&o), Status::Unknown, "a status groundwork does not know is never done");
}

#[test]
fn a_skipped_control_is_not_planned_and_the_step_is_done_with_it_noted() {
    let alias = wanted().next().expect("one").alias.clone();
    let mut enabled = all_on();
    enabled.remove(0);
    let mut o = observed(vec![(ou("Workloads"), Ok(enabled))]);
    o.skips = skips(Some(&format!("{alias}=break-glass runbook uses root")));
    assert_eq!(status(&o), Status::Done);
    assert!(enables(&o).is_empty());
    let findings = judge(&o, step());
    assert!(findings[0].detail.contains("break-glass runbook uses root"), "{findings:?}");
    assert!(plan(&o, step()).expect("plan").notes.join(" ").contains("break-glass"), "said in the plan");
    invariant(&o);
}

#[test]
fn the_skip_answer_is_parsed_strictly() {
    assert!(skips(Some("none")).is_empty());
    assert_eq!(skips(Some("A=one; B = two")).len(), 2);
    // Invalid answers skip nothing (and are refused as input before they get here).
    assert!(skips(Some("A")).is_empty() && skips(Some("A=")).is_empty() && skips(None).is_empty());
    assert!(groundwork::inputs::validate(groundwork::inputs::Kind::ControlSkips, "AWS-GR_X").is_err());
    assert!(groundwork::inputs::validate(groundwork::inputs::Kind::ControlSkips, "AWS-GR_X=why").is_ok());
}

#[test]
fn a_listed_control_the_catalog_lacks_is_unknown_and_stops_the_plan() {
    let mut o = observed(vec![(ou("Workloads"), Ok(all_on()))]);
    let gone = wanted().nth(4).expect("five").alias.clone();
    if let Ok(c) = o.catalog.as_mut() {
        c.retain(|k| k.aliases[0] != gone);
    }
    assert_eq!(status(&o), Status::Unknown);
    assert!(judge(&o, step()).iter().any(|f| f.detail.contains(&gone)));
    let p = plan(&o, step()).expect("plan");
    assert!(p.changes.is_empty() && p.conflicts.iter().any(|c| c.contains(&gone)), "{p:#?}");
}

#[test]
fn unreadable_reads_are_unknown_and_missing_prerequisites_are_not_done() {
    let o = observed(vec![(ou("Workloads"), Err(denied("controltower:ListEnabledControls")))]);
    assert_eq!(status(&o), Status::Unknown);
    assert!(plan(&o, step()).is_err());
    let mut o = observed(vec![]);
    o.catalog = Err(denied("controlcatalog:ListControls"));
    assert_eq!(status(&o), Status::Unknown);
    let mut o = observed(vec![]);
    o.ous = Err(denied("organizations:ListRoots"));
    assert_eq!(status(&o), Status::Unknown);
    // No registered OU: nothing to govern, never done.
    let o = observed(vec![]);
    assert_eq!(status(&o), Status::NotApplicable);
    invariant(&o);
    // No landing zone, or not the management account: not done, and the plan says what first.
    let mut o = observed(vec![]);
    o.home = None;
    assert_eq!(status(&o), Status::NotDone);
    assert!(!plan(&o, step()).expect("plan").conflicts.is_empty());
    let mut o = observed(vec![]);
    o.managed = false;
    assert_eq!(status(&o), Status::NotDone);
    assert!(!plan(&o, step()).expect("plan").conflicts.is_empty());
}

#[test]
fn nothing_is_enabled_while_the_landing_zone_is_not_active() {
    let mut o = observed(vec![(ou("Workloads"), Ok(vec![]))]);
    o.landing_zone_status = "PROCESSING".into();
    let p = plan(&o, step()).expect("plan");
    assert!(p.changes.is_empty() && p.conflicts.iter().any(|c| c.contains("PROCESSING")), "{p:#?}");
    assert_eq!(status(&o), Status::NotDone);
    invariant(&o);
    // Nothing to enable: a busy landing zone changes nothing about a done step.
    let mut o = observed(vec![(ou("Workloads"), Ok(all_on()))]);
    o.landing_zone_status = "PROCESSING".into();
    assert_eq!(status(&o), Status::Done);
    invariant(&o);
}
