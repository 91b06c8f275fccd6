//! `groundwork sandbox`: with no AWS credentials at all, it starts the emulator, serves the wizard
//! against it with a banner, lets a newcomer finish all eight steps with the keys alone (simulating
//! what only a person can do), and stops the emulator when the wizard quits.

use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

/// How many steps the wizard lists.
const STEPS: usize = groundwork::catalog::StepId::ALL.len();

fn tmux(socket: &str, args: &[&str]) -> String {
    let out = Command::new("tmux").arg("-L").arg(socket).args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_for(socket: &str, text: &str, limit: Duration) -> String {
    let start = Instant::now();
    loop {
        let screen = tmux(socket, &["capture-pane", "-p", "-t", "sandbox"]);
        if screen.contains(text) {
            return screen;
        }
        assert!(start.elapsed() < limit, "waited for {text:?}; the screen shows:\n{screen}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn keys(socket: &str, keys: &[&str]) {
    for k in keys {
        tmux(socket, &["send-keys", "-t", "sandbox", k]);
        std::thread::sleep(Duration::from_millis(150));
    }
}

fn type_line(socket: &str, text: &str) {
    tmux(socket, &["send-keys", "-t", "sandbox", "-l", text]);
    tmux(socket, &["send-keys", "-t", "sandbox", "Enter"]);
    std::thread::sleep(Duration::from_millis(300));
}

fn wait(socket: &str, text: &str) -> String {
    wait_for(socket, text, Duration::from_mins(1))
}

/// Answers each question of a step as it appears: `answer` picks the reply from its `[key]`.
/// On a loaded machine the screen may still show the question just answered: each answer waits
/// for the next question's line (up to a minute), so one reply is never typed twice.
fn answer(socket: &str, prefix: &str, count: usize, answer: impl Fn(&str) -> &'static str) {
    let mut last = String::new();
    for _ in 0..count {
        let start = Instant::now();
        let key = loop {
            let screen = wait(socket, prefix);
            let key = screen.lines().rev().find(|l| l.contains(prefix)).unwrap_or_default().to_owned();
            if key != last || start.elapsed() > Duration::from_mins(1) {
                break key;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        type_line(socket, answer(&key));
        last = key;
    }
}

/// Scrolls the plan to its end (only then is `y` offered), confirms, and waits for `then`.
fn confirm(socket: &str, then: &str) {
    wait(socket, "Confirm");
    keys(socket, &["End"]);
    wait(socket, "? y / N");
    keys(socket, &["y"]);
    wait(socket, then);
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

/// All eight steps through the wizard's keys, from a brand-new account; root MFA and the alert
/// email confirmation with the sandbox's simulate key.
fn finish_the_journey(socket: &str) {
    // 1 Root MFA: only a person can do it; the sandbox offers to simulate it, and says so.
    let screen = wait(socket, "press x to simulate");
    assert!(screen.contains("SANDBOX ONLY"), "{screen}");
    keys(socket, &["x"]);
    wait(socket, "✓ Root user MFA");
    // 3 Organization (the cursor moved past contacts, which are best set once the accounts exist).
    keys(socket, &["j", "Enter"]);
    confirm(socket, "✓ AWS Organization");
    // 4 Control Tower: about 20 seconds in the sandbox.
    keys(socket, &["Enter"]);
    answer(socket, "[control-tower.", 4, |key| match key {
        k if k.contains("log-archive-email") => "log@example.com",
        k if k.contains("audit-email") => "audit@example.com",
        _ => "",
    });
    confirm(socket, "running");
    wait_for(socket, "✓ Control Tower landing zone", Duration::from_mins(2));
    // 5 to 7, the cursor already on each.
    wait(socket, "┌ identity-center ");
    keys(socket, &["Enter"]);
    for reply in ["ada", "Ada", "Lovelace", "ada@example.com", ""] {
        wait(socket, "[identity-center.");
        type_line(socket, reply);
    }
    confirm(socket, "✓ IAM Identity Center users");
    wait(socket, "┌ guardduty ");
    keys(socket, &["Enter"]);
    answer(socket, "[guardduty.", 1, |_| "");
    confirm(socket, "✓ GuardDuty");
    wait(socket, "┌ security-hub ");
    keys(socket, &["Enter"]);
    confirm(socket, "✓ Security Hub CSPM");
    // 8 Alerts: subscribed, waiting on the click in the email, which the sandbox simulates.
    wait(socket, "┌ alerts ");
    keys(socket, &["Enter"]);
    answer(socket, "[alerts.", 2, |key| if key.contains("alerts.email") { "alerts@example.com" } else { "" });
    confirm(socket, "◐ Alerts by email");
    wait(socket, "press x to simulate");
    keys(socket, &["x"]);
    wait(socket, "✓ Alerts by email");
    // 2 Contacts, last, once every account exists: the first run turns on trusted access, the
    // second reaches the member accounts with the remembered answers.
    wait(socket, "┌ contacts ");
    keys(socket, &["Enter"]);
    answer(socket, "[contacts.", 12, contact);
    confirm(socket, "◐ Account contacts");
    keys(socket, &["Enter"]);
    confirm(socket, "✓ Account contacts");
    wait(socket, &format!("Steps · 8 of {STEPS} done"));
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
fn a_newcomer_finishes_all_eight_steps_in_the_sandbox_and_it_stops_its_emulator() {
    let socket = format!("groundwork-sandbox-{}", std::process::id());
    let state = tempfile::tempdir().expect("tempdir");
    let binary = assert_cmd::cargo::cargo_bin("groundwork");
    let venv = format!("GROUNDWORK_EMULATOR_VENV={}", harness_venv().display());
    let line = sandbox_line(state.path(), &binary, &venv);
    tmux(&socket, &["new-session", "-d", "-s", "sandbox", "-x", "120", "-y", "40", &line]);
    let screen = wait_for(&socket, &format!("Steps · 0 of {STEPS} done"), Duration::from_secs(90));
    let port = banner_port(&screen);
    wait_for(&socket, "○ AWS Organization", Duration::from_secs(30));
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok(), "the emulator serves while the wizard runs");
    finish_the_journey(&socket);

    tmux(&socket, &["send-keys", "-t", "sandbox", "q"]);
    let screen = wait_for(&socket, "SANDBOX-EXITED-0", Duration::from_secs(30));
    assert!(screen.contains("Sandbox stopped"), "{screen}");
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "the emulator was left running on port {port}");
    tmux(&socket, &["kill-server"]);
}

/// `cargo install` then `groundwork sandbox` from any directory: the binary, copied out of the
/// checkout (what `cargo install --path .` does, without its minutes of release build), run from a
/// temporary directory with a home of its own. The emulator's files come from inside the binary and
/// land in the user's cache directory; only the venv is the harness's (installing needs PyPI).
#[test]
fn the_installed_binary_runs_the_sandbox_from_any_directory() {
    let socket = format!("groundwork-installed-{}", std::process::id());
    let place = tempfile::tempdir().expect("tempdir");
    let checkout = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(!place.path().starts_with(checkout), "the test runs outside the checkout");
    let binary = place.path().join("bin/groundwork");
    std::fs::create_dir_all(place.path().join("bin")).expect("bin");
    std::fs::copy(assert_cmd::cargo::cargo_bin("groundwork"), &binary).expect("copy the binary");
    let home = place.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let venv = format!("GROUNDWORK_EMULATOR_VENV={}", harness_venv().display());
    let line = sandbox_line(&home, &binary, &venv);
    let cwd = place.path().to_string_lossy().into_owned();
    tmux(&socket, &["new-session", "-d", "-s", "sandbox", "-c", &cwd, "-x", "120", "-y", "40", &line]);
    let screen = wait_for(&socket, &format!("Steps · 0 of {STEPS} done"), Duration::from_secs(90));
    let port = banner_port(&screen);
    wait_for(&socket, "○ AWS Organization", Duration::from_secs(30));
    let cache = home.join(".cache/groundwork");
    let server = std::fs::read_dir(&cache)
        .expect("the cache directory")
        .filter_map(Result::ok)
        .map(|e| e.path().join("server.py"))
        .find(|p| p.exists());
    assert!(server.is_some(), "the emulator's files were written to {}", cache.display());
    tmux(&socket, &["send-keys", "-t", "sandbox", "q"]);
    wait_for(&socket, "SANDBOX-EXITED-0", Duration::from_secs(30));
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "the emulator was left running on port {port}");

    tmux(&socket, &["kill-server"]);

    // Without Python, the first start says exactly what to install.
    let socket = format!("{socket}-no-python");
    let line = sandbox_line(&home, &binary, "PYTHON=/nonexistent/python3");
    tmux(&socket, &["new-session", "-d", "-s", "sandbox", "-c", &cwd, "-x", "120", "-y", "40", &line]);
    let screen = wait_for(&socket, "SANDBOX-EXITED-2", Duration::from_secs(30));
    assert!(screen.contains("First use: installing the AWS emulator"), "a progress line first:\n{screen}");
    assert!(screen.contains("apt-get install python3 python3-venv"), "{screen}");
    tmux(&socket, &["kill-server"]);
}
