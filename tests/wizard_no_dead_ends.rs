//! The wizard never strands a person nor shows a verdict older than what it depends on: the real
//! binary in a real terminal (tmux) against the emulator. A plan that stops on an answer is
//! corrected where it stopped; a step that changes the account model re-checks the steps that
//! depend on it; `x` re-checks what it simulated. Every wait is on the screen, never on the clock.

mod common;

use std::path::Path;

use common::Emulator;
use common::tmux::Tmux;

/// `groundwork ARGS` against `emu` (the wizard when empty), with `state` as its state directory,
/// in a 120×40 terminal of the test's own, stopped with everything in it when the test ends.
fn start(emu: &Emulator, state: &Path, args: &str) -> Tmux {
    let cmd = common::groundwork_process(&emu.url(), state);
    let mut line = String::from("env");
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            line += &format!(" {}='{}'", k.to_string_lossy(), v.to_string_lossy());
        }
    }
    let program = cmd.get_program().to_string_lossy().into_owned();
    line += &format!(" GROUNDWORK_POLL_SECONDS=0.2 TERM=xterm-256color {program} {args}");
    started(&line)
}

/// `groundwork sandbox` (its own emulator, its simulate key), with no AWS configuration.
fn sandbox(home: &Path) -> Tmux {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join("target/emulator-venv");
    groundwork::emulator::venv_python(&venv, &root.join("tests/emulator/requirements.txt"), &|_| {})
        .expect("the emulator venv");
    started(&format!(
        "env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_PROFILE -u AWS_REGION -u AWS_ENDPOINT_URL \
         -u XDG_CACHE_HOME -u PYTHON AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE={0}/none \
         AWS_SHARED_CREDENTIALS_FILE={0}/none HOME={0} GROUNDWORK_EMULATOR_VENV={1} TERM=xterm-256color {2} sandbox",
        home.display(),
        venv.display(),
        assert_cmd::cargo::cargo_bin("groundwork").display()
    ))
}

fn started(line: &str) -> Tmux {
    let tmux = Tmux::new("ux");
    // The pane stays after groundwork exits, so its last screen can still be read.
    tmux.start(&format!("{line}; echo GROUNDWORK-EXITED-$?; exec cat"), None);
    tmux
}

/// The organization, from a fresh account: selected, planned, confirmed, re-checked.
fn create_the_organization(tmux: &Tmux) {
    tmux.wait_for("○ AWS Organization");
    tmux.wait_for(&format!("Steps · 0 of {} done", groundwork::catalog::StepId::ALL.len()));
    tmux.keys(&["j", "j"]);
    tmux.wait_for("┌ organization ");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Apply this 1 change? y / N");
    tmux.keys(&["y"]);
    tmux.wait_for("✓ AWS Organization");
}

#[test]
fn a_region_refused_at_the_prompt_or_stopping_the_plan_is_corrected_without_leaving_the_wizard() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let tmux = start(&emu, state.path(), "");
    create_the_organization(&tmux);
    tmux.wait_for("┌ control-tower ");
    tmux.keys(&["Enter"]);
    tmux.wait_for("[control-tower.home-region]");
    tmux.keys(&["Enter"]);
    tmux.wait_for("[control-tower.regions]");
    // A name AWS does not list for this account is refused as it is given, the reason under it.
    tmux.type_line("us-east-1,mars-north-9");
    let screen = tmux.wait_for("mars-north-9 is not a Region of this account: AWS does not list it");
    assert!(screen.contains("[control-tower.regions]") && !screen.contains("STOP"), "still asking:\n{screen}");
    // A Region the account has but has not enabled passes the prompt; the plan stops on it.
    tmux.keys(&["C-u"]);
    tmux.type_line("us-east-1,af-south-1");
    tmux.wait_for("[control-tower.log-archive-email]");
    tmux.type_line("log@example.com");
    tmux.wait_for("[control-tower.audit-email]");
    tmux.type_line("audit@example.com");
    let screen = tmux.wait_for("Press e to change control-tower.regions (now us-east-1,af-south-1)");
    assert!(screen.contains("STOP") && screen.contains("af-south-1"), "the stop is on screen:\n{screen}");
    assert!(!screen.contains("y / N"), "a stopped plan is never offered for a yes:\n{screen}");
    // e: only the answer that stopped the plan is asked again, the answer in use offered.
    tmux.keys(&["e"]);
    let screen = tmux.wait_for("[control-tower.regions]");
    assert!(screen.contains("question 1 of 1") && screen.contains("us-east-1,af-south-1"), "{screen}");
    tmux.type_line("us-east-1,eu-west-1");
    tmux.wait_for("┌ Confirm");
    tmux.keys(&["End"]);
    let screen = tmux.wait_for("? y / N");
    assert!(screen.contains("changes"), "{screen}");
    tmux.keys(&["n"]);
    tmux.wait_for("Cancelled: nothing was changed.");
    let record = std::fs::read_to_string(state.path().join(format!("state/{}.json", common::MGMT))).expect("record");
    assert!(record.contains(r#""control-tower.regions": "us-east-1,eu-west-1""#), "{record}");
}

/// Scrolls the plan to its end (only then is `y` offered), confirms, and waits for `then`.
fn confirm(tmux: &Tmux, then: &str) {
    // The dialog's frame: the detail pane may say "Confirm subscription" before it opens.
    tmux.wait_for("┌ Confirm");
    tmux.keys(&["End"]);
    tmux.wait_for("? y / N");
    tmux.keys(&["y"]);
    tmux.wait_for(then);
}

#[test]
fn verdicts_follow_the_account_model_and_the_simulate_key_without_a_recheck() {
    let home = tempfile::tempdir().expect("tempdir");
    let tmux = sandbox(home.path());
    tmux.wait_for(&format!("Steps · 0 of {} done", groundwork::catalog::StepId::ALL.len()));
    tmux.wait_for("○ AWS Organization");
    // GuardDuty, before the organization: it says what it waits for.
    tmux.keys(&["j", "j", "j", "j", "j"]);
    tmux.wait_for("┌ guardduty ");
    tmux.wait_for("create the organization first");
    tmux.keys(&["k", "k", "k"]);
    tmux.wait_for("┌ organization ");
    tmux.keys(&["Enter"]);
    confirm(&tmux, "✓ AWS Organization");
    // The organization changed the account model: GuardDuty was judged again, without r.
    tmux.wait_for("┌ control-tower ");
    tmux.keys(&["j", "j"]);
    tmux.wait_for("┌ guardduty ");
    tmux.wait_until("GuardDuty judged on the organization", |s| {
        !s.contains("create the organization first") && !s.contains("Re-checking against")
    });

    // A landing zone governing two Regions; GuardDuty skipped, so Alerts can run.
    tmux.keys(&["k", "k"]);
    tmux.wait_for("┌ control-tower ");
    tmux.keys(&["Enter"]);
    tmux.wait_for("[control-tower.home-region]");
    tmux.keys(&["Enter"]);
    tmux.wait_for("[control-tower.regions]");
    tmux.type_line("us-east-1,eu-west-1");
    tmux.wait_for("[control-tower.log-archive-email]");
    tmux.type_line("log@example.com");
    tmux.wait_for("[control-tower.audit-email]");
    tmux.type_line("audit@example.com");
    confirm(&tmux, "running");
    tmux.wait_until("the landing zone", |s| s.contains("✓ Control Tower landing zone"));
    // Done: the cursor moved on to the next step not done.
    tmux.wait_for("┌ identity-center ");
    tmux.keys(&["j"]);
    tmux.wait_for("┌ guardduty ");
    tmux.keys(&["s"]);
    tmux.wait_for("Why skip this step?");
    tmux.type_line("tried later");
    tmux.wait_for("– GuardDuty");
    tmux.keys(&["j", "j"]);
    tmux.wait_for("┌ alerts ");
    tmux.keys(&["Enter"]);
    tmux.wait_for("[alerts.email]");
    tmux.type_line("alerts@example.com");
    tmux.wait_for("[alerts.min-severity]");
    tmux.type_line("");
    confirm(&tmux, "◐ Alerts by email");
    tmux.wait_for("press x to simulate");
    // x clicks the link in the email: the step is re-checked and done, without r.
    tmux.keys(&["x"]);
    tmux.wait_for("✓ Alerts by email");
}

/// The drill on a terminal takes its yes with one key, as the wizard does: no Enter after it.
#[test]
fn the_drill_takes_its_yes_with_a_single_key() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let gd = aws_sdk_guardduty::Client::new(&common::config(&emu, common::MGMT, common::REGION).await);
        gd.create_detector().enable(true).send().await.expect("detector");
    });
    let out = common::groundwork(&emu.url(), state.path())
        .args(["apply", "alerts", "--yes", "--set", "alerts.email=alerts@example.com"])
        .output()
        .expect("apply");
    assert_eq!(out.status.code(), Some(1), "pending until confirmed: {}", String::from_utf8_lossy(&out.stdout));
    let tmux = start(&emu, state.path(), "drill --wait-seconds 30");
    tmux.wait_for("Send the sample finding? y / N");
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("GROUNDWORK-EXITED-1");
    assert!(screen.contains("[✓] the rule matched it"), "the drill ran on the y alone:\n{screen}");
    assert!(screen.contains("has not confirmed the subscription"), "{screen}");
}
