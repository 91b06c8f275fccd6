//! The local record: atomic, private, versioned, and forgiving of a bad file on disk.

use groundwork::catalog::StepId;
use groundwork::record::{Record, SCHEMA, Skip, Store};
use groundwork::verdict::{Finding, Status, StepResult};

const ACCOUNT: &str = "123456789012";

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(Some(dir.path().join("state"))).expect("store");
    (dir, store)
}

fn sample() -> Record {
    let mut r = Record::new(ACCOUNT);
    r.principal = Some("arn:aws:iam::123456789012:user/ada".into());
    r.steps.insert(
        StepId::Guardduty,
        groundwork::record::Seen {
            checked_at: "2026-11-28T12:00:00Z".into(),
            result: StepResult {
                id: StepId::Guardduty,
                title: "GuardDuty".into(),
                status: Status::Partial,
                summary: "s".into(),
                findings: vec![Finding::new("222222222222", Some("eu-west-1"), Status::NotDone, "d".into())],
            },
        },
    );
    r.inputs.insert("alerts.email".into(), "ops@example.com".into());
    r.skips.insert(StepId::ControlTower, Skip { reason: "later".into(), at: "2026-11-28T12:00:00Z".into() });
    r
}

#[test]
fn a_record_round_trips() {
    let (_dir, store) = store();
    assert_eq!(store.load(ACCOUNT).expect("load").record, Record::new(ACCOUNT), "missing file = fresh record");
    let r = sample();
    store.save(&r).expect("save");
    let loaded = store.load(ACCOUNT).expect("load");
    assert_eq!(loaded.record, r);
    assert!(loaded.warning.is_none());
}

#[cfg(unix)]
#[test]
fn the_file_is_private_and_no_temp_file_is_left() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, store) = store();
    store.save(&sample()).expect("save");
    store.save(&sample()).expect("save again over the old file");
    let path = store.dir().join(format!("{ACCOUNT}.json"));
    let mode = std::fs::metadata(&path).expect("file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dir_mode = std::fs::metadata(store.dir()).expect("dir").permissions().mode() & 0o777;
    assert_eq!(dir_mode, 0o700);
    let names: Vec<String> =
        std::fs::read_dir(store.dir()).expect("dir").filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
    assert_eq!(names, [format!("{ACCOUNT}.json")]);
}

#[test]
fn an_unknown_schema_version_is_set_aside_not_overwritten() {
    let (_dir, store) = store();
    std::fs::create_dir_all(store.dir()).expect("dir");
    let future = format!(r#"{{"schema": {}, "account": "{ACCOUNT}", "something": "new"}}"#, SCHEMA + 1);
    std::fs::write(store.dir().join(format!("{ACCOUNT}.json")), &future).expect("write");
    let loaded = store.load(ACCOUNT).expect("load");
    assert_eq!(loaded.record, Record::new(ACCOUNT));
    let warning = loaded.warning.expect("a warning");
    assert!(warning.contains("schema version"), "{warning}");
    let aside: Vec<_> = std::fs::read_dir(store.dir())
        .expect("dir")
        .filter_map(std::result::Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("unreadable"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(std::fs::read_to_string(aside[0].path()).expect("kept"), future, "the old file is kept intact");
}

#[test]
fn an_account_id_cannot_escape_the_directory() {
    let (_dir, store) = store();
    assert!(store.load("../../etc/passwd").is_err());
    assert!(store.save(&Record::new("12345")).is_err());
}

/// Eight writers at once, each adding its own answers and results: nothing any of them wrote is lost
/// (before the lock, the last whole-file write won).
#[test]
fn concurrent_changes_merge() {
    let (_dir, store) = store();
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut rec = Record::new(ACCOUNT);
                for n in 0..25 {
                    store
                        .change(&mut rec, |r| {
                            r.inputs.insert(format!("writer{w}.answer{n}"), n.to_string());
                        })
                        .expect("change");
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("writer");
    }
    let rec = store.load(ACCOUNT).expect("load").record;
    assert_eq!(rec.inputs.len(), 8 * 25, "every answer kept: {:?}", rec.inputs.keys().collect::<Vec<_>>());
}

/// A change re-reads the record: what another process wrote since this one loaded it survives.
#[test]
fn a_change_keeps_what_another_process_wrote() {
    let (_dir, store) = store();
    let mut mine = store.load(ACCOUNT).expect("load").record;
    let mut theirs = store.load(ACCOUNT).expect("load").record;
    store
        .change(&mut theirs, |r| {
            r.skips.insert(StepId::Alerts, Skip { reason: "later".into(), at: "2026-11-28T12:00:00Z".into() });
        })
        .expect("theirs");
    store
        .change(&mut mine, |r| {
            r.inputs.insert("alerts.email".into(), "ops@example.com".into());
        })
        .expect("mine");
    assert!(mine.skips.contains_key(&StepId::Alerts), "the other process's skip is merged into this one's view");
    let disk = store.load(ACCOUNT).expect("load").record;
    assert_eq!(disk, mine);
}

/// A slower check that started earlier does not replace a later result.
#[test]
fn the_later_result_of_a_step_wins() {
    let mut rec = sample();
    let mut older = rec.steps[&StepId::Guardduty].clone();
    older.checked_at = "2026-11-28T11:00:00Z".into();
    older.result.status = Status::Done;
    rec.see(older);
    assert_eq!(rec.steps[&StepId::Guardduty].result.status, Status::Partial, "older result ignored");
    let mut newer = rec.steps[&StepId::Guardduty].clone();
    newer.checked_at = "2026-11-28T13:00:00Z".into();
    newer.result.status = Status::Done;
    rec.see(newer);
    assert_eq!(rec.steps[&StepId::Guardduty].result.status, Status::Done, "newer result kept");
}
