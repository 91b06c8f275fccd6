//! Performing a plan: each change in order, logged before the next, with events for whoever shows
//! progress (the terminal for `apply`, the wizard's screen) and for the record (long operations are
//! recorded the moment they exist, so a killed process can resume waiting).

use std::time::{Duration, Instant};

use crate::actionlog::{self, Entry};
use crate::aws::change::{self, Action, Outputs, controltower};
use crate::aws::{Aws, AwsError};
use crate::catalog::{StepId, say};
use crate::plans::Change;
use crate::record::{self, PendingOperation, Record};

/// What happens while changes run, for whoever shows it (the terminal here, or the wizard).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A change is about to be made.
    Doing {
        n: usize,
        total: usize,
        call: &'static str,
        account: String,
        region: String,
    },
    /// A long operation exists now: record it before anything else can go wrong.
    Started(PendingOperation),
    Waiting {
        operation: String,
    },
    /// Waiting for a baseline operation registering an OU.
    WaitingBaseline {
        operation: String,
        ou: String,
    },
    WaitStatus {
        status: String,
        minutes: u64,
    },
    /// The long operation ended (either way): it is no longer pending.
    Ended {
        operation: String,
    },
    /// A call waits for AWS's rate limit (our pacing, or AWS throttled it) this long.
    RateWait {
        call: &'static str,
        seconds: u64,
    },
}

impl Event {
    /// The line a person reads for it.
    pub fn line(&self) -> Option<String> {
        match self {
            Event::Doing { n, total, call, account, region } => Some(say(
                "apply-doing",
                &[
                    ("n", &n.to_string()),
                    ("total", &total.to_string()),
                    ("call", call),
                    ("account", account),
                    ("region", region),
                ],
            )),
            Event::Waiting { operation } => Some(say("apply-waiting", &[("operation", operation)])),
            Event::WaitingBaseline { operation, ou } => {
                Some(say("apply-waiting-baseline", &[("operation", operation), ("ou", ou)]))
            }
            Event::WaitStatus { status, minutes } => Some(format!(
                "  {}",
                say("apply-wait-status", &[("status", status), ("minutes", &minutes.to_string())])
            )),
            Event::RateWait { call, seconds } => {
                Some(format!("  {}", say("progress-waiting", &[("action", call), ("seconds", &seconds.to_string())])))
            }
            Event::Started(_) | Event::Ended { .. } => None,
        }
    }
}

/// Who acts, and where their changes are logged.
pub struct Actor<'a> {
    pub aws: &'a Aws,
    pub principal: &'a str,
    pub log_dir: &'a std::path::Path,
    /// The account whose action log is written (the caller's).
    pub log_account: &'a str,
}

/// Runs `work`, turning each rate-limit wait of a second or more it meets into a progress event.
async fn saying_waits<T>(
    aws: &Aws,
    on: &mut (dyn FnMut(Event) + Send),
    work: impl std::future::Future<Output = T>,
) -> T {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    aws.watch_waits(tx);
    tokio::pin!(work);
    loop {
        tokio::select! {
            done = &mut work => return done,
            Some((call, d)) = rx.recv() => on(Event::RateWait { call, seconds: d.as_secs_f64().ceil() as u64 }),
        }
    }
}

/// Performs the plan's changes in order, logging each; stops at the first failure.
pub async fn run_changes(
    actor: &Actor<'_>,
    id: StepId,
    changes: &[Change],
    on: &mut (dyn FnMut(Event) + Send),
) -> Result<(), AwsError> {
    let mut outputs = Outputs::new();
    let total = changes.len();
    for (n, c) in changes.iter().enumerate() {
        if let Action::WaitForLandingZone { operation } = &c.action {
            let op = match operation {
                change::Ref::Known(v) => v.clone(),
                change::Ref::Output(k) => outputs.get(k).cloned().unwrap_or_default(),
            };
            wait_for_landing_zone(actor.aws, c, &op, on).await?;
            continue;
        }
        if let Action::WaitForBaseline { operation, .. } = &c.action {
            let op = match operation {
                change::Ref::Known(v) => v.clone(),
                change::Ref::Output(k) => outputs.get(k).cloned().unwrap_or_default(),
            };
            wait_for_baseline(actor.aws, c, &op, on).await?;
            continue;
        }
        let region = if c.global { "global".to_owned() } else { c.at.region.clone() };
        on(Event::Doing { n: n + 1, total, call: c.action.call(), account: c.at.account.clone(), region });
        if !c.action.is_change() {
            // A wait for what an earlier run started: it changes nothing, so nothing is logged.
            saying_waits(actor.aws, on, change::perform(actor.aws, &c.at, &c.action, &mut outputs)).await?;
            continue;
        }
        // Log, then act: no call without its intent on disk.
        let entry = intent(actor, id, c, n);
        actionlog::append(actor.log_dir, actor.log_account, &entry).map_err(|e| unlogged(c, &e))?;
        let result = saying_waits(actor.aws, on, change::perform(actor.aws, &c.at, &c.action, &mut outputs)).await;
        outcome(actor, entry, result.as_ref().err());
        result?;
        let key = match c.action {
            Action::CreateLandingZone { .. } | Action::ResetLandingZone { .. } => Some(controltower::OPERATION),
            Action::EnableBaseline { .. } | Action::ResetEnabledBaseline { .. } => {
                Some(controltower::BASELINE_OPERATION)
            }
            _ => None,
        };
        if let Some(op) = key.and_then(|k| outputs.get(k)) {
            on(Event::Started(PendingOperation {
                step: id,
                operation: c.action.call().to_owned(),
                id: op.clone(),
                account: c.at.account.clone(),
                region: Some(c.at.region.clone()),
                started_at: record::now(),
            }));
        }
    }
    Ok(())
}

/// How long one run waits for a landing zone operation. AWS documents 30 to 60 minutes for a
/// setup or an update; past this the outcome is "still in progress", never success or failure.
pub const LANDING_ZONE_LIMIT: Duration = Duration::from_mins(90);

/// Polls a landing zone operation until it ends or the limit passes, reporting progress; Ctrl-C
/// or the limit leaves it recorded as pending.
async fn wait_for_landing_zone(
    aws: &Aws,
    c: &Change,
    op: &str,
    on: &mut (dyn FnMut(Event) + Send),
) -> Result<(), AwsError> {
    let start = Instant::now();
    let limit = aws.wait_limit(LANDING_ZONE_LIMIT);
    on(Event::Waiting { operation: op.to_owned() });
    loop {
        let (status, message) = controltower::operation(aws, &c.at, op).await?;
        on(Event::WaitStatus { status: status.clone(), minutes: start.elapsed().as_secs() / 60 });
        if status == "IN_PROGRESS" && start.elapsed() >= limit {
            // Still recorded as pending: the next apply or the wizard resumes waiting for it.
            return Err(crate::aws::still_in_progress("controltower:GetLandingZoneOperation", &c.at, limit));
        }
        if let Some(ended) = ended(&status, message, c) {
            on(Event::Ended { operation: op.to_owned() });
            return ended;
        }
        tokio::time::sleep(aws.poll_interval()).await;
    }
}

/// How long one run waits for a baseline operation (registering an OU deploys stack sets into
/// each of its accounts). Past this the outcome is "still in progress", never success.
pub const BASELINE_LIMIT: Duration = Duration::from_hours(1);

/// Polls a baseline operation until it succeeds, fails, or the limit passes. Only `SUCCEEDED` is
/// success: `FAILED` and any status groundwork does not know end the wait as an error.
async fn wait_for_baseline(
    aws: &Aws,
    c: &Change,
    op: &str,
    on: &mut (dyn FnMut(Event) + Send),
) -> Result<(), AwsError> {
    const ACTION: &str = "controltower:GetBaselineOperation";
    let start = Instant::now();
    let limit = aws.wait_limit(BASELINE_LIMIT);
    let ou = match &c.action {
        Action::WaitForBaseline { ou, .. } => ou.clone(),
        _ => String::new(),
    };
    on(Event::WaitingBaseline { operation: op.to_owned(), ou });
    loop {
        let (status, message) = controltower::baseline_operation(aws, &c.at, op).await?;
        on(Event::WaitStatus { status: status.clone(), minutes: start.elapsed().as_secs() / 60 });
        match status.as_str() {
            "IN_PROGRESS" if start.elapsed() >= limit => {
                return Err(crate::aws::still_in_progress(ACTION, &c.at, limit));
            }
            "IN_PROGRESS" => tokio::time::sleep(aws.poll_interval()).await,
            "SUCCEEDED" => {
                on(Event::Ended { operation: op.to_owned() });
                return Ok(());
            }
            other => {
                on(Event::Ended { operation: op.to_owned() });
                return Err(AwsError {
                    request_id: None,
                    kind: crate::aws::ErrorKind::Other,
                    action: ACTION,
                    account: c.at.account.clone(),
                    region: Some(c.at.region.clone()),
                    code: Some(other.to_owned()),
                    message: message.unwrap_or_else(|| say("baseline-operation-ended", &[("status", other)])),
                });
            }
        }
    }
}

/// How a landing zone operation in `status` ended: `None` while it is `IN_PROGRESS`. AWS documents
/// `SUCCEEDED`, `FAILED` and `IN_PROGRESS` (`LandingZoneOperationDetail`); only `SUCCEEDED` is
/// success, and any other value stops the wait with what AWS said, never as success.
fn ended(status: &str, message: Option<String>, c: &Change) -> Option<Result<(), AwsError>> {
    let failed = |code: &str, message: String| AwsError {
        request_id: None,
        kind: crate::aws::ErrorKind::Other,
        action: "controltower:GetLandingZoneOperation",
        account: c.at.account.clone(),
        region: Some(c.at.region.clone()),
        code: Some(code.to_owned()),
        message,
    };
    match status {
        "IN_PROGRESS" => None,
        "SUCCEEDED" => Some(Ok(())),
        "FAILED" => Some(Err(failed("FAILED", message.unwrap_or_default()))),
        other => {
            let said =
                say("apply-operation-unexpected", &[("status", other), ("message", &message.unwrap_or_default())]);
            Some(Err(failed(other, said)))
        }
    }
}

/// What is about to be called, written before the call.
fn intent(actor: &Actor<'_>, id: StepId, c: &Change, n: usize) -> Entry {
    Entry {
        time: record::now(),
        step: Some(id),
        principal: actor.principal.to_owned(),
        account: c.at.account.clone(),
        region: (!c.global).then(|| c.at.region.clone()),
        operation: c.action.call().to_owned(),
        parameters: c.action.params().into_iter().map(|(k, v)| (k.to_owned(), v.into())).collect(),
        result: actionlog::STARTED.to_owned(),
        id: Some(actionlog::new_id(n)),
        error: None,
    }
}

/// How the call ended. The call has happened, so a failure to write this only warns: the intent
/// is already on disk, and `groundwork log` shows it as interrupted. A call AWS accepted whose
/// operation had not finished when this run stopped waiting is `in-progress`, neither ok nor error.
fn outcome(actor: &Actor<'_>, intent: Entry, err: Option<&AwsError>) {
    let result = match err {
        None => "ok",
        Some(e) if e.kind == crate::aws::ErrorKind::InProgress => "in-progress",
        Some(_) => "error",
    };
    let entry = Entry { time: record::now(), result: result.to_owned(), error: err.map(AwsError::explain), ..intent };
    if let Err(e) = actionlog::append(actor.log_dir, actor.log_account, &entry) {
        eprintln!("groundwork: {}", say("log-write-failed", &[("error", &e.to_string())]));
    }
}

/// The intent could not be written: the change is not made.
fn unlogged(c: &Change, e: &std::io::Error) -> AwsError {
    AwsError {
        request_id: None,
        kind: crate::aws::ErrorKind::Other,
        action: c.action.call(),
        account: c.at.account.clone(),
        region: (!c.global).then(|| c.at.region.clone()),
        code: Some("not attempted".to_owned()),
        message: say("log-intent-failed", &[("error", &e.to_string())]),
    }
}

/// Applies a pending-operation event to the record, so it is saved the moment it happens.
pub fn note(rec: &mut Record, event: &Event) -> bool {
    match event {
        Event::Started(op) => {
            rec.pending.retain(|p| p.step != op.step);
            rec.pending.push(op.clone());
            true
        }
        Event::Ended { operation } => {
            let before = rec.pending.len();
            rec.pending.retain(|p| &p.id != operation);
            rec.pending.len() != before
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::At;

    #[test]
    fn a_rate_wait_reads_as_a_progress_line() {
        let line = Event::RateWait { call: "organizations:ListAccounts", seconds: 3 }.line().unwrap_or_default();
        assert!(line.contains("waiting for AWS's rate limit on organizations:ListAccounts (3 s)"), "{line}");
        assert!(!note(&mut Record::default(), &Event::RateWait { call: "x:Y", seconds: 1 }), "not for the record");
    }

    /// Only SUCCEEDED ends the wait as success; an unexpected status stops it with what AWS said.
    #[test]
    fn only_succeeded_is_success() {
        let c = Change {
            at: At::new("111111111111", "us-east-1"),
            global: false,
            action: Action::WaitForLandingZone { operation: change::Ref::Known("op".into()) },
        };
        assert!(ended("IN_PROGRESS", None, &c).is_none());
        assert!(matches!(ended("SUCCEEDED", None, &c), Some(Ok(()))));
        let failed = ended("FAILED", Some("no role".into()), &c).and_then(Result::err).expect("FAILED is an error");
        assert_eq!(failed.message, "no role");
        for odd in ["UNKNOWN", "STOPPED", ""] {
            let e = ended(odd, Some("what AWS said".into()), &c).and_then(Result::err);
            let e = e.unwrap_or_else(|| panic!("{odd:?} must stop the wait as a failure"));
            assert!(e.message.contains("what AWS said") && e.message.contains(odd), "{e:?}");
        }
    }
}
