//! The action log: JSON lines appended to `<account>.actions.jsonl` beside the record. Before each AWS
//! call that changes something, its intent (`started`) is written and flushed; after it, the outcome
//! (`ok`, `error`, or `in-progress` for an operation AWS accepted and this run stopped waiting for)
//! with the same `id`. An intent with no outcome is a call a killed or crashed run
//! may or may not have made: it is shown as `interrupted`, and the next check says what happened.
//! Parameters are the ones shown in the plan: never a credential or a secret.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::catalog::say;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub time: String,
    /// The lab step the change belongs to.
    #[serde(default)]
    pub step: Option<crate::catalog::StepId>,
    pub principal: String,
    pub account: String,
    pub region: Option<String>,
    pub operation: String,
    pub parameters: serde_json::Map<String, serde_json::Value>,
    /// `started` (the intent, written before the call), `ok`, `error` or `in-progress` (the outcome,
    /// after it);
    /// `interrupted` only in what [`read_all`] returns: an intent that never got an outcome.
    pub result: String,
    /// Pairs an intent with its outcome (absent in logs written before intents existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The log file of the account whose principal acts (the management account).
pub fn path(dir: &Path, account: &str) -> PathBuf {
    dir.join(format!("{account}.actions.jsonl"))
}

pub const STARTED: &str = "started";
pub const INTERRUPTED: &str = "interrupted";

/// A new id for an intent, unique across processes writing the same log.
pub fn new_id(n: usize) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{}-{nanos}-{n}", std::process::id())
}

/// Appends one entry as one whole line (a single append write, so lines of concurrent processes
/// never interleave) and flushes it to disk before the AWS call it announces or follows.
pub fn append(dir: &Path, account: &str, entry: &Entry) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path(dir, account))?;
    let mut line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
    line.push('\n');
    file.write_all(line.as_bytes())?;
    file.sync_data()
}

/// Every change in every account's log in `dir`, oldest first: outcomes, plus intents that never
/// got one (as `interrupted`). Unreadable lines are skipped.
pub fn read_all(dir: &Path) -> Vec<Entry> {
    let raw = read_raw(dir);
    let ended: std::collections::HashSet<&str> =
        raw.iter().filter(|e| e.result != STARTED).filter_map(|e| e.id.as_deref()).collect();
    let interrupted: Vec<Entry> = raw
        .iter()
        .filter(|e| e.result == STARTED && !e.id.as_deref().is_some_and(|id| ended.contains(id)))
        .map(|e| Entry { result: INTERRUPTED.to_owned(), ..e.clone() })
        .collect();
    let mut all: Vec<Entry> = raw.into_iter().filter(|e| e.result != STARTED).chain(interrupted).collect();
    all.sort_by(|a, b| a.time.cmp(&b.time));
    all
}

/// Every line as written, intents included, oldest first.
fn read_raw(dir: &Path) -> Vec<Entry> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut all: Vec<Entry> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".actions.jsonl"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .flat_map(|text| text.lines().filter_map(|l| serde_json::from_str::<Entry>(l).ok()).collect::<Vec<_>>())
        .collect();
    all.sort_by(|a, b| a.time.cmp(&b.time));
    all
}

/// `groundwork log`: the entries as a table, or as JSON lines.
pub fn show(dir: &Path, json: bool) -> String {
    let entries = if json { read_raw(dir) } else { read_all(dir) };
    if entries.is_empty() {
        return say("log-empty", &[("dir", &dir.display().to_string())]) + "\n";
    }
    let mut out = String::new();
    for e in &entries {
        if json {
            out += &serde_json::to_string(e).unwrap_or_default();
        } else {
            let params: Vec<String> =
                e.parameters.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(&v.to_string()))).collect();
            out += &format!(
                "{}  {:<6} {} {} {}  {}{}",
                e.time,
                e.result,
                e.account,
                e.region.as_deref().unwrap_or("global"),
                e.operation,
                crate::output::inert(&params.join(" ")),
                e.error.as_deref().map(|x| format!("  ({})", crate::output::inert(x))).unwrap_or_default()
            );
            if e.result == INTERRUPTED {
                out += &format!("\n    {}", say("log-interrupted", &[]));
            }
        }
        out.push('\n');
    }
    out
}
