//! The wizard's side of the terminal that is not drawing: the key reader (paused while a prompt
//! owns the keyboard), the clock, and the prompts for inputs (inquire, with validation).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::{self, Event as TermEvent};
use tokio::sync::mpsc::UnboundedSender;

use super::Msg;
use super::runtime::{Event, unix_now};
use crate::catalog::{StepId, say};
use crate::inputs;

/// Reads keys on a thread of its own and sends them to the loop; skips reading while paused.
pub(super) fn spawn_keys(tx: UnboundedSender<Event>, paused: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        loop {
            if paused.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            match event::poll(Duration::from_millis(50)) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(_) => return,
            }
            if paused.load(Ordering::SeqCst) {
                continue;
            }
            let sent = match event::read() {
                Ok(TermEvent::Key(key)) => tx.send(Event::Key(key)),
                Ok(TermEvent::Resize(..)) => tx.send(Event::Redraw),
                Ok(_) => Ok(()),
                Err(_) => return,
            };
            if sent.is_err() {
                return;
            }
        }
    });
}

/// Ticks ten times a second, for the spinner and elapsed times.
pub(super) fn spawn_clock(tx: UnboundedSender<Event>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(100));
        loop {
            every.tick().await;
            if tx.send(Event::Ui(Msg::Tick { now: unix_now() })).is_err() {
                return;
            }
        }
    });
}

/// Asks each input with validation and its default; `None` when the person cancels. The step's
/// title, why and cost come first, so a prompt that refers to them has them on screen.
pub(super) fn ask_inputs(id: StepId, keys: &[(String, Option<String>)]) -> Option<Vec<(String, String)>> {
    println!("{}\n{}", inputs::context(id), say("wizard-prompt-keys", &[]));
    let mut answers = Vec::new();
    for (key, default) in keys {
        let input = inputs::declared(key)?;
        let kind = input.kind;
        let mut prompt = inquire::Text::new(&input.prompt).with_help_message(key).with_validator(move |v: &str| {
            Ok(match inputs::validate(kind, v) {
                Ok(_) => inquire::validator::Validation::Valid,
                Err(why) => inquire::validator::Validation::Invalid(why.into()),
            })
        });
        if let Some(d) = default.as_ref().or(input.default.as_ref()) {
            prompt = prompt.with_default(d);
        }
        let value = prompt.prompt().ok()?;
        answers.push((key.clone(), inputs::validate(kind, &value).ok()?));
    }
    Some(answers)
}
