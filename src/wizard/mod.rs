//! The wizard's state machine: one model, `update(&mut Model, Msg) -> Vec<Effect>`, no I/O, no
//! clock, no randomness. Intents are imperative (`Run`, `Skip`), results past tense (`Checked`),
//! effects imperative (`Check`). A step is never shown done without a live re-check after an apply.

pub mod keys;
pub mod runtime;
pub mod view;

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

/// A plan ready to confirm: its text as the CLI prints it, and the plan itself to perform.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub text: String,
    pub plan: Plan,
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
}

impl StepView {
    pub fn status(&self) -> Option<Status> {
        if self.skip.is_some() {
            return Some(Status::Skipped);
        }
        self.result.as_ref().map(|r| r.status)
    }

    fn busy(&self) -> bool {
        matches!(self.activity, Activity::Planning | Activity::Confirming(_) | Activity::Applying { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    Confirm(StepId),
    QuitWhileRunning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Ready,
    Failed(String),
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
    Help,
    Quit,
    Yes,
    No,
    Tick {
        now: i64,
    },
    /// The caller is known: its account's recorded results, shown until live ones arrive.
    Identified {
        header: Header,
        recorded: Vec<(Option<StepResult>, Option<String>)>,
        notice: Option<String>,
    },
    Connected(Header),
    ConnectFailed(String),
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
    SkipReason {
        id: StepId,
        reason: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Connect,
    Check { id: StepId, generation: u64 },
    Plan { id: StepId },
    AskInputs { id: StepId, keys: Vec<(String, Option<String>)> },
    Apply { id: StepId, plan: Plan },
    AskSkipReason { id: StepId },
    SaveSkip { id: StepId, reason: Option<String> },
    Open { url: String },
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
        }
    }

    pub fn id(&self, index: usize) -> StepId {
        StepId::ALL[index]
    }

    pub fn step(&self, id: StepId) -> &StepView {
        &self.steps[id as usize]
    }

    fn step_mut(&mut self, id: StepId) -> &mut StepView {
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

    fn recheck(&mut self, id: StepId) -> Effect {
        let step = self.step_mut(id);
        step.generation += 1;
        step.checking = true;
        Effect::Check { id, generation: step.generation }
    }
}

/// The whole state machine.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    if let Some(overlay) = m.overlay {
        return overlay_key(m, overlay, msg);
    }
    let id = m.id(m.selected);
    match msg {
        Msg::Up => m.selected = m.selected.saturating_sub(1),
        Msg::Down => m.selected = (m.selected + 1).min(m.steps.len() - 1),
        Msg::Help => m.overlay = Some(Overlay::Help),
        Msg::Quit if m.steps.iter().any(|s| matches!(s.activity, Activity::Applying { .. })) => {
            m.overlay = Some(Overlay::QuitWhileRunning);
        }
        Msg::Quit => {
            m.quit = true;
            return vec![Effect::Quit];
        }
        Msg::Run => return run(m, id),
        Msg::Recheck if m.connection == Connection::Ready => return vec![m.recheck(id)],
        Msg::RecheckAll if m.connection == Connection::Ready => {
            return StepId::ALL.into_iter().map(|id| m.recheck(id)).collect();
        }
        // Reading the account failed (expired SSO session, no network): R tries again.
        Msg::RecheckAll if matches!(m.connection, Connection::Failed(_)) => {
            m.connection = Connection::Connecting;
            m.notice = None;
            return vec![Effect::Connect];
        }
        Msg::Recheck | Msg::RecheckAll => m.notice = Some(catalog::say("wizard-not-connected", &[])),
        Msg::ToggleSkip => {
            if m.step(id).skip.is_some() {
                m.step_mut(id).skip = None;
                m.notice = Some(catalog::say("wizard-unskipped", &[]));
                return vec![Effect::SaveSkip { id, reason: None }];
            }
            return vec![Effect::AskSkipReason { id }];
        }
        Msg::OpenLink => {
            if let Some(link) = catalog::step(id).links.first() {
                m.notice = Some(catalog::say("wizard-opening", &[("url", &link.url)]));
                return vec![Effect::Open { url: link.url.clone() }];
            }
        }
        other => return result(m, other),
    }
    Vec::new()
}

/// Enter on a step: plan it (inputs, then the plan, then a confirmation).
fn run(m: &mut Model, id: StepId) -> Vec<Effect> {
    if m.connection != Connection::Ready {
        m.notice = Some(catalog::say("wizard-not-connected", &[]));
        return Vec::new();
    }
    if m.step(id).busy() {
        m.notice = Some(catalog::say("wizard-busy", &[]));
        return Vec::new();
    }
    if let Some(dep) = m.blocked_by(id) {
        m.notice = Some(catalog::say("wizard-blocked", &[("step", &catalog::step(dep).title)]));
        return Vec::new();
    }
    let step = m.step_mut(id);
    step.activity = Activity::Planning;
    step.log.clear();
    m.notice = None;
    vec![Effect::Plan { id }]
}

fn overlay_key(m: &mut Model, overlay: Overlay, msg: Msg) -> Vec<Effect> {
    match (overlay, msg) {
        (Overlay::Confirm(id), Msg::Yes) => {
            m.overlay = None;
            let Activity::Confirming(p) = std::mem::take(&mut m.step_mut(id).activity) else { return Vec::new() };
            m.step_mut(id).activity = Activity::Applying { since: m.now };
            vec![Effect::Apply { id, plan: p.plan }]
        }
        (Overlay::Confirm(id), Msg::No | Msg::Quit | Msg::Help) => {
            m.overlay = None;
            m.step_mut(id).activity = Activity::Idle;
            m.notice = Some(catalog::say("wizard-cancelled", &[]));
            Vec::new()
        }
        (Overlay::QuitWhileRunning, Msg::Yes) => {
            m.quit = true;
            vec![Effect::Quit]
        }
        (Overlay::QuitWhileRunning, Msg::No | Msg::Quit) | (Overlay::Help, Msg::Help | Msg::Quit | Msg::No) => {
            m.overlay = None;
            Vec::new()
        }
        // Results keep arriving while an overlay is open.
        (
            _,
            msg @ (Msg::Tick { .. }
            | Msg::Connected(_)
            | Msg::ConnectFailed(_)
            | Msg::Checked { .. }
            | Msg::Progress { .. }
            | Msg::Applied { .. }
            | Msg::Resuming { .. }
            | Msg::Planned { .. }),
        ) => result(m, msg),
        _ => Vec::new(),
    }
}

/// Results from the runtime.
fn result(m: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick { now } => {
            m.now = now;
            m.tick += 1;
        }
        Msg::Identified { header, recorded, notice } => {
            m.header = header;
            m.notice = notice;
            for (step, (result, skip)) in m.steps.iter_mut().zip(recorded) {
                if !step.live {
                    step.result = result;
                }
                step.skip = skip;
            }
            m.selected = m.steps.iter().position(|s| !s.status().is_some_and(Status::is_settled)).unwrap_or(0);
        }
        Msg::Connected(header) => {
            m.header = header;
            m.connection = Connection::Ready;
            return StepId::ALL.into_iter().map(|id| m.recheck(id)).collect();
        }
        Msg::ConnectFailed(why) => m.connection = Connection::Failed(why),
        Msg::Checked { id, generation, result } => {
            let step = m.step_mut(id);
            if generation == step.generation {
                step.result = Some(result);
                step.live = true;
                step.checking = false;
            }
        }
        Msg::NeedInputs { id, keys } => return vec![Effect::AskInputs { id, keys }],
        Msg::Planned { id, result: Ok(p) } => {
            let step = m.step_mut(id);
            if p.changes() > 0 && p.plan.conflicts.is_empty() {
                step.activity = Activity::Confirming(p);
                m.overlay = Some(Overlay::Confirm(id));
            } else {
                step.activity = Activity::Planned(p);
            }
        }
        Msg::Planned { id, result: Err(why) } => m.step_mut(id).activity = Activity::Failed(why),
        Msg::Progress { id, line } => {
            let log = &mut m.step_mut(id).log;
            log.push(line);
            if log.len() > 200 {
                log.remove(0);
            }
        }
        Msg::Applied { id, result } => {
            m.step_mut(id).activity = match result {
                Ok(()) => Activity::Idle,
                Err(why) => Activity::Failed(why),
            };
            // Whatever happened, only a live re-check says where the step stands now.
            return vec![m.recheck(id)];
        }
        Msg::Resuming { id, since } => m.step_mut(id).activity = Activity::Applying { since },
        Msg::SkipReason { id, reason: Some(reason) } => {
            m.step_mut(id).skip = Some(reason.clone());
            return vec![Effect::SaveSkip { id, reason: Some(reason) }];
        }
        Msg::SkipReason { reason: None, .. } => m.notice = Some(catalog::say("wizard-cancelled", &[])),
        _ => {}
    }
    Vec::new()
}

#[cfg(test)]
mod tests;
