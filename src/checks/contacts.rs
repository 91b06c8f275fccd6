//! contacts: the SECURITY, BILLING and OPERATIONS alternate contacts, in the account groundwork runs
//! in and, from the management account, in every active member account.

use futures_util::future::join_all;

use crate::aws::account::{CONTACT_TYPES, alternate_contact};
use crate::aws::{At, Aws, ErrorKind};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::verdict::{Finding, Status};

pub async fn check(aws: &Aws, facts: &Facts, step: &Step) -> Vec<Finding> {
    let me = &facts.identity.account;
    let mut targets = vec![me.clone()];
    let mut findings = Vec::new();
    if facts.managed_org().is_some() {
        match &facts.accounts {
            Ok(accounts) => targets.extend(accounts.iter().filter(|a| a.active && a.id != *me).map(|a| a.id.clone())),
            Err(e) => findings.push(super::unknown(e)),
        }
    }
    let per_account = targets.iter().map(|account| async move {
        let at = At::new(account, aws.region());
        let own = account == me;
        let answers = join_all(CONTACT_TYPES.iter().map(|kind| alternate_contact(aws, &at, kind, own))).await;
        judge(step, account, own, &answers)
    });
    findings.extend(join_all(per_account).await);
    findings
}

fn judge(step: &Step, account: &str, own: bool, answers: &[Result<Option<String>, crate::aws::AwsError>]) -> Finding {
    if let Some(Err(e)) = answers.iter().find(|a| a.is_err()) {
        let mut finding = super::unknown(e);
        if !own && e.kind == ErrorKind::AccessDenied {
            // The usual cause from the management account: Account Management's trusted access is off.
            finding.detail = format!("{} {}", step.say("member-needs-trusted-access", &[]), finding.detail);
        }
        return finding;
    }
    let set: Vec<&str> =
        CONTACT_TYPES.iter().zip(answers).filter(|(_, a)| matches!(a, Ok(Some(_)))).map(|(kind, _)| *kind).collect();
    let missing: Vec<&str> = CONTACT_TYPES.iter().filter(|k| !set.contains(k)).copied().collect();
    let (status, detail) = match set.len() {
        // The addresses are named, so a person can see a typo in what AWS will write to.
        3 => {
            let to: Vec<String> = CONTACT_TYPES
                .iter()
                .zip(answers)
                .map(|(kind, a)| {
                    format!(
                        "{} {}",
                        kind.to_lowercase(),
                        a.as_ref().ok().and_then(|v| v.as_deref()).unwrap_or_default()
                    )
                })
                .collect();
            (Status::Done, step.say("all-set", &[("to", &to.join(", "))]))
        }
        0 => (Status::NotDone, step.say("none-set", &[])),
        _ => (Status::Partial, step.say("some-set", &[("set", &set.join(", ")), ("missing", &missing.join(", "))])),
    };
    Finding::new(account, None, status, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{StepId, step};

    #[test]
    fn all_three_or_partial() {
        let s = step(StepId::Contacts);
        let some = |v: &str| Ok(Some(v.to_owned()));
        let done = judge(s, "1", true, &[some("a@x.io"), some("b"), some("c")]);
        assert_eq!(done.status, Status::Done);
        assert!(done.detail.contains("security a@x.io, billing b, operations c"), "{}", done.detail);
        assert_eq!(judge(s, "1", true, &[some("a"), Ok(None), Ok(None)]).status, Status::Partial);
        assert_eq!(judge(s, "1", true, &[Ok(None), Ok(None), Ok(None)]).status, Status::NotDone);
    }
}
