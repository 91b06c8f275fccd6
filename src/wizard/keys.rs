//! The key map: a key press, in the context of what is on screen, to an intent. Pure.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::form::Edit;
use super::{Msg, Overlay};

pub fn map(key: KeyEvent, overlay: Option<Overlay>) -> Option<Msg> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Msg::Quit);
    }
    match overlay {
        Some(Overlay::Input(_)) => line_key(key),
        // The default answer is no: only an explicit y applies changes.
        Some(Overlay::Confirm(_)) => match key.code {
            KeyCode::Char('y' | 'Y') => Some(Msg::Yes),
            KeyCode::Char('e') => Some(Msg::EditAnswers),
            KeyCode::Char('n' | 'N' | 'q') | KeyCode::Esc | KeyCode::Enter => Some(Msg::No),
            code => scroll(code, true),
        },
        Some(Overlay::QuitWhileRunning) => match key.code {
            KeyCode::Char('y' | 'Y') => Some(Msg::Yes),
            KeyCode::Char('n' | 'N' | 'q') | KeyCode::Esc | KeyCode::Enter => Some(Msg::No),
            _ => None,
        },
        Some(Overlay::Help) => Some(Msg::No),
        None => match key.code {
            // Shift+↑↓ (or K J) scroll the detail pane line by line; ↑↓ move between steps.
            KeyCode::Up if key.modifiers.contains(KeyModifiers::SHIFT) => Some(Msg::LineUp),
            KeyCode::Down if key.modifiers.contains(KeyModifiers::SHIFT) => Some(Msg::LineDown),
            KeyCode::Up | KeyCode::Char('k') => Some(Msg::Up),
            KeyCode::Down | KeyCode::Char('j') => Some(Msg::Down),
            KeyCode::Enter => Some(Msg::Run),
            KeyCode::Char('e') => Some(Msg::EditAnswers),
            KeyCode::Char('r') => Some(Msg::Recheck),
            KeyCode::Char('R') => Some(Msg::RecheckAll),
            KeyCode::Char('s') => Some(Msg::ToggleSkip),
            KeyCode::Char('o') => Some(Msg::OpenLink),
            KeyCode::Char('d') => Some(Msg::Drill),
            KeyCode::Char('x') => Some(Msg::Simulate),
            KeyCode::Char('?') => Some(Msg::Help),
            KeyCode::Char('q') | KeyCode::Esc => Some(Msg::Quit),
            code => scroll(code, false),
        },
    }
}

/// A key on a question's line: typing, and a shell's editing keys.
fn line_key(key: KeyEvent) -> Option<Msg> {
    let control = key.modifiers.contains(KeyModifiers::CONTROL);
    let edit = match key.code {
        KeyCode::Enter => return Some(Msg::Submit),
        KeyCode::Esc => return Some(Msg::No),
        KeyCode::Char('a') if control => Edit::Start,
        KeyCode::Char('e') if control => Edit::End,
        KeyCode::Char('u') if control => Edit::KillStart,
        KeyCode::Char('k') if control => Edit::KillEnd,
        KeyCode::Char('w' | 'h') if control => {
            if key.code == KeyCode::Char('w') {
                Edit::KillWord
            } else {
                Edit::Backspace
            }
        }
        KeyCode::Char('b') if control => Edit::Left,
        KeyCode::Char('f') if control => Edit::Right,
        KeyCode::Char(_) if control => return None,
        KeyCode::Char(c) => Edit::Insert(c),
        KeyCode::Backspace => Edit::Backspace,
        KeyCode::Delete => Edit::Delete,
        KeyCode::Up => Edit::Up,
        KeyCode::Down => Edit::Down,
        KeyCode::Left => Edit::Left,
        KeyCode::Right => Edit::Right,
        KeyCode::Home => Edit::Start,
        KeyCode::End => Edit::End,
        _ => return None,
    };
    Some(Msg::Edit(edit))
}

/// The keys that scroll: in a dialog the arrows too, on the main screen the pages and K J.
fn scroll(code: KeyCode, dialog: bool) -> Option<Msg> {
    match code {
        KeyCode::Up | KeyCode::Char('k') if dialog => Some(Msg::LineUp),
        KeyCode::Down | KeyCode::Char('j') if dialog => Some(Msg::LineDown),
        KeyCode::Char('K') if !dialog => Some(Msg::LineUp),
        KeyCode::Char('J') if !dialog => Some(Msg::LineDown),
        KeyCode::PageUp => Some(Msg::PageUp),
        KeyCode::PageDown | KeyCode::Char(' ') => Some(Msg::PageDown),
        KeyCode::Home | KeyCode::Char('g') => Some(Msg::Home),
        KeyCode::End | KeyCode::Char('G') => Some(Msg::End),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::StepId;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn enter_runs_on_the_list_but_declines_in_a_confirmation() {
        assert_eq!(map(key(KeyCode::Enter), None), Some(Msg::Run));
        assert_eq!(map(key(KeyCode::Enter), Some(Overlay::Confirm(StepId::Alerts))), Some(Msg::No));
        assert_eq!(map(key(KeyCode::Char('y')), Some(Overlay::Confirm(StepId::Alerts))), Some(Msg::Yes));
        assert_eq!(map(key(KeyCode::Char('y')), None), None);
        assert_eq!(map(key(KeyCode::Char('d')), None), Some(Msg::Drill));
        assert_eq!(map(key(KeyCode::Char('e')), Some(Overlay::Confirm(StepId::Alerts))), Some(Msg::EditAnswers));
    }

    #[test]
    fn arrows_scroll_a_dialog_and_pages_scroll_the_detail_pane() {
        let confirm = Some(Overlay::Confirm(StepId::Alerts));
        assert_eq!(map(key(KeyCode::Down), confirm), Some(Msg::LineDown));
        assert_eq!(map(key(KeyCode::End), confirm), Some(Msg::End));
        assert_eq!(map(key(KeyCode::PageDown), None), Some(Msg::PageDown));
        assert_eq!(map(KeyEvent::new(KeyCode::Down, KeyModifiers::SHIFT), None), Some(Msg::LineDown));
        assert_eq!(map(key(KeyCode::Home), None), Some(Msg::Home));
    }

    #[test]
    fn a_question_takes_a_shells_editing_keys() {
        let input = Some(Overlay::Input(StepId::Alerts));
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        assert_eq!(map(ctrl('u'), input), Some(Msg::Edit(Edit::KillStart)));
        assert_eq!(map(ctrl('w'), input), Some(Msg::Edit(Edit::KillWord)));
        assert_eq!(map(ctrl('a'), input), Some(Msg::Edit(Edit::Start)));
        assert_eq!(map(ctrl('e'), input), Some(Msg::Edit(Edit::End)));
        assert_eq!(map(ctrl('x'), input), None, "never typed as a letter");
        assert_eq!(map(key(KeyCode::Char('q')), input), Some(Msg::Edit(Edit::Insert('q'))), "q is a letter here");
        assert_eq!(map(key(KeyCode::Enter), input), Some(Msg::Submit));
        assert_eq!(map(key(KeyCode::Esc), input), Some(Msg::No));
    }

    #[test]
    fn vim_keys_and_arrows_move() {
        assert_eq!(map(key(KeyCode::Char('j')), None), Some(Msg::Down));
        assert_eq!(map(key(KeyCode::Up), None), Some(Msg::Up));
        assert_eq!(map(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL), None), Some(Msg::Quit));
    }
}
