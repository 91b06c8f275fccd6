//! Shared test harness: the emulator, SDK configurations pointed at it, the groundwork binary
//! with an isolated environment, and seeding helpers that set up accounts through the real SDK.
#![allow(dead_code)] // each test binary uses a different part of the harness

pub mod emulator;
pub mod kill;
pub mod sdk;
pub mod seed;
pub mod tmux;

use std::path::Path;
use std::sync::Arc;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;
use aws_sdk_sts::config::Region;
use aws_smithy_types::retry::RetryConfig;

pub use emulator::Emulator;

/// moto's default account: the management account in every test.
pub const MGMT: &str = "123456789012";
pub const REGION: &str = "us-east-1";
/// The Regions `control-tower` is asked to govern (the home Region first): two, so that every
/// step's per-Region work and alerts' forwarding to the home Region run.
pub const REGIONS: &str = "us-east-1,eu-west-1";

/// Every input of every step as `--set` arguments, as a script would pass them.
pub fn sets(step: &str) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    let mut add = |k: &str, val: &str| v.extend(["--set".to_owned(), format!("{k}={val}")]);
    match step {
        "contacts" => {
            for kind in ["security", "billing", "operations"] {
                add(&format!("contacts.{kind}.name"), "Ada Lovelace");
                add(&format!("contacts.{kind}.title"), "CTO");
                add(&format!("contacts.{kind}.email"), &format!("{kind}@example.com"));
                add(&format!("contacts.{kind}.phone"), "+1 555 555 0100");
            }
        }
        "control-tower" => {
            add("control-tower.regions", REGIONS);
            add("control-tower.log-archive-email", "log@example.com");
            add("control-tower.audit-email", "audit@example.com");
        }
        "identity-center" => {
            add("identity-center.user-name", "ada");
            add("identity-center.given-name", "Ada");
            add("identity-center.family-name", "Lovelace");
            add("identity-center.email", "ada@example.com");
        }
        "alerts" => add("alerts.email", "alerts@example.com"),
        "budget" => {
            add("budget.amount", "250");
            add("budget.email", "bills@example.com");
        }
        _ => {}
    }
    v
}

/// A configuration for `account` in `region`: static keys for the management account, assumed
/// role credentials for a member (as groundwork itself would reach it).
pub async fn config(emu: &Emulator, account: &str, region: &str) -> SdkConfig {
    let base = load(emu, Credentials::new("testing", "testing", None, None, "tests"), region).await;
    if account == MGMT {
        return base;
    }
    let out = aws_sdk_sts::Client::new(&base)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/OrganizationAccountAccessRole"))
        .role_session_name("seed")
        .send()
        .await
        .expect("assume a role in the member account");
    let c = out.credentials().expect("credentials");
    let creds =
        Credentials::new(c.access_key_id(), c.secret_access_key(), Some(c.session_token().to_owned()), None, "tests");
    load(emu, creds, region).await
}

async fn load(emu: &Emulator, creds: Credentials, region: &str) -> SdkConfig {
    // Everything explicit: no profile, no instance metadata, nothing but the emulator on loopback.
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .endpoint_url(emu.url())
        .credentials_provider(creds)
        .retry_config(RetryConfig::disabled())
        .load()
        .await
}

/// A groundwork session against the emulator, as the management account.
pub async fn session(emu: &Emulator, concurrency: usize) -> Arc<groundwork::aws::Aws> {
    // A fault the emulator injects throttles for ever: a few seconds of groundwork's retries, not
    // AWS's two minutes, before it is reported as throttled.
    let settings = groundwork::aws::Settings { concurrency, throttle_limit_seconds: Some(5.0), ..Default::default() };
    Arc::new(groundwork::aws::Aws::from_config(config(emu, MGMT, REGION).await, &settings))
}

/// The groundwork binary, isolated from the machine: keys for the emulator only, no profile files,
/// no instance metadata, its own state directory.
pub fn groundwork(endpoint: &str, state: &Path) -> assert_cmd::Command {
    assert_cmd::Command::from_std(groundwork_process(endpoint, state))
}

/// The same, as a plain process (for tests that start it, then kill it).
pub fn groundwork_process(endpoint: &str, state: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("groundwork"));
    for var in
        ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "MOTO_ACCOUNT_ID", "NO_COLOR"]
    {
        cmd.env_remove(var);
    }
    cmd.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_CONFIG_FILE", state.join("no-aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", state.join("no-aws-credentials"))
        .env("GROUNDWORK_STATE_DIR", state.join("state"));
    cmd
}

/// Runs `groundwork check --json` and returns (exit code, parsed JSON).
pub fn check_json(emu: &Emulator, state: &Path) -> (i32, serde_json::Value) {
    let out = groundwork(&emu.url(), state).args(["check", "--json"]).output().expect("run groundwork");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code().unwrap_or(-1), json)
}

/// The status of one step in a `check --json` document.
pub fn step_status(json: &serde_json::Value, id: &str) -> String {
    json["steps"]
        .as_array()
        .and_then(|steps| steps.iter().find(|s| s["id"] == id))
        .and_then(|s| s["status"].as_str())
        .unwrap_or_else(|| panic!("no step {id} in {json}"))
        .to_owned()
}

/// Keys in moto's `/moto-api/data.json` whose values change on reads alone, left out when the
/// emulator's state is compared before and after an apply that should change nothing: every run
/// that reaches a member account assumes a role, moto keeps each session's temporary keys, and the
/// role's first use sets its last-used record (AWS's `RoleLastUsed`, updated by any use).
pub const VOLATILE_KEYS: &[&str] = &["AssumedRole", "AccessKey", "last_used", "role_last_used"];

/// The outcome of every change in the action log, in order, as (operation, result): the intents
/// written before each call are left out, since each is followed by its outcome.
pub fn logged_outcomes(state: &Path) -> Vec<(String, String)> {
    let log = std::fs::read_to_string(state.join(format!("state/{MGMT}.actions.jsonl"))).unwrap_or_default();
    log.lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("a torn line ({e}): {line}"))
        })
        .filter(|entry| entry["result"] != "started")
        .map(|entry| {
            let text = |k: &str| entry[k].as_str().unwrap_or_default().to_owned();
            (text("operation"), text("result"))
        })
        .collect()
}

/// Every change in the action log succeeded, and each of `expected` (an IAM action such as
/// `organizations:CreateOrganization`) was made at least once: a change that failed, or one that
/// was never made, fails the test with the whole log.
pub fn assert_changes_succeeded(state: &Path, expected: &[&str]) {
    let outcomes = logged_outcomes(state);
    let failed: Vec<_> = outcomes.iter().filter(|(_, result)| result != "ok").collect();
    assert!(failed.is_empty(), "changes that did not succeed: {failed:?}\nthe whole log: {outcomes:?}");
    for op in expected {
        assert!(outcomes.iter().any(|(o, _)| o == op), "{op} was never made: {outcomes:?}");
    }
}

/// Runs `cmd` in the background: the returned thread ends with its whole output, and the channel
/// receives once its stdout has shown `text` (the moment it says it began something, such as
/// "Waiting for landing zone operation"), for a test to act then instead of after a guessed sleep.
pub fn run_watching(
    mut cmd: std::process::Command,
    text: impl Into<String>,
) -> (std::thread::JoinHandle<std::process::Output>, std::sync::mpsc::Receiver<()>) {
    use std::io::{BufRead, Read};
    let text = text.into();
    let (seen, rx) = std::sync::mpsc::channel();
    let run = std::thread::spawn(move || {
        let mut child = cmd
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start groundwork");
        let mut err = child.stderr.take().expect("stderr");
        let errors = std::thread::spawn(move || {
            let mut all = Vec::new();
            let _ = err.read_to_end(&mut all);
            all
        });
        let mut stdout = Vec::new();
        for line in std::io::BufReader::new(child.stdout.take().expect("stdout")).lines() {
            let line = line.unwrap_or_default();
            if line.contains(&text) {
                let _ = seen.send(());
            }
            stdout.extend_from_slice(line.as_bytes());
            stdout.push(b'\n');
        }
        let status = child.wait().expect("groundwork ran");
        std::process::Output { status, stdout, stderr: errors.join().unwrap_or_default() }
    });
    (run, rx)
}

/// Waits for what [`run_watching`] watches for; fails after `tmux::PATIENCE`.
pub fn wait_until_seen(seen: &std::sync::mpsc::Receiver<()>, what: &str) {
    seen.recv_timeout(tmux::PATIENCE).unwrap_or_else(|_| panic!("groundwork never said {what:?}"));
}
