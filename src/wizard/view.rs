//! The wizard's screens, drawn from the model alone: header, step list, detail pane, footer, and
//! the overlays (help, confirmation). No I/O. Text from AWS is made inert before it is drawn.

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::scroll::{Confirm, Window};
use super::{Activity, Connection, Model, Overlay, ask, detail};
use crate::catalog::{self, StepId, say};
use crate::output::inert;
use crate::verdict::Status;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Whether to use colour (`NO_COLOR` turns it off).
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn from_env() -> Theme {
        Theme { color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) }
    }

    pub(super) fn fg(self, c: Color) -> Style {
        if self.color { Style::default().fg(c) } else { Style::default() }
    }

    pub(super) fn status(self, s: Option<Status>) -> Style {
        match s {
            Some(Status::Done) => self.fg(Color::Green),
            Some(Status::Partial) => self.fg(Color::Yellow),
            Some(Status::Unknown) => self.fg(Color::Magenta),
            Some(Status::NotDone) => self.fg(Color::Red),
            _ => self.fg(Color::DarkGray),
        }
    }
}

pub fn draw(f: &mut Frame<'_>, m: &Model, theme: Theme) {
    let area = f.area();
    if area.width < 40 || area.height < 10 {
        let total = crate::catalog::StepId::ALL.len().to_string();
        let text = say("wizard-too-small", &[("done", &m.done_count().to_string()), ("total", &total)]);
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let header = header_lines(m, theme);
    let [head, list, detail, footer] = areas(area, header.len());
    f.render_widget(Paragraph::new(header), head);
    draw_list(f, m, theme, list);
    detail::draw(f, m, theme, detail);
    draw_footer(f, m, theme, footer);
    match m.overlay {
        Some(Overlay::Help) => {
            // As tall as the help is long (borders included), so a new key never pushes a line out.
            let help = say("wizard-help", &[]);
            let height = u16::try_from(help.lines().count() + 2).unwrap_or(u16::MAX);
            popup(f, &say("wizard-help-title", &[]), &help, 80, height);
        }
        Some(Overlay::Confirm(id)) => confirm(f, m, id),
        Some(Overlay::Input(_)) => {
            if let Some(form) = &m.form {
                ask::draw(f, form, theme);
            }
        }
        Some(Overlay::QuitWhileRunning) => {
            popup(f, &say("wizard-quit-title", &[]), &say("wizard-quit-running", &[]), 64, 9);
        }
        None => {}
    }
}

/// The screen's parts: header, step list, detail pane, footer.
fn areas(area: Rect, header: usize) -> [Rect; 4] {
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(u16::try_from(header).unwrap_or(4)),
            Constraint::Min(4),
            Constraint::Length(2),
        ])
        .split(area);
    let wide = area.width >= 80;
    let body = Layout::default()
        .direction(if wide { Direction::Horizontal } else { Direction::Vertical })
        .constraints(if wide {
            [Constraint::Length(36), Constraint::Min(20)]
        } else {
            // Every step on its own line, between the list's two borders.
            let rows = StepId::ALL.len() + list_rows().iter().flatten().count() + 2;
            [Constraint::Length(u16::try_from(rows).unwrap_or(u16::MAX)), Constraint::Min(3)]
        })
        .split(rows[1]);
    [rows[0], body[0], body[1], rows[2]]
}

/// The detail pane's window over the selected step's text, at the model's screen size.
pub fn detail_window(m: &Model) -> Window {
    let area = Rect::new(0, 0, m.size.0, m.size.1);
    let pane = areas(area, header_lines(m, Theme { color: false }).len())[2];
    detail::window(m, pane)
}

pub(super) fn header_lines(m: &Model, theme: Theme) -> Vec<Line<'static>> {
    let h = &m.header;
    let mut lines = vec![Line::from(vec![
        Span::styled("groundwork", Style::default().add_modifier(Modifier::BOLD)),
        Span::raw(say("wizard-header", &[("account", &h.account), ("region", &h.region), ("profile", &h.profile)])),
    ])];
    lines.push(Line::from(say("header-principal", &[("principal", &inert(&h.principal))])));
    if let Some(org) = &h.organization {
        lines.push(Line::from(inert(org)));
    }
    let banner = theme.fg(Color::Black).bg(if theme.color { Color::Red } else { Color::Reset });
    if h.root {
        lines.push(Line::styled(say("warning-root", &[]), banner.add_modifier(Modifier::BOLD)));
    }
    if let Some(endpoint) = &h.sandbox {
        lines.push(Line::styled(say("wizard-sandbox", &[("endpoint", endpoint)]), banner.add_modifier(Modifier::BOLD)));
    }
    if let Connection::Failed(why) = &m.connection {
        lines.push(Line::styled(say("wizard-connect-failed", &[("why", &inert(why))]), theme.fg(Color::Red)));
    }
    lines
}

/// The status word and mark for a step, as the list shows it.
pub fn step_label(m: &Model, id: StepId) -> (String, Option<Status>) {
    let s = m.step(id);
    let spin = spinner(m.tick);
    if let Activity::Applying { since } = s.activity {
        let secs = (m.now - since).max(0);
        return (say("wizard-in-progress", &[("spin", spin), ("elapsed", &elapsed(secs))]), None);
    }
    if matches!(s.activity, Activity::Planning) {
        return (say("wizard-planning", &[("spin", spin)]), None);
    }
    if let Some(dep) = m.blocked_by(id).filter(|_| s.skip.is_none()) {
        return (say("wizard-blocked-label", &[("step", &catalog::step(dep).title)]), None);
    }
    let status = s.status();
    let word = match status {
        Some(st) => crate::output::label(st),
        None => say("wizard-unchecked", &[]),
    };
    if s.checking {
        return (format!("{spin} {word}"), status);
    }
    (word, status)
}

fn spinner(tick: u64) -> &'static str {
    SPINNER[usize::try_from(tick % 10).unwrap_or(0)]
}

pub(super) fn elapsed(secs: i64) -> String {
    if secs < 60 { format!("{secs}s") } else { format!("{}m {:02}s", secs / 60, secs % 60) }
}

/// The one-character mark a step carries in the list, and a suffix for long work.
fn mark(m: &Model, id: StepId) -> (String, String, Option<Status>) {
    let s = m.step(id);
    let spin = spinner(m.tick).to_owned();
    if let Activity::Applying { since } = s.activity {
        return (spin, format!(" {}", elapsed((m.now - since).max(0))), None);
    }
    if matches!(s.activity, Activity::Planning | Activity::Confirming(_)) || s.checking {
        return (spin, String::new(), s.status());
    }
    if m.blocked_by(id).is_some() && s.skip.is_none() {
        return ("·".into(), String::new(), None);
    }
    // A verdict the last re-check could not renew carries the time it is from.
    let suffix = if s.stale.is_some() {
        format!(" {}", s.checked_at.map_or_else(|| say("wizard-stale-record", &[]), detail::clock))
    } else {
        String::new()
    };
    let mark = match s.status() {
        Some(Status::Done) => "✓",
        Some(Status::Partial) => "◐",
        Some(Status::NotDone) => "○",
        Some(Status::Unknown) => "?",
        Some(Status::Skipped | Status::NotApplicable) => "–",
        None => " ",
    };
    (mark.into(), suffix, s.status())
}

fn draw_list(f: &mut Frame<'_>, m: &Model, theme: Theme, area: Rect) {
    let mut items: Vec<ListItem<'_>> = Vec::new();
    let mut selected = m.selected;
    let mut rows = list_rows();
    // Every step stays in view before any section title: on a short screen the titles go.
    let titles = rows.iter().flatten().count();
    if StepId::ALL.len() + titles > usize::from(area.height.saturating_sub(2)) {
        rows = vec![None; StepId::ALL.len()];
    }
    for (row, (n, id)) in rows.into_iter().zip(StepId::ALL.iter().enumerate()) {
        if let Some(section) = row {
            items.push(ListItem::new(Line::styled(section.title(), Style::default().add_modifier(Modifier::BOLD))));
            // Headers are rows of the list too: the highlight moves down past each one above it.
            if n <= m.selected {
                selected += 1;
            }
        }
        let (mark, suffix, status) = mark(m, *id);
        let title = &catalog::step(*id).title;
        items.push(ListItem::new(Line::from(vec![
            Span::raw(format!("{} ", n + 1)),
            Span::styled(mark, theme.status(status)),
            Span::raw(format!(" {title}")),
            Span::styled(suffix, theme.fg(Color::Cyan)),
        ])));
    }
    let title =
        say("wizard-progress", &[("done", &m.done_count().to_string()), ("total", &StepId::ALL.len().to_string())]);
    let list = List::new(items)
        .block(Block::default().borders(Borders::ALL).title(title))
        .highlight_style(Style::default().add_modifier(Modifier::REVERSED));
    let mut state = ListState::default().with_selected(Some(selected));
    f.render_stateful_widget(list, area, &mut state);
}

/// For each step in order, the section header shown above it: one where a section begins, and none
/// at all while every step is the lab's (a single section needs no title).
fn list_rows() -> Vec<Option<catalog::Section>> {
    let sections: Vec<catalog::Section> = StepId::ALL.iter().map(|&id| catalog::step(id).section).collect();
    let several = sections.iter().any(|s| *s != sections[0]);
    sections.iter().enumerate().map(|(n, s)| (several && (n == 0 || sections[n - 1] != *s)).then_some(*s)).collect()
}

fn draw_footer(f: &mut Frame<'_>, m: &Model, theme: Theme, area: Rect) {
    let notice = m.notice.as_deref().map(inert).unwrap_or_default();
    let lines = vec![Line::styled(notice, theme.fg(Color::Cyan)), Line::from(say("wizard-keys", &[]))];
    f.render_widget(Paragraph::new(lines), area);
}

fn confirm(f: &mut Frame<'_>, m: &Model, id: StepId) {
    let Activity::Confirming(p) = &m.step(id).activity else { return };
    let dialog = Confirm::layout(f.area(), &inert(&p.text), m.scroll.confirm);
    let w = dialog.window;
    let mut title = say("wizard-confirm-title", &[]);
    if let Some((first, last, total)) = dialog.changes_in_view().filter(|_| !(w.top == 0 && w.at_end())) {
        let range = if first == last { first.to_string() } else { format!("{first}–{last}") };
        title += &say("wizard-confirm-range", &[("range", &range), ("total", &total.to_string())]);
    }
    if !w.at_end() {
        let key = if w.below() == 1 { "wizard-confirm-below-one" } else { "wizard-confirm-below" };
        title += &say(key, &[("count", &w.below().to_string())]);
    }
    let shown: Vec<Line<'_>> = dialog.rows[w.top..(w.top + w.visible).min(dialog.rows.len())]
        .iter()
        .map(|r| Line::from(r.text.clone()))
        .collect();
    f.render_widget(Clear, dialog.rect);
    f.render_widget(Paragraph::new(shown).block(Block::default().borders(Borders::ALL).title(title)), dialog.rect);
    // Until the end could be seen, the frame says how to get there instead of asking.
    let question = if m.scroll.seen_end {
        let key = if p.changes() == 1 { "wizard-confirm-question-one" } else { "wizard-confirm-question" };
        let edit = if p.asked.is_empty() { String::new() } else { say("wizard-confirm-edit", &[]) };
        say(key, &[("count", &p.changes().to_string())]) + &edit
    } else {
        // A `y` pressed too early is answered here, where the person is looking.
        m.notice.as_ref().map_or_else(|| say("wizard-confirm-scroll", &[]), |n| format!(" {} ", inert(n)))
    };
    // The question sits on the frame, so a long plan never pushes it out of sight.
    let bottom = Rect {
        y: dialog.rect.y + dialog.rect.height.saturating_sub(1),
        height: 1,
        x: dialog.rect.x + 2,
        width: dialog.rect.width.saturating_sub(4),
    };
    f.render_widget(
        Paragraph::new(Line::styled(question, Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED))),
        bottom,
    );
}

fn popup(f: &mut Frame<'_>, title: &str, body: &str, width: u16, height: u16) -> Rect {
    let area = f.area();
    let (w, h) = (width.min(area.width.saturating_sub(2)), height.min(area.height.saturating_sub(2)));
    let rect = Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h };
    f.render_widget(Clear, rect);
    let block = Block::default().borders(Borders::ALL).title(title.to_owned());
    f.render_widget(Paragraph::new(body.to_owned()).block(block).wrap(Wrap { trim: false }), rect);
    rect
}
