//! `kill -9` at random moments during `apply` of the steps whose apply is quick (organization,
//! contacts, identity-center), each trial on a freshly reset emulator: afterwards the record never
//! says done for what isn't (a live check agrees with every `done` it holds), every change AWS
//! received has its intent in the action log (compared with the emulator's request log), and a
//! second `apply` converges with no duplicate resources. The moments are drawn from a seed printed
//! by each test (`GROUNDWORK_KILL_SEED` replays one).

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{Emulator, MGMT, REGION, check_json, config, groundwork, groundwork_process, step_status};

/// Trials per step; each kills one apply, then lets a second one finish.
const TRIALS: usize = 20;

fn sets(step: &str) -> Vec<String> {
    let pairs: Vec<(String, &str)> = match step {
        "contacts" => ["security", "billing", "operations"]
            .iter()
            .flat_map(|kind| {
                [("name", "Ada Lovelace"), ("title", "CTO"), ("email", "sec@example.com"), ("phone", "+1 555 555 0100")]
                    .map(|(field, value)| (format!("contacts.{kind}.{field}"), value))
            })
            .collect(),
        "identity-center" => vec![
            ("identity-center.user-name".to_owned(), "ada"),
            ("identity-center.given-name".to_owned(), "Ada"),
            ("identity-center.family-name".to_owned(), "Lovelace"),
            ("identity-center.email".to_owned(), "ada@example.com"),
        ],
        _ => Vec::new(),
    };
    pairs.into_iter().flat_map(|(k, v)| ["--set".to_owned(), format!("{k}={v}")]).collect()
}

/// A small deterministic generator (xorshift64*): no extra crate for a few random delays.
struct Moments(u64);

impl Moments {
    fn new(step: &str) -> Moments {
        let seed = std::env::var("GROUNDWORK_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_secs())
        });
        println!("{step}: GROUNDWORK_KILL_SEED={seed}");
        Moments(seed | 1)
    }

    /// A moment in [0, limit).
    fn below(&mut self, limit: Duration) -> Duration {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let nanos = u64::try_from(limit.as_nanos()).unwrap_or(u64::MAX).max(1);
        Duration::from_nanos(self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % nanos)
    }
}

fn reset(emu: &Emulator, step: &str, state: &Path) {
    emu.hook("/moto-api/reset", serde_json::json!({}));
    if step == "identity-center" {
        // Identity Center's account assignments need the organization: made whole, before the trial.
        let org = groundwork(&emu.url(), state).args(["apply", "organization", "--yes"]).output().expect("org");
        assert!(org.status.success(), "{}", String::from_utf8_lossy(&org.stderr));
        emu.hook("/_groundwork/requests/clear", serde_json::json!({}));
    }
}

fn apply(emu: &Emulator, state: &Path, step: &str) -> std::process::Output {
    groundwork(&emu.url(), state).args(["apply", step, "--yes"]).args(sets(step)).output().expect("run apply")
}

/// The steps the record says are done (a record torn by the kill would fail to parse here).
fn recorded_done(state: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(state.join(format!("state/{MGMT}.json"))) else { return Vec::new() };
    let record: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("a torn record ({e}): {text}"));
    let steps = record["steps"].as_object().cloned().unwrap_or_default();
    steps.into_iter().filter(|(_, s)| s["result"]["status"] == "done").map(|(id, _)| id).collect()
}

/// Every change AWS received (the emulator's request log) has an intent in the action log:
/// compared per operation, as many intents as calls at least.
fn every_call_has_an_intent(emu: &Emulator, state: &Path, trial: &str) -> usize {
    let mut calls: HashMap<String, usize> = HashMap::new();
    for r in emu.requests() {
        let op = r["operation"].as_str().unwrap_or_default().to_owned();
        let read = ["List", "Get", "Describe"].iter().any(|p| op.starts_with(p)) || op == "AssumeRole";
        if !read {
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

/// What a second apply must not have made twice.
async fn no_duplicates(emu: &Emulator, step: &str, trial: &str) {
    let conf = config(emu, MGMT, REGION).await;
    match step {
        "organization" => {
            let orgs = aws_sdk_organizations::Client::new(&conf);
            let pages: Vec<_> = orgs.list_accounts().into_paginator().send().try_collect().await.expect("accounts");
            assert_eq!(pages.iter().map(|p| p.accounts().len()).sum::<usize>(), 1, "{trial}: one account, one org");
        }
        "identity-center" => {
            let sso = aws_sdk_ssoadmin::Client::new(&conf);
            let instances: Vec<_> =
                sso.list_instances().into_paginator().items().send().try_collect().await.expect("i");
            let instance = instances[0].instance_arn().expect("arn").to_owned();
            let store_id = instances[0].identity_store_id().expect("store").to_owned();
            let store = aws_sdk_identitystore::Client::new(&conf);
            let users: Result<Vec<_>, _> =
                store.list_users().identity_store_id(&store_id).into_paginator().items().send().try_collect().await;
            let users = users.expect("users");
            let ada = users.iter().filter(|u| u.user_name() == Some("ada")).count();
            assert_eq!(ada, 1, "{trial}: one user ada");
            let groups: Result<Vec<_>, _> =
                store.list_groups().identity_store_id(&store_id).into_paginator().items().send().try_collect().await;
            let mut names: Vec<_> =
                groups.expect("groups").iter().filter_map(|g| g.display_name().map(str::to_owned)).collect();
            let all = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), all, "{trial}: each group once: {names:?}");
            let sets: Result<Vec<_>, _> =
                sso.list_permission_sets().instance_arn(&instance).into_paginator().items().send().try_collect().await;
            let mut set_names = Vec::new();
            for arn in sets.expect("sets") {
                let out = sso.describe_permission_set().instance_arn(&instance).permission_set_arn(&arn).send().await;
                set_names.push(
                    out.expect("describe").permission_set().and_then(|p| p.name()).unwrap_or_default().to_owned(),
                );
            }
            let all = set_names.len();
            set_names.sort();
            set_names.dedup();
            assert_eq!(set_names.len(), all, "{trial}: each permission set once: {set_names:?}");
        }
        _ => {} // contacts are put, never created: nothing can exist twice
    }
}

async fn trials(step: &str) {
    let emu = Emulator::start();
    let mut moments = Moments::new(step);
    // How long a whole apply takes here and now (the fastest of three: the first runs are slower),
    // so that the kills fall anywhere in one.
    let mut whole = Duration::MAX;
    for _ in 0..3 {
        let dir = tempfile::tempdir().expect("tempdir");
        reset(&emu, step, dir.path());
        let started = Instant::now();
        assert!(apply(&emu, dir.path(), step).status.success(), "a whole apply succeeds");
        whole = whole.min(started.elapsed());
    }
    let (mut killed, mut finished, mut changed, mut halfway) = (0, 0, 0, 0);
    for n in 0..TRIALS {
        let dir = tempfile::tempdir().expect("tempdir");
        reset(&emu, step, dir.path());
        let at = moments.below(whole);
        let trial = format!("{step} trial {n} (kill at {at:?})");
        let mut child = groundwork_process(&emu.url(), dir.path())
            .args(["apply", step, "--yes"])
            .args(sets(step))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start apply");
        std::thread::sleep(at);
        if child.try_wait().expect("wait").is_none() {
            child.kill().expect("kill -9"); // SIGKILL on unix: no clean-up runs
            killed += 1;
        } else {
            finished += 1;
        }
        child.wait().expect("reap");

        let done = recorded_done(dir.path());
        let received = every_call_has_an_intent(&emu, dir.path(), &trial);
        let (_, live) = check_json(&emu, dir.path());
        for id in &done {
            assert_eq!(step_status(&live, id), "done", "{trial}: the record said {id} done:\n{live:#}");
        }
        changed += usize::from(received > 0);
        if received > 0 && step_status(&live, step) != "done" {
            halfway += 1; // killed after AWS made a change and before the step was complete
        }

        let again = apply(&emu, dir.path(), step);
        let said = format!("{}\n{}", String::from_utf8_lossy(&again.stdout), String::from_utf8_lossy(&again.stderr));
        assert!(again.status.success(), "{trial}: the second apply converges:\n{said}");
        let (_, live) = check_json(&emu, dir.path());
        assert_eq!(step_status(&live, step), "done", "{trial}:\n{said}\n{live:#}");
        every_call_has_an_intent(&emu, dir.path(), &trial);
        no_duplicates(&emu, step, &trial).await;
    }
    println!(
        "{step}: {TRIALS} trials, {killed} killed mid-apply, {finished} finished before the kill; AWS had \
         received a change in {changed}, {halfway} of them before the step was done"
    );
    assert!(killed >= TRIALS / 2, "most trials kill a running apply ({killed} of {TRIALS})");
}

#[tokio::test]
async fn killed_organization_applies_leave_a_true_record_a_full_log_and_converge() {
    trials("organization").await;
}

#[tokio::test]
async fn killed_contacts_applies_leave_a_true_record_a_full_log_and_converge() {
    trials("contacts").await;
}

#[tokio::test]
async fn killed_identity_center_applies_leave_a_true_record_a_full_log_and_converge() {
    trials("identity-center").await;
}
