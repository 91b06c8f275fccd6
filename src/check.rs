//! `groundwork check`: a live, read-only re-check of every step, printed for people or as JSON,
//! and remembered in the local record.

use crate::exit::Exit;
use std::io::Write;

use crate::aws::Aws;
use crate::catalog::{StepId, say};
use crate::cli::{CheckArgs, Global};
use crate::output::{self, Report};
use crate::record::{self, Record, Seen, Store};
use crate::verdict::StepResult;
use crate::{checks, facts, session};

/// A live check, recorded: what `check` and `report` print.
pub struct Live {
    pub aws: Aws,
    pub facts: facts::Facts,
    pub results: Vec<StepResult>,
    pub checked_at: String,
    pub store: Store,
}

/// Checks the given steps live and records the results; on failure, the message and exit code 2.
pub async fn live(global: &Global, concurrency: u16, steps: &[StepId]) -> Result<Live, String> {
    let session::Session { aws, facts, store, record, record_error } = session::open(global, concurrency).await?;
    if let Some(e) = record_error {
        // A check can still be made; only the remembered answers (the alert severity) are missing.
        eprintln!("groundwork: {e}");
    }
    let account = facts.identity.account.clone();
    let remembered = record.inputs;
    // Judged with the person's remembered answers (the alert severity), as the plan was made.
    let mut results = checks::run_with(&aws, &facts, &remembered, steps).await;
    let checked_at = record::now();

    let mut rec = Record::new(&account);
    let principal = facts.identity.arn.clone();
    if let Err(e) = store.change(&mut rec, |r| remember(r, &principal, &checked_at, &results)) {
        eprintln!("groundwork: {e}");
    }
    rec.show_skips(&mut results);
    Ok(Live { aws, facts, results, checked_at, store })
}

pub async fn run(global: &Global, args: &CheckArgs) -> Exit {
    let steps: Vec<StepId> = args.step.map_or_else(|| StepId::ALL.to_vec(), |s| vec![s]);
    let live = match live(global, args.concurrency, &steps).await {
        Ok(l) => l,
        Err(message) => return fail(&message),
    };
    let (facts, results) = (&live.facts, &live.results);
    if args.json && facts.identity.is_root() {
        // The table shows this in its header; scripts get it on stderr.
        eprintln!("groundwork: {}", say("warning-root", &[]));
    }
    let text = if args.json {
        let report = Report {
            schema: 1,
            account: &facts.identity.account,
            principal: &facts.identity.arn,
            checked_at: &live.checked_at,
            steps: results,
        };
        output::json(&report)
    } else {
        format!(
            "{}\n{}",
            output::header(facts, live.aws.region(), live.aws.profile()),
            output::table(results, global.verbose, &output::account_names(facts))
        )
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = writeln!(stdout, "{text}");
    Exit::settled_if(results.iter().all(|r| r.status.is_settled()))
}

/// A step the person chose to skip is reported as skipped; its live findings stay visible.
/// Keeps the live results (skips are kept apart, so the record holds what AWS showed).
fn remember(rec: &mut Record, principal: &str, checked_at: &str, results: &[StepResult]) {
    rec.principal = Some(principal.to_owned());
    for r in results {
        rec.see(Seen { checked_at: checked_at.to_owned(), result: r.clone() });
    }
}

/// Nothing could be checked: say why and what to do, exit 2.
fn fail(message: &str) -> Exit {
    eprintln!("groundwork: {message}");
    Exit::Failed
}
