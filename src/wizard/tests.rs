//! Table tests of the wizard's state machine: every transition, including stale results, a
//! cancelled confirmation, a failed apply, and a skip with its undo.

use super::*;
use crate::aws::At;
use crate::aws::change::Action;
use crate::plans::{Change, Plan};
use crate::verdict::{Finding, StepResult};

fn result(id: StepId, status: Status) -> StepResult {
    StepResult {
        id,
        title: catalog::step(id).title.clone(),
        status,
        summary: "s".into(),
        findings: vec![Finding::new("123456789012", None, status, "d".into())],
    }
}

fn connected(done: &[StepId]) -> Model {
    let recorded = StepId::ALL
        .iter()
        .map(|id| (Some(result(*id, if done.contains(id) { Status::Done } else { Status::NotDone })), None))
        .collect();
    let mut m = Model::new(Header::default(), recorded, 1_000);
    update(&mut m, Msg::Connected(Header::default()));
    m
}

fn proposal(conflict: bool) -> Proposal {
    let plan = Plan {
        changes: vec![Change {
            at: At::new("123456789012", "us-east-1"),
            global: true,
            action: Action::CreateOrganization,
        }],
        conflicts: if conflict { vec!["no".into()] } else { Vec::new() },
        ..Plan::default()
    };
    Proposal { text: "plan".into(), plan, asked: vec![("alerts.email".into(), Some("typo@example.con".into()))] }
}

/// A plan of `n` changes, each with a parameter line.
fn long_proposal(n: usize) -> Proposal {
    let text = (1..=n)
        .map(|k| format!("  {k}. organizations:CreateOrganization · account 1 · global\n       FeatureSet: ALL"))
        .collect::<Vec<_>>()
        .join("\n");
    Proposal { text, ..proposal(false) }
}

fn select(m: &mut Model, id: StepId) {
    m.selected = id as usize;
}

#[test]
fn the_cursor_starts_on_the_first_step_not_done() {
    let m = connected(&[StepId::RootMfa, StepId::Contacts]);
    assert_eq!(m.id(m.selected), StepId::Organization);
}

#[test]
fn connecting_rechecks_every_step() {
    let recorded = StepId::ALL.iter().map(|_| (None, None)).collect();
    let mut m = Model::new(Header::default(), recorded, 0);
    let effects = update(&mut m, Msg::Connected(Header::default()));
    assert_eq!(effects.len(), StepId::ALL.len());
    assert!(effects.iter().all(|e| matches!(e, Effect::Check { generation: 1, .. })));
    assert!(m.steps.iter().all(|s| s.checking));
}

#[test]
fn a_stale_result_is_dropped() {
    let mut m = connected(&[]);
    select(&mut m, StepId::Organization);
    // A second re-check is asked before the first answers.
    assert_eq!(update(&mut m, Msg::Recheck), vec![Effect::Check { id: StepId::Organization, generation: 2 }]);
    let old =
        Msg::Checked { id: StepId::Organization, generation: 1, result: result(StepId::Organization, Status::Done) };
    assert!(update(&mut m, old).is_empty(), "a stale result is not remembered either");
    assert_eq!(m.step(StepId::Organization).status(), Some(Status::NotDone), "the stale done was ignored");
    assert!(m.step(StepId::Organization).checking);
    let partial = result(StepId::Organization, Status::Partial);
    let new = Msg::Checked { id: StepId::Organization, generation: 2, result: partial.clone() };
    assert_eq!(update(&mut m, new), vec![Effect::Remember { result: partial }], "the record keeps what is shown");
    assert_eq!(m.step(StepId::Organization).status(), Some(Status::Partial));
    assert!(!m.step(StepId::Organization).checking && m.step(StepId::Organization).live);
}

#[test]
fn a_blocked_step_does_not_run() {
    let mut m = connected(&[]);
    select(&mut m, StepId::Guardduty);
    assert_eq!(m.blocked_by(StepId::Guardduty), Some(StepId::Organization));
    assert!(update(&mut m, Msg::Run).is_empty());
    assert!(m.notice.as_deref().is_some_and(|n| n.contains("AWS Organization")));
}

#[test]
fn run_plans_then_asks_then_applies_then_rechecks() {
    let mut m = connected(&[]);
    let id = StepId::Organization;
    select(&mut m, id);
    assert_eq!(update(&mut m, Msg::Run), vec![Effect::Plan { id }]);
    assert_eq!(m.step(id).activity, Activity::Planning);
    // The questions are asked inside the wizard, then the answers kept and planned with.
    let keys = vec![("alerts.email".to_owned(), None)];
    assert!(update(&mut m, Msg::NeedInputs { id, keys }).is_empty());
    assert_eq!(m.overlay, Some(Overlay::Input(id)));
    "ada@example.com".chars().for_each(|c| {
        update(&mut m, Msg::Edit(form::Edit::Insert(c)));
    });
    let values = vec![("alerts.email".to_owned(), "ada@example.com".to_owned())];
    assert_eq!(update(&mut m, Msg::Submit), vec![Effect::SaveAnswers { id, values }]);
    assert_eq!((m.overlay, &m.form), (None, &None));
    assert!(update(&mut m, Msg::Planned { id, result: Ok(proposal(false)) }).is_empty());
    assert_eq!(m.overlay, Some(Overlay::Confirm(id)));
    let effects = update(&mut m, Msg::Yes);
    assert!(matches!(&effects[..], [Effect::Apply { id: i, .. }] if *i == id));
    assert_eq!(m.step(id).activity, Activity::Applying { since: 1_000 });
    assert_eq!(m.overlay, None);
    update(&mut m, Msg::Progress { id, line: "[1/1] ...".into() });
    assert_eq!(m.step(id).log, vec!["[1/1] ...".to_owned()]);
    // Done is never assumed: the apply's end asks for a live re-check.
    let effects = update(&mut m, Msg::Applied { id, result: Ok(()) });
    assert!(matches!(&effects[..], [Effect::Check { id: i, .. }] if *i == id));
    assert_eq!(m.step(id).status(), Some(Status::NotDone));
}

#[test]
fn a_cancelled_confirmation_changes_nothing() {
    let mut m = connected(&[]);
    let id = StepId::Organization;
    select(&mut m, id);
    update(&mut m, Msg::Run);
    update(&mut m, Msg::Planned { id, result: Ok(proposal(false)) });
    assert!(update(&mut m, Msg::No).is_empty());
    assert_eq!(m.overlay, None);
    assert_eq!(m.step(id).activity, Activity::Idle);
    assert!(m.notice.as_deref().is_some_and(|n| n.contains("nothing was changed")));
}

#[test]
fn a_conflict_shows_the_plan_without_asking() {
    let mut m = connected(&[]);
    let id = StepId::Organization;
    select(&mut m, id);
    update(&mut m, Msg::Run);
    update(&mut m, Msg::Planned { id, result: Ok(proposal(true)) });
    assert_eq!(m.overlay, None);
    assert!(matches!(m.step(id).activity, Activity::Planned(_)));
}

#[test]
fn a_failed_apply_keeps_the_reason_and_rechecks() {
    let mut m = connected(&[]);
    let id = StepId::Organization;
    select(&mut m, id);
    update(&mut m, Msg::Run);
    update(&mut m, Msg::Planned { id, result: Ok(proposal(false)) });
    update(&mut m, Msg::Yes);
    let effects = update(&mut m, Msg::Applied { id, result: Err("denied".into()) });
    assert_eq!(m.step(id).activity, Activity::Failed("denied".into()));
    assert_eq!(effects.len(), 1);
    // And a failed plan is shown too, with nothing to apply.
    update(&mut m, Msg::Planned { id, result: Err("cannot read".into()) });
    assert_eq!(m.step(id).activity, Activity::Failed("cannot read".into()));
}

#[test]
fn skip_and_undo() {
    let mut m = connected(&[StepId::Organization]);
    let id = StepId::ControlTower;
    select(&mut m, id);
    assert!(update(&mut m, Msg::ToggleSkip).is_empty());
    assert_eq!(m.overlay, Some(Overlay::Input(id)), "the reason is asked inside the wizard");
    assert!(update(&mut m, Msg::No).is_empty());
    assert_eq!(m.overlay, None);
    assert_eq!(m.step(id).skip, None);
    update(&mut m, Msg::ToggleSkip);
    "later".chars().for_each(|c| {
        update(&mut m, Msg::Edit(form::Edit::Insert(c)));
    });
    let effects = update(&mut m, Msg::Submit);
    assert_eq!(effects, vec![Effect::SaveSkip { id, reason: Some("later".into()) }]);
    assert_eq!(m.step(id).status(), Some(Status::Skipped));
    // A skipped step no longer blocks the ones after it.
    assert_eq!(m.blocked_by(StepId::Guardduty), None);
    assert_eq!(update(&mut m, Msg::ToggleSkip), vec![Effect::SaveSkip { id, reason: None }]);
    assert_eq!(m.step(id).status(), Some(Status::NotDone));
    assert_eq!(m.blocked_by(StepId::Guardduty), Some(StepId::ControlTower));
}

#[test]
fn quitting_while_running_asks_first() {
    let mut m = connected(&[]);
    m.steps[StepId::ControlTower as usize].activity = Activity::Applying { since: 900 };
    assert!(update(&mut m, Msg::Quit).is_empty());
    assert_eq!(m.overlay, Some(Overlay::QuitWhileRunning));
    update(&mut m, Msg::No);
    assert_eq!(m.overlay, None);
    assert!(!m.quit);
    update(&mut m, Msg::Quit);
    assert_eq!(update(&mut m, Msg::Yes), vec![Effect::Quit]);
    assert!(m.quit);
}

#[test]
fn nothing_runs_before_the_account_is_read() {
    let recorded = StepId::ALL.iter().map(|_| (None, None)).collect();
    let mut m = Model::new(Header::default(), recorded, 0);
    assert!(update(&mut m, Msg::Run).is_empty());
    assert!(update(&mut m, Msg::Recheck).is_empty());
    assert!(m.notice.is_some());
}

#[test]
fn results_still_arrive_under_an_overlay() {
    let mut m = connected(&[]);
    update(&mut m, Msg::Help);
    update(&mut m, Msg::Tick { now: 2_000 });
    assert_eq!((m.now, m.tick), (2_000, 1));
    update(&mut m, Msg::No);
    assert_eq!(m.overlay, None);
}

#[test]
fn a_failed_connection_can_be_retried() {
    let recorded = StepId::ALL.iter().map(|_| (None, None)).collect();
    let mut m = Model::new(Header::default(), recorded, 0);
    update(&mut m, Msg::ConnectFailed("expired".into()));
    assert_eq!(m.connection, Connection::Failed("expired".into()));
    assert_eq!(update(&mut m, Msg::RecheckAll), vec![Effect::Connect]);
    assert_eq!(m.connection, Connection::Connecting);
}

#[test]
fn the_record_shows_once_the_caller_is_known_without_overwriting_live_results() {
    let recorded: Vec<_> = StepId::ALL.iter().map(|_| (None, None)).collect();
    let mut m = Model::new(Header::default(), recorded, 0);
    m.steps[StepId::Organization as usize].result = Some(result(StepId::Organization, Status::Done));
    m.steps[StepId::Organization as usize].live = true;
    let from_record: Vec<_> = StepId::ALL
        .iter()
        .map(|id| (Some(result(*id, Status::Partial)), (*id == StepId::Alerts).then(|| "later".to_owned())))
        .collect();
    let header = Header { account: "123456789012".into(), ..Header::default() };
    let checked = vec![Some(900); StepId::ALL.len()];
    update(&mut m, Msg::Identified { header, recorded: from_record, checked, notice: None });
    assert_eq!(m.step(StepId::Contacts).checked_at, Some(900), "a recorded result keeps its time");
    assert_eq!(m.header.account, "123456789012");
    assert_eq!(m.step(StepId::Organization).status(), Some(Status::Done), "a live result wins over the record");
    assert_eq!(m.step(StepId::Contacts).status(), Some(Status::Partial));
    assert_eq!(m.step(StepId::Alerts).status(), Some(Status::Skipped));
    assert_eq!(m.id(m.selected), StepId::RootMfa);
}

#[test]
fn d_runs_the_drill_only_on_the_alerts_step() {
    let mut m = connected(&[]);
    select(&mut m, StepId::Guardduty);
    assert_eq!(update(&mut m, Msg::Drill), vec![]);
    assert!(m.notice.as_deref().is_some_and(|n| n.contains("Alerts by email")), "{:?}", m.notice);
    select(&mut m, StepId::Alerts);
    assert_eq!(update(&mut m, Msg::Drill), vec![Effect::Drill]);
}

#[test]
fn y_is_not_taken_before_the_end_of_the_plan_could_be_seen() {
    let mut m = connected(&[]);
    let id = StepId::Organization;
    select(&mut m, id);
    update(&mut m, Msg::Resized { width: 80, height: 24 });
    update(&mut m, Msg::Run);
    update(&mut m, Msg::Planned { id, result: Ok(long_proposal(30)) });
    assert!(!m.scroll.seen_end, "60 lines of plan do not fit in 24 rows");
    assert!(update(&mut m, Msg::Yes).is_empty(), "no apply before the end was in view");
    assert_eq!(m.overlay, Some(Overlay::Confirm(id)));
    update(&mut m, Msg::PageDown);
    assert!(m.scroll.confirm > 0 && !m.scroll.seen_end);
    update(&mut m, Msg::End);
    assert!(m.scroll.seen_end);
    // Scrolling back up does not take the answer away.
    update(&mut m, Msg::Home);
    assert_eq!(m.scroll.confirm, 0);
    assert!(matches!(&update(&mut m, Msg::Yes)[..], [Effect::Apply { .. }]));
}

#[test]
fn a_plan_that_fits_can_be_answered_at_once() {
    let mut m = connected(&[]);
    let id = StepId::Organization;
    select(&mut m, id);
    update(&mut m, Msg::Run);
    update(&mut m, Msg::Planned { id, result: Ok(long_proposal(3)) });
    assert!(m.scroll.seen_end);
    // A smaller window hides part of it again, but what was seen stays seen.
    update(&mut m, Msg::Resized { width: 80, height: 8 });
    assert!(m.scroll.seen_end);
}

#[test]
fn answers_can_be_edited_from_the_confirmation() {
    let mut m = connected(&[]);
    let id = StepId::Organization;
    select(&mut m, id);
    update(&mut m, Msg::Run);
    update(&mut m, Msg::Planned { id, result: Ok(proposal(false)) });
    assert!(update(&mut m, Msg::EditAnswers).is_empty());
    assert_eq!(m.overlay, Some(Overlay::Input(id)));
    let field = m.form.as_ref().and_then(form::Form::field).cloned().expect("a question");
    assert_eq!(
        (field.key.as_str(), field.default.as_deref()),
        ("alerts.email", Some("typo@example.con")),
        "the answer in use, offered"
    );
    assert_eq!(m.step(id).activity, Activity::Planning);
    // Esc: nothing changes, and nothing is applied.
    assert!(update(&mut m, Msg::No).is_empty());
    assert_eq!((m.overlay, m.step(id).activity.clone()), (None, Activity::Idle));
    // A step that asks nothing has nothing to edit: the dialog stays.
    update(&mut m, Msg::Run);
    update(&mut m, Msg::Planned { id, result: Ok(Proposal { asked: Vec::new(), ..proposal(false) }) });
    assert!(update(&mut m, Msg::EditAnswers).is_empty());
    assert_eq!(m.overlay, Some(Overlay::Confirm(id)));
}

#[test]
fn the_cursor_moves_on_once_a_step_is_rechecked_done() {
    let mut m = connected(&[StepId::RootMfa]);
    let id = StepId::Organization;
    select(&mut m, id);
    update(&mut m, Msg::Run);
    update(&mut m, Msg::Planned { id, result: Ok(proposal(false)) });
    update(&mut m, Msg::Yes);
    let Effect::Check { generation, .. } = update(&mut m, Msg::Applied { id, result: Ok(()) })[0] else {
        panic!("a re-check")
    };
    update(&mut m, Msg::Checked { id, generation, result: result(id, Status::Done) });
    assert_eq!(m.id(m.selected), StepId::ControlTower, "the next step not done");
    // A step re-checked not done keeps the cursor where it is.
    select(&mut m, StepId::Contacts);
    update(&mut m, Msg::Applied { id: StepId::Contacts, result: Ok(()) });
    let generation = m.step(StepId::Contacts).generation;
    update(
        &mut m,
        Msg::Checked { id: StepId::Contacts, generation, result: result(StepId::Contacts, Status::Partial) },
    );
    assert_eq!(m.id(m.selected), StepId::Contacts);
}

#[test]
fn the_detail_pane_scrolls_within_its_text() {
    let mut m = connected(&[]);
    select(&mut m, StepId::RootMfa);
    update(&mut m, Msg::Resized { width: 80, height: 24 });
    update(&mut m, Msg::End);
    let end = m.scroll.detail;
    assert!(end > 0, "root MFA's manual steps are below the bottom edge at 80x24");
    update(&mut m, Msg::PageDown);
    assert_eq!(m.scroll.detail, end, "never past the end");
    update(&mut m, Msg::LineUp);
    assert_eq!(m.scroll.detail, end - 1);
    update(&mut m, Msg::Down);
    assert_eq!(m.scroll.detail, 0, "another step starts at its top");
}

#[test]
fn a_failed_recheck_of_every_step_marks_each_verdict_with_its_age() {
    let mut m = connected(&[]);
    let generation = m.step(StepId::Organization).generation;
    update(&mut m, Msg::Tick { now: 50_520 });
    let earlier = result(StepId::Organization, Status::NotDone);
    update(&mut m, Msg::Checked { id: StepId::Organization, generation, result: earlier });
    let effects = update(&mut m, Msg::RecheckAll);
    assert!(
        matches!(&effects[..], [Effect::CheckAll { generations }] if generations.len() == StepId::ALL.len()),
        "the account is read again first"
    );
    assert!(m.steps.iter().all(|s| s.checking));
    update(&mut m, Msg::RecheckFailed("unreachable".into()));
    let org = m.step(StepId::Organization);
    assert!(!org.checking);
    assert_eq!((org.stale.as_deref(), org.checked_at), (Some("unreachable"), Some(50_520)));
    assert_eq!(detail::clock(50_520), "14:02");
    // The next live result clears the mark.
    let generation = m.step(StepId::Organization).generation;
    update(
        &mut m,
        Msg::Checked { id: StepId::Organization, generation, result: result(StepId::Organization, Status::Done) },
    );
    assert_eq!(m.step(StepId::Organization).stale, None);
}

#[test]
fn simulating_a_person_is_offered_only_in_the_sandbox() {
    let mut m = connected(&[]);
    select(&mut m, StepId::RootMfa);
    assert!(update(&mut m, Msg::Simulate).is_empty(), "never against a real account");
    assert_eq!(m.notice, None);
    m.header.sandbox = Some("http://127.0.0.1:5000".into());
    assert_eq!(update(&mut m, Msg::Simulate), vec![Effect::Simulate { id: StepId::RootMfa }]);
    let effects = update(&mut m, Msg::Simulated { id: StepId::RootMfa, result: Ok("done".into()) });
    assert!(matches!(&effects[..], [Effect::Check { id: StepId::RootMfa, .. }]), "only a re-check says it is done");
    select(&mut m, StepId::Guardduty);
    assert!(update(&mut m, Msg::Simulate).is_empty(), "GuardDuty needs no person");
}

#[test]
fn ages_read_in_the_largest_unit() {
    assert_eq!(detail::clock(0), "00:00");
    let ages: Vec<String> = [40, 720, 10_800, 90_000, 200_000].into_iter().map(detail::age).collect();
    assert_eq!(ages, ["40 s", "12 min", "3 h", "1 day", "2 days"]);
}

#[test]
fn an_interrupted_change_is_said_in_its_step_until_the_step_runs_again() {
    use crate::actionlog::{Entry, INTERRUPTED};
    let entry = |time: &str, step: StepId, operation: &str, result: &str| Entry {
        time: time.into(),
        step: Some(step),
        principal: "p".into(),
        account: "222222222222".into(),
        region: Some("eu-west-1".into()),
        operation: operation.into(),
        parameters: serde_json::Map::new(),
        result: result.into(),
        id: None,
        error: None,
    };
    let log = [
        entry("2026-12-01T10:00:00Z", StepId::Guardduty, "guardduty:CreateDetector", INTERRUPTED),
        entry("2026-12-01T10:01:00Z", StepId::Alerts, "sns:CreateTopic", INTERRUPTED),
        // A later run of alerts ended its changes: its interruption is superseded.
        entry("2026-12-01T10:05:00Z", StepId::Alerts, "sns:CreateTopic", "ok"),
    ];
    let found = Interruption::from_log(&log);
    assert_eq!(found.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [StepId::Guardduty]);

    let mut m = connected(&[]);
    update(&mut m, Msg::Interrupted(found));
    select(&mut m, StepId::Guardduty);
    let screen = |m: &Model| {
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 40)).expect("terminal");
        terminal.draw(|f| view::draw(f, m, view::Theme { color: false })).expect("draw");
        format!("{}", terminal.backend())
    };
    let words =
        "An earlier run was interrupted during guardduty:CreateDetector in account 222222222222, Region eu-west-1";
    assert!(screen(&m).contains(words), "{}", screen(&m));
    assert!(m.step(StepId::Alerts).interrupted.is_empty());
    // Running the step again supersedes it (its re-check says where it stands).
    update(&mut m, Msg::Applied { id: StepId::Guardduty, result: Ok(()) });
    assert!(m.step(StepId::Guardduty).interrupted.is_empty());
    assert!(!screen(&m).contains("interrupted during"));
}

#[test]
fn a_plan_that_only_waits_runs_without_a_confirmation() {
    let mut m = connected(&[StepId::Organization, StepId::ControlTower]);
    let id = StepId::SecurityHub;
    let wait = Change { at: At::new("222222222222", "us-east-1"), global: false, action: Action::WaitForFsbp };
    let plan = Plan { changes: vec![wait], manual: true, ..Plan::default() };
    let waits = Proposal { text: "plan".into(), plan: plan.clone(), asked: Vec::new() };
    let effects = update(&mut m, Msg::Planned { id, result: Ok(waits.clone()) });
    assert_eq!(effects, vec![Effect::Apply { id, plan }], "waiting changes nothing: no yes needed");
    assert!(m.overlay.is_none());
    assert!(matches!(m.step(id).activity, Activity::Applying { .. }));
    // A wait beside a conflict is not run.
    let mut m = connected(&[StepId::Organization, StepId::ControlTower]);
    let stopped = Proposal { plan: Plan { conflicts: vec!["no".into()], ..waits.plan }, ..waits };
    assert!(update(&mut m, Msg::Planned { id, result: Ok(stopped) }).is_empty());
}
