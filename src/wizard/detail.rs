//! The detail pane: everything about the selected step, scrolled with PgUp/PgDn, Home/End and
//! Shift+↑↓ when it is longer than the pane. Text from AWS is made inert before it is drawn.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::scroll::Window;
use super::view::{self, Theme};
use super::{Activity, Connection, Model, StepView};
use crate::catalog::{self, say};
use crate::output::inert;

/// The selected step's text: verdict, findings, plan or progress, why, cost, what to do by hand.
fn text(m: &Model, theme: Theme, width: u16) -> Text<'static> {
    let id = m.id(m.selected);
    let step = catalog::step(id);
    let s = m.step(id);
    let mut text = Text::default();
    let (label, status) = view::step_label(m, id);
    text.push_line(Line::from(vec![
        Span::styled(step.title.clone(), Style::default().add_modifier(Modifier::BOLD)),
        Span::raw("  "),
        Span::styled(label, theme.status(status)),
    ]));
    let summary = s.result.as_ref().map_or_else(|| step.summary.clone(), |r| r.summary.clone());
    text.push_line(Line::from(inert(&summary)));
    if s.checking && s.live {
        // Shown until the re-check answers, so an older finding below is never taken for news.
        text.push_line(Line::styled(say("wizard-rechecking", &[]), theme.fg(Color::DarkGray)));
    }
    if let Some(reason) = &s.skip {
        text.push_line(Line::from(say("wizard-skipped-because", &[("reason", &inert(reason))])));
    }
    if let Some(why) = &s.stale {
        let time = s.checked_at.map_or_else(|| say("wizard-stale-record", &[]), |t| clock(t) + " UTC");
        text.push_line(Line::styled(
            say("wizard-stale", &[("time", &time), ("why", &inert(why))]),
            theme.fg(Color::Red),
        ));
    } else if let (Some(_), false, Connection::Failed(why)) = (&s.result, s.live, &m.connection) {
        // The account could not be read at all: what the record says is as old as the record.
        let time = s.checked_at.map_or_else(|| say("wizard-stale-record", &[]), |t| clock(t) + " UTC");
        text.push_line(Line::styled(
            say("wizard-stale", &[("time", &time), ("why", &inert(why))]),
            theme.fg(Color::Red),
        ));
    } else if s.result.is_some() && !s.live {
        let seen = s.checked_at.map_or_else(String::new, |t| say("wizard-record-age", &[("age", &age(m.now - t))]));
        text.push_line(Line::styled(say("wizard-from-record", &[("age", &seen)]), theme.fg(Color::DarkGray)));
    }
    for what in &s.interrupted {
        let args = [("operation", what.operation.as_str()), ("account", what.account.as_str())];
        let line = match &what.region {
            Some(region) => say("wizard-interrupted", &[args[0], args[1], ("region", region.as_str())]),
            None => say("wizard-interrupted-global", &args),
        };
        text.push_line(Line::styled(inert(&line), theme.fg(Color::Yellow)));
    }
    if let Some(what) = crate::sandbox::simulates(id).filter(|_| m.header.sandbox.is_some())
        && !s.status().is_some_and(crate::verdict::Status::is_settled)
    {
        text.push_line(Line::styled(
            say("sandbox-simulate-offer", &[("what", &what)]),
            theme.fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    }
    activity(&mut text, s, m, theme, width);
    section(&mut text, &say("wizard-seen", &[]));
    for finding in s.result.iter().flat_map(|r| &r.findings) {
        let place =
            finding.region.as_ref().map_or_else(|| finding.account.clone(), |r| format!("{} {r}", finding.account));
        text.push_line(Line::from(vec![
            Span::styled(format!("{} ", crate::output::label(finding.status)), theme.status(Some(finding.status))),
            Span::raw(inert(&format!("{place}: {}", finding.detail))),
        ]));
    }
    section(&mut text, &say("wizard-why", &[]));
    text.push_line(Line::from(step.why.trim().replace('\n', " ")));
    section(&mut text, &say("wizard-cost", &[]));
    text.push_line(Line::from(step.cost.clone()));
    if let Some(manual) = &step.manual {
        section(&mut text, &say("wizard-by-hand", &[]));
        text.extend(manual.trim().lines().map(|l| Line::from(l.to_owned())));
    }
    for link in &step.links {
        text.push_line(Line::from(format!("{}: {}", link.label, link.url)));
    }
    text
}

/// The pane's window: how many wrapped lines its text has, how many fit, where it is scrolled to.
pub(super) fn window(m: &Model, area: Rect) -> Window {
    let inner = (area.width.saturating_sub(2), usize::from(area.height.saturating_sub(2)));
    let total = Paragraph::new(text(m, Theme { color: false }, inner.0)).wrap(Wrap { trim: false }).line_count(inner.0);
    Window::at(m.scroll.detail, inner.1, total)
}

/// Draws the pane; when its text is longer than the pane, the title says which lines are in view
/// and the keys that scroll.
pub(super) fn draw(f: &mut Frame<'_>, m: &Model, theme: Theme, area: Rect) {
    let id = m.id(m.selected);
    let w = window(m, area);
    let mut title = say("wizard-detail-title", &[("id", id.as_str())]);
    if !(w.top == 0 && w.at_end()) {
        let last = (w.top + w.visible).min(w.total);
        title += &say(
            "wizard-detail-range",
            &[("first", &(w.top + 1).to_string()), ("last", &last.to_string()), ("total", &w.total.to_string())],
        );
    }
    let block = Block::default().borders(Borders::ALL).title(title);
    let top = u16::try_from(w.top).unwrap_or(u16::MAX);
    let width = area.width.saturating_sub(2);
    f.render_widget(
        Paragraph::new(text(m, theme, width)).block(block).wrap(Wrap { trim: false }).scroll((top, 0)),
        area,
    );
}

fn activity(text: &mut Text<'static>, s: &StepView, m: &Model, theme: Theme, width: u16) {
    match &s.activity {
        Activity::Idle => {}
        Activity::Planning => text.push_line(Line::from(say("wizard-working-out", &[]))),
        Activity::Planned(p) | Activity::Confirming(p) => {
            section(text, &say("wizard-plan", &[]));
            if let (false, Some(keys)) = (p.plan.conflicts.is_empty(), super::correctable(s)) {
                text.push_line(Line::styled(
                    super::correct_notice(&keys),
                    theme.fg(Color::Yellow).add_modifier(Modifier::BOLD),
                ));
            }
            // Wrapped as the confirmation wraps it: a long parameter continues under its value.
            let rows = super::scroll::wrap_plan(&inert(&p.text), usize::from(width).max(1));
            text.extend(rows.into_iter().map(|r| Line::from(r.text)));
        }
        Activity::Applying { since } => {
            section(text, &say("wizard-applying", &[("elapsed", &view::elapsed((m.now - since).max(0)))]));
            text.extend(s.log.iter().rev().take(12).rev().map(|l| Line::from(inert(l))));
        }
        Activity::Failed(why) => {
            section(text, &say("wizard-failed", &[]));
            text.push_line(Line::styled(inert(why), theme.fg(Color::Red)));
            text.extend(s.log.iter().rev().take(6).rev().map(|l| Line::from(inert(l))));
        }
    }
}

/// How old something is, in the largest unit that says it: "40 s", "12 min", "3 h", "2 days".
pub(super) fn age(secs: i64) -> String {
    match secs.max(0) {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h", s / 3600),
        s if s < 172_800 => "1 day".to_owned(),
        s => format!("{} days", s / 86_400),
    }
}

/// "14:02" from Unix seconds, in UTC.
pub(super) fn clock(unix: i64) -> String {
    let day = unix.rem_euclid(86_400);
    format!("{:02}:{:02}", day / 3600, day % 3600 / 60)
}

fn section(text: &mut Text<'static>, title: &str) {
    text.push_line(Line::from(""));
    text.push_line(Line::styled(title.to_owned(), Style::default().add_modifier(Modifier::BOLD)));
}
