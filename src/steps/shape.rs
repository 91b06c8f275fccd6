//! What every step works with and returns: its planning context, its plan, the person's answers.
//! They live here, below `checks` and `plans` (which dispatch to the steps), so the dependency runs
//! one way: from the commands down to the steps, never back.

use std::collections::BTreeMap;

use crate::aws::change::Action;
use crate::aws::{At, Aws, AwsError};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::inputs::{Ask, InputError};
use crate::record::Record;

/// The person's answers (`step.key` to value, as the record remembers them): a check judges with
/// the same choices the plan was made with, such as the alert severity.
pub type Answers = BTreeMap<String, String>;

/// One change: where, and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub at: At,
    /// Global services (IAM, Organizations, Account) have no Region worth showing.
    pub global: bool,
    pub action: Action,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// What only a person can do, step by step (shown with the step's console links).
    pub manual: bool,
    /// Why nothing may be changed: each says what was found and what the person can do.
    pub conflicts: Vec<String>,
    /// The inputs (their keys) whose answers caused a conflict: a different answer can clear it,
    /// so the wizard offers to change exactly these where the plan stopped.
    pub conflicting_answers: Vec<String>,
    /// Facts worth knowing: what is already in place, what is deferred, what costs money.
    pub notes: Vec<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.iter().all(|c| !c.action.is_change()) && self.conflicts.is_empty() && !self.manual
    }
}

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{}", .0.explain())]
    Aws(#[from] AwsError),
    #[error("{0}")]
    Input(#[from] InputError),
    /// The account model could not establish what the step acts on (its Regions, its account).
    #[error("{0}")]
    Undetermined(String),
}

/// What a step's planner works with.
pub struct Ctx<'a> {
    pub aws: &'a Aws,
    pub facts: &'a Facts,
    pub ask: &'a mut dyn Ask,
    pub record: &'a Record,
    pub step: &'static Step,
}

impl Ctx<'_> {
    /// The caller's account in a Region.
    pub fn me(&self, region: &str) -> At {
        At::new(&self.facts.identity.account, region)
    }

    pub fn say(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.step.say(key, args)
    }
}
