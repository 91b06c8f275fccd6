//! The wizard's state machine: one model, `update(&mut Model, Msg) -> Vec<Effect>`, no I/O, no
//! clock, no randomness. Intents are imperative (`Run`, `Skip`), results past tense (`Checked`),
//! effects imperative (`Check`). A step is never shown done without a live re-check after an apply.

pub mod keys;
mod model;
pub mod runtime;
mod terminal;
pub mod view;

pub use model::{Activity, Connection, Effect, Header, Model, Msg, Overlay, Proposal, StepView};

use crate::catalog::{self, StepId};
use crate::verdict::Status;

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
        Msg::Drill if id == StepId::Alerts && m.connection == Connection::Ready && !m.step(id).busy() => {
            return vec![Effect::Drill];
        }
        Msg::Drill => m.notice = Some(catalog::say("wizard-drill-where", &[])),
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
