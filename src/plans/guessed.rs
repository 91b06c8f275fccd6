//! Shared accounts recognised by name only. Without a landing zone manifest naming them, Audit and
//! Log Archive are a guess from the organization's account names: every plan that acts on such an
//! account says so, and a plan whose changes would make it a delegated administrator or a landing
//! zone account waits until the person confirms the account's id (a prompt offers the id found;
//! nothing answers it without a person, not even `--yes`). An account with the email the person
//! gave for that role (`control-tower.audit-email`, `...log-archive-email`) is no guess: it is the
//! one groundwork created for them, found again after a run stopped before the landing zone.

use super::{Change, Ctx, Plan, PlanError};
use crate::aws::change::{Action, Ref};
use crate::catalog::{StepId, say};
use crate::checks::LIVES_IN_AUDIT;
use crate::facts::{SharedAccount, Source};
use crate::inputs::{Kind, validate};

/// The inputs that confirm a guessed account: asked by whichever step first needs them, and kept
/// for every step after (see `apply::remember_inputs`).
pub const CONFIRM_AUDIT: &str = "control-tower.confirm-audit";
pub const CONFIRM_LOG_ARCHIVE: &str = "control-tower.confirm-log-archive";
pub const CONFIRM_KEYS: [&str; 2] = [CONFIRM_AUDIT, CONFIRM_LOG_ARCHIVE];

/// Adds the notes, the question and (for an answer naming another account) the conflict that a
/// guessed Audit or Log Archive calls for in this step's plan.
pub fn review(ctx: &mut Ctx<'_>, plan: &mut Plan) -> Result<(), PlanError> {
    let id = ctx.step.id;
    if id != StepId::ControlTower && !LIVES_IN_AUDIT.contains(&id) {
        return Ok(()); // other steps act on every account alike, not on Audit as Audit
    }
    let shared = [
        ("Audit", ctx.facts.audit.clone(), CONFIRM_AUDIT, "control-tower.audit-email"),
        ("Log Archive", ctx.facts.log_archive.clone(), CONFIRM_LOG_ARCHIVE, "control-tower.log-archive-email"),
    ];
    for (role, found, key, email_key) in shared {
        let Some(SharedAccount { id: account, source: Source::AccountName }) = found else { continue };
        if !plan.changes.iter().any(|c| acts_on(c, &account)) {
            continue;
        }
        // The account has the email the person gave for this role: the one groundwork created for
        // them (a run stopped before the landing zone named it). Their answer already says which.
        let theirs = email_of(ctx, &account);
        if let Some(email) = ctx.ask.given(email_key).filter(|e| theirs.is_some_and(|t| t.eq_ignore_ascii_case(e))) {
            let args = [("role", role), ("account", account.as_str()), ("email", email.as_str())];
            plan.notes.push(say("plan-account-by-email", &args));
            continue;
        }
        let name = account_name(ctx, &account);
        plan.notes.push(say("plan-guessed-account", &[("role", role), ("account", &account), ("name", &name)]));
        if !plan.changes.iter().any(|c| makes_it_shared(&c.action, &account)) {
            continue;
        }
        // Offered at a prompt, never taken without one (`Kind::AccountId`).
        let answer = ctx.ask.get(key, Some(&account))?;
        match validate(Kind::AccountId, &answer) {
            Ok(confirmed) if confirmed == account => {
                plan.notes.push(say("plan-guessed-confirmed", &[("role", role), ("account", &account)]));
            }
            Ok(other) => plan.conflicts.push(say(
                "conflict-guessed-account",
                &[("role", role), ("answer", &other), ("account", &account), ("key", key)],
            )),
            // No answer yet (`plan` shows a placeholder and lists the input it needs).
            Err(_) => {}
        }
    }
    Ok(())
}

/// Whether a change runs in the account or names it.
fn acts_on(change: &Change, account: &str) -> bool {
    change.at.account == account
        || makes_it_shared(&change.action, account)
        || change.action.params().iter().any(|(_, v)| v == account)
}

/// Whether a change makes the account a delegated administrator or a landing zone account.
fn makes_it_shared(action: &Action, account: &str) -> bool {
    let known = |r: &Ref| matches!(r, Ref::Known(id) if id == account);
    match action {
        Action::EnableGuardDutyAdmin { admin } | Action::EnableSecurityHubAdmin { admin } => admin == account,
        Action::CreateLandingZone { log_archive, audit, .. } => known(log_archive) || known(audit),
        _ => false,
    }
}

/// The account's name in the organization (made inert where the plan is rendered).
fn account_name(ctx: &Ctx<'_>, account: &str) -> String {
    let accounts = ctx.facts.accounts.as_ref().map(Vec::as_slice).unwrap_or_default();
    accounts.iter().find(|a| a.id == account).map_or_else(|| "?".to_owned(), |a| a.name.clone())
}

/// The account's root email in the organization.
fn email_of<'a>(ctx: &'a Ctx<'_>, account: &str) -> Option<&'a str> {
    let accounts = ctx.facts.accounts.as_ref().map(Vec::as_slice).unwrap_or_default();
    accounts.iter().find(|a| a.id == account).map(|a| a.email.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::At;

    #[test]
    fn delegation_and_landing_zone_accounts_need_confirmation() {
        assert!(makes_it_shared(&Action::EnableGuardDutyAdmin { admin: "222".into() }, "222"));
        assert!(makes_it_shared(&Action::EnableSecurityHubAdmin { admin: "222".into() }, "222"));
        assert!(!makes_it_shared(&Action::EnableSecurityHubAdmin { admin: "333".into() }, "222"));
        let lz = Action::CreateLandingZone {
            version: "4.0".into(),
            regions: vec!["us-east-1".into()],
            log_archive: Ref::Known("111".into()),
            audit: Ref::Output("account:Audit".into()),
        };
        assert!(makes_it_shared(&lz, "111"));
        assert!(!makes_it_shared(&lz, "222"), "a new account is no guess");
        assert!(!makes_it_shared(&Action::EnableHub, "222"));
        let in_audit = Change { at: At::new("222", "us-east-1"), global: false, action: Action::EnableHub };
        assert!(acts_on(&in_audit, "222") && !acts_on(&in_audit, "111"));
    }
}
