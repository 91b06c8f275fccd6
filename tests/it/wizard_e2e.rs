//! The wizard end to end: the real binary in a real terminal (tmux) against the emulator. A fresh
//! account, steps completed through the keys, quitting while Control Tower is being set up, starting
//! again, the wait resumed and finished, and `check --json` agreeing with what the screen showed.

use crate::common;

use common::tmux::Tmux;
use common::{Emulator, MGMT, check_json, step_status};
use std::path::Path;

/// How many steps the wizard lists.
const STEPS: usize = groundwork::catalog::StepId::ALL.len();

/// Starts `groundwork ARGS` (the wizard when empty) in the terminal, with the test's environment;
/// the window stays open after it exits, with its exit code on screen.
fn start_with(tmux: &Tmux, emu: &Emulator, state: &Path, args: &str) {
    let cmd = common::groundwork_process(&emu.url(), state);
    let mut line = String::from("env");
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            line += &format!(" {}='{}'", k.to_string_lossy(), v.to_string_lossy());
        }
    }
    line += &format!(" GROUNDWORK_POLL_SECONDS=0.2 TERM=xterm-256color {} {args}", cmd.get_program().to_string_lossy());
    line += "; echo GROUNDWORK-EXITED-$?; sleep 600";
    tmux.start(&line, None);
}

/// The wizard in the terminal.
fn start(tmux: &Tmux, emu: &Emulator, state: &Path) {
    start_with(tmux, emu, state, "");
}

/// Identity Center, GuardDuty, Security Hub, alerts and contacts, through the keys alone. After a
/// step is done the cursor is already on the next one.
fn finish_the_afternoon(tmux: &Tmux) {
    tmux.keys(&["Enter"]); // Identity Center
    for answer in ["ada", "Ada", "Lovelace", "ada@example.com", ""] {
        tmux.answer("[identity-center.", |_| answer.to_owned());
    }
    confirm(tmux, "✓ IAM Identity Center users");
    tmux.keys(&["Enter"]); // GuardDuty: the paid plans prompt defaults to none
    tmux.answer("[guardduty.plans]", |_| String::new());
    confirm(tmux, "✓ GuardDuty");
    tmux.keys(&["Enter"]); // Security Hub asks nothing
    confirm(tmux, "✓ Security Hub CSPM");
    tmux.keys(&["Enter"]); // Alerts
    // Two questions: whether to re-send a confirmation is asked only once one is pending.
    for answer in ["alerts@example.com", ""] {
        tmux.answer("[alerts.", |_| answer.to_owned());
    }
    confirm(tmux, "◐ Alerts by email"); // waits on the person's click in the email
    // Contacts: undo the skip, answer once; the second run reaches the member accounts.
    for _ in 0..6 {
        tmux.keys(&["k"]);
    }
    tmux.keys(&["s", "Enter"]);
    for _ in 0..12 {
        tmux.answer("[contacts.", |key| contact(key).to_owned());
    }
    confirm(tmux, "◐ Account contacts");
    tmux.keys(&["Enter"]);
    confirm(tmux, "✓ Account contacts");
}

/// Scrolls the plan on screen to its end (only then is `y` offered), confirms it and waits for the
/// step's new state.
fn confirm(tmux: &Tmux, then: &str) {
    tmux.wait_for("Confirm");
    tmux.keys(&["End"]);
    tmux.wait_for("? y / N");
    tmux.keys(&["y"]);
    tmux.wait_for(then);
}

#[test]
fn a_founder_completes_steps_quits_mid_landing_zone_and_resumes() {
    let emu = Emulator::start_with(&[("GROUNDWORK_EMULATOR_CT_DELAY_SECONDS", "-1")]);
    let state = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::new("e2e");
    start(&tmux, &emu, state.path());

    // First launch: the account in the header, every step checked live, the cursor on step 1
    // (iam-users is done already: a fresh account has no IAM user to move).
    tmux.wait_for("account 123456789012");
    tmux.wait_for(&format!("Steps · 1 of {STEPS} done"));
    tmux.wait_for("○ AWS Organization");

    // The organization: Enter, see the plan, confirm with y.
    tmux.keys(&["j", "j", "Enter"]);
    tmux.wait_for("Apply this 1 change? y / N");
    tmux.keys(&["y"]);
    tmux.wait_for("✓ AWS Organization");
    tmux.wait_for(&format!("2 of {STEPS} done"));
    // Done: the cursor moved on to the next step not done.
    tmux.wait_for("┌ control-tower ");

    // Contacts: skipped with a reason, which the wizard remembers.
    tmux.keys(&["k", "k", "s"]);
    tmux.wait_for("Why skip this step?");
    tmux.type_line("the lawyer is choosing the addresses");
    tmux.wait_for("– Account contacts");

    // Control Tower: answer its questions (the Regions keep their defaults), confirm, start.
    tmux.keys(&["j", "j", "Enter"]);
    tmux.wait_for("Control Tower home Region");
    for _ in 0..4 {
        tmux.answer("[control-tower.", |key| {
            let answer = match key {
                k if k.contains("log-archive-email") => "log@example.com",
                k if k.contains("audit-email") => "audit@example.com",
                _ => "",
            };
            answer.to_owned()
        });
    }
    // The plan is longer than the dialog: y is offered once its end has been in view.
    let screen = tmux.wait_for("more line");
    assert!(!screen.contains("y / N"), "{screen}");
    tmux.keys(&["y"]);
    tmux.wait_for("See the whole plan first");
    tmux.keys(&["End"]);
    // Two accounts, the OU and two moves, four roles and their five policies, the landing zone.
    tmux.wait_for("Apply these 15 changes? y / N");
    tmux.keys(&["y"]);
    tmux.wait_for("IN_PROGRESS after 0 min");

    // Quit while it runs: the wizard asks first, then leaves the operation recorded.
    tmux.keys(&["q"]);
    tmux.wait_for("A step is still running");
    tmux.keys(&["y"]);
    tmux.wait_for("GROUNDWORK-EXITED-0");
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(state.path().join(format!("state/{MGMT}.json"))).expect("record"),
    )
    .expect("json");
    let operation = record["pending"][0]["id"].as_str().expect("the operation is recorded").to_owned();
    assert_eq!(record["skips"]["contacts"]["reason"], "the lawyer is choosing the addresses");

    // Start again: the cursor is on the first step not done, and the wizard resumes waiting for the
    // same operation, visibly.
    start(&tmux, &emu, state.path());
    tmux.wait_for("│1 ○ Root user MFA");
    tmux.keys(&["j", "j", "j"]);
    tmux.wait_for("running");
    tmux.wait_for("Resuming the wait for landing zone operation");
    emu.hook(
        "/_groundwork/controltower/operations/complete",
        serde_json::json!({"operationIdentifier": operation, "status": "SUCCEEDED"}),
    );
    tmux.wait_for("✓ Control Tower landing zone");
    // guardrails counts as settled from here: no OU holds a member account, so none is registered
    // and it is not applicable (and iam-users was done from the start).
    let screen = tmux.wait_for(&format!("5 of {STEPS} done"));
    tmux.wait_for("┌ identity-center ");
    assert!(screen.contains("– Account contacts"), "the skip survived the restart:\n{screen}");

    finish_the_afternoon(&tmux);
    tmux.wait_for(&format!("8 of {STEPS} done"));
    tmux.keys(&["q"]);
    tmux.wait_for("GROUNDWORK-EXITED-0");

    // What a script sees agrees with the screen: everything done but what waits on a person.
    let (_, json) = check_json(&emu, state.path());
    for step in
        ["contacts", "organization", "control-tower", "identity-center", "guardduty", "security-hub", "iam-users"]
    {
        assert_eq!(step_status(&json, step), "done", "{step}: {json:#}");
    }
    assert_eq!(step_status(&json, "root-mfa"), "not-done");
    assert_eq!(step_status(&json, "alerts"), "partial");
    let creates = std::fs::read_to_string(state.path().join(format!("state/{MGMT}.actions.jsonl")))
        .expect("action log")
        .lines()
        .filter(|l| l.contains("controltower:CreateLandingZone") && l.contains(r#""result":"ok""#))
        .count();
    assert_eq!(creates, 1);
}

/// An answer that fits a contacts question, from its `[contacts.…]` key.
fn contact(key: &str) -> &'static str {
    if key.contains(".email]") {
        "ops@example.com"
    } else if key.contains(".phone]") {
        "+1 555 555 0100"
    } else {
        "Ada Lovelace"
    }
}

#[test]
fn a_mistyped_email_is_seen_in_the_confirmation_and_corrected_there() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::new("e2e");
    start(&tmux, &emu, state.path());
    tmux.wait_for(&format!("Steps · 1 of {STEPS} done"));
    tmux.wait_for("○ Account contacts");
    tmux.keys(&["j", "Enter"]);
    // The step's context is on screen with its first question.
    let screen = tmux.wait_for("[contacts.");
    assert!(screen.contains("Account contacts") && screen.contains("Cost:"), "{screen}");
    for _ in 0..12 {
        tmux.answer("[contacts.", |key| {
            if key.contains("security.email") { "ada@exmaple.com" } else { contact(key) }.to_owned()
        });
    }
    tmux.wait_for("Confirm");
    tmux.keys(&["End"]);
    let screen = tmux.wait_for("e change answers");
    assert!(screen.contains("ada@exmaple.com"), "the typo is in the plan:\n{screen}");
    // e: every question again, the answers given as defaults; only the typo is retyped.
    tmux.keys(&["e"]);
    for _ in 0..12 {
        let screen = tmux
            .answer("[contacts.", |key| if key.contains("security.email") { "ada@example.com" } else { "" }.to_owned());
        if common::tmux::question(&screen, "[contacts.").is_some_and(|k| k.contains("security.email")) {
            assert!(screen.contains("ada@exmaple.com"), "the earlier answer is offered:\n{screen}");
        }
    }
    tmux.wait_for("Confirm");
    tmux.keys(&["End"]);
    let screen = tmux.wait_for("? y / N");
    assert!(screen.contains("ada@example.com") && !screen.contains("ada@exmaple.com"), "{screen}");
    tmux.keys(&["y"]);
    tmux.wait_for("✓ Account contacts");
    tmux.keys(&["q"]);
    tmux.wait_for("GROUNDWORK-EXITED-0");

    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "contacts"), "done", "{json:#}");
    let text = json.to_string();
    assert!(text.contains("security ada@example.com") && !text.contains("exmaple"), "{json:#}");
}

/// `groundwork apply` on a terminal: the plan shows the typo, `e` asks again with the answers given
/// as defaults, and the corrected plan is the one applied.
#[test]
fn apply_on_a_terminal_offers_to_change_the_answers_before_the_yes() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::new("e2e");
    start_with(&tmux, &emu, state.path(), "apply contacts");
    // The step's context comes before its first question.
    let screen = tmux.wait_for("Security contact: full name");
    assert!(screen.contains("Account contacts") && screen.contains("Cost:"), "{screen}");
    let answers = |typo: bool| {
        // Each answer is typed once its prompt is the last line, never into the one before.
        let mut asking = String::new();
        for _ in 0..12 {
            asking = tmux.prompt_after(&asking);
            let answer = match (asking.contains("Security contact: email"), typo) {
                (true, true) => "ada@exmaple.com",
                (true, false) => "ada@example.com",
                (false, false) => "",
                _ if asking.contains("email") => "ops@example.com",
                _ if asking.contains("phone") => "+1 555 555 0100",
                _ => "Ada Lovelace",
            };
            tmux.type_line(answer);
        }
    };
    answers(true);
    let screen = tmux.wait_for("e to change your answers]");
    assert!(screen.contains("ada@exmaple.com"), "{screen}");
    tmux.type_line("e");
    tmux.wait_for("Security contact: full name [Ada Lovelace]");
    answers(false);
    // The first confirmation (answered "e") is still on screen: wait until the last line asks again.
    let screen =
        tmux.wait_until("the corrected plan's confirmation", |s| s.trim_end().ends_with("e to change your answers]"));
    let plan = screen.rsplit("== Account contacts").next().unwrap_or_default();
    assert!(plan.contains("ada@example.com") && !plan.contains("exmaple"), "{screen}");
    tmux.type_line("y");
    tmux.wait_for("GROUNDWORK-EXITED-0");
    let (_, json) = check_json(&emu, state.path());
    let text = json.to_string();
    assert!(text.contains("security ada@example.com") && !text.contains("exmaple"), "{json:#}");
}
