//! The wizard end to end: the real binary in a real terminal (tmux) against the emulator. A fresh
//! account, steps completed through the keys, quitting while Control Tower is being set up, starting
//! again, the wait resumed and finished, and `check --json` agreeing with what the screen showed.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Emulator, MGMT, check_json, step_status};

/// How many steps the wizard lists.
const STEPS: usize = groundwork::catalog::StepId::ALL.len();

/// A tmux server of this test's own, killed when the test ends.
struct Tmux {
    socket: String,
    session: std::cell::Cell<u32>,
}

impl Tmux {
    fn new() -> Tmux {
        // A server per test: the tests of this file run at once, and must not type into each other.
        static SERVERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SERVERS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let socket = format!("groundwork-e2e-{}-{n}", std::process::id());
        let tmux = Tmux { socket, session: std::cell::Cell::new(0) };
        let version = Command::new("tmux").arg("-V").output();
        assert!(
            version.is_ok_and(|o| o.status.success()),
            "the wizard's end-to-end test needs tmux (apt-get install tmux)"
        );
        tmux
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts groundwork in a 120×40 window with the test's environment.
    fn start(&self, emu: &Emulator, state: &Path) {
        self.start_with(emu, state, "");
    }

    /// Starts `groundwork ARGS` (the wizard when empty) in a 120×40 window.
    fn start_with(&self, emu: &Emulator, state: &Path, args: &str) {
        let cmd = common::groundwork_process(&emu.url(), state);
        let mut line = String::from("env");
        for (k, v) in cmd.get_envs() {
            if let Some(v) = v {
                line += &format!(" {}='{}'", k.to_string_lossy(), v.to_string_lossy());
            }
        }
        line +=
            &format!(" GROUNDWORK_POLL_SECONDS=0.2 TERM=xterm-256color {} {args}", cmd.get_program().to_string_lossy());
        line += "; echo GROUNDWORK-EXITED-$?; sleep 600";
        // A fresh session per start; the previous one (its groundwork exited) is closed.
        let old = self.target();
        self.session.set(self.session.get() + 1);
        self.run(&["new-session", "-d", "-s", &self.target(), "-x", "120", "-y", "40", &line]);
        self.run(&["kill-session", "-t", &old]);
    }

    fn target(&self) -> String {
        format!("gw{}", self.session.get())
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", &self.target()])
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", &self.target(), k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn type_line(&self, text: &str) {
        self.run(&["send-keys", "-t", &self.target(), "-l", text]);
        self.run(&["send-keys", "-t", &self.target(), "Enter"]);
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Waits until the screen shows `text`; fails with the screen if it never does.
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "waited 30 s for {text:?}; the screen shows:\n{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Identity Center, GuardDuty, Security Hub, alerts and contacts, through the keys alone. After a
/// step is done the cursor is already on the next one.
fn finish_the_afternoon(tmux: &Tmux) {
    tmux.keys(&["Enter"]); // Identity Center
    for answer in ["ada", "Ada", "Lovelace", "ada@example.com", ""] {
        tmux.wait_for("[identity-center.");
        tmux.type_line(answer);
    }
    confirm(tmux, "✓ IAM Identity Center users");
    tmux.keys(&["Enter"]); // GuardDuty: the paid plans prompt defaults to none
    tmux.wait_for("[guardduty.plans]");
    tmux.type_line("");
    confirm(tmux, "✓ GuardDuty");
    tmux.keys(&["Enter"]); // Security Hub asks nothing
    confirm(tmux, "✓ Security Hub CSPM");
    tmux.keys(&["Enter"]); // Alerts
    // Two questions: whether to re-send a confirmation is asked only once one is pending.
    for answer in ["alerts@example.com", ""] {
        tmux.wait_for("[alerts.");
        tmux.type_line(answer);
    }
    confirm(tmux, "◐ Alerts by email"); // waits on the person's click in the email
    // Contacts: undo the skip, answer once; the second run reaches the member accounts.
    for _ in 0..6 {
        tmux.keys(&["k"]);
    }
    tmux.keys(&["s", "Enter"]);
    for _ in 0..12 {
        tmux.wait_for("[contacts.");
        let screen = tmux.screen();
        let answer = if screen.contains(".email]") {
            "ops@example.com"
        } else if screen.contains(".phone]") {
            "+1 555 555 0100"
        } else {
            "Ada Lovelace"
        };
        tmux.type_line(answer);
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

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

#[test]
fn a_founder_completes_steps_quits_mid_landing_zone_and_resumes() {
    let emu = Emulator::start_with(&[("GROUNDWORK_EMULATOR_CT_DELAY_SECONDS", "-1")]);
    let state = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::new();
    tmux.start(&emu, state.path());

    // First launch: the account in the header, every step checked live, the cursor on step 1.
    tmux.wait_for("account 123456789012");
    tmux.wait_for(&format!("Steps · 0 of {STEPS} done"));
    tmux.wait_for("○ AWS Organization");

    // The organization: Enter, see the plan, confirm with y.
    tmux.keys(&["j", "j", "Enter"]);
    tmux.wait_for("Apply this 1 change? y / N");
    tmux.keys(&["y"]);
    tmux.wait_for("✓ AWS Organization");
    tmux.wait_for(&format!("1 of {STEPS} done"));
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
    tmux.keys(&["Enter"]);
    tmux.wait_for("Regions to govern");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Email for the new Log Archive account");
    tmux.type_line("log@example.com");
    tmux.wait_for("Email for the new Audit account");
    tmux.type_line("audit@example.com");
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
    tmux.start(&emu, state.path());
    tmux.wait_for("│1 ○ Root user MFA");
    tmux.keys(&["j", "j", "j"]);
    tmux.wait_for("running");
    tmux.wait_for("Resuming the wait for landing zone operation");
    emu.hook(
        "/_groundwork/controltower/operations/complete",
        serde_json::json!({"operationIdentifier": operation, "status": "SUCCEEDED"}),
    );
    tmux.wait_for("✓ Control Tower landing zone");
    let screen = tmux.wait_for(&format!("3 of {STEPS} done"));
    tmux.wait_for("┌ identity-center ");
    assert!(screen.contains("– Account contacts"), "the skip survived the restart:\n{screen}");

    finish_the_afternoon(&tmux);
    tmux.wait_for(&format!("6 of {STEPS} done"));
    tmux.keys(&["q"]);
    tmux.wait_for("GROUNDWORK-EXITED-0");

    // What a script sees agrees with the screen: everything done but what waits on a person.
    let (_, json) = check_json(&emu, state.path());
    for step in ["contacts", "organization", "control-tower", "identity-center", "guardduty", "security-hub"] {
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

/// The contacts question on screen (its `[contacts.…]` key), and an answer that fits it.
fn contacts_question(screen: &str) -> (String, &'static str) {
    let key = screen.lines().rev().find(|l| l.contains("[contacts.")).unwrap_or_default().trim().to_owned();
    let answer = if key.contains(".email]") {
        "ops@example.com"
    } else if key.contains(".phone]") {
        "+1 555 555 0100"
    } else {
        "Ada Lovelace"
    };
    (key, answer)
}

#[test]
fn a_mistyped_email_is_seen_in_the_confirmation_and_corrected_there() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::new();
    tmux.start(&emu, state.path());
    tmux.wait_for(&format!("Steps · 0 of {STEPS} done"));
    tmux.wait_for("○ Account contacts");
    tmux.keys(&["j", "Enter"]);
    // The step's context is on screen with its first question.
    let screen = tmux.wait_for("[contacts.");
    assert!(screen.contains("Account contacts") && screen.contains("Cost:"), "{screen}");
    for _ in 0..12 {
        let (key, answer) = contacts_question(&tmux.wait_for("[contacts."));
        tmux.type_line(if key.contains("security.email") { "ada@exmaple.com" } else { answer });
    }
    tmux.wait_for("Confirm");
    tmux.keys(&["End"]);
    let screen = tmux.wait_for("e change answers");
    assert!(screen.contains("ada@exmaple.com"), "the typo is in the plan:\n{screen}");
    // e: every question again, the answers given as defaults; only the typo is retyped.
    tmux.keys(&["e"]);
    for _ in 0..12 {
        let screen = tmux.wait_for("[contacts.");
        if contacts_question(&screen).0.contains("security.email") {
            assert!(screen.contains("ada@exmaple.com"), "the earlier answer is offered:\n{screen}");
            tmux.type_line("ada@example.com");
        } else {
            tmux.type_line("");
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
    let tmux = Tmux::new();
    tmux.start_with(&emu, state.path(), "apply contacts");
    // The step's context comes before its first question.
    let screen = tmux.wait_for("Security contact: full name");
    assert!(screen.contains("Account contacts") && screen.contains("Cost:"), "{screen}");
    let answers = |typo: bool| {
        for _ in 0..12 {
            std::thread::sleep(Duration::from_millis(200));
            let screen = tmux.screen();
            let asking = screen.lines().rev().find(|l| l.contains("contact:")).unwrap_or_default().to_owned();
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
    let screen = tmux.wait_for("e to change your answers]");
    let plan = screen.rsplit("== Account contacts").next().unwrap_or_default();
    assert!(plan.contains("ada@example.com") && !plan.contains("exmaple"), "{screen}");
    tmux.type_line("y");
    tmux.wait_for("GROUNDWORK-EXITED-0");
    let (_, json) = check_json(&emu, state.path());
    let text = json.to_string();
    assert!(text.contains("security ada@example.com") && !text.contains("exmaple"), "{json:#}");
}
