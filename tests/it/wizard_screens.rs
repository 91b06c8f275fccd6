//! Every distinct wizard screen, rendered into ratatui's TestBackend at 120×40 and 80×24 and
//! compared with the snapshots in tests/snapshots/ (review changes with `cargo insta review`). The
//! longest plan is not a fixture: groundwork plans it against the emulator and renders it each run,
//! so a change to the plan or to its renderer changes (and fails) these snapshots.

use crate::common;

use groundwork::aws::At;
use groundwork::aws::change::Action;
use groundwork::catalog::{self, StepId};
use groundwork::inputs::Placeholders;
use groundwork::plans::{self, Change, Plan};
use groundwork::record::Record;
use groundwork::verdict::{Finding, Status, StepResult};
use groundwork::wizard::view::{Theme, draw};
use groundwork::wizard::{Activity, Connection, Header, Interruption, Model, Msg, Overlay, Proposal, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

fn header() -> Header {
    Header {
        account: "123456789012".into(),
        principal: "arn:aws:sts::123456789012:assumed-role/AWSAdministratorAccess/ada".into(),
        profile: "acme-admin".into(),
        region: "eu-west-1".into(),
        organization: Some("organization o-abc123 · Audit 222222222222 · Log Archive 333333333333 · governed Regions eu-west-1, us-east-1".into()),
        root: false,
        sandbox: None,
    }
}

fn result(id: StepId, status: Status, detail: &str) -> StepResult {
    let summary = catalog::step(id).say(&format!("summary-{}", status.as_str()), &[("done", "1"), ("total", "2")]);
    StepResult {
        id,
        title: catalog::step(id).title.clone(),
        status,
        summary,
        findings: vec![Finding::new("222222222222", Some("eu-west-1"), status, detail.into())],
    }
}

fn model(statuses: &[Status]) -> Model {
    let recorded = StepId::ALL
        .iter()
        .zip(statuses.iter().chain(std::iter::repeat(&Status::NotDone)))
        .map(|(id, s)| (Some(result(*id, *s, "What was seen.")), None))
        .collect();
    let mut m = Model::new(header(), recorded, 1_764_331_200);
    m.connection = Connection::Ready;
    m.steps.iter_mut().for_each(|s| s.live = true);
    m
}

fn snapshot(name: &str, m: &Model) {
    for (w, h) in SIZES {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        terminal.draw(|f| draw(f, m, Theme { color: false })).expect("draw");
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn first_launch_while_checking() {
    let recorded = StepId::ALL.iter().map(|_| (None, None)).collect();
    let mut m = Model::new(header(), recorded, 1_764_331_200);
    update(&mut m, Msg::Connected(header()));
    m.tick = 3;
    snapshot("first_launch", &m);
}

#[test]
fn mixed_results() {
    use Status::*;
    let mut m = model(&[NotDone, Partial, Done, Done, Unknown, Partial, NotDone, NotDone]);
    m.selected = StepId::Guardduty as usize;
    m.steps[StepId::Guardduty as usize].result = Some(result(
        StepId::Guardduty,
        Partial,
        "Audit is the delegated administrator; Audit's detector is suspended: GuardDuty is not watching.",
    ));
    snapshot("mixed_results", &m);
}

#[test]
fn a_blocked_step() {
    let mut m = model(&[Status::Done, Status::Done]);
    m.selected = StepId::SecurityHub as usize;
    snapshot("blocked_step", &m);
}

#[test]
fn the_confirm_screen_with_a_plan() {
    let mut m = model(&[Status::Done, Status::Done]);
    let id = StepId::Organization;
    m.selected = id as usize;
    let plan = Plan {
        changes: vec![Change {
            at: At::new("123456789012", "eu-west-1"),
            global: true,
            action: Action::CreateOrganization,
        }],
        ..Plan::default()
    };
    let text = "== AWS Organization (organization)\nChanges, made as arn:aws:sts::123456789012:assumed-role/AWSAdministratorAccess/ada:\n  1. organizations:CreateOrganization · account 123456789012 · global\n       FeatureSet: ALL\n".to_owned();
    update(&mut m, Msg::Run);
    update(&mut m, Msg::Planned { id, result: Ok(Proposal { text, plan, asked: Vec::new() }) });
    assert_eq!(m.overlay, Some(Overlay::Confirm(id)));
    snapshot("confirm", &m);
}

/// The Control Tower plan exactly as the wizard proposes it: planned by groundwork against the
/// emulator, on an account whose organization was just created (the step before), with the answers
/// a founder gives, and rendered by the plan renderer the wizard and `groundwork plan` use.
async fn control_tower_proposal() -> Proposal {
    let emu = common::Emulator::start();
    let conf = common::config(&emu, common::MGMT, common::REGION).await;
    aws_sdk_organizations::Client::new(&conf)
        .create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .expect("create the organization");
    let aws = common::session(&emu, 8).await;
    let facts = groundwork::facts::gather(&aws).await.expect("the account");
    let sets = common::sets("control-tower");
    let answers = sets.chunks(2).filter_map(|s| s[1].split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned()));
    // The home Region is asked with the session's Region as its default, which the founder keeps.
    let home = ("control-tower.home-region".to_owned(), common::REGION.to_owned());
    let mut ask = Placeholders { answers: answers.chain([home]).collect(), ..Placeholders::default() };
    let record = Record::new(common::MGMT);
    let plan = plans::plan(&aws, &facts, &mut ask, &record, StepId::ControlTower).await.expect("a plan");
    assert!(ask.unanswered.is_empty(), "every question answered: {:?}", ask.unanswered);
    let text = same_root(&plans::render(StepId::ControlTower, &plan, &facts));
    Proposal { text, plan, asked: ask.asked }
}

/// The organization root's id (`r-` and 4 to 32 random characters, new with each organization)
/// written as `r-root`, so the snapshot holds still while everything groundwork decides stays in it.
fn same_root(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("r-") {
        let before_ok = at == 0 || !rest.as_bytes()[at - 1].is_ascii_alphanumeric();
        let id: String = rest[at + 2..].chars().take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit()).collect();
        out += &rest[..at];
        if before_ok && (4..=32).contains(&id.len()) {
            out += "r-root";
            rest = &rest[at + 2 + id.len()..];
        } else {
            out += "r-";
            rest = &rest[at + 2..];
        }
    }
    out + rest
}

/// The longest plan there is, Control Tower on an account with only its organization, at the top
/// and scrolled to the end, in both sizes.
#[tokio::test]
async fn the_confirm_dialog_scrolls_through_the_longest_plan() {
    let proposal = control_tower_proposal().await;
    let id = StepId::ControlTower;
    let count = proposal.plan.changes.iter().filter(|c| c.action.is_change()).count();
    assert!(count >= 10, "the longest plan: {}", proposal.text);
    for (w, h) in SIZES {
        let mut m = model(&[Status::Done, Status::Done, Status::Done]);
        m.selected = id as usize;
        update(&mut m, Msg::Resized { width: w, height: h });
        update(&mut m, Msg::Run);
        update(&mut m, Msg::Planned { id, result: Ok(proposal.clone()) });
        assert!(!m.scroll.seen_end, "{w}x{h}: the plan does not fit, so y is not offered yet");
        let top = render(&m, w, h);
        assert!(top.contains("changes 1–") && top.contains("below ↓"), "{top}");
        assert!(!top.contains("y / N"), "no question before the end is in view:\n{top}");
        insta::assert_snapshot!(format!("confirm_long_top_{w}x{h}"), top);
        update(&mut m, Msg::End);
        assert!(m.scroll.seen_end);
        let bottom = render(&m, w, h);
        assert!(bottom.contains(&format!("Apply these {count} changes? y / N")), "{bottom}");
        assert!(bottom.contains("Cost: Control Tower itself is free"), "the last line is in view:\n{bottom}");
        insta::assert_snapshot!(format!("confirm_long_bottom_{w}x{h}"), bottom);
    }
}

/// A step's questions inside the wizard: its why and cost above, an answer given, a refused one.
#[test]
fn the_questions_keep_their_context() {
    use groundwork::wizard::form::Edit;
    let mut m =
        model(&[Status::Done, Status::Done, Status::Done, Status::Done, Status::Done, Status::Done, Status::Done]);
    let id = StepId::Alerts;
    m.selected = id as usize;
    update(&mut m, Msg::Run);
    let keys = vec![("alerts.email".to_owned(), None), ("alerts.min-severity".to_owned(), None)];
    update(&mut m, Msg::NeedInputs { id, keys });
    "security@example.com".chars().for_each(|c| {
        update(&mut m, Msg::Edit(Edit::Insert(c)));
    });
    update(&mut m, Msg::Submit);
    "eleven".chars().for_each(|c| {
        update(&mut m, Msg::Edit(Edit::Insert(c)));
    });
    update(&mut m, Msg::Submit);
    for (w, h) in SIZES {
        let screen = render(&m, w, h);
        assert!(screen.contains("[alerts.min-severity]") && screen.contains("eleven"), "{screen}");
        assert!(screen.contains("security@example.com"), "the answer given stays in view:\n{screen}");
    }
    snapshot("questions", &m);
}

/// At 80×24 root MFA's manual steps and console link are below the edge: End brings them up.
#[test]
fn the_detail_pane_scrolls_to_what_was_below_the_edge() {
    let mut m = model(&[Status::NotDone]);
    m.selected = StepId::RootMfa as usize;
    update(&mut m, Msg::Resized { width: 80, height: 24 });
    let top = render(&m, 80, 24);
    assert!(top.contains("lines 1–"), "the title says there is more:\n{top}");
    update(&mut m, Msg::End);
    let bottom = render(&m, 80, 24);
    let link = &catalog::step(StepId::RootMfa).links[0].url;
    assert!(bottom.contains(&link[..30]) && !top.contains(&link[..30]), "{bottom}");
    insta::assert_snapshot!("detail_scrolled_80x24", bottom);
}

/// The smallest screen the wizard draws on: the long plan and the questions still fit, scroll and
/// keep their question in view.
#[tokio::test]
async fn the_dialogs_work_on_the_smallest_screen() {
    let proposal = control_tower_proposal().await;
    let id = StepId::ControlTower;
    let mut m = model(&[Status::Done, Status::Done, Status::Done]);
    m.selected = id as usize;
    update(&mut m, Msg::Resized { width: 40, height: 10 });
    update(&mut m, Msg::Run);
    update(&mut m, Msg::Planned { id, result: Ok(proposal) });
    assert!(render(&m, 40, 10).contains("below"));
    update(&mut m, Msg::End);
    assert!(render(&m, 40, 10).contains("y / N"), "{}", render(&m, 40, 10));
    update(&mut m, Msg::No);
    update(&mut m, Msg::Run);
    update(&mut m, Msg::NeedInputs { id, keys: vec![("control-tower.audit-email".into(), None)] });
    let screen = render(&m, 40, 10);
    assert!(screen.contains("> "), "the line being typed stays in view:\n{screen}");
}

fn render(m: &Model, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| draw(f, m, Theme { color: false })).expect("draw");
    format!("{}", terminal.backend())
}

#[test]
fn a_failed_step_with_its_hint() {
    let mut m = model(&[Status::Done, Status::Done, Status::Done, Status::Done, Status::Done]);
    let id = StepId::Guardduty;
    m.selected = id as usize;
    m.steps[id as usize].activity = Activity::Failed(
        "Access denied: guardduty:CreateDetector on account 222222222222 (eu-west-1). Grant it to the principal you run as: assets/policies/groundwork-check.json lists every action `check` needs.".into(),
    );
    m.steps[id as usize].log = vec!["[1/6] guardduty:CreateDetector in account 222222222222 (eu-west-1) ...".into()];
    snapshot("failed_step", &m);
}

#[test]
fn a_step_an_earlier_run_left_interrupted() {
    let mut m = model(&[Status::Done, Status::Done, Status::Done, Status::Done, Status::Done]);
    let id = StepId::Guardduty;
    m.selected = id as usize;
    let what = Interruption {
        operation: "guardduty:CreateDetector".into(),
        account: "222222222222".into(),
        region: Some("eu-west-1".into()),
    };
    update(&mut m, Msg::Interrupted(vec![(id, what)]));
    snapshot("interrupted_step", &m);
}

#[test]
fn a_long_operation_in_progress() {
    let mut m = model(&[Status::NotDone, Status::Done, Status::Done]);
    let id = StepId::ControlTower;
    m.selected = id as usize;
    update(&mut m, Msg::Resuming { id, since: 1_764_331_200 - 754 });
    update(
        &mut m,
        Msg::Progress { id, line: "Waiting for landing zone operation 4398649e. This takes 30 to 60 minutes.".into() },
    );
    update(&mut m, Msg::Progress { id, line: "  IN_PROGRESS after 12 min".into() });
    snapshot("long_operation", &m);
}

#[test]
fn everything_done() {
    let m = model(&vec![Status::Done; StepId::ALL.len()]);
    snapshot("everything_done", &m);
}

#[test]
fn the_help_screen() {
    let mut m = model(&[Status::Done, Status::Done]);
    update(&mut m, Msg::Help);
    snapshot("help", &m);
}

/// AWS names are not trusted: groundwork replaces every control character in them (with U+FFFD,
/// so a person sees something was there) before they reach the terminal. ratatui would silently drop
/// a bare ESC by itself, so the test looks for groundwork's replacement, not only for the ESC's absence.
#[test]
fn hostile_text_renders_inert() {
    let mut m = model(&[Status::NotDone]);
    m.header.principal = "arn:aws:iam::123456789012:user/\u{1b}[2J\u{1b}]0;pwned\u{7}evil".into();
    m.selected = StepId::Alerts as usize;
    m.steps[StepId::Alerts as usize].result = Some(result(
        StepId::Alerts,
        Status::Partial,
        "Rule \u{1b}[31mred\u{1b}[0m sends to topic \u{1b}]8;;https://evil.example\u{7}click\u{1b}]8;;\u{7}.",
    ));
    for (w, h) in SIZES {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        terminal.draw(|f| draw(f, &m, Theme { color: false })).expect("draw");
        let screen = format!("{}", terminal.backend());
        assert!(!screen.contains('\u{1b}') && !screen.contains('\u{7}'), "a control character reached the screen");
        assert!(
            screen.contains("user/\u{fffd}[2J\u{fffd}]0;pwned\u{fffd}evil"),
            "the header was made inert:\n{screen}"
        );
        assert!(
            screen.contains("\u{fffd}]8;;https://evil.example\u{fffd}click"),
            "the detail was made inert:\n{screen}"
        );
    }
    snapshot("hostile_text", &m);
}

#[test]
fn a_tiny_terminal_degrades_to_a_message() {
    let m = model(&[Status::Done, Status::Done]);
    let mut terminal = Terminal::new(TestBackend::new(30, 8)).expect("terminal");
    terminal.draw(|f| draw(f, &m, Theme { color: false })).expect("draw");
    insta::assert_snapshot!("tiny_30x8", terminal.backend());
}

/// A Control Tower plan an answer stopped: the stop, and `e` with the answer named, where the
/// person looks (the footer and the top of the plan in the detail pane).
#[test]
fn a_plan_an_answer_stopped() {
    let mut m = model(&[Status::Done, Status::Done, Status::Done]);
    let id = StepId::ControlTower;
    m.selected = id as usize;
    let conflict = "af-south-1 is an opt-in Region that is DISABLED for this account. Enable it (Account settings, AWS Regions) and wait until it is ENABLED, or leave it out of control-tower.regions.";
    let text = format!("== Control Tower landing zone (control-tower)\n  STOP: {conflict}\n");
    let plan = Plan {
        conflicts: vec![conflict.into()],
        conflicting_answers: vec!["control-tower.regions".into()],
        ..Plan::default()
    };
    let asked = vec![("control-tower.regions".to_owned(), Some("us-east-1,af-south-1".to_owned()))];
    update(&mut m, Msg::Run);
    update(&mut m, Msg::Planned { id, result: Ok(Proposal { text, plan, asked }) });
    assert_eq!(m.overlay, None);
    let screen = render(&m, 120, 40);
    assert_eq!(
        screen.matches("Press e to change control-tower.regions (now us-east-1,af-south-1)").count(),
        2,
        "{screen}"
    );
    snapshot("stopped_on_an_answer", &m);
}

/// GuardDuty's paid plans, ticked on a list with each plan's purpose and price.
#[test]
fn the_paid_plans_as_a_list_to_tick() {
    let mut m = model(&[Status::Done, Status::Done, Status::Done, Status::Done, Status::Done]);
    let id = StepId::Guardduty;
    m.selected = id as usize;
    update(&mut m, Msg::Run);
    update(&mut m, Msg::NeedInputs { id, keys: vec![("guardduty.plans".into(), Some("RUNTIME_MONITORING".into()))] });
    update(&mut m, Msg::Edit(groundwork::wizard::form::Edit::Down));
    let screen = render(&m, 120, 40);
    assert!(screen.contains("[x] RUNTIME_MONITORING") && screen.contains("[ ] S3_DATA_EVENTS"), "{screen}");
    assert!(screen.contains("per million audit log events"), "each plan's price:\n{screen}");
    snapshot("paid_plans", &m);
}
