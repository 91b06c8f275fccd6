//! `groundwork plan` and `groundwork apply`: show exactly what would change, ask, perform only that,
//! log every change, then re-check. A step is recorded done only when the live re-check says so.

use crate::exit::Exit;
use std::io::{BufRead, IsTerminal, Write};

use crate::catalog::{StepId, say};
use crate::cli::{ApplyArgs, Global, PlanArgs};
use crate::inputs::{self, InputError, Placeholders, Prompter};
use crate::perform::{Actor, Event, note, run_changes};
use crate::plans::{self, Change, PlanError};
use crate::record::{self, Record, Store};
use crate::session::{self, Session};
use crate::verdict::Status;
use crate::{checks, facts};

/// The command's session; plan and apply need the record (answers, pending operations) intact.
async fn open(global: &Global) -> Result<Session, String> {
    let s = session::open(global, 8).await?;
    match &s.record_error {
        Some(e) => Err(e.clone()),
        None => Ok(s),
    }
}

/// `groundwork plan [STEP]`: every step's plan (or one), nothing changed, nothing asked.
pub async fn plan(global: &Global, args: &PlanArgs) -> Exit {
    let sets = match inputs::parse_sets(&args.set) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let s = match open(global).await {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let steps = args.step.map_or_else(|| StepId::ALL.to_vec(), |id| vec![id]);
    print!("{}", crate::output::header(&s.facts, s.aws.region(), s.aws.profile()));
    for id in steps {
        let mut ask = Placeholders { answers: answers(&s.record, &sets), ..Placeholders::default() };
        match plans::plan(&s.aws, &s.facts, &mut ask, &s.record, id).await {
            Ok(p) => {
                println!("\n{}", plans::render(id, &p, &s.facts));
                for key in ask.missing {
                    println!("  {}", say("plan-needs-input", &[("key", &key)]));
                }
            }
            Err(e) => println!(
                "\n{}\n  {}",
                say("plan-title", &[("title", &crate::catalog::step(id).title), ("id", id.as_str())]),
                e
            ),
        }
    }
    Exit::Settled
}

/// `groundwork apply STEP`.
pub async fn apply(global: &Global, args: &ApplyArgs) -> Exit {
    let sets = match inputs::parse_sets(&args.set) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let mut s = match open(global).await {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let id = args.step;
    print!("{}", crate::output::header(&s.facts, s.aws.region(), s.aws.profile()));
    let mut ask = Prompter::new(answers(&s.record, &sets), args.yes);
    // Planned, shown and asked until the person says yes or no; "e" asks the questions again.
    let plan = loop {
        let plan = match plans::plan(&s.aws, &s.facts, &mut ask, &s.record, id).await {
            Ok(p) => p,
            Err(PlanError::Input(e @ (InputError::Missing(_) | InputError::Invalid(_)))) => {
                return fail(&e.to_string());
            }
            Err(e) => return fail(&say("apply-cannot-plan", &[("why", &e.to_string())])),
        };
        println!("\n{}", plans::render(id, &plan, &s.facts));
        if !plan.conflicts.is_empty() {
            eprintln!("groundwork: {}", say("apply-refused", &[]));
            return Exit::Left;
        }
        let count = plan.changes.iter().filter(|c| c.action.is_change()).count();
        if count == 0 {
            break plan;
        }
        match confirmed(args.yes, count, ask.interactive && !ask.asked.is_empty()) {
            Answer::Yes => break plan,
            Answer::No => {
                eprintln!("groundwork: {}", say("apply-cancelled", &[]));
                return Exit::Left;
            }
            Answer::Edit => {
                ask.reopen();
            }
        }
    };
    let changes: Vec<&Change> = plan.changes.iter().collect();
    change(&s.store, &mut s.record, |r| remember_inputs(r, &ask.answers, id));
    let changes: Vec<Change> = changes.into_iter().cloned().collect();
    let outcome = {
        let aws = s.aws.bound(&s.facts);
        let actor = Actor {
            aws: &aws,
            principal: &s.facts.identity.arn,
            log_dir: s.store.dir(),
            log_account: &s.facts.identity.account,
        };
        let (store, record) = (&s.store, &mut s.record);
        let mut on = |event: Event| {
            if let Some(line) = event.line() {
                println!("{line}");
            }
            if note(&mut record.clone(), &event) {
                change(store, record, |r| {
                    note(r, &event);
                });
            }
        };
        run_changes(&actor, id, &changes, &mut on).await
    };
    if let Err(e) = &outcome {
        let key = if e.kind == crate::aws::ErrorKind::InProgress { "apply-waiting-stopped" } else { "apply-failed" };
        eprintln!("groundwork: {}", say(key, &[("why", &e.explain_for(s.aws.profile()))]));
        if e.code.as_deref() == Some(crate::aws::change::organizations::EMAIL_ALREADY_EXISTS) {
            forget_taken_emails(&s.store, &mut s.record, &changes);
        }
    }
    recheck(&mut s, id).await
}

/// Re-reads the account and re-checks the step; only this decides what the record says.
async fn recheck(s: &mut Session, id: StepId) -> Exit {
    if let Ok(f) = facts::gather(&s.aws).await {
        s.facts = f;
    }
    let result = checks::check_with(&s.aws, &s.facts, &s.record.inputs, id).await;
    println!(
        "\n{}",
        say("apply-rechecked", &[("status", &crate::output::label(result.status)), ("summary", &result.summary)])
    );
    let seen = record::Seen { checked_at: record::now(), result: result.clone() };
    change(&s.store, &mut s.record, |r| r.see(seen.clone()));
    Exit::settled_if(result.status == Status::Done)
}

fn answers(
    rec: &Record,
    sets: &std::collections::BTreeMap<String, String>,
) -> std::collections::BTreeMap<String, String> {
    let mut all = rec.inputs.clone();
    all.extend(sets.clone());
    all
}

/// Keeps the answers this step used, as defaults for next time (they are not secrets), and a
/// confirmed guess of Audit or Log Archive whichever step asked it.
fn remember_inputs(rec: &mut Record, answers: &std::collections::BTreeMap<String, String>, id: StepId) {
    let prefix = format!("{id}.");
    let kept =
        |k: &String| (k.starts_with(&prefix) || plans::CONFIRM_KEYS.contains(&k.as_str())) && inputs::remembered(k);
    rec.inputs.extend(answers.iter().filter(|(k, _)| kept(k)).map(|(k, v)| (k.clone(), v.clone())));
}

/// An email AWS refused for a new account (another account has it) is forgotten, so the next run
/// asks for another instead of trying the same one again.
fn forget_taken_emails(store: &Store, rec: &mut Record, changes: &[Change]) {
    let refused: Vec<&str> = changes
        .iter()
        .filter_map(|c| match &c.action {
            crate::aws::change::Action::CreateAccount { email, .. } => Some(email.as_str()),
            _ => None,
        })
        .collect();
    change(store, rec, |r| r.inputs.retain(|k, v| !(k.ends_with("-email") && refused.contains(&v.as_str()))));
}

fn change(store: &Store, rec: &mut Record, f: impl Fn(&mut Record)) {
    if let Err(e) = store.change(rec, f) {
        eprintln!("groundwork: {e}");
    }
}

enum Answer {
    Yes,
    No,
    Edit,
}

/// Asks "Apply these changes? [y/N]" on a terminal (with `e` to change the answers when the step
/// asked any); without one, only `--yes` proceeds.
fn confirmed(yes: bool, count: usize, editable: bool) -> Answer {
    if yes {
        return Answer::Yes;
    }
    if !std::io::stdin().is_terminal() {
        eprintln!("groundwork: {}", say("apply-needs-yes", &[]));
        return Answer::No;
    }
    let key = match (count == 1, editable) {
        (true, true) => "apply-confirm-one-edit",
        (true, false) => "apply-confirm-one",
        (false, true) => "apply-confirm-edit",
        (false, false) => "apply-confirm",
    };
    eprint!("{} ", say(key, &[("count", &count.to_string())]));
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    match line.trim().to_lowercase().as_str() {
        "y" | "yes" => Answer::Yes,
        "e" | "edit" if editable => Answer::Edit,
        _ => Answer::No,
    }
}

fn fail(message: &str) -> Exit {
    eprintln!("groundwork: {message}");
    Exit::Failed
}
