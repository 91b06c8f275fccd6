//! The wizard's model: what is on screen and what each step is doing, the messages that change it
//! and the effects it asks for. Plain data; `update` in `mod.rs` is the only thing that changes it.

use crate::catalog::{self, StepId};
use crate::plans::Plan;
use crate::verdict::{Status, StepResult};

/// Who and where, shown at the top of every screen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Header {
    pub account: String,
    pub principal: String,
    pub profile: String,
    pub region: String,
    /// Organization, Audit, Log Archive and governed Regions, once known.
    pub organization: Option<String>,
    pub root: bool,
    /// The sandbox emulator's address, when this is the sandbox.
    pub sandbox: Option<String>,
}

/// A plan ready to confirm: its text as the CLI prints it, the plan itself to perform, and every
/// question the plan asked with the answer it used (offered again when the person edits them).
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub text: String,
    pub plan: Plan,
    pub asked: Vec<(String, Option<String>)>,
}

impl Proposal {
    pub fn changes(&self) -> usize {
        self.plan.changes.iter().filter(|c| c.action.is_change()).count()
    }
}

/// What the wizard is doing with a step right now.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Activity {
    #[default]
    Idle,
    Planning,
    /// A plan was shown (nothing to confirm, or a conflict stopped it).
    Planned(Proposal),
    Confirming(Proposal),
    /// Changes (or a long wait) in progress since this Unix time.
    Applying {
        since: i64,
    },
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct StepView {
    pub result: Option<StepResult>,
    /// The result came from a live check in this session (not only from the record).
    pub live: bool,
    pub checking: bool,
    /// Bumped for every check asked; a result for an older one is stale and dropped.
    pub generation: u64,
    pub skip: Option<String>,
    pub activity: Activity,
    /// What an apply printed, newest last.
    pub log: Vec<String>,
    /// When (Unix seconds) the live result came.
    pub checked_at: Option<i64>,
    /// Why the last re-check could not be made: the result shown is older, and marked so.
    pub stale: Option<String>,
    /// Changes an earlier run started for this step and never saw end (the action log's
    /// `interrupted`), newer than any change of the step that did end.
    pub interrupted: Vec<Interruption>,
}

/// A change whose intent is in the action log without an outcome: a killed or crashed run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interruption {
    /// The AWS call, as `service:Operation`.
    pub operation: String,
    pub account: String,
    /// `None` for a global call.
    pub region: Option<String>,
}

impl Interruption {
    /// Each step's interrupted changes that no later change of the same step followed (a later
    /// run of the step supersedes them: its own check said what happened), oldest first.
    pub fn from_log(entries: &[crate::actionlog::Entry]) -> Vec<(StepId, Interruption)> {
        let mut found: Vec<(StepId, Interruption)> = Vec::new();
        let mut sorted: Vec<&crate::actionlog::Entry> = entries.iter().collect();
        sorted.sort_by(|a, b| a.time.cmp(&b.time));
        for e in sorted {
            let Some(step) = e.step else { continue };
            if e.result == crate::actionlog::INTERRUPTED {
                let what = Interruption {
                    operation: e.operation.clone(),
                    account: e.account.clone(),
                    region: e.region.clone(),
                };
                found.push((step, what));
            } else {
                found.retain(|(s, _)| *s != step);
            }
        }
        found
    }
}

impl StepView {
    pub fn status(&self) -> Option<Status> {
        if self.skip.is_some() {
            return Some(Status::Skipped);
        }
        self.result.as_ref().map(|r| r.status)
    }

    pub(super) fn busy(&self) -> bool {
        matches!(self.activity, Activity::Planning | Activity::Confirming(_) | Activity::Applying { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    /// A step's questions (the form is `Model::form`).
    Input(StepId),
    Confirm(StepId),
    QuitWhileRunning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Ready,
    Failed(String),
}

/// How far the confirm dialog and the detail pane are scrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scroll {
    /// The first line of the plan in the confirm dialog.
    pub confirm: usize,
    /// The person could see the plan's last line: only then is `y` offered.
    pub seen_end: bool,
    /// The first line of the detail pane.
    pub detail: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub header: Header,
    pub connection: Connection,
    pub steps: Vec<StepView>,
    pub selected: usize,
    pub overlay: Option<Overlay>,
    /// Unix seconds, from the last tick.
    pub now: i64,
    /// Counts ticks, for the spinner.
    pub tick: u64,
    pub notice: Option<String>,
    pub quit: bool,
    /// The terminal's columns and rows, for what fits on screen.
    pub size: (u16, u16),
    pub scroll: Scroll,
    /// A step just applied: once its re-check says it is settled, the cursor moves on.
    pub advance: Option<StepId>,
    /// The questions being asked, while `Overlay::Input` is open.
    pub form: Option<super::form::Form>,
    /// The Regions of the account, once listed: Region answers are checked against them.
    pub regions: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Up,
    Down,
    Run,
    Recheck,
    RecheckAll,
    ToggleSkip,
    OpenLink,
    /// The alerts drill: a sample finding, watched on its way to the inbox.
    Drill,
    Help,
    Quit,
    Yes,
    No,
    /// Scrolling the confirm dialog, or the detail pane when no dialog is open.
    LineUp,
    LineDown,
    PageUp,
    PageDown,
    Home,
    End,
    /// Ask the step's questions again, with the answers in use as defaults.
    EditAnswers,
    /// A key typed into a question's line.
    Edit(super::form::Edit),
    /// Enter on a question.
    Submit,
    /// In the sandbox only: do what only a person can do for the step, through the emulator.
    Simulate,
    Simulated {
        id: StepId,
        result: Result<String, String>,
    },
    Resized {
        width: u16,
        height: u16,
    },
    Tick {
        now: i64,
    },
    /// The caller is known: its account's recorded results, shown until live ones arrive.
    Identified {
        header: Header,
        recorded: Vec<(Option<StepResult>, Option<String>)>,
        /// When (Unix seconds) each recorded result was checked, where known.
        checked: Vec<Option<i64>>,
        notice: Option<String>,
    },
    Connected(Header),
    /// The account model was read again (after an apply, or for R): the header it implies.
    Refreshed(Header),
    /// The Regions AWS lists for the account (read once, after the account model).
    Regions(Vec<String>),
    ConnectFailed(String),
    /// Re-reading the account for a re-check of every step failed: nothing was re-checked.
    RecheckFailed(String),
    Checked {
        id: StepId,
        generation: u64,
        result: StepResult,
    },
    /// The plan needs answers: each key with its default.
    NeedInputs {
        id: StepId,
        keys: Vec<(String, Option<String>)>,
    },
    Planned {
        id: StepId,
        result: Result<Proposal, String>,
    },
    Progress {
        id: StepId,
        line: String,
    },
    Applied {
        id: StepId,
        result: Result<(), String>,
    },
    Resuming {
        id: StepId,
        since: i64,
    },
    /// The action log, read as the wizard opens: changes earlier runs left interrupted, per step.
    Interrupted(Vec<(StepId, Interruption)>),
    SkipReason {
        id: StepId,
        reason: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Connect,
    Check {
        id: StepId,
        generation: u64,
    },
    /// Re-read the account, then check every step with what was read.
    CheckAll {
        generations: Vec<(StepId, u64)>,
    },
    Plan {
        id: StepId,
    },
    /// Keep the answers (they become the defaults next time) and plan with them.
    SaveAnswers {
        id: StepId,
        values: Vec<(String, String)>,
    },
    Apply {
        id: StepId,
        plan: Plan,
    },
    Simulate {
        id: StepId,
    },
    SaveSkip {
        id: StepId,
        reason: Option<String>,
    },
    /// Keep a live result in the record.
    Remember {
        result: StepResult,
    },
    Open {
        url: String,
    },
    Drill,
    Quit,
}

impl Model {
    /// The model at start: the last recorded results, the cursor on the first step not done.
    pub fn new(header: Header, recorded: Vec<(Option<StepResult>, Option<String>)>, now: i64) -> Model {
        let steps: Vec<StepView> =
            recorded.into_iter().map(|(result, skip)| StepView { result, skip, ..StepView::default() }).collect();
        let selected = steps.iter().position(|s| !s.status().is_some_and(Status::is_settled)).unwrap_or(0);
        Model {
            header,
            connection: Connection::Connecting,
            steps,
            selected,
            overlay: None,
            now,
            tick: 0,
            notice: None,
            quit: false,
            size: (120, 40),
            scroll: Scroll::default(),
            advance: None,
            form: None,
            regions: None,
        }
    }

    pub fn id(&self, index: usize) -> StepId {
        StepId::ALL[index]
    }

    pub fn step(&self, id: StepId) -> &StepView {
        &self.steps[id as usize]
    }

    pub(super) fn step_mut(&mut self, id: StepId) -> &mut StepView {
        &mut self.steps[id as usize]
    }

    /// The earlier step this one waits for, if any is not settled yet.
    pub fn blocked_by(&self, id: StepId) -> Option<StepId> {
        if self.step(id).status().is_some_and(Status::is_settled) {
            return None;
        }
        catalog::step(id)
            .depends_on
            .iter()
            .copied()
            .find(|dep| !self.step(*dep).status().is_some_and(Status::is_settled))
    }

    pub fn done_count(&self) -> usize {
        self.steps.iter().filter(|s| s.status().is_some_and(Status::is_settled)).count()
    }

    pub(super) fn recheck(&mut self, id: StepId) -> Effect {
        let step = self.step_mut(id);
        step.generation += 1;
        step.checking = true;
        Effect::Check { id, generation: step.generation }
    }
}
