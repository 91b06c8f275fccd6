//! iam-users against the emulator (credential reports as AWS makes them: tests/emulator/
//! credential_report.py, checked by selfcheck_iam_users.py): a console password is named, an
//! unused key is deactivated only after its own yes and never deleted, a key in use is never
//! offered, and a member whose report cannot be read is unknown.

use crate::common;

use common::{Emulator, MGMT, REGION, check_json, config, groundwork, seed, session, step_status};
use groundwork::catalog::StepId;
use groundwork::verdict::Status;
use groundwork::{checks, facts};
use serde_json::json;

async fn iam(emu: &Emulator, account: &str) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&config(emu, account, REGION).await)
}

/// A user with one access key last used `days_ago` days ago; returns the key's id.
async fn user_with_key(emu: &Emulator, account: &str, name: &str, days_ago: u32) -> String {
    let c = iam(emu, account).await;
    c.create_user().user_name(name).send().await.expect("user");
    let key = c.create_access_key().user_name(name).send().await.expect("key");
    let id = key.access_key().expect("key").access_key_id().to_owned();
    emu.hook(
        "/_groundwork/iam/access-key-last-used",
        json!({"account": account, "accessKeyId": id, "daysAgo": days_ago, "service": "s3"}),
    );
    id
}

async fn key_status(emu: &Emulator, user: &str) -> Vec<(String, String)> {
    let out = iam(emu, MGMT).await.list_access_keys().user_name(user).send().await.expect("keys");
    out.access_key_metadata()
        .iter()
        .map(|k| {
            (
                k.access_key_id().unwrap_or_default().to_owned(),
                k.status().map(|s| s.as_str().to_owned()).unwrap_or_default(),
            )
        })
        .collect()
}

fn apply(emu: &Emulator, state: &std::path::Path, sets: &[String]) -> String {
    let mut cmd = groundwork(&emu.url(), state);
    cmd.args(["apply", "iam-users", "--yes"]);
    for s in sets {
        cmd.args(["--set", s]);
    }
    let out = cmd.output().expect("run apply");
    format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[tokio::test]
async fn a_console_password_in_a_member_makes_the_step_partial_naming_the_user() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let c = iam(&emu, &org.audit).await;
    c.create_user().user_name("ada").send().await.expect("user");
    c.create_login_profile().user_name("ada").password("Correct-horse-9!").send().await.expect("password");

    let aws = session(&emu, 4).await;
    let f = facts::gather(&aws).await.expect("identity");
    let r = checks::check(&aws, &f, StepId::IamUsers).await;
    assert_eq!(r.status, Status::Partial, "{r:?}");
    let audit = r.findings.iter().find(|x| x.account == org.audit).expect("Audit's finding");
    assert_eq!(audit.status, Status::Partial, "{audit:?}");
    assert!(audit.detail.contains("IAM user ada has a console password"), "{audit:?}");
    let me = r.findings.iter().find(|x| x.account == MGMT).expect("the management account's finding");
    assert_eq!(me.status, Status::Done, "{me:?}");
}

#[tokio::test]
async fn an_unused_key_is_deactivated_only_after_its_own_yes_and_never_deleted() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let old = user_with_key(&emu, MGMT, "old-laptop", 120).await;
    let used = user_with_key(&emu, MGMT, "deploy", 1).await;

    // No yes: nothing changes; the key in use is named as a machine's and never offered.
    let first = apply(&emu, state.path(), &[]);
    assert!(first.contains(&format!("iam-users.deactivate.{old}")), "{first}");
    assert!(!first.contains(&format!("iam-users.deactivate.{used}")), "{first}");
    assert!(!emu.requests().iter().any(|r| r["operation"] == "UpdateAccessKey"), "{first}");
    assert_eq!(key_status(&emu, "old-laptop").await, vec![(old.clone(), "Active".to_owned())]);
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "iam-users"), "partial", "{json:#}");

    // Its own yes: that key, and only it, becomes Inactive; it still exists.
    let second = apply(&emu, state.path(), &[format!("iam-users.deactivate.{old}=yes")]);
    assert!(second.contains("iam:UpdateAccessKey"), "{second}");
    assert_eq!(key_status(&emu, "old-laptop").await, vec![(old.clone(), "Inactive".to_owned())]);
    assert_eq!(key_status(&emu, "deploy").await, vec![(used.clone(), "Active".to_owned())]);
    let log = emu.requests();
    assert!(!log.iter().any(|r| r["operation"].as_str().is_some_and(|o| o.starts_with("Delete"))), "{log:?}");
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "iam-users"), "done", "{json:#}");
}

#[tokio::test]
async fn a_member_whose_report_cannot_be_read_is_unknown() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    emu.hook(
        "/_groundwork/faults",
        json!({"operation": "GenerateCredentialReport", "service": "iam", "account": org.audit,
               "status": 403, "code": "AccessDenied", "message": "not authorized to perform: iam:GenerateCredentialReport"}),
    );
    let aws = session(&emu, 4).await;
    let f = facts::gather(&aws).await.expect("identity");
    let r = checks::check(&aws, &f, StepId::IamUsers).await;
    assert_eq!(r.status, Status::Unknown, "{r:?}");
    let audit = r.findings.iter().find(|x| x.account == org.audit).expect("Audit's finding");
    assert_eq!(audit.status, Status::Unknown, "{audit:?}");
    let log = r.findings.iter().find(|x| x.account == org.log_archive).expect("Log Archive's finding");
    assert_eq!(log.status, Status::Done, "{log:?}");
}
