//! The local record: one versioned JSON file per AWS account holding what groundwork last saw and
//! what the person chose. Written atomically (temp file, fsync, rename) with mode 0600. It remembers
//! intent and history only; live AWS state is always the truth. It never holds a credential.
//! Every change goes through [`Store::change`]: under a lock, re-read, change, write. So processes
//! that run at once merge per step, per answer and per pending operation instead of overwriting.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::catalog::{self, StepId};
use crate::verdict::StepResult;

/// Bumped on any change a previous version could not read.
pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub schema: u32,
    pub account: String,
    /// The principal of the last check (an ARN: not a secret).
    #[serde(default)]
    pub principal: Option<String>,
    /// The last live result of each step, with when it was seen.
    #[serde(default)]
    pub steps: BTreeMap<StepId, Seen>,
    /// Answers the person gave (`step.key` → value), reused as defaults next time.
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
    /// Steps the person chose to skip, with their reason.
    #[serde(default)]
    pub skips: BTreeMap<StepId, Skip>,
    /// Long-running AWS operations started and not yet seen to finish.
    #[serde(default)]
    pub pending: Vec<PendingOperation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seen {
    pub checked_at: String,
    pub result: StepResult,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skip {
    pub reason: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingOperation {
    pub step: StepId,
    /// The AWS operation that started it, e.g. `controltower:CreateLandingZone`.
    pub operation: String,
    /// The id to poll with.
    pub id: String,
    pub account: String,
    pub region: Option<String>,
    pub started_at: String,
}

impl Record {
    pub fn new(account: &str) -> Record {
        Record { schema: SCHEMA, account: account.to_owned(), ..Record::default() }
    }

    /// Keeps a step's live result unless the record already holds a later one (a slower check
    /// that started earlier must not replace what a quicker one saw after it).
    pub fn see(&mut self, seen: Seen) {
        let id = seen.result.id;
        if self.steps.get(&id).is_none_or(|old| old.checked_at <= seen.checked_at) {
            self.steps.insert(id, seen);
        }
    }

    /// Presents skipped steps as `skipped`, the summary keeping the live verdict. The record itself
    /// keeps live results only, whoever wrote them.
    pub fn show_skips(&self, results: &mut [StepResult]) {
        for r in results.iter_mut() {
            if let Some(skip) = self.skips.get(&r.id) {
                r.summary = catalog::say("skipped-summary", &[("reason", &skip.reason), ("live", r.status.as_str())]);
                r.status = crate::verdict::Status::Skipped;
            }
        }
    }
}

/// A record as loaded, with a warning when the file on disk had to be set aside.
#[derive(Debug)]
pub struct Loaded {
    pub record: Record,
    pub warning: Option<String>,
}

/// The directory holding the records.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Io(String),
    #[error("{0:?} is not an AWS account id")]
    BadAccount(String),
    #[error("{0}")]
    Busy(String),
}

fn io(path: &Path, e: &std::io::Error) -> StoreError {
    StoreError::Io(catalog::say("record-io", &[("path", &path.display().to_string()), ("error", &e.to_string())]))
}

impl Store {
    /// The given directory, or the platform's data directory for groundwork.
    pub fn open(dir: Option<PathBuf>) -> Result<Store, StoreError> {
        let dir = match dir {
            Some(d) => d,
            None => directories::ProjectDirs::from("", "", "groundwork")
                .map(|p| p.data_dir().to_path_buf())
                .ok_or_else(|| StoreError::Io(catalog::say("record-no-home", &[])))?,
        };
        Ok(Store { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, account: &str) -> Result<PathBuf, StoreError> {
        // The account id becomes a file name: accept only what AWS issues.
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(StoreError::BadAccount(account.to_owned()));
        }
        Ok(self.dir.join(format!("{account}.json")))
    }

    /// Loads an account's record; a missing file is a fresh record. A file that is corrupt or from
    /// an unknown schema is renamed aside (never deleted) and a fresh record returned with a warning.
    pub fn load(&self, account: &str) -> Result<Loaded, StoreError> {
        let path = self.path(account)?;
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Loaded { record: Record::new(account), warning: None });
            }
            Err(e) => return Err(io(&path, &e)),
        };
        let problem = match serde_json::from_str::<serde_json::Value>(&text) {
            Err(e) => e.to_string(),
            Ok(v) => match v.get("schema").and_then(serde_json::Value::as_u64) {
                Some(n) if n == u64::from(SCHEMA) => match serde_json::from_value::<Record>(v) {
                    Ok(record) if record.account == account => return Ok(Loaded { record, warning: None }),
                    Ok(record) => format!("it belongs to account {}", record.account),
                    Err(e) => e.to_string(),
                },
                Some(n) => format!("schema version {n}, this groundwork reads {SCHEMA}"),
                None => "no schema version".to_owned(),
            },
        };
        let aside = path.with_extension(format!("json.unreadable-{}", now_compact()));
        fs::rename(&path, &aside).map_err(|e| io(&path, &e))?;
        let warning = catalog::say(
            "record-set-aside",
            &[("path", &path.display().to_string()), ("aside", &aside.display().to_string()), ("problem", &problem)],
        );
        Ok(Loaded { record: Record::new(account), warning: Some(warning) })
    }

    /// Writes the record atomically: a reader sees the old file or the new one, never a mix.
    /// It replaces the whole file: outside [`Store::change`] only for a record no one else writes.
    pub fn save(&self, record: &Record) -> Result<(), StoreError> {
        let path = self.path(&record.account)?;
        create_private_dir(&self.dir).map_err(|e| io(&self.dir, &e))?;
        let tmp = self.dir.join(format!(".{}.json.tmp-{}", record.account, std::process::id()));
        let body = serde_json::to_vec_pretty(record).map_err(|e| StoreError::Io(e.to_string()))?;
        let write = || -> std::io::Result<()> {
            let mut file = private_file(&tmp)?;
            file.write_all(&body)?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            fs::rename(&tmp, &path)?;
            // Make the rename itself durable.
            File::open(&self.dir)?.sync_all()
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io(&path, &e)
        })
    }

    /// Changes an account's record safely while other processes may change it too: takes the
    /// account's lock, re-reads the record from disk, applies `f`, writes it, and leaves the merged
    /// result in `rec`. When the record can't be written, `f` still applies to `rec` (this run
    /// goes on with it) and the error says why nothing was kept.
    pub fn change(&self, rec: &mut Record, f: impl Fn(&mut Record)) -> Result<(), StoreError> {
        let merged = self.change_on_disk(&rec.account, &f);
        match merged {
            Ok(fresh) => {
                *rec = fresh;
                Ok(())
            }
            Err(e) => {
                f(rec);
                Err(e)
            }
        }
    }

    fn change_on_disk(&self, account: &str, f: &impl Fn(&mut Record)) -> Result<Record, StoreError> {
        let lock_path = self.path(account)?.with_extension("lock");
        create_private_dir(&self.dir).map_err(|e| io(&self.dir, &e))?;
        let _held = crate::lock::acquire(&lock_path, crate::lock::WAIT).map_err(|e| match e {
            crate::lock::LockError::Io(e) => io(&lock_path, &e),
            crate::lock::LockError::Busy(pid) => StoreError::Busy(catalog::say(
                "record-busy",
                &[
                    ("path", &lock_path.display().to_string()),
                    ("pid", &pid.map_or_else(|| "?".to_owned(), |p| p.to_string())),
                ],
            )),
        })?;
        let loaded = self.load(account)?;
        if let Some(w) = loaded.warning {
            eprintln!("groundwork: {w}");
        }
        let mut fresh = loaded.record;
        f(&mut fresh);
        self.save(&fresh)?;
        Ok(fresh)
    }

    /// Every readable record in the directory (for `status`), newest check first.
    pub fn all(&self) -> Result<Vec<Loaded>, StoreError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&self.dir, &e)),
        };
        let mut accounts: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(".json").map(str::to_owned))
            .filter(|a| self.path(a).is_ok())
            .collect();
        accounts.sort();
        accounts.iter().map(|a| self.load(a)).collect()
    }
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().write(true).create(true).truncate(true).open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

/// The current time as RFC 3339 in UTC, to the second.
pub fn now() -> String {
    use aws_smithy_types::date_time::{DateTime, Format};
    let secs = DateTime::from(std::time::SystemTime::now()).secs();
    DateTime::from_secs(secs).fmt(Format::DateTime).unwrap_or_default()
}

/// Seconds since an RFC 3339 time, if it parses.
pub fn age_secs(at: &str) -> Option<i64> {
    use aws_smithy_types::date_time::{DateTime, Format};
    let then = DateTime::from_str(at, Format::DateTime).ok()?;
    Some(DateTime::from(std::time::SystemTime::now()).secs() - then.secs())
}

fn now_compact() -> String {
    now().replace([':', '-'], "")
}
