//! The wizard's side of the terminal that is not drawing: the key reader and the clock. Every
//! question is asked inside the wizard, so the keys never go anywhere else.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::{self, Event as TermEvent};
use tokio::sync::mpsc::UnboundedSender;

use super::Msg;
use super::runtime::{Event, unix_now};

/// Reads keys on a thread of its own and sends them to the loop; while `paused` (a program of
/// its own has the terminal, such as the drill) it leaves them alone.
pub(super) fn spawn_keys(tx: UnboundedSender<Event>, paused: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        loop {
            if paused.load(Ordering::SeqCst) || !event::poll(Duration::from_millis(50)).unwrap_or(false) {
                std::thread::sleep(Duration::from_millis(20));
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
