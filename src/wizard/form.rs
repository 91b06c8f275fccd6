//! A step's questions, asked inside the wizard: one at a time under the step's title, why and
//! cost, edited like a shell line (Ctrl-A/E, Ctrl-U/K/W, arrows), each answer validated before the
//! next. Pure: the keys arrive as `Edit`s, the answers leave as plain values.

use crate::catalog::{StepId, say};
use crate::inputs::{self, Kind};

/// One question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub key: String,
    pub prompt: String,
    /// How the answer is validated; `None` for free text (a skip's reason).
    kind: Option<Kind>,
    /// What Enter on an empty line answers: the answer in use, else the declared default.
    pub default: Option<String>,
    /// For a question with a fixed set of answers ticked on a list: each value with what it is
    /// and costs. Empty for a typed answer.
    pub choices: Vec<Choice>,
    /// The answers a typed question takes, shown under it (a range, yes or no), if not obvious.
    pub hint: Option<String>,
}

/// One item of a multi-select question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    /// Its purpose and price, from the step's words.
    pub label: String,
}

/// The items a kind of question is answered by ticking, with their words; none for a typed one.
fn choices(kind: Kind, id: StepId) -> Vec<Choice> {
    if kind != Kind::GuarddutyPlans {
        return Vec::new();
    }
    let step = crate::catalog::step(id);
    inputs::GUARDDUTY_PLANS
        .iter()
        .map(|v| Choice { value: (*v).to_owned(), label: step.say(&format!("choice-{v}"), &[]) })
        .collect()
}

fn hint(kind: Kind) -> Option<String> {
    match kind {
        Kind::Severity => Some(say("wizard-hint-severity", &[])),
        Kind::YesNo => Some(say("wizard-hint-yes-no", &[])),
        _ => None,
    }
}

/// A change to the line being typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Insert(char),
    Backspace,
    Delete,
    Left,
    Right,
    /// ↑ ↓: the item above or below, on a list of choices.
    Up,
    Down,
    Start,
    End,
    /// Ctrl-U: everything before the cursor.
    KillStart,
    /// Ctrl-K: everything from the cursor.
    KillEnd,
    /// Ctrl-W: the word before the cursor.
    KillWord,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub id: StepId,
    /// The form asks why the step is skipped, not the step's inputs.
    pub skip: bool,
    pub fields: Vec<Field>,
    /// The validated answers so far, one per field already asked.
    pub answers: Vec<String>,
    pub line: String,
    /// The cursor, in characters from the start of the line.
    pub cursor: usize,
    /// Why the last answer was not taken.
    pub error: Option<String>,
    /// The Regions of this account, as AWS listed them (`account:ListRegions`, read once): a Region
    /// answer is checked against them as it is given. `None` when they could not be read.
    pub regions: Option<Vec<String>>,
    /// Which of the current question's choices are ticked (empty for a typed question).
    pub ticked: Vec<bool>,
}

impl Form {
    /// The questions for `keys` (each with the value to offer); `Err` names a key no step declares.
    pub fn new(id: StepId, keys: &[(String, Option<String>)]) -> Result<Form, String> {
        let fields = keys
            .iter()
            .map(|(key, offered)| {
                let input = inputs::declared(key).ok_or_else(|| key.clone())?;
                Ok(Field {
                    key: key.clone(),
                    prompt: inputs::prompt(key, input),
                    kind: Some(input.kind),
                    default: offered.clone().or_else(|| input.default.clone()),
                    choices: choices(input.kind, id),
                    hint: hint(input.kind),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let mut form = Form {
            id,
            skip: false,
            fields,
            answers: Vec::new(),
            line: String::new(),
            cursor: 0,
            error: None,
            regions: None,
            ticked: Vec::new(),
        };
        form.tick_defaults();
        Ok(form)
    }

    /// One free-text question: why the step is skipped.
    pub fn skip_reason(id: StepId) -> Form {
        let field = Field {
            key: "skip".into(),
            prompt: say("wizard-skip-prompt", &[]),
            kind: None,
            default: None,
            choices: Vec::new(),
            hint: None,
        };
        Form {
            id,
            skip: true,
            fields: vec![field],
            answers: Vec::new(),
            line: String::new(),
            cursor: 0,
            error: None,
            regions: None,
            ticked: Vec::new(),
        }
    }

    /// The question being asked.
    pub fn field(&self) -> Option<&Field> {
        self.fields.get(self.answers.len())
    }

    pub fn edit(&mut self, edit: Edit) {
        if self.field().is_some_and(|f| !f.choices.is_empty()) {
            self.pick(edit);
            return;
        }
        let mut chars: Vec<char> = self.line.chars().collect();
        let at = self.cursor.min(chars.len());
        let cursor = match edit {
            Edit::Insert(c) if !c.is_control() => {
                chars.insert(at, c);
                at + 1
            }
            Edit::Backspace if at > 0 => {
                chars.remove(at - 1);
                at - 1
            }
            // A control character is never typed into an answer; Backspace at the start does
            // nothing; a line has no item above or below.
            Edit::Insert(_) | Edit::Backspace | Edit::Up | Edit::Down => at,
            Edit::Delete => {
                if at < chars.len() {
                    chars.remove(at);
                }
                at
            }
            Edit::Left => at.saturating_sub(1),
            Edit::Right => (at + 1).min(chars.len()),
            Edit::Start => 0,
            Edit::End => chars.len(),
            Edit::KillStart => {
                chars.drain(..at);
                0
            }
            Edit::KillEnd => {
                chars.truncate(at);
                at
            }
            Edit::KillWord => {
                // Spaces before the cursor, then the word before them, as a shell does.
                let mut start = at;
                while start > 0 && chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && chars[start - 1] != ' ' {
                    start -= 1;
                }
                chars.drain(start..at);
                start
            }
        };
        self.line = chars.into_iter().collect();
        self.cursor = cursor;
        self.error = None;
    }

    /// Enter: the line (or the default, when it is empty) is validated and taken, and the next
    /// question comes; after the last, every answer as (key, value).
    pub fn submit(&mut self) -> Option<Vec<(String, String)>> {
        let field = self.field()?;
        let raw = if !field.choices.is_empty() {
            let picked: Vec<&str> =
                field.choices.iter().zip(&self.ticked).filter(|(_, t)| **t).map(|(c, _)| c.value.as_str()).collect();
            if picked.is_empty() { "none".to_owned() } else { picked.join(",") }
        } else if self.line.trim().is_empty() {
            field.default.clone().unwrap_or_default()
        } else {
            self.line.clone()
        };
        let checked = match field.kind {
            Some(kind) => inputs::validate(kind, &raw).and_then(|v| self.in_account(kind, v)),
            None if raw.trim().is_empty() => Err(say("wizard-skip-empty", &[])),
            None => Ok(raw.trim().to_owned()),
        };
        match checked {
            Ok(value) => {
                self.answers.push(value);
                self.line.clear();
                self.cursor = 0;
                self.error = None;
                self.tick_defaults();
            }
            Err(why) => {
                self.error = Some(why);
                return None;
            }
        }
        if self.answers.len() < self.fields.len() {
            return None;
        }
        Some(self.fields.iter().map(|f| f.key.clone()).zip(self.answers.iter().cloned()).collect())
    }
}

impl Form {
    /// On a list of choices: the answer in use (or the default) ticked, the first item selected.
    fn tick_defaults(&mut self) {
        let Some(field) = self.field() else { return };
        let given: Vec<String> =
            field.default.iter().flat_map(|d| d.split(',')).map(|v| v.trim().to_uppercase()).collect();
        self.ticked = field.choices.iter().map(|c| given.contains(&c.value)).collect();
        self.cursor = 0;
    }

    /// A key on a list of choices: ↑↓ select, Space ticks or unticks; nothing is typed.
    fn pick(&mut self, edit: Edit) {
        let last = self.ticked.len().saturating_sub(1);
        match edit {
            Edit::Up => self.cursor = self.cursor.saturating_sub(1),
            Edit::Down => self.cursor = (self.cursor + 1).min(last),
            Edit::Start => self.cursor = 0,
            Edit::End => self.cursor = last,
            Edit::Insert(' ') => {
                if let Some(t) = self.ticked.get_mut(self.cursor) {
                    *t = !*t;
                }
            }
            _ => {}
        }
        self.error = None;
    }

    /// A Region answer names only Regions AWS lists for this account; the reason says which not.
    fn in_account(&self, kind: Kind, value: String) -> Result<String, String> {
        let Some(known) = self.regions.as_ref().filter(|_| matches!(kind, Kind::Region | Kind::Regions)) else {
            return Ok(value);
        };
        match value.split(',').find(|r| !known.iter().any(|k| k == r)) {
            None => Ok(value),
            Some(r) => {
                let examples: Vec<&str> = known.iter().take(4).map(String::as_str).collect();
                Err(say("input-region-not-listed", &[("region", r), ("examples", &examples.join(", "))]))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        let keys = [
            ("alerts.email".to_owned(), Some("typo@example.con".to_owned())),
            ("alerts.min-severity".to_owned(), None),
        ];
        Form::new(StepId::Alerts, &keys).expect("declared")
    }

    fn typed(f: &mut Form, text: &str) {
        text.chars().for_each(|c| f.edit(Edit::Insert(c)));
    }

    #[test]
    fn lines_edit_like_a_shell() {
        let mut f = form();
        typed(&mut f, "ada lovelace@example.com");
        f.edit(Edit::KillWord);
        assert_eq!((f.line.as_str(), f.cursor), ("ada ", 4));
        f.edit(Edit::KillWord);
        assert_eq!(f.line, "");
        typed(&mut f, "bob@example.com");
        f.edit(Edit::Start);
        f.edit(Edit::Delete);
        typed(&mut f, "r");
        assert_eq!(f.line, "rob@example.com");
        f.edit(Edit::End);
        f.edit(Edit::Left);
        f.edit(Edit::Left);
        f.edit(Edit::Left);
        f.edit(Edit::KillEnd);
        assert_eq!(f.line, "rob@example.");
        f.edit(Edit::KillStart);
        assert_eq!((f.line.as_str(), f.cursor), ("", 0));
        f.edit(Edit::Insert('\u{15}'));
        assert_eq!(f.line, "", "a control character is never typed into an answer");
    }

    #[test]
    fn an_empty_line_takes_the_offered_answer_and_a_bad_one_is_refused() {
        let mut f = form();
        typed(&mut f, "not an email");
        assert_eq!(f.submit(), None);
        assert!(f.error.is_some() && f.answers.is_empty(), "refused, asked again");
        f.edit(Edit::KillStart);
        assert_eq!(f.submit(), None, "the offered answer, then the next question");
        assert_eq!(f.field().map(|x| x.key.as_str()), Some("alerts.min-severity"));
        assert_eq!(
            f.submit(),
            Some(vec![("alerts.email".into(), "typo@example.con".into()), ("alerts.min-severity".into(), "7".into())])
        );
    }

    #[test]
    fn a_region_this_account_does_not_list_is_refused_as_it_is_given() {
        let keys = [("control-tower.regions".to_owned(), None)];
        let mut f = Form::new(StepId::ControlTower, &keys).expect("declared");
        f.regions = Some(vec!["us-east-1".into(), "eu-west-1".into()]);
        typed(&mut f, "us-east-1,mars-north-9");
        assert_eq!(f.submit(), None);
        assert!(f.error.as_deref().is_some_and(|e| e.contains("mars-north-9")), "{:?}", f.error);
        f.edit(Edit::KillStart);
        typed(&mut f, "us-east-1, eu-west-1");
        assert_eq!(f.submit(), Some(vec![("control-tower.regions".into(), "us-east-1,eu-west-1".into())]));
    }

    #[test]
    fn paid_plans_are_ticked_on_a_list_with_their_words() {
        let keys = [("guardduty.plans".to_owned(), Some("RUNTIME_MONITORING".to_owned()))];
        let mut f = Form::new(StepId::Guardduty, &keys).expect("declared");
        let field = f.field().expect("a question").clone();
        assert_eq!(field.choices.len(), inputs::GUARDDUTY_PLANS.len());
        assert!(field.choices.iter().all(|c| !c.label.starts_with("choice-")), "every plan has its words");
        let runtime = field.choices.iter().position(|c| c.value == "RUNTIME_MONITORING").expect("listed");
        assert!(f.ticked[runtime] && f.ticked.iter().filter(|t| **t).count() == 1, "the answer in use is ticked");
        f.edit(Edit::Insert(' '));
        f.edit(Edit::Down);
        f.edit(Edit::Insert('q'));
        assert_eq!(f.line, "", "nothing is typed on a list");
        assert_eq!(f.submit(), Some(vec![("guardduty.plans".into(), "S3_DATA_EVENTS,RUNTIME_MONITORING".into())]));
        let mut f = Form::new(StepId::Guardduty, &[("guardduty.plans".to_owned(), None)]).expect("declared");
        assert_eq!(f.submit(), Some(vec![("guardduty.plans".into(), "none".into())]), "nothing ticked is none");
    }

    #[test]
    fn a_skip_needs_a_reason() {
        let mut f = Form::skip_reason(StepId::Contacts);
        assert_eq!(f.submit(), None);
        assert!(f.error.is_some());
        typed(&mut f, "  the lawyer is choosing  ");
        assert_eq!(f.submit(), Some(vec![("skip".into(), "the lawyer is choosing".into())]));
    }

    #[test]
    fn an_undeclared_key_is_named() {
        assert_eq!(Form::new(StepId::Alerts, &[("alerts.colour".into(), None)]), Err("alerts.colour".into()));
    }
}
