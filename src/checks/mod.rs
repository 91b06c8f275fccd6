//! The live checks: every step's verdict, from its module in `crate::steps` (which reads AWS once
//! and judges what it saw with the rules of `shared/reference/aws-steps.md` §2). All steps run at
//! once; the calls they make are bounded by the session's concurrency limit.

use futures_util::future::join_all;

use crate::aws::Aws;
use crate::catalog::{self, Step, StepId};
use crate::facts::Facts;
use crate::steps;
use crate::verdict::{Finding, Status, StepResult, combine};

pub use crate::steps::Answers;

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
    // Other accounts are reached the way the account model says (its caller, its member role).
    let aws = &aws.bound(facts);
    let step = catalog::step(id);
    if let Some(why) = undetermined(facts, id) {
        // Judged on a guessed Region or account, a step could say done where it is not.
        let finding = Finding::new(&facts.identity.account, None, Status::Unknown, why);
        return conclude(step, vec![finding]);
    }
    let findings = match id {
        StepId::RootMfa => steps::root_mfa::check(aws, facts, step).await,
        StepId::Contacts => steps::contacts::check(aws, facts, step).await,
        StepId::Organization => steps::organization::check(facts, aws.region(), step),
        StepId::ControlTower => steps::control_tower::check(aws, facts, step).await,
        StepId::IdentityCenter => steps::identity_center::check(aws, facts, step).await,
        StepId::Guardduty => steps::guardduty::check(aws, facts, answers, step).await,
        StepId::SecurityHub => steps::security_hub::check(aws, facts, step).await,
        StepId::Alerts => steps::alerts::check(aws, facts, answers, step).await,
        StepId::Guardrails => steps::guardrails::check(aws, facts, answers, step).await,
        StepId::IamUsers => steps::iam_users::check(aws, facts, step).await,
        StepId::AccessAnalyzer => steps::access_analyzer::check(aws, facts, step).await,
        StepId::EbsEncryption => steps::ebs_encryption::check(aws, facts, step).await,
        StepId::RootAccess => steps::root_access::check(aws, facts, step).await,
        StepId::S3PublicAccess => steps::s3_public_access::check(aws, facts, step).await,
        StepId::Budget => steps::budget::check(aws, facts, step).await,
    };
    conclude(step, findings)
}

/// Steps judged in the governed Regions (or, for identity-center, in the home Region).
pub const NEEDS_REGIONS: [StepId; 6] = [
    StepId::IdentityCenter,
    StepId::Guardduty,
    StepId::SecurityHub,
    StepId::Alerts,
    StepId::AccessAnalyzer,
    StepId::EbsEncryption,
];
/// Steps that live in the Audit account of an organization.
pub const LIVES_IN_AUDIT: [StepId; 4] =
    [StepId::Guardduty, StepId::SecurityHub, StepId::Alerts, StepId::AccessAnalyzer];

/// Why a step cannot be judged (or planned) at all: the account model could not establish the
/// governed Regions, or, in an organization, the Audit account it lives in. Says why and what to
/// do; `None` when the step can be judged.
pub fn undetermined(facts: &Facts, id: StepId) -> Option<String> {
    if NEEDS_REGIONS.contains(&id)
        && let Some(e) = &facts.regions_unknown
    {
        return Some(catalog::say("regions-unknown-because", &[("why", &e.explain())]));
    }
    if LIVES_IN_AUDIT.contains(&id)
        && let Some(e) = facts.audit_unknown()
    {
        return Some(catalog::say("audit-unknown-because", &[("why", &e.explain())]));
    }
    None
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
        let shared_uses: [(&str, &str); 0] = [];
        for id in StepId::ALL {
            let name = id.as_str().replace('-', "_");
            let dir = env!("CARGO_MANIFEST_DIR");
            // A step lives in src/steps/ (observe, judge, plan).
            let read = |path: &str| std::fs::read_to_string(format!("{dir}/{path}")).unwrap_or_default();
            let mut code = read(&format!("src/steps/{name}.rs"));
            assert!(!code.is_empty(), "no module for step {id}");
            // A step's words said from its other modules (its plan's parts, its AWS reads).
            let more: &[&str] = match id {
                StepId::ControlTower => &[
                    "src/steps/control_tower/launch.rs",
                    "src/steps/control_tower/preflight.rs",
                    "src/steps/control_tower/governed.rs",
                    "src/landing_zone.rs",
                    "src/aws/controltower.rs",
                    "src/aws/change/controltower.rs",
                ],
                // The per-account findings guardduty and security-hub share; access-analyzer its reach.
                StepId::Guardduty | StepId::AccessAnalyzer => &["src/steps/coverage.rs"],
                StepId::SecurityHub => &["src/steps/coverage.rs", "src/steps/security_hub/recording.rs"],
                StepId::Alerts => &["src/steps/alerts/judge.rs", "src/steps/alerts/plan.rs"],
                StepId::Budget => &["src/steps/budget/rules.rs"],
                _ => &[],
            };
            for file in more {
                let text = read(file);
                assert!(!text.is_empty(), "{file} exists");
                code += &text;
            }
            // Keys passed straight to `say`, which must exist ...
            let said: Vec<&str> = code.split("say(\"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
            // ... and every string literal, any of which may name a key chosen by a branch.
            let literals: Vec<&str> = code.split('"').skip(1).step_by(2).collect();
            let step = catalog::step(id);
            for key in &said {
                assert!(step.messages.contains_key(*key), "steps/{id}.toml lacks message {key:?}");
            }
            for key in step.messages.keys() {
                // A choice's words, said by the questions for each value of the input's kind.
                let choice = key.strip_prefix("choice-").is_some_and(|v| crate::inputs::GUARDDUTY_PLANS.contains(&v));
                let needed = common.contains(&key.as_str())
                    || literals.contains(&key.as_str())
                    || (id == StepId::Guardduty && choice)
                    // A standard's status reason, said as `reason-<StatusReasonCode>`.
                    || (key.starts_with("reason-") && code.contains("format!(\"reason-{code}\")"))
                    || shared_uses.iter().any(|(k, marker)| k == key && code.contains(marker));
                assert!(needed, "steps/{id}.toml has message {key:?} that no code uses");
            }
            for key in common {
                assert!(step.messages.contains_key(key), "steps/{id}.toml lacks {key}");
            }
        }
    }
}
