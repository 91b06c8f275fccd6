//! `kill -9` trials of one step's `apply` (`tests/kill_trials*.rs`): each trial resets the emulator
//! to the step's prepared state, starts `groundwork apply STEP --yes`, and kills it with SIGKILL at
//! a point chosen by counting requests, not by time: the emulator holds the apply's k-th change
//! (k drawn from the changes one whole apply makes) after carrying it out and before answering
//! (`POST /_groundwork/hold`), the test kills the process while it waits for that answer, then lets
//! the emulator go on. So every trial kills a running apply, at a known change, however fast or
//! slow the machine is. Each trial then checks that the record says done only for
//! what a live check agrees is done, that every change AWS received has its intent in the action
//! log (against the emulator's request log), and that a second apply converges: the step as the
//! record says and `check` agree, and the step's own check finds nothing made twice.

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::json;

use super::{Emulator, MGMT, check_json, groundwork_process, sets, step_status};

/// Trials per step (issue 12): each kills one apply, then lets a second one finish.
pub const TRIALS: usize = 20;
/// The trials of a step run as this many tests of their own (`Part`), so the test runner runs them
/// at once: the kill trials are most of the suite's time, and mostly wait on the emulator.
pub const PARTS: usize = 2;

/// Which of a step's `PARTS` a test runs: its own trials, with their own kill moments.
#[derive(Clone, Copy, Debug)]
pub struct Part(pub usize);

/// How often groundwork polls a long operation here: the emulator's delays are short.
const POLL_SECONDS: &str = "0.2";

/// A small deterministic generator (xorshift64*): no extra crate for a few random delays.
struct Moments(u64);

impl Moments {
    fn new(step: &str, part: Part) -> Moments {
        let seed = std::env::var("GROUNDWORK_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_secs())
        });
        println!("{step} part {}: GROUNDWORK_KILL_SEED={seed}", part.0);
        // Each part draws its own moments from the one seed.
        Moments((seed ^ (part.0 as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1)
    }

    /// A number in [1, most].
    fn upto(&mut self, most: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let most = u64::try_from(most.max(1)).unwrap_or(u64::MAX);
        usize::try_from(self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % most).unwrap_or(0) + 1
    }
}

/// `groundwork apply STEP --yes` with every answer, as a script would run it.
fn apply_command(emu: &Emulator, state: &Path, step: &str) -> std::process::Command {
    let mut cmd = groundwork_process(&emu.url(), state);
    cmd.env("GROUNDWORK_POLL_SECONDS", POLL_SECONDS).args(["apply", step, "--yes"]).args(sets(step));
    cmd
}

pub fn apply(emu: &Emulator, state: &Path, step: &str) -> std::process::Output {
    let out = apply_command(emu, state, step).output().expect("run apply");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Runs a whole apply of a step the trial needs done first, and insists it succeeded.
pub fn apply_first(emu: &Emulator, state: &Path, step: &str) {
    let out = apply(emu, state, step);
    let said = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{step}, applied before the trials:\n{said}");
}

/// Every step in the record with the status it was last seen in (a torn record fails here).
fn recorded(state: &Path) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(state.join(format!("state/{MGMT}.json"))) else { return Vec::new() };
    let record: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("a torn record ({e}): {text}"));
    let steps = record["steps"].as_object().cloned().unwrap_or_default();
    steps.into_iter().map(|(id, s)| (id, s["result"]["status"].as_str().unwrap_or_default().to_owned())).collect()
}

/// Reads change nothing (TestEventPattern is the check asking EventBridge to match a sample). The
/// emulator's hold counts changes the same way (tests/emulator/hold.py).
fn is_read(op: &str) -> bool {
    ["List", "Get", "Describe"].iter().any(|p| op.starts_with(p))
        || ["AssumeRole", "AssumeRoot", "TestEventPattern", "GenerateCredentialReport"].contains(&op)
}

/// How many changes AWS has received since the request log was last cleared.
fn changes_received(emu: &Emulator) -> usize {
    emu.requests().iter().filter(|r| !is_read(r["operation"].as_str().unwrap_or_default())).count()
}

/// Every change AWS received (the emulator's request log) has an intent in the action log:
/// compared per operation, as many intents as calls at least. Returns how many changes AWS received.
fn every_call_has_an_intent(emu: &Emulator, state: &Path, trial: &str) -> usize {
    let mut calls: HashMap<String, usize> = HashMap::new();
    for r in emu.requests() {
        let op = r["operation"].as_str().unwrap_or_default().to_owned();
        if !is_read(&op) {
            *calls.entry(op).or_default() += 1;
        }
    }
    let log = std::fs::read_to_string(state.join(format!("state/{MGMT}.actions.jsonl"))).unwrap_or_default();
    let mut intents: HashMap<String, usize> = HashMap::new();
    for line in log.lines() {
        let entry: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("a torn line ({e}): {line}"));
        if entry["result"] == "started" {
            let op = entry["operation"].as_str().unwrap_or_default();
            *intents.entry(op.rsplit(':').next().unwrap_or_default().to_owned()).or_default() += 1;
        }
    }
    for (op, n) in &calls {
        let logged = intents.get(op).copied().unwrap_or(0);
        assert!(logged >= *n, "{trial}: AWS received {op} {n} time(s), the log has {logged} intent(s):\n{log}");
    }
    calls.values().sum()
}

/// The record's `done` steps are done in a live check (the record may not claim what isn't).
fn record_claims_only_the_truth(emu: &Emulator, state: &Path, trial: &str) {
    let done: Vec<String> = recorded(state).into_iter().filter(|(_, s)| s == "done").map(|(id, _)| id).collect();
    if done.is_empty() {
        return; // nothing claimed: no check to run
    }
    let (_, live) = check_json(emu, state);
    for id in &done {
        assert_eq!(step_status(&live, id), "done", "{trial}: the record said {id} done:\n{live:#}");
    }
}

/// One step's trials. `prepare` puts a freshly reset emulator (and the trial's state directory)
/// into the state the step starts from; after a whole apply the step is `status` (done, or partial
/// while it waits on a person); `converged` then asserts what the step made in AWS, nothing twice.
pub async fn trials(
    emu: &Emulator,
    (step, status, part): (&str, &str, Part),
    prepare: impl AsyncFn(&Emulator, &Path),
    converged: impl AsyncFn(&Emulator, &Path, &str),
) {
    let started_all = Instant::now();
    let mut moments = Moments::new(step, part);
    let count = TRIALS / PARTS;
    let fresh = async |dir: &Path| {
        emu.hook("/moto-api/reset", serde_json::json!({}));
        prepare(emu, dir).await;
        emu.hook("/_groundwork/requests/clear", serde_json::json!({}));
    };
    // How many changes a whole apply makes from this starting point (the fewest of two): the
    // kills fall on any one of them.
    let mut whole = usize::MAX;
    for _ in 0..2 {
        let dir = tempfile::tempdir().expect("tempdir");
        fresh(dir.path()).await;
        let out = apply(emu, dir.path(), step);
        whole = whole.min(changes_received(emu));
        let said = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        let (_, live) = check_json(emu, dir.path());
        assert_eq!(step_status(&live, step), status, "{step}, a whole apply:\n{said}\n{live:#}");
        converged(emu, dir.path(), &format!("{step}, a whole apply")).await;
    }
    assert!(whole > 0, "{step}: a whole apply from the starting point changes something");
    let (mut killed, mut changed, mut halfway) = (0, 0, 0);
    for n in (0..count).map(|i| part.0 * count + i) {
        let dir = tempfile::tempdir().expect("tempdir");
        fresh(dir.path()).await;
        let at = moments.upto(whole);
        let trial = format!("{step} trial {n} (killed at change {at} of {whole})");
        emu.hook("/_groundwork/hold", json!({"nth": at, "changes": true}));
        let mut child =
            apply_command(emu, dir.path(), step).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("start");
        // Polled, not timed: the hold keeps the apply waiting for its k-th answer however long this takes.
        let held = loop {
            if emu.get("/_groundwork/hold")["held"].is_object() {
                break true;
            }
            if child.try_wait().expect("wait").is_some() {
                break false;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        if held {
            child.kill().expect("kill -9"); // SIGKILL on unix: no clean-up runs
            killed += 1;
        }
        child.wait().expect("reap");
        emu.hook("/_groundwork/hold/release", json!({}));
        assert!(held, "{trial}: the apply ended before its change {at}; a whole apply makes {whole}");

        let received = every_call_has_an_intent(emu, dir.path(), &trial);
        record_claims_only_the_truth(emu, dir.path(), &trial);
        changed += usize::from(received > 0);

        let again = apply(emu, dir.path(), step);
        let said = format!("{}\n{}", String::from_utf8_lossy(&again.stdout), String::from_utf8_lossy(&again.stderr));
        // Nothing refused, failed or warned of: the second apply finished what the first began.
        assert!(again.stderr.is_empty(), "{trial}: the second apply:\n{said}");
        // Killed after AWS's first change and before the last: the second apply had some left.
        halfway += usize::from(received > 0 && said.contains("[1/"));
        every_call_has_an_intent(emu, dir.path(), &trial);
        let (_, live) = check_json(emu, dir.path());
        assert_eq!(step_status(&live, step), status, "{trial}:\n{said}\n{live:#}");
        let record = recorded(dir.path());
        let mine = record.iter().find(|(id, _)| id == step).map(|(_, s)| s.as_str());
        assert_eq!(mine, Some(status), "{trial}: the record disagrees with check:\n{said}");
        converged(emu, dir.path(), &trial).await;
    }
    println!(
        "{step}: {count} trials in {:.1?} ({whole} changes in a whole apply), {killed} killed mid-apply; AWS had \
         received a change in {changed}, in {halfway} of them before the last one",
        started_all.elapsed()
    );
    // Every trial was killed while AWS held one of its changes: none ran to the end by chance.
    assert_eq!((killed, changed), (count, count), "every trial killed a running apply after a change");
}

/// Unique items: panics naming the first one seen twice.
pub fn once<T: std::fmt::Debug + Ord + Clone>(trial: &str, what: &str, items: &[T]) {
    let mut sorted = items.to_vec();
    sorted.sort();
    if let Some([twice, ..]) = sorted.windows(2).find(|w| w[0] == w[1]) {
        panic!("{trial}: {what} twice: {twice:?} in {items:?}");
    }
}
