//! Verdicts: what a check concluded about a step, per account and Region, and the one rule that
//! turns many findings into one status. Pure data; no I/O.

use serde::{Deserialize, Serialize};

use crate::catalog::StepId;

/// Where a step stands. `Unknown` means groundwork could not tell; it is never a soft "done".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Done,
    Partial,
    NotDone,
    Unknown,
    NotApplicable,
    Skipped,
}

impl Status {
    /// The word used in the JSON contract and in the human table.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Partial => "partial",
            Status::NotDone => "not-done",
            Status::Unknown => "unknown",
            Status::NotApplicable => "not-applicable",
            Status::Skipped => "skipped",
        }
    }

    /// Whether this status lets `check` exit 0.
    pub fn is_settled(self) -> bool {
        matches!(self, Status::Done | Status::Skipped | Status::NotApplicable)
    }
}

/// One thing a check saw, in one account and (for Regional services) one Region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub account: String,
    pub region: Option<String>,
    pub status: Status,
    pub detail: String,
}

impl Finding {
    pub fn new(account: &str, region: Option<&str>, status: Status, detail: String) -> Self {
        Finding { account: account.to_owned(), region: region.map(str::to_owned), status, detail }
    }
}

/// The outcome of checking one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepResult {
    pub id: StepId,
    pub title: String,
    pub status: Status,
    pub summary: String,
    pub findings: Vec<Finding>,
}

/// Combines the statuses of the parts of a step (accounts, Regions, sub-checks).
///
/// Any `Unknown` part makes the whole unknown unless another part already proves the step is not
/// done: "not done" is then still true, and more useful. All done is done; nothing done is not done;
/// anything else is partial. `NotApplicable` parts are ignored.
pub fn combine(parts: impl IntoIterator<Item = Status>) -> Status {
    let (mut done, mut partial, mut not_done, mut unknown) = (0, 0, 0, 0);
    for s in parts {
        match s {
            Status::NotApplicable | Status::Skipped => {}
            Status::Done => done += 1,
            Status::Partial => partial += 1,
            Status::NotDone => not_done += 1,
            Status::Unknown => unknown += 1,
        }
    }
    let any = done + partial + not_done + unknown;
    if any == 0 {
        Status::NotApplicable
    } else if done == any {
        Status::Done
    } else if done + partial == 0 && not_done > 0 {
        Status::NotDone
    } else if not_done + partial == 0 {
        // Some parts look good, the rest could not be read: never round that up to done.
        Status::Unknown
    } else {
        Status::Partial
    }
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::*;

    #[test]
    fn combine_follows_the_rules() {
        assert_eq!(combine([Done, Done]), Done);
        assert_eq!(combine([NotDone, NotDone]), NotDone);
        assert_eq!(combine([Done, NotDone]), Partial);
        assert_eq!(combine([Partial]), Partial);
        assert_eq!(combine([Done, Unknown]), Unknown);
        assert_eq!(combine([Unknown]), Unknown);
        assert_eq!(combine([NotDone, Unknown]), NotDone);
        assert_eq!(combine([Done, NotDone, Unknown]), Partial);
        assert_eq!(combine([Done, NotApplicable]), Done);
        assert_eq!(combine([]), NotApplicable);
    }

    #[test]
    fn statuses_serialise_as_the_contract_says() {
        let all = [Done, Partial, NotDone, Unknown, NotApplicable, Skipped];
        for s in all {
            assert_eq!(serde_json::to_value(s).ok(), Some(serde_json::json!(s.as_str())));
        }
    }
}
