//! The wizard's state machine: one model, `update(&mut Model, Msg) -> Vec<Effect>`, no I/O, no
//! clock, no randomness. Intents are imperative (`Run`, `Skip`), results past tense (`Checked`),
//! effects imperative (`Check`). A step is never shown done without a live re-check after an apply.

mod ask;
mod detail;
mod drill;
pub mod form;
pub mod keys;
mod model;
pub mod runtime;
pub mod scroll;
mod terminal;
pub mod view;

pub use model::{Activity, Connection, Effect, Header, Interruption, Model, Msg, Overlay, Proposal, Scroll, StepView};

use crate::catalog::{self, StepId};
use crate::verdict::Status;

/// The whole state machine.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    if let Some(overlay) = m.overlay {
        return overlay_key(m, overlay, msg);
    }
    let id = m.id(m.selected);
    match msg {
        Msg::Up | Msg::Down => {
            m.selected =
                if msg == Msg::Up { m.selected.saturating_sub(1) } else { (m.selected + 1).min(m.steps.len() - 1) };
            m.scroll.detail = 0;
        }
        Msg::LineUp | Msg::LineDown | Msg::PageUp | Msg::PageDown | Msg::Home | Msg::End => {
            let window = view::detail_window(m);
            m.scroll.detail = moved(window, &msg);
        }
        Msg::Help => m.overlay = Some(Overlay::Help),
        Msg::Quit if m.steps.iter().any(|s| matches!(s.activity, Activity::Applying { .. })) => {
            m.overlay = Some(Overlay::QuitWhileRunning);
        }
        Msg::Quit => {
            m.quit = true;
            return vec![Effect::Quit];
        }
        Msg::Run => return run(m, id),
        // A plan that stopped on an answer is corrected where it stopped.
        Msg::EditAnswers => match correctable(m.step(id)) {
            Some(keys) => {
                m.notice = None;
                ask(m, id, &keys);
            }
            None => m.notice = Some(catalog::say("wizard-nothing-to-edit", &[])),
        },
        Msg::Recheck if m.connection == Connection::Ready => return vec![m.recheck(id)],
        // The account is read again first, so no verdict rests on what was read before.
        Msg::RecheckAll if m.connection == Connection::Ready => {
            let generations = StepId::ALL
                .into_iter()
                .map(|id| match m.recheck(id) {
                    Effect::Check { generation, .. } => (id, generation),
                    _ => (id, 0),
                })
                .collect();
            return vec![Effect::CheckAll { generations }];
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
            m.form = Some(form::Form::skip_reason(id));
            m.overlay = Some(Overlay::Input(id));
        }
        Msg::Drill if id == StepId::Alerts && m.connection == Connection::Ready && !m.step(id).busy() => {
            return vec![Effect::Drill];
        }
        Msg::Drill => m.notice = Some(catalog::say("wizard-drill-where", &[])),
        // Never offered outside the sandbox: there the person does it in AWS.
        Msg::Simulate if m.header.sandbox.is_some() => {
            if crate::sandbox::simulates(id).is_none() {
                m.notice = Some(catalog::say("sandbox-nothing-to-simulate", &[]));
                return Vec::new();
            }
            if m.connection != Connection::Ready || m.step(id).busy() {
                m.notice = Some(catalog::say("wizard-busy", &[]));
                return Vec::new();
            }
            m.notice = Some(catalog::say("sandbox-simulating", &[]));
            return vec![Effect::Simulate { id }];
        }
        Msg::Simulate => {}
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

/// The answers `e` offers again on a shown plan, each with the value in use: those that caused a
/// conflict when the plan names any, else every answer it asked; `None` when none were asked.
pub fn correctable(s: &StepView) -> Option<Vec<(String, Option<String>)>> {
    let Activity::Planned(p) = &s.activity else { return None };
    let named = &p.plan.conflicting_answers;
    let keys: Vec<(String, Option<String>)> = if named.is_empty() {
        p.asked.clone()
    } else {
        named.iter().map(|k| (k.clone(), p.asked.iter().find(|(a, _)| a == k).and_then(|(_, v)| v.clone()))).collect()
    };
    (!keys.is_empty()).then_some(keys)
}

/// Where a scroll key takes a window's top line.
fn moved(w: scroll::Window, msg: &Msg) -> usize {
    let page = w.visible.saturating_sub(1).max(1);
    let top = match msg {
        Msg::LineUp => w.top.saturating_sub(1),
        Msg::LineDown => w.top + 1,
        Msg::PageUp => w.top.saturating_sub(page),
        Msg::PageDown => w.top + page,
        Msg::Home => 0,
        _ => w.max_top(),
    };
    top.min(w.max_top())
}

/// The confirm dialog's window over a step's plan, at the model's screen size and scroll.
pub fn confirm_window(m: &Model, id: StepId) -> Option<scroll::Window> {
    let Activity::Confirming(p) = &m.step(id).activity else { return None };
    let area = ratatui::layout::Rect::new(0, 0, m.size.0, m.size.1);
    Some(scroll::Confirm::layout(area, &crate::output::inert(&p.text), m.scroll.confirm).window)
}

fn see_confirm(m: &mut Model, id: StepId) {
    if let Some(w) = confirm_window(m, id) {
        m.scroll.confirm = w.top;
        m.scroll.seen_end |= w.at_end();
    }
}

fn overlay_key(m: &mut Model, overlay: Overlay, msg: Msg) -> Vec<Effect> {
    match (overlay, msg) {
        // `y` is not offered before the whole plan could be seen.
        (Overlay::Confirm(_), Msg::Yes) if !m.scroll.seen_end => {
            m.notice = Some(catalog::say("wizard-see-all-first", &[]));
            Vec::new()
        }
        (
            Overlay::Confirm(id),
            msg @ (Msg::LineUp | Msg::LineDown | Msg::PageUp | Msg::PageDown | Msg::Home | Msg::End),
        ) => {
            if let Some(w) = confirm_window(m, id) {
                m.scroll.confirm = moved(w, &msg);
                m.notice = None;
                see_confirm(m, id);
            }
            Vec::new()
        }
        (Overlay::Confirm(id), Msg::EditAnswers) => {
            let Activity::Confirming(p) = &m.step(id).activity else { return Vec::new() };
            if p.asked.is_empty() {
                m.notice = Some(catalog::say("wizard-nothing-to-edit", &[]));
                return Vec::new();
            }
            let keys = p.asked.clone();
            m.notice = None;
            ask(m, id, &keys);
            Vec::new()
        }
        (Overlay::Input(_), Msg::Edit(edit)) => {
            if let Some(form) = &mut m.form {
                form.edit(edit);
            }
            Vec::new()
        }
        (Overlay::Input(id), Msg::Submit) => {
            let Some(mut values) = m.form.as_mut().and_then(form::Form::submit) else { return Vec::new() };
            m.overlay = None;
            if m.form.take().is_some_and(|f| f.skip) {
                let reason = values.pop().map(|(_, reason)| reason);
                return result(m, Msg::SkipReason { id, reason });
            }
            m.step_mut(id).activity = Activity::Planning;
            vec![Effect::SaveAnswers { id, values }]
        }
        (Overlay::Input(id), Msg::No | Msg::Quit) => {
            m.overlay = None;
            if !m.form.take().is_some_and(|f| f.skip) {
                m.step_mut(id).activity = Activity::Idle;
            }
            m.notice = Some(catalog::say("wizard-cancelled", &[]));
            Vec::new()
        }
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
            | Msg::Regions(_)
            | Msg::Refreshed(_)
            | Msg::ConnectFailed(_)
            | Msg::RecheckFailed(_)
            | Msg::Checked { .. }
            | Msg::Progress { .. }
            | Msg::Applied { .. }
            | Msg::Interrupted(_)
            | Msg::Resuming { .. }
            | Msg::Resized { .. }
            | Msg::Planned { .. }),
        ) => result(m, msg),
        _ => Vec::new(),
    }
}

/// A plan arrived: confirm its changes, run what only waits, or show it.
fn planned(m: &mut Model, id: StepId, p: Proposal) -> Vec<Effect> {
    let now = m.now;
    let step = m.step_mut(id);
    if p.changes() == 0 && !p.plan.changes.is_empty() && p.plan.conflicts.is_empty() {
        // Only waits for what AWS is already doing (a standard an earlier run enabled): nothing
        // changes, so nothing to confirm; wait, then re-check.
        step.activity = Activity::Applying { since: now };
        return vec![Effect::Apply { id, plan: p.plan }];
    }
    if p.changes() > 0 && p.plan.conflicts.is_empty() {
        step.activity = Activity::Confirming(p);
        m.overlay = Some(Overlay::Confirm(id));
        m.scroll.confirm = 0;
        m.scroll.seen_end = false;
        see_confirm(m, id);
    } else {
        let stopped = !p.plan.conflicts.is_empty();
        step.activity = Activity::Planned(p);
        // Where it stopped on an answer, the way out is said where the person looks.
        if stopped && let Some(keys) = correctable(m.step(id)) {
            m.notice = Some(correct_notice(&keys));
        }
    }
    Vec::new()
}

/// "e: change control-tower.regions (now us-east-1,mars-north-9) and plan again."
pub(super) fn correct_notice(keys: &[(String, Option<String>)]) -> String {
    let named: Vec<String> = keys
        .iter()
        .map(|(k, v)| match v {
            Some(v) => catalog::say("wizard-answer-now", &[("key", k), ("value", &crate::output::inert(v))]),
            None => k.clone(),
        })
        .collect();
    catalog::say("wizard-correct", &[("answers", &named.join(", "))])
}

/// Results from the runtime.
fn result(m: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick { now } => {
            m.now = now;
            m.tick += 1;
        }
        Msg::Resized { width, height } => {
            m.size = (width, height);
            if let Some(Overlay::Confirm(id)) = m.overlay {
                see_confirm(m, id);
            }
            m.scroll.detail = m.scroll.detail.min(view::detail_window(m).max_top());
        }
        Msg::Identified { header, recorded, checked, notice } => identified(m, header, recorded, checked, notice),
        Msg::Connected(header) => {
            m.header = header;
            m.connection = Connection::Ready;
            return StepId::ALL.into_iter().map(|id| m.recheck(id)).collect();
        }
        Msg::ConnectFailed(why) => m.connection = Connection::Failed(why),
        Msg::Regions(names) => m.regions = Some(names),
        // Every step is judged on the account model (its organization, landing zone, Audit,
        // Regions): when that changed, no verdict reached on the old one may stand unchecked.
        Msg::Refreshed(header) => {
            let changed = header != m.header;
            m.header = header;
            if changed && m.connection == Connection::Ready {
                return StepId::ALL.into_iter().map(|id| m.recheck(id)).collect();
            }
        }
        Msg::RecheckFailed(why) => {
            for step in m.steps.iter_mut().filter(|s| s.checking) {
                step.checking = false;
                step.stale = step.result.is_some().then(|| why.clone());
            }
        }
        Msg::Checked { id, generation, result } => {
            let now = m.now;
            let step = m.step_mut(id);
            if generation == step.generation {
                let settled = result.status.is_settled();
                // The record keeps every live result the model accepts, and only those.
                let remember = Effect::Remember { result: result.clone() };
                step.result = Some(result);
                step.live = true;
                step.checking = false;
                step.checked_at = Some(now);
                step.stale = None;
                if m.advance == Some(id) {
                    m.advance = None;
                    if settled && m.selected == id as usize {
                        next_not_done(m);
                    }
                }
                return vec![remember];
            }
        }
        Msg::NeedInputs { id, keys } => ask(m, id, &keys),
        Msg::Planned { id, result: Ok(p) } => return planned(m, id, p),
        Msg::Planned { id, result: Err(why) } => m.step_mut(id).activity = Activity::Failed(why),
        Msg::Progress { id, line } => {
            let log = &mut m.step_mut(id).log;
            log.push(line);
            if log.len() > 200 {
                log.remove(0);
            }
        }
        Msg::Interrupted(found) => {
            for (id, what) in found {
                m.step_mut(id).interrupted.push(what);
            }
        }
        Msg::Applied { id, result } => {
            // This run's own changes supersede what an earlier run left interrupted.
            m.step_mut(id).interrupted.clear();
            m.advance = result.is_ok().then_some(id);
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
        Msg::Simulated { id, result } => {
            m.advance = result.is_ok().then_some(id);
            m.notice = Some(result.unwrap_or_else(|why| why));
            // Even a simulation that failed part way may have changed something: re-check.
            return vec![m.recheck(id)];
        }
        Msg::SkipReason { reason: None, .. } => m.notice = Some(catalog::say("wizard-cancelled", &[])),
        _ => {}
    }
    Vec::new()
}

/// The caller is known: its recorded results and skips are shown (a live result is kept), each
/// with the time it was checked, and the cursor goes to the first step not done.
fn identified(
    m: &mut Model,
    header: model::Header,
    recorded: Vec<(Option<crate::verdict::StepResult>, Option<String>)>,
    checked: Vec<Option<i64>>,
    notice: Option<String>,
) {
    m.header = header;
    m.notice = notice;
    let checked = checked.into_iter().chain(std::iter::repeat(None));
    for ((step, (result, skip)), at) in m.steps.iter_mut().zip(recorded).zip(checked) {
        if !step.live {
            step.result = result;
            step.checked_at = at;
        }
        step.skip = skip;
    }
    m.selected = m.steps.iter().position(|s| !s.status().is_some_and(Status::is_settled)).unwrap_or(0);
}

/// Opens the step's questions, each offering `keys`' value; a key no step declares is a failure.
fn ask(m: &mut Model, id: StepId, keys: &[(String, Option<String>)]) {
    match form::Form::new(id, keys) {
        Ok(mut form) => {
            form.regions.clone_from(&m.regions);
            m.step_mut(id).activity = Activity::Planning;
            m.form = Some(form);
            m.overlay = Some(Overlay::Input(id));
        }
        Err(key) => m.step_mut(id).activity = Activity::Failed(catalog::say("input-unknown-key", &[("key", &key)])),
    }
}

/// After a step is done, the cursor moves to the next step that is not, wrapping to the start.
fn next_not_done(m: &mut Model) {
    let n = m.steps.len();
    if let Some(next) =
        (1..n).map(|k| (m.selected + k) % n).find(|i| !m.steps[*i].status().is_some_and(Status::is_settled))
    {
        m.selected = next;
        m.scroll.detail = 0;
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_fresh;
