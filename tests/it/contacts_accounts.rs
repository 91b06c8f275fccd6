//! contacts across an organization, as AWS allows it: a member's contacts are read and written
//! from the management account's own credentials with `AccountId=<member>` (after trusted access
//! for Account Management), never from inside the member; the management account's own without
//! `AccountId`. The emulator refuses everything else as AWS does (tests/emulator/account_contacts.py,
//! checked by selfcheck.py), so a wrong call fails here.

use crate::common;

use common::{Emulator, MGMT, check_json, groundwork, seed, session, step_status};
use groundwork::catalog::StepId;
use groundwork::verdict::Status;
use groundwork::{checks, facts};

fn contact_sets() -> Vec<String> {
    let mut v = Vec::new();
    for kind in ["security", "billing", "operations"] {
        for (field, value) in
            [("name", "Ada Lovelace"), ("title", "CTO"), ("email", "sec@example.com"), ("phone", "+1 555 555 0100")]
        {
            v.extend(["--set".to_owned(), format!("contacts.{kind}.{field}={value}")]);
        }
    }
    v
}

fn apply_contacts(emu: &Emulator, state: &std::path::Path) -> String {
    let out = groundwork(&emu.url(), state).args(["apply", "contacts", "--yes"]).args(contact_sets()).output();
    let out = out.expect("run apply");
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!text.contains("failed"), "{text}");
    text
}

#[tokio::test]
async fn member_contacts_are_written_from_the_management_account_without_assuming_a_role() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let state = tempfile::tempdir().expect("tempdir");

    // First run: trusted access is off, so the members' contacts cannot be read yet. It turns
    // trusted access on and sets the management account's own contacts (without AccountId).
    let first = apply_contacts(&emu, state.path());
    assert!(first.contains("organizations:EnableAWSServiceAccess"), "{first}");
    // Second run: the members' contacts, from the management account.
    emu.hook("/_groundwork/requests/clear", serde_json::json!({}));
    let second = apply_contacts(&emu, state.path());
    assert!(second.contains("AccountId: "), "{second}");

    let log = emu.requests();
    let assumed: Vec<_> = log.iter().filter(|r| r["operation"] == "AssumeRole").collect();
    assert!(assumed.is_empty(), "the contacts apply assumed a role: {assumed:?}");
    let puts: Vec<_> = log.iter().filter(|r| r["operation"] == "PutAlternateContact").collect();
    assert_eq!(puts.len(), 6, "three contacts in each of two members: {puts:?}");
    assert!(log.iter().filter(|r| r["service"] == "account").all(|r| r["account"] == MGMT), "{log:?}");

    // The contacts landed in the members themselves, and the step is done everywhere.
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "contacts"), "done", "{json:#}");
    let aws = session(&emu, 4).await;
    let f = facts::gather(&aws).await.expect("identity");
    let r = checks::check(&aws, &f, StepId::Contacts).await;
    for account in [MGMT, org.audit.as_str(), org.log_archive.as_str()] {
        let finding = r.findings.iter().find(|x| x.account == account).expect("a finding per account");
        assert_eq!(finding.status, Status::Done, "{finding:?}");
    }
}

#[tokio::test]
async fn member_contacts_are_unknown_until_trusted_access_is_on() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    seed::contacts(&emu, MGMT, &["SECURITY", "BILLING", "OPERATIONS"]).await;
    let aws = session(&emu, 4).await;
    let f = facts::gather(&aws).await.expect("identity");
    let r = checks::check(&aws, &f, StepId::Contacts).await;
    // The emulator refuses AccountId without trusted access, as AWS does: unknown, never not-done.
    assert_eq!(r.status, Status::Unknown, "{r:?}");
    let member = r.findings.iter().find(|x| x.account == org.audit).expect("Audit's finding");
    assert_eq!(member.status, Status::Unknown, "{member:?}");
    assert!(member.detail.contains("trusted access"), "{member:?}");

    seed::trusted_access(&emu, "account.amazonaws.com").await;
    let r = checks::check(&aws, &f, StepId::Contacts).await;
    let member = r.findings.iter().find(|x| x.account == org.audit).expect("Audit's finding");
    assert_eq!(member.status, Status::NotDone, "{member:?}");
}
