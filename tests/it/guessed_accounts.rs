//! Audit and Log Archive recognised by account name only: every plan that acts on them says so,
//! and the first change that makes one a delegated administrator or a landing zone account waits
//! for the person to confirm the account (the wizard offers its id; a script must `--set` it).

use crate::common;

use std::collections::BTreeMap;

use common::{Emulator, MGMT, REGION, groundwork, seed, session};
use groundwork::catalog::StepId;
use groundwork::facts;
use groundwork::inputs::Placeholders;
use groundwork::plans::{self, Plan};
use groundwork::record::Record;

const CONFIRM_AUDIT: &str = "control-tower.confirm-audit";
const CONFIRM_LOG: &str = "control-tower.confirm-log-archive";

async fn plan_with(emu: &Emulator, id: StepId, answers: &[(&str, &str)]) -> (Plan, Placeholders) {
    let aws = session(emu, 8).await;
    let f = facts::gather(&aws).await.expect("identity");
    let answers: BTreeMap<String, String> = answers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let mut ask = Placeholders { answers, ..Placeholders::default() };
    let plan = plans::plan(&aws, &f, &mut ask, &Record::default(), id).await.expect("a plan");
    (plan, ask)
}

fn says_guessed(plan: &Plan, account: &str) -> bool {
    plan.notes.iter().any(|n| n.contains(account) && n.contains("name only"))
}

#[tokio::test]
async fn delegating_to_a_guessed_audit_waits_for_its_confirmation() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await; // "Audit" and "Log Archive", no landing zone
    for id in [StepId::Guardduty, StepId::SecurityHub] {
        // Unanswered: the plan says Audit is a guess, and the question offers (never assumes) its id.
        let (plan, ask) = plan_with(&emu, id, &[]).await;
        assert!(says_guessed(&plan, &org.audit), "{id}: {plan:?}");
        assert!(ask.missing.contains(&CONFIRM_AUDIT.to_owned()), "{id}: {:?}", ask.missing);
        assert!(ask.unanswered.contains(&(CONFIRM_AUDIT.to_owned(), Some(org.audit.clone()))), "{:?}", ask.unanswered);
        assert!(plan.conflicts.is_empty(), "{plan:?}");

        // Confirmed: the same changes, and the plan says whose word it took.
        let (plan, _) = plan_with(&emu, id, &[(CONFIRM_AUDIT, &org.audit)]).await;
        assert!(plan.conflicts.is_empty(), "{plan:?}");
        assert!(plan.notes.iter().any(|n| n.contains("You confirmed")), "{plan:?}");

        // Another account named: nothing may change.
        let (plan, _) = plan_with(&emu, id, &[(CONFIRM_AUDIT, "999999999999")]).await;
        assert_eq!(plan.conflicts.len(), 1, "{plan:?}");
        assert!(plan.conflicts[0].contains(&org.audit) && plan.conflicts[0].contains("999999999999"), "{plan:?}");
    }

    // alerts acts in Audit without delegating anything to it: it says so, and asks nothing.
    let (plan, ask) = plan_with(&emu, StepId::Alerts, &[("alerts.email", "sec@example.com")]).await;
    assert!(says_guessed(&plan, &org.audit), "{plan:?}");
    assert!(!ask.unanswered.iter().any(|(k, _)| k == CONFIRM_AUDIT), "{:?}", ask.unanswered);

    // The landing zone would make both guessed accounts its own: both are confirmed first.
    let (plan, ask) = plan_with(&emu, StepId::ControlTower, &[]).await;
    assert!(says_guessed(&plan, &org.audit) && says_guessed(&plan, &org.log_archive), "{plan:?}");
    assert!(ask.missing.contains(&CONFIRM_AUDIT.to_owned()) && ask.missing.contains(&CONFIRM_LOG.to_owned()));

    // Named by a landing zone manifest, Audit is no guess: nothing to say, nothing to ask.
    seed::landing_zone(&emu, &org, &[REGION], "ACTIVE", "IN_SYNC");
    let (plan, ask) = plan_with(&emu, StepId::Guardduty, &[]).await;
    assert!(!says_guessed(&plan, &org.audit), "{plan:?}");
    assert!(!ask.unanswered.iter().any(|(k, _)| k == CONFIRM_AUDIT), "{:?}", ask.unanswered);
}

#[tokio::test]
async fn a_script_must_confirm_a_guessed_audit_before_it_becomes_an_administrator() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let state = tempfile::tempdir().expect("tempdir");
    let before = emu.get("/_groundwork/state");
    // `--yes` is not a confirmation of an account nobody was shown: nothing changes.
    let out = groundwork(&emu.url(), state.path()).args(["apply", "guardduty", "--yes"]).output().expect("apply");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_ne!(out.status.code(), Some(0));
    assert!(err.contains(CONFIRM_AUDIT), "{err}");
    assert_eq!(emu.get("/_groundwork/state"), before, "a change was made without the confirmation");

    let out = groundwork(&emu.url(), state.path())
        .args(["apply", "guardduty", "--yes", "--set"])
        .arg(format!("{CONFIRM_AUDIT}={}", org.audit))
        .output()
        .expect("apply");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("name only") && text.contains("You confirmed"), "{text}");
    let state_after = emu.get("/_groundwork/state");
    assert!(
        state_after["guardduty"][format!("{MGMT}/{REGION}")]["delegatedAdmins"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == org.audit.as_str())),
        "{state_after:#}"
    );
    // The confirmation is remembered for the steps after (security-hub asks nothing more).
    let out = groundwork(&emu.url(), state.path()).args(["plan", "security-hub"]).output().expect("plan");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!text.contains(CONFIRM_AUDIT) || text.contains("You confirmed"), "{text}");
    assert!(text.contains("You confirmed"), "{text}");
}

#[tokio::test]
async fn an_account_with_the_email_given_for_its_role_is_no_guess() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await; // Log Archive is log@example.com, Audit audit@example.com
    // What a control-tower apply stopped after creating both accounts finds again: its own answers
    // name them (the case of an email is not significant).
    let given =
        [("control-tower.audit-email", "audit@example.com"), ("control-tower.log-archive-email", "LOG@example.com")];
    let (plan, ask) = plan_with(&emu, StepId::ControlTower, &given).await;
    assert!(!says_guessed(&plan, &org.audit) && !says_guessed(&plan, &org.log_archive), "{plan:?}");
    assert!(!ask.missing.contains(&CONFIRM_AUDIT.to_owned()) && !ask.missing.contains(&CONFIRM_LOG.to_owned()));
    for account in [&org.audit, &org.log_archive] {
        assert!(
            plan.notes.iter().any(|n| n.contains(account.as_str()) && n.contains("the email you gave")),
            "{plan:?}"
        );
    }

    // Another email given for Audit: Audit is still a guess to confirm.
    let (plan, ask) =
        plan_with(&emu, StepId::ControlTower, &[("control-tower.audit-email", "other@example.com")]).await;
    assert!(says_guessed(&plan, &org.audit), "{plan:?}");
    assert!(ask.missing.contains(&CONFIRM_AUDIT.to_owned()), "{:?}", ask.missing);
}
