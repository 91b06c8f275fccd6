//! Where a long text is cut: the confirm dialog's box, its plan wrapped with each continuation
//! indented under its own line, and the window of lines in view. Pure, so the state machine and
//! the view agree on whether the person could reach the end before `y` is offered.

use ratatui::layout::Rect;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The confirm dialog is at most this wide; narrower screens get the whole width but a margin.
const CONFIRM_WIDTH: u16 = 100;

/// One wrapped line of a plan, and the number of the change it belongs to (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub text: String,
    pub change: Option<usize>,
}

/// A part of a longer text in view: `top` is the first line shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub top: usize,
    pub visible: usize,
    pub total: usize,
}

impl Window {
    /// The window at `wanted`, moved back so it never shows past the end.
    pub fn at(wanted: usize, visible: usize, total: usize) -> Window {
        Window { top: wanted.min(total.saturating_sub(visible)), visible, total }
    }

    pub fn at_end(&self) -> bool {
        self.top + self.visible >= self.total
    }

    pub fn below(&self) -> usize {
        self.total.saturating_sub(self.top + self.visible)
    }

    /// The last top that still fills the window.
    pub fn max_top(&self) -> usize {
        self.total.saturating_sub(self.visible)
    }
}

/// The confirm dialog: its box on a screen of `area`, the plan wrapped to fit, and the window.
pub struct Confirm {
    pub rect: Rect,
    pub rows: Vec<Row>,
    pub window: Window,
}

impl Confirm {
    pub fn layout(area: Rect, text: &str, scroll: usize) -> Confirm {
        let width = CONFIRM_WIDTH.min(area.width.saturating_sub(2));
        let rows = wrap_plan(text, usize::from(width.saturating_sub(2)).max(1));
        // Two rows of frame; the question sits on the bottom one.
        let wanted = u16::try_from(rows.len() + 2).unwrap_or(u16::MAX);
        let height = wanted.min(area.height.saturating_sub(2)).max(3);
        let rect = Rect {
            x: area.x + (area.width.saturating_sub(width)) / 2,
            y: area.y + (area.height.saturating_sub(height)) / 2,
            width,
            height,
        };
        let window = Window::at(scroll, usize::from(height - 2), rows.len());
        Confirm { rect, rows, window }
    }

    /// The numbers of the first and last change in view, and how many there are.
    pub fn changes_in_view(&self) -> Option<(usize, usize, usize)> {
        let total = self.rows.iter().filter_map(|r| r.change).max()?;
        let shown = &self.rows[self.window.top..(self.window.top + self.window.visible).min(self.rows.len())];
        let first = shown.iter().find_map(|r| r.change)?;
        let last = shown.iter().rev().find_map(|r| r.change)?;
        Some((first, last, total))
    }
}

/// The plan text wrapped to `width` columns; a wrapped line continues indented under its own text
/// (a parameter's value under the value, a change under its call), so nothing reads as a new change.
pub fn wrap_plan(text: &str, width: usize) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut change = None;
    for line in text.lines() {
        let leading = line.len() - line.trim_start_matches(' ').len();
        if let Some(n) = change_number(&line[leading..]) {
            change = Some(n);
        } else if leading <= 2 {
            // A note, the cost or a heading: no longer part of a change.
            change = None;
        }
        let indent = hanging_indent(line).min(width / 2);
        for piece in wrap_line(line, width, indent) {
            rows.push(Row { text: piece, change });
        }
    }
    rows
}

/// "12. call · account …" → 12.
fn change_number(text: &str) -> Option<usize> {
    let (n, rest) = text.split_once(". ")?;
    if rest.is_empty() || n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

/// Where a wrapped line's continuation starts: after a list marker, after a parameter's name, or
/// two columns in.
fn hanging_indent(line: &str) -> usize {
    let leading = line.len() - line.trim_start_matches(' ').len();
    let text = &line[leading..];
    if let Some((n, _)) = text.split_once(". ")
        && change_number(text).is_some()
    {
        return leading + n.len() + 2;
    }
    if text.starts_with("- ") {
        return leading + 2;
    }
    if leading >= 4
        && let Some(colon) = text.find(": ")
        && colon <= 30
    {
        return leading + text[..colon].width() + 2;
    }
    leading + 2
}

fn wrap_line(line: &str, width: usize, indent: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line.trim_end();
    let mut prefix = 0;
    loop {
        let room = width.saturating_sub(prefix).max(1);
        if rest.width() <= room {
            out.push(format!("{}{rest}", " ".repeat(prefix)));
            return out;
        }
        let mut used = 0;
        let mut cut = rest.len();
        let mut space = None;
        let mut seen_text = false;
        for (i, c) in rest.char_indices() {
            let w = c.width().unwrap_or(0);
            if used + w > room {
                cut = i;
                break;
            }
            // A break inside the marker ("3. ") would leave it alone on its line.
            if c == ' ' && seen_text && (prefix > 0 || used >= indent) {
                space = Some(i);
            }
            seen_text |= c != ' ';
            used += w;
        }
        // Break at the last space that fits; a word longer than the line is cut where it must be.
        let at = space.unwrap_or(cut).max(rest.chars().next().map_or(1, char::len_utf8));
        out.push(format!("{}{}", " ".repeat(prefix), rest[..at].trim_end()));
        rest = rest[at..].trim_start();
        if rest.is_empty() {
            return out;
        }
        prefix = indent;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_parameter_continues_under_its_value() {
        let plan = "  3. controltower:CreateLandingZone · account 111122223333 · us-east-1\n       Features: alpha, beta, gamma, delta\n  - a note\n";
        let rows = wrap_plan(plan, 36);
        assert!(rows.iter().all(|r| r.text.width() <= 36), "{rows:#?}");
        let call: Vec<&Row> = rows.iter().filter(|r| !r.text.contains("Features") && r.change == Some(3)).collect();
        assert!(call.len() >= 2, "{rows:#?}");
        assert!(rows[0].text.starts_with("  3. controltower"), "{rows:#?}");
        let features = rows.iter().position(|r| r.text.starts_with("       Features: ")).expect("features");
        assert!(rows[features + 1].text.starts_with(&" ".repeat(17)), "under the value: {rows:#?}");
        assert!(rows[features + 1].text.chars().nth(17).is_some_and(|c| c != ' '));
        assert_eq!(rows.last().map(|r| r.change), Some(None), "a note is no part of a change");
        assert!(rows[1].text.starts_with("     ") && !rows[1].text.starts_with("      "), "under the call");
    }

    #[test]
    fn the_window_never_runs_past_the_end() {
        let w = Window::at(100, 10, 25);
        assert_eq!((w.top, w.below(), w.at_end()), (15, 0, true));
        let w = Window::at(0, 10, 25);
        assert_eq!((w.below(), w.at_end()), (15, false));
        assert!(Window::at(0, 10, 4).at_end(), "a short plan is all in view");
    }

    #[test]
    fn the_dialog_names_the_changes_in_view() {
        let text: String = (1..=12).map(|n| format!("  {n}. call{n}\n       Key: v")).collect::<Vec<_>>().join("\n");
        let c = Confirm::layout(Rect::new(0, 0, 80, 24), &text, 0);
        assert_eq!(c.window.visible, 20);
        assert_eq!(c.changes_in_view(), Some((1, 10, 12)));
        let c = Confirm::layout(Rect::new(0, 0, 80, 24), &text, 99);
        assert_eq!(c.changes_in_view(), Some((3, 12, 12)));
        assert!(c.window.at_end());
    }
}
