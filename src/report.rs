//! `groundwork report`: a Markdown summary of the account's live state, what is left, and every
//! change groundwork made (when, by whom), for a co-founder, a security questionnaire or an auditor.

use crate::exit::Exit;
use std::fmt::Write as _;

use crate::actionlog::{self, Entry};
use crate::catalog::{self, StepId, say};
use crate::check::{Live, live};
use crate::cli::{Global, ReportArgs};
use crate::verdict::{Status, StepResult};

pub async fn run(global: &Global, args: &ReportArgs) -> Exit {
    let live = match live(global, 8, &StepId::ALL).await {
        Ok(l) => l,
        Err(message) => {
            eprintln!("groundwork: {message}");
            return Exit::Failed;
        }
    };
    if live.facts.identity.is_root() {
        eprintln!("groundwork: {}", say("warning-root", &[]));
    }
    let log = actionlog::read_all(live.store.dir());
    let text = markdown(&live, &log);
    match &args.output {
        Some(path) => match std::fs::write(path, &text) {
            Ok(()) => {
                eprintln!("groundwork: {}", say("report-written", &[("path", &path.display().to_string())]));
                Exit::Settled
            }
            Err(e) => {
                eprintln!(
                    "groundwork: {}",
                    say("record-io", &[("path", &path.display().to_string()), ("error", &e.to_string())])
                );
                Exit::Failed
            }
        },
        None => {
            print!("{text}");
            Exit::Settled
        }
    }
}

/// The report for a live check and the action log.
pub fn markdown(live: &Live, log: &[Entry]) -> String {
    let facts = &live.facts;
    let account = &facts.identity.account;
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", say("report-title", &[("account", account)]));
    let _ = writeln!(
        md,
        "{}\n",
        say(
            "report-intro",
            &[
                ("at", &live.checked_at),
                ("principal", &cell(&facts.identity.arn)),
                ("version", env!("CARGO_PKG_VERSION"))
            ]
        )
    );
    if let Some(org) = facts.managed_org() {
        let audit = facts.audit.as_ref().map_or("-", |a| a.id.as_str());
        let logs = facts.log_archive.as_ref().map_or("-", |a| a.id.as_str());
        let _ = writeln!(
            md,
            "{}\n",
            say(
                "report-org",
                &[("org", &org.id), ("audit", audit), ("log_archive", logs), ("regions", &facts.regions_shown())]
            )
        );
    }
    let done = live.results.iter().filter(|r| r.status.is_settled()).count();
    let _ = writeln!(
        md,
        "## {}\n",
        say("report-summary", &[("done", &done.to_string()), ("total", &live.results.len().to_string())])
    );
    let _ = writeln!(md, "| # | Step | Status | Summary |\n|---|---|---|---|");
    for (n, r) in live.results.iter().enumerate() {
        let _ = writeln!(md, "| {} | {} | {} | {} |", n + 1, cell(&r.title), status(r.status), cell(&r.summary));
    }
    let left: Vec<&StepResult> = live.results.iter().filter(|r| !r.status.is_settled()).collect();
    let _ = writeln!(md, "\n## {}\n", say("report-left", &[]));
    if left.is_empty() {
        let _ = writeln!(md, "{}", say("report-nothing-left", &[]));
    }
    for r in left {
        let _ = writeln!(md, "- **{}** ({}): {}", cell(&r.title), r.status.as_str(), cell(&r.summary));
    }
    let _ = writeln!(md, "\n## {}\n", say("report-details", &[]));
    for r in &live.results {
        details(&mut md, r, log);
    }
    let _ = writeln!(md, "## {}\n", say("report-history", &[]));
    if log.is_empty() {
        let _ = writeln!(md, "{}", say("report-no-changes", &[]));
    } else {
        let _ = writeln!(md, "| When (UTC) | Who | Account | Region | Change | Result |\n|---|---|---|---|---|---|");
        for e in log {
            let region = e.region.as_deref().unwrap_or("global");
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                e.time,
                cell(&e.principal),
                e.account,
                region,
                e.operation,
                e.result
            );
        }
    }
    md
}

fn details(md: &mut String, r: &StepResult, log: &[Entry]) {
    let step = catalog::step(r.id);
    let _ = writeln!(md, "### {} ({})\n", cell(&r.title), status(r.status));
    let _ = writeln!(md, "{}\n", step.why.trim().replace('\n', " "));
    for f in &r.findings {
        let place = f.region.as_ref().map_or_else(|| f.account.clone(), |reg| format!("{} {reg}", f.account));
        let _ = writeln!(md, "- {} · {}: {}", f.status.as_str(), place, cell(&f.detail));
    }
    let changes: Vec<&Entry> = log.iter().filter(|e| e.step == Some(r.id) && e.result == "ok").collect();
    if let Some(last) = changes.last() {
        let _ = writeln!(
            md,
            "\n{}",
            say(
                "report-step-changes",
                &[("count", &changes.len().to_string()), ("last", &last.time), ("who", &cell(&last.principal))]
            )
        );
    }
    let _ = writeln!(md);
}

fn status(s: Status) -> &'static str {
    s.as_str()
}

/// Table-safe, terminal-safe text: no control characters, no pipes that would break a row.
fn cell(text: &str) -> String {
    crate::output::inert(text).replace('|', "\\|").replace('\n', " ")
}
