//! What `check` and `status` print: the JSON contract for scripts and a plain table for people.
//! Text that came from AWS is made inert before it reaches a terminal.

use std::collections::HashMap;

use serde::Serialize;

use crate::catalog::say;
use crate::facts::{Facts, Source};
use crate::verdict::{Status, StepResult};

/// The `check --json` contract, schema 1. Field names and order are stable: scripts parse them.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub schema: u32,
    pub account: &'a str,
    pub principal: &'a str,
    pub checked_at: &'a str,
    pub steps: &'a [StepResult],
}

pub fn json(report: &Report<'_>) -> String {
    serde_json::to_string_pretty(report).unwrap_or_default()
}

/// The header people see above every result: which account, as whom, where.
pub fn header(facts: &Facts, region: &str, profile: Option<&str>) -> String {
    let mut out = String::new();
    let id = &facts.identity;
    let profile = profile.unwrap_or("default chain");
    out += &say("header-account", &[("account", &id.account), ("region", region), ("profile", profile)]);
    out += "\n";
    out += &say("header-principal", &[("principal", &inert(&id.arn))]);
    out += "\n";
    if let Some(org) = facts.managed_org() {
        let shared = |a: &Option<crate::facts::SharedAccount>| match a {
            Some(s) if s.source == Source::Manifest => s.id.clone(),
            Some(s) => say("header-guessed", &[("account", &s.id)]),
            None => say("header-none", &[]),
        };
        out += &say(
            "header-organization",
            &[
                ("org", &org.id),
                ("audit", &shared(&facts.audit)),
                ("log_archive", &shared(&facts.log_archive)),
                ("regions", &facts.regions_shown()),
            ],
        );
        out += "\n";
    }
    if id.is_root() {
        out += &say("warning-root", &[]);
        out += "\n";
    }
    out
}

/// One line per step, then findings: all of them with `verbose`, else those of unfinished steps.
/// `names` maps account ids to names where they are known.
pub fn table(steps: &[StepResult], verbose: bool, names: &HashMap<String, String>) -> String {
    let width = steps.iter().map(|s| s.title.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for step in steps {
        let status = label(step.status);
        out += &format!("  {status:<13} {:<width$}  {}\n", inert(&step.title), inert(&step.summary));
        if verbose || !step.status.is_settled() {
            for f in &step.findings {
                let account = match names.get(&f.account) {
                    Some(name) => format!("{} ({name})", f.account),
                    None => f.account.clone(),
                };
                let place = match &f.region {
                    Some(r) => format!("{account} {r}"),
                    None => account,
                };
                out += &format!("      {:<13} {}: {}\n", label(f.status), inert(&place), inert(&f.detail));
            }
        }
    }
    out
}

/// Account ids to names, from the organization (when the caller may list it).
pub fn account_names(facts: &Facts) -> HashMap<String, String> {
    facts
        .accounts
        .as_ref()
        .map_or_else(|_| HashMap::new(), |accounts| accounts.iter().map(|a| (a.id.clone(), a.name.clone())).collect())
}

/// The word and mark shown for a status.
pub fn label(status: Status) -> String {
    say(&format!("status-{}", status.as_str()), &[])
}

/// Removes control characters (escape sequences among them) from text that came from AWS or disk,
/// so a hostile account or topic name cannot drive the terminal.
pub fn inert(text: &str) -> String {
    text.chars().map(|c| if c.is_control() && c != '\n' { '\u{fffd}' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::StepId;
    use crate::verdict::Finding;

    #[test]
    fn escape_sequences_render_inert() {
        assert_eq!(inert("evil\u{1b}[2Jname"), "evil\u{fffd}[2Jname");
    }

    #[test]
    fn json_matches_the_contract() {
        let steps = vec![StepResult {
            id: StepId::RootMfa,
            title: "t".into(),
            status: Status::NotDone,
            summary: "s".into(),
            findings: vec![Finding::new("123456789012", None, Status::NotDone, "d".into())],
        }];
        let r = Report {
            schema: 1,
            account: "123456789012",
            principal: "arn",
            checked_at: "2026-11-28T12:00:00Z",
            steps: &steps,
        };
        let v: serde_json::Value = serde_json::from_str(&json(&r)).expect("valid json");
        assert_eq!(
            v,
            serde_json::json!({"schema":1,"account":"123456789012","principal":"arn","checked_at":"2026-11-28T12:00:00Z",
              "steps":[{"id":"root-mfa","title":"t","status":"not-done","summary":"s",
                        "findings":[{"account":"123456789012","region":null,"status":"not-done","detail":"d"}]}]})
        );
    }
}
