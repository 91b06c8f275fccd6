//! The wizard's side of the terminal that is not drawing: terminal events and the clock. Every
//! question is asked inside the wizard, so the keys never go anywhere else.

use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::StreamExt;
use tokio::sync::mpsc::UnboundedSender;

use super::Msg;
use super::runtime::{Event, unix_now};

/// The next terminal event, or never while the wizard has handed the terminal to another program
/// (`keys` is `None`). A stream that ended or failed (no terminal) goes quiet rather than spin.
pub(super) async fn next(keys: &mut Option<EventStream>) -> Option<TermEvent> {
    let Some(stream) = keys else { return std::future::pending().await };
    match stream.next().await {
        Some(Ok(event)) => Some(event),
        Some(Err(_)) | None => {
            *keys = None;
            std::future::pending().await
        }
    }
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
