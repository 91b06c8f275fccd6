//! The questions dialog: the step's title, why and cost above, the answers given so far, and the
//! question being asked at the bottom, always in view, with its line, cursor and any refusal.

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::form::Form;
use super::view::Theme;
use crate::catalog::{self, say};
use crate::output::inert;

pub(super) fn draw(f: &mut Frame<'_>, form: &Form, theme: Theme) {
    let Some(field) = form.field() else { return };
    let step = catalog::step(form.id);
    let area = f.area();
    let width = 100.min(area.width.saturating_sub(2));
    let inner_width = width.saturating_sub(2);

    let mut context = Text::default();
    context.push_line(Line::from(step.why.trim().replace('\n', " ")));
    context.push_line(Line::from(""));
    context.push_line(Line::from(say("wizard-ask-cost", &[("cost", &step.cost)])));
    for (done, answer) in form.fields.iter().zip(&form.answers) {
        context.push_line(Line::styled(format!("  ✓ {}: {}", done.prompt, inert(answer)), theme.fg(Color::Green)));
    }

    let mut question = Text::default();
    question.push_line(Line::from(""));
    question.push_line(Line::from(vec![
        Span::styled(field.prompt.clone(), Style::default().add_modifier(Modifier::BOLD)),
        Span::raw(format!(" [{}]", field.key)),
    ]));
    if field.choices.is_empty() {
        if let Some(hint) = &field.hint {
            question.push_line(Line::styled(hint.clone(), theme.fg(Color::DarkGray)));
        }
        question.push_line(input_line(form, field.default.as_deref(), theme));
    } else {
        choice_lines(&mut question, form, field, theme);
    }
    if let Some(why) = &form.error {
        question.push_line(Line::styled(inert(why), theme.fg(Color::Red)));
    }
    let asked = u16::try_from(Paragraph::new(question.clone()).wrap(Wrap { trim: false }).line_count(inner_width))
        .unwrap_or(u16::MAX);
    let told = u16::try_from(Paragraph::new(context.clone()).wrap(Wrap { trim: false }).line_count(inner_width))
        .unwrap_or(u16::MAX);
    let height = (told.saturating_add(asked).saturating_add(2)).min(area.height.saturating_sub(2));
    let rect = Rect {
        x: area.x + area.width.saturating_sub(width) / 2,
        y: area.y + area.height.saturating_sub(height) / 2,
        width,
        height,
    };
    let title = say(
        "wizard-ask-title",
        &[
            ("title", &step.title),
            ("n", &(form.answers.len() + 1).to_string()),
            ("total", &form.fields.len().to_string()),
        ],
    );
    f.render_widget(Clear, rect);
    let block = Block::default().borders(Borders::ALL).title(title).title_bottom(say("wizard-ask-keys", &[]));
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    // The question keeps its rows; the context above gives way on a small screen.
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Min(0), Constraint::Length(asked.min(inner.height))])
        .split(inner);
    f.render_widget(Paragraph::new(context).wrap(Wrap { trim: false }), parts[0]);
    f.render_widget(Paragraph::new(question).wrap(Wrap { trim: false }), parts[1]);
}

/// "> " and the line typed, the cursor as a reversed cell; an empty line shows what Enter takes.
fn input_line(form: &Form, default: Option<&str>, theme: Theme) -> Line<'static> {
    let chars: Vec<char> = form.line.chars().collect();
    let at = form.cursor.min(chars.len());
    let before: String = chars[..at].iter().collect();
    let under: String = chars.get(at).map_or_else(|| " ".to_owned(), char::to_string);
    let after: String = chars.get(at + 1..).map(|c| c.iter().collect()).unwrap_or_default();
    let mut spans = vec![
        Span::raw("> "),
        Span::raw(inert(&before)),
        Span::styled(inert(&under), Style::default().add_modifier(Modifier::REVERSED)),
        Span::raw(inert(&after)),
    ];
    if let Some(d) = default.filter(|_| chars.is_empty()) {
        spans.push(Span::styled(say("wizard-ask-default", &[("default", &inert(d))]), theme.fg(Color::DarkGray)));
    }
    Line::from(spans)
}

/// A list of choices: each with its tick, value and words; the selected one reversed.
fn choice_lines(text: &mut Text<'static>, form: &Form, field: &super::form::Field, theme: Theme) {
    for (n, (choice, ticked)) in field.choices.iter().zip(&form.ticked).enumerate() {
        let mark = if *ticked { "[x]" } else { "[ ]" };
        let style = if n == form.cursor { Style::default().add_modifier(Modifier::REVERSED) } else { Style::default() };
        text.push_line(Line::from(vec![
            Span::styled(format!("{mark} {}", choice.value), style.add_modifier(Modifier::BOLD)),
            Span::styled(format!("  {}", choice.label), style),
        ]));
    }
    text.push_line(Line::styled(say("wizard-choices-keys", &[]), theme.fg(Color::DarkGray)));
}
