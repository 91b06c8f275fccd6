//! `groundwork status`: the last recorded state of each account, without calling AWS.

use crate::catalog::say;
use crate::cli::{Global, StatusArgs};
use crate::exit::Exit;
use crate::output;
use crate::record::{self, Store};
use crate::verdict::StepResult;

pub fn run(global: &Global, args: &StatusArgs) -> Exit {
    let store = match Store::open(global.state_dir.clone()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("groundwork: {e}");
            return Exit::Failed;
        }
    };
    let loaded = match &args.account {
        Some(account) => store.load(account).map(|l| vec![l]),
        None => store.all(),
    };
    let loaded = match loaded {
        Ok(l) => l,
        Err(e) => {
            eprintln!("groundwork: {e}");
            return Exit::Failed;
        }
    };
    let mut out = String::new();
    for l in &loaded {
        if let Some(w) = &l.warning {
            eprintln!("groundwork: {w}");
        }
        let rec = &l.record;
        let Some(oldest) = rec.steps.values().map(|s| s.checked_at.as_str()).min() else {
            continue;
        };
        let age = record::age_secs(oldest).map_or_else(|| "?".to_owned(), human_age);
        out += &say("status-header", &[("account", &rec.account), ("at", oldest), ("age", &age)]);
        out += "\n";
        let mut results: Vec<StepResult> = rec.steps.values().map(|s| s.result.clone()).collect();
        rec.show_skips(&mut results);
        out += &output::table(&results, false, &std::collections::HashMap::new());
        out += "\n";
    }
    if out.is_empty() {
        println!("{}", say("status-empty", &[("dir", &store.dir().display().to_string())]));
    } else {
        print!("{out}");
    }
    Exit::Settled
}

fn human_age(secs: i64) -> String {
    match secs {
        s if s < 120 => say("age-seconds", &[("n", &s.max(0).to_string())]),
        s if s < 7200 => say("age-minutes", &[("n", &(s / 60).to_string())]),
        s if s < 172_800 => say("age-hours", &[("n", &(s / 3600).to_string())]),
        s => say("age-days", &[("n", &(s / 86_400).to_string())]),
    }
}
