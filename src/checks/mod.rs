//! The live checks: one module per step, each reading AWS through `crate::aws` and judging what it
//! saw with the rules of `shared/reference/aws-steps.md` §2. All steps run at once; the calls they
//! make are bounded by the session's concurrency limit.

mod alerts;
mod contacts;
mod control_tower;
mod guardduty;
mod identity_center;
mod organization;
mod root_mfa;
mod security_hub;

use std::collections::BTreeMap;

use futures_util::future::join_all;

pub use alerts::{Access, Publish, RoleAccess, finding_event, min_severity, publish_access, role_forwards};

use crate::aws::{Aws, AwsError};
use crate::catalog::{self, Step, StepId};
use crate::facts::Facts;
use crate::verdict::{Finding, Status, StepResult, combine};

/// The person's answers (`step.key` to value, as the record remembers them): a check judges with
/// the same choices the plan was made with, such as the alert severity.
pub type Answers = BTreeMap<String, String>;

/// Checks the given steps concurrently, with every input at its default.
pub async fn run(aws: &Aws, facts: &Facts, steps: &[StepId]) -> Vec<StepResult> {
    run_with(aws, facts, &Answers::new(), steps).await
}

/// Checks the given steps concurrently with the person's answers; results in lab order.
pub async fn run_with(aws: &Aws, facts: &Facts, answers: &Answers, steps: &[StepId]) -> Vec<StepResult> {
    let mut ids = steps.to_vec();
    ids.sort();
    ids.dedup();
    join_all(ids.into_iter().map(|id| check_with(aws, facts, answers, id))).await
}

/// Checks one step, with every input at its default.
pub async fn check(aws: &Aws, facts: &Facts, id: StepId) -> StepResult {
    check_with(aws, facts, &Answers::new(), id).await
}

/// Checks one step with the person's answers.
pub async fn check_with(aws: &Aws, facts: &Facts, answers: &Answers, id: StepId) -> StepResult {
    let step = catalog::step(id);
    let findings = match id {
        StepId::RootMfa => root_mfa::check(aws, facts, step).await,
        StepId::Contacts => contacts::check(aws, facts, step).await,
        StepId::Organization => organization::check(facts, step),
        StepId::ControlTower => control_tower::check(facts, step),
        StepId::IdentityCenter => identity_center::check(aws, facts, step).await,
        StepId::Guardduty => guardduty::check(aws, facts, step).await,
        StepId::SecurityHub => security_hub::check(aws, facts, step).await,
        StepId::Alerts => alerts::check(aws, facts, answers, step).await,
    };
    conclude(step, findings)
}

/// Turns findings into the step's result: its status is the combination of the findings', and its
/// summary the step's template for that status.
fn conclude(step: &Step, findings: Vec<Finding>) -> StepResult {
    let status = combine(findings.iter().map(|f| f.status));
    let done = findings.iter().filter(|f| f.status == Status::Done).count().to_string();
    let total = findings.iter().filter(|f| f.status != Status::NotApplicable).count().to_string();
    let key = format!("summary-{}", status.as_str());
    StepResult {
        id: step.id,
        title: step.title.clone(),
        status,
        summary: step.say(&key, &[("done", &done), ("total", &total)]),
        findings,
    }
}

/// A finding for a fact that could not be read.
fn unknown(err: &AwsError) -> Finding {
    Finding::new(&err.account, err.region.as_deref(), Status::Unknown, err.explain())
}

/// A finding for a step that needs something it doesn't have (an organization, an Audit account).
fn blocked(facts: &Facts, step: &Step, key: &str) -> Finding {
    Finding::new(&facts.identity.account, None, Status::NotDone, step.say(key, &[]))
}

/// One finding from several sub-checks of the same account and Region: its status combines
/// theirs and its detail lists what each saw.
fn parts_finding(account: &str, region: Option<&str>, parts: Vec<(Status, String)>) -> Finding {
    let status = combine(parts.iter().map(|(s, _)| *s));
    let detail = parts.into_iter().map(|(_, d)| d).collect::<Vec<_>>().join("; ");
    Finding::new(account, region, status, sentence(&detail))
}

/// Capitalised and closed with a full stop, as the other findings read.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// The Audit account's id, or the finding that explains why there is none.
fn audit_account(facts: &Facts, step: &Step) -> Result<String, Finding> {
    if let Some(audit) = &facts.audit {
        return Ok(audit.id.clone());
    }
    Err(match (&facts.organization, &facts.accounts) {
        (Err(e), _) | (_, Err(e)) => unknown(e),
        (Ok(None), _) => blocked(facts, step, "needs-organization"),
        (Ok(Some(_)), _) if facts.managed_org().is_none() => blocked(facts, step, "needs-management-account"),
        _ => blocked(facts, step, "needs-audit-account"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `say("key")` in a step's check has words in that step's TOML, and every template in
    /// the TOML is used: the words and the code cannot drift apart.
    #[test]
    fn message_keys_match_the_code() {
        let common =
            ["summary-done", "summary-partial", "summary-not-done", "summary-unknown", "summary-not-applicable"];
        // Keys said by shared helpers on the step's behalf, and the call that marks their use.
        let shared_uses = [
            ("needs-organization", "audit_account("),
            ("needs-management-account", "audit_account("),
            ("needs-audit-account", "audit_account("),
            ("conflict-other-admin", "audit_admin("),
        ];
        for id in StepId::ALL {
            let name = id.as_str().replace('-', "_");
            let dir = env!("CARGO_MANIFEST_DIR");
            let code = std::fs::read_to_string(format!("{dir}/src/checks/{name}.rs")).expect("check module exists")
                + &std::fs::read_to_string(format!("{dir}/src/plans/{name}.rs")).unwrap_or_default();
            // Keys passed straight to `say`, which must exist ...
            let said: Vec<&str> = code.split("say(\"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
            // ... and every string literal, any of which may name a key chosen by a branch.
            let literals: Vec<&str> = code.split('"').skip(1).step_by(2).collect();
            let step = catalog::step(id);
            for key in &said {
                assert!(step.messages.contains_key(*key), "steps/{id}.toml lacks message {key:?}");
            }
            for key in step.messages.keys() {
                let needed = common.contains(&key.as_str())
                    || literals.contains(&key.as_str())
                    || shared_uses.iter().any(|(k, marker)| k == key && code.contains(marker));
                assert!(needed, "steps/{id}.toml has message {key:?} that no code uses");
            }
            for key in common {
                assert!(step.messages.contains_key(key), "steps/{id}.toml lacks {key}");
            }
        }
    }
}
