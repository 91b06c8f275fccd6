//! `groundwork sandbox`: with no AWS credentials at all, it starts the emulator, serves the wizard
//! against it with a banner, lets a newcomer finish every step with the keys alone (simulating
//! what only a person can do), and stops the emulator when the wizard quits.

use crate::common;

use std::net::TcpStream;

use common::tmux::Tmux;

/// How many steps the wizard lists.
const STEPS: usize = groundwork::catalog::StepId::ALL.len();

/// Answers `count` questions of a step as each appears: `answer` picks the reply from its `[key]`.
fn answer(tmux: &Tmux, prefix: &str, count: usize, answer: impl Fn(&str) -> &'static str) {
    for _ in 0..count {
        tmux.answer(prefix, |key| answer(key).to_owned());
    }
}

/// Scrolls the plan to its end (only then is `y` offered), confirms, and waits for `then`.
fn confirm(tmux: &Tmux, then: &str) {
    tmux.wait_for("Confirm");
    tmux.keys(&["End"]);
    tmux.wait_for("? y / N");
    tmux.keys(&["y"]);
    tmux.wait_for(then);
}

fn contact(key: &str) -> &'static str {
    if key.contains(".email]") {
        "ops@example.com"
    } else if key.contains(".phone]") {
        "+1 555 555 0100"
    } else {
        "Ada Lovelace"
    }
}

/// Every step through the wizard's keys, from a brand-new account; root MFA and the alert
/// email confirmation with the sandbox's simulate key.
fn finish_the_journey(tmux: &Tmux) {
    // 1 Root MFA: only a person can do it; the sandbox offers to simulate it, and says so.
    let screen = tmux.wait_for("press x to simulate");
    assert!(screen.contains("SANDBOX ONLY"), "{screen}");
    tmux.keys(&["x"]);
    tmux.wait_for("✓ Root user MFA");
    // 3 Organization (the cursor moved past contacts, which are best set once the accounts exist).
    tmux.keys(&["j", "Enter"]);
    confirm(tmux, "✓ AWS Organization");
    // 4 Control Tower: about 20 seconds in the sandbox.
    tmux.keys(&["Enter"]);
    answer(tmux, "[control-tower.", 4, |key| match key {
        k if k.contains("log-archive-email") => "log@example.com",
        k if k.contains("audit-email") => "audit@example.com",
        _ => "",
    });
    confirm(tmux, "running");
    tmux.wait_for("✓ Control Tower landing zone");
    // 5 to 7, the cursor already on each.
    tmux.wait_for("┌ identity-center ");
    tmux.keys(&["Enter"]);
    for reply in ["ada", "Ada", "Lovelace", "ada@example.com", ""] {
        tmux.answer("[identity-center.", |_| reply.to_owned());
    }
    confirm(tmux, "✓ IAM Identity Center users");
    tmux.wait_for("┌ guardduty ");
    tmux.keys(&["Enter"]);
    answer(tmux, "[guardduty.", 1, |_| "");
    confirm(tmux, "✓ GuardDuty");
    tmux.wait_for("┌ security-hub ");
    tmux.keys(&["Enter"]);
    confirm(tmux, "✓ Security Hub CSPM");
    // 8 Alerts: subscribed, waiting on the click in the email, which the sandbox simulates.
    tmux.wait_for("┌ alerts ");
    tmux.keys(&["Enter"]);
    answer(tmux, "[alerts.", 2, |key| if key.contains("alerts.email") { "alerts@example.com" } else { "" });
    confirm(tmux, "◐ Alerts by email");
    tmux.wait_for("press x to simulate");
    tmux.keys(&["x"]);
    tmux.wait_for("✓ Alerts by email");
    // The rest of the foundation: nothing to answer, each confirmed once.
    tmux.wait_for("┌ access-analyzer ");
    tmux.keys(&["Enter"]);
    confirm(tmux, "✓ IAM Access Analyzer");
    tmux.wait_for("┌ ebs-encryption ");
    tmux.keys(&["Enter"]);
    confirm(tmux, "✓ EBS encryption by default");
    // 9 Members' root users, next in the list: centralized root access turned on, then each
    // member's root read through a root session (none has credentials in the sandbox).
    tmux.wait_for("┌ root-access ");
    tmux.keys(&["Enter"]);
    confirm(tmux, "✓ Members' root users");
    // 10 S3 Block Public Access, in every account (none has a bucket yet): one change each.
    tmux.wait_for("┌ s3-public-access ");
    tmux.keys(&["Enter"]);
    confirm(tmux, "✓ S3 Block Public Access");
    // 15 Budget: the amount (no spend in a new account, so no hint) and the email, which offers
    // the alerts' address.
    tmux.wait_for("┌ budget ");
    tmux.keys(&["Enter"]);
    answer(tmux, "[budget.", 2, |key| if key.contains("budget.amount") { "250" } else { "" });
    confirm(tmux, "✓ Budget and anomaly alerts");
    // 2 Contacts, last, once every account exists: the first run turns on trusted access, the
    // second reaches the member accounts with the remembered answers.
    tmux.wait_for("┌ contacts ");
    tmux.keys(&["Enter"]);
    answer(tmux, "[contacts.", 12, contact);
    confirm(tmux, "◐ Account contacts");
    tmux.keys(&["Enter"]);
    confirm(tmux, "✓ Account contacts");
    // guardrails is not applicable in a fresh sandbox (no OU holds a member account, so none is
    // registered), and the step list counts it as settled.
    tmux.wait_for(&format!("Steps · {STEPS} of {STEPS} done"));
}

/// The checkout's emulator venv, made as the test harness makes it: a sandbox started by a test
/// is pointed at it, since installing a fresh one needs PyPI, which tests may not reach.
fn harness_venv() -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join("target/emulator-venv");
    groundwork::emulator::venv_python(&venv, &root.join("tests/emulator/requirements.txt"), &|_| {})
        .expect("the emulator venv");
    venv
}

/// A shell line running `binary sandbox` with no AWS configuration at all, `home` as HOME (so the
/// cache directory is under it), and `extra` environment.
fn sandbox_line(home: &std::path::Path, binary: &std::path::Path, extra: &str) -> String {
    // No AWS keys, no profile, no Region: the sandbox needs none of them.
    format!(
        "env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_PROFILE -u AWS_REGION -u AWS_ENDPOINT_URL \
         -u XDG_CACHE_HOME -u GROUNDWORK_EMULATOR_VENV -u PYTHON \
         AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE={0}/none AWS_SHARED_CREDENTIALS_FILE={0}/none HOME={0} \
         TERM=xterm-256color {extra} {1} sandbox; echo SANDBOX-EXITED-$?; sleep 600",
        home.display(),
        binary.display()
    )
}

/// The port in the sandbox banner.
fn banner_port(screen: &str) -> u16 {
    let banner = screen.lines().find(|l| l.contains("SANDBOX")).expect("the sandbox banner").to_owned();
    banner
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|p| p.parse().ok())
        .expect("the banner names the emulator's address")
}

#[test]
fn a_newcomer_finishes_every_step_in_the_sandbox_and_it_stops_its_emulator() {
    let state = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::new("sandbox"); // dropped first: what it started stops before its files go
    let binary = assert_cmd::cargo::cargo_bin("groundwork");
    let venv = format!("GROUNDWORK_EMULATOR_VENV={}", harness_venv().display());
    let line = sandbox_line(state.path(), &binary, &venv);
    tmux.start(&line, None);
    let screen = tmux.wait_for(&format!("Steps · 1 of {STEPS} done")); // iam-users: done, no IAM user
    let port = banner_port(&screen);
    tmux.wait_for("○ AWS Organization");
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok(), "the emulator serves while the wizard runs");
    finish_the_journey(&tmux);

    tmux.keys(&["q"]);
    let screen = tmux.wait_for("SANDBOX-EXITED-0");
    assert!(screen.contains("Sandbox stopped"), "{screen}");
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "the emulator was left running on port {port}");
}

/// `cargo install` then `groundwork sandbox` from any directory: the binary, copied out of the
/// checkout (what `cargo install --path .` does, without its minutes of release build), run from a
/// temporary directory with a home of its own. The emulator's files come from inside the binary and
/// land in the user's cache directory; only the venv is the harness's (installing needs PyPI).
#[test]
fn the_installed_binary_runs_the_sandbox_from_any_directory() {
    let place = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::new("installed"); // dropped first: what it started stops before its files go
    let checkout = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(!place.path().starts_with(checkout), "the test runs outside the checkout");
    let binary = place.path().join("bin/groundwork");
    std::fs::create_dir_all(place.path().join("bin")).expect("bin");
    std::fs::copy(assert_cmd::cargo::cargo_bin("groundwork"), &binary).expect("copy the binary");
    let home = place.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let venv = format!("GROUNDWORK_EMULATOR_VENV={}", harness_venv().display());
    let line = sandbox_line(&home, &binary, &venv);
    tmux.start(&line, Some(place.path()));
    let screen = tmux.wait_for(&format!("Steps · 1 of {STEPS} done")); // iam-users: done, no IAM user
    let port = banner_port(&screen);
    tmux.wait_for("○ AWS Organization");
    let cache = home.join(".cache/groundwork");
    let server = std::fs::read_dir(&cache)
        .expect("the cache directory")
        .filter_map(Result::ok)
        .map(|e| e.path().join("server.py"))
        .find(|p| p.exists());
    assert!(server.is_some(), "the emulator's files were written to {}", cache.display());
    tmux.keys(&["q"]);
    tmux.wait_for("SANDBOX-EXITED-0");
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "the emulator was left running on port {port}");

    // Without Python, the first start says exactly what to install (in a fresh session).
    let line = sandbox_line(&home, &binary, "PYTHON=/nonexistent/python3");
    tmux.start(&line, Some(place.path()));
    let screen = tmux.wait_for("SANDBOX-EXITED-2");
    assert!(screen.contains("First use: installing the AWS emulator"), "a progress line first:\n{screen}");
    assert!(screen.contains("apt-get install python3 python3-venv"), "{screen}");
}
