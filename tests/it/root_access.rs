//! root-access against the emulator (tests/emulator/root_access.py, checked by
//! selfcheck_root_access.py): the features are turned on from the management account, members'
//! root credentials are read through audit root sessions, and deleted only after that account's
//! own yes. The management account's root is never read or touched.

use crate::common;

use common::{Emulator, MGMT, check_json, groundwork, seed, session, step_status};
use groundwork::catalog::StepId;
use groundwork::verdict::Status;
use groundwork::{checks, facts};
use serde_json::json;

fn apply(emu: &Emulator, state: &std::path::Path, sets: &[String]) -> String {
    let out = groundwork(&emu.url(), state).args(["apply", "root-access", "--yes"]).args(sets).output();
    let out = out.expect("run apply");
    format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn features(emu: &Emulator) -> serde_json::Value {
    emu.get("/_groundwork/state")["rootAccess"]["features"][MGMT].clone()
}

#[tokio::test]
async fn fresh_is_not_done_and_apply_turns_the_features_on() {
    let emu = Emulator::start();
    seed::organization(&emu).await;
    let state = tempfile::tempdir().expect("tempdir");
    let (_, before) = check_json(&emu, state.path());
    assert_eq!(step_status(&before, "root-access"), "not-done", "{before:#}");

    let text = apply(&emu, state.path(), &[]);
    for call in [
        "organizations:EnableAWSServiceAccess",
        "iam:EnableOrganizationsRootCredentialsManagement",
        "iam:EnableOrganizationsRootSessions",
    ] {
        assert!(text.contains(call), "{call} planned: {text}");
    }
    assert_eq!(features(&emu), json!(["RootCredentialsManagement", "RootSessions"]), "{text}");
    // Fresh members have no root credentials here: done once their root sessions read them.
    let (_, after) = check_json(&emu, state.path());
    assert_eq!(step_status(&after, "root-access"), "done", "{after:#}");
    let sessions: Vec<_> = emu.requests().into_iter().filter(|r| r["operation"] == "AssumeRoot").collect();
    assert!(!sessions.is_empty());
}

#[tokio::test]
async fn a_members_root_key_is_partial_and_deleted_only_after_its_own_yes() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let state = tempfile::tempdir().expect("tempdir");
    apply(&emu, state.path(), &[]);
    let seeded = emu.hook("/_groundwork/root/credentials", json!({"account": org.audit, "accessKeys": 1}));
    // The management account's root has keys too: root-mfa's, never this step's.
    seed::root_mfa(&emu, MGMT, true, true);

    let aws = session(&emu, 4).await;
    let f = facts::gather(&aws).await.expect("identity");
    let r = checks::check(&aws, &f, StepId::RootAccess).await;
    assert_eq!(r.status, Status::Partial, "{r:?}");
    let audit = r.findings.iter().find(|x| x.account == org.audit).expect("Audit's finding");
    assert_eq!(audit.status, Status::Partial, "{audit:?}");
    assert!(audit.detail.contains(&org.audit) && audit.detail.contains("1 access key"), "{audit:?}");
    assert!(r.findings.iter().filter(|x| x.account == MGMT).all(|x| !x.detail.contains("access key")), "{r:?}");

    // Without the yes: the key stays, and the plan says how to delete it.
    let kept = apply(&emu, state.path(), &[]);
    assert!(kept.contains(&format!("root-access.delete.{}", org.audit)), "{kept}");
    let root = &emu.get("/_groundwork/state")["rootAccess"]["rootCredentials"];
    assert_eq!(root[&org.audit]["accessKeys"], seeded["accessKeys"], "kept without a yes: {kept}");
    assert!(!emu.requests().iter().any(|r| r["operation"] == "DeleteAccessKey"));

    // A yes for another account deletes nothing here.
    let other = apply(&emu, state.path(), &[format!("--set=root-access.delete.{}=yes", org.log_archive)]);
    assert_eq!(
        emu.get("/_groundwork/state")["rootAccess"]["rootCredentials"][&org.audit]["accessKeys"],
        seeded["accessKeys"],
        "{other}"
    );

    // With the yes for that account: deleted, through a delete session into that member only.
    emu.hook("/_groundwork/requests/clear", json!({}));
    let yes = apply(&emu, state.path(), &[format!("--set=root-access.delete.{}=yes", org.audit)]);
    assert!(yes.contains("IAMDeleteRootUserCredentials"), "{yes}");
    let root = &emu.get("/_groundwork/state")["rootAccess"]["rootCredentials"];
    assert_eq!(root[&org.audit]["accessKeys"], json!([]), "{yes}");
    let log = emu.requests();
    let deletes: Vec<_> = log.iter().filter(|r| r["operation"] == "DeleteAccessKey").collect();
    assert_eq!(deletes.len(), 1, "{log:?}");
    assert_eq!(deletes[0]["account"], json!(org.audit));
    assert!(
        log.iter()
            .filter(|r| r["service"] == "iam")
            .all(|r| r["account"] != MGMT || r["operation"] != "DeleteAccessKey")
    );
    // The management account's root is untouched.
    let summary = aws_sdk_iam::Client::new(&common::config(&emu, MGMT, common::REGION).await)
        .get_account_summary()
        .send()
        .await
        .expect("summary");
    assert_eq!(
        summary.summary_map().and_then(|m| m.get(&aws_sdk_iam::types::SummaryKeyType::AccountAccessKeysPresent)),
        Some(&1)
    );
    let (_, after) = check_json(&emu, state.path());
    assert_eq!(step_status(&after, "root-access"), "done", "{after:#}");
}

#[tokio::test]
async fn a_refused_root_session_is_unknown_never_done() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let state = tempfile::tempdir().expect("tempdir");
    apply(&emu, state.path(), &[]);
    let scp = "User: arn:aws:iam::123456789012:user/moto is not authorized to perform: sts:AssumeRoot with an explicit deny in a service control policy";
    emu.hook(
        "/_groundwork/faults",
        json!({"operation": "AssumeRoot", "service": "sts", "code": "AccessDenied", "status": 403, "message": scp}),
    );
    let aws = session(&emu, 4).await;
    let f = facts::gather(&aws).await.expect("identity");
    let r = checks::check(&aws, &f, StepId::RootAccess).await;
    assert_eq!(r.status, Status::Unknown, "{r:?}");
    let audit = r.findings.iter().find(|x| x.account == org.audit).expect("Audit's finding");
    assert_eq!(audit.status, Status::Unknown, "{audit:?}");
    assert!(audit.detail.contains("service control policy"), "{audit:?}");
}
