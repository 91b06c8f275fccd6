//! Inputs a step asks for (declared in `steps/<id>.toml`), pre-answered with `--set step.key=value`,
//! remembered in the record, or asked at a prompt. Every value is validated before anything changes.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};

use serde::Deserialize;

use crate::catalog::{self, StepId, say};

/// What kind of value an input takes; decides its validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Text,
    Email,
    Phone,
    Region,
    Regions,
    Severity,
    GuarddutyPlans,
    UserName,
    YesNo,
    /// A 12-digit account id that confirms a guess: its default is offered to a person at a
    /// prompt, never taken silently (see `offered_only`).
    AccountId,
    /// A landing zone version: two numbers and a dot, such as `4.0` (AWS's pattern).
    Version,
    /// An amount of US dollars: a positive number with at most two decimals, such as `250`.
    Amount,
    /// Controls a person turned off on purpose, each with the reason: `none`, or
    /// `ALIAS=reason; ALIAS=reason` (the guardrails step plans none of them).
    ControlSkips,
    /// A yes that holds for the run that gives it only (`--set`), such as going on without a check
    /// that could not be made: never asked, never remembered.
    Accept,
    /// One explicit choice per account, `ACCOUNT=close` or `ACCOUNT=keep` (comma-separated), or
    /// `none`: what to do where a change would end what an account shares publicly.
    AccountChoices,
}

/// Whether an input's default may only be offered to a person, never used without one: a
/// confirmation must come from someone who saw what they confirm.
fn offered_only(input: &Input) -> bool {
    input.kind == Kind::AccountId
}

/// Whether an answer is remembered for next time. An expert override (a version) holds for the run
/// that sets it only: remembered, it would outlive the groundwork release it was meant to bridge.
/// A question asked once per item (`prefix.*`, such as deactivating one access key) is a yes for
/// that run only: a remembered "no" would never be asked again.
pub fn remembered(key: &str) -> bool {
    // A per-item answer (a deletion's yes, a key's deactivation) holds for the run that gives it only.
    declared(key).is_none_or(|i| !matches!(i.kind, Kind::Version | Kind::Accept) && !i.key.ends_with('*'))
}

/// One input, as `steps/<id>.toml` declares it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub key: String,
    pub prompt: String,
    pub kind: Kind,
    #[serde(default)]
    pub default: Option<String>,
}

/// The GuardDuty protection plans a person may turn on (each is billed on its own).
pub const GUARDDUTY_PLANS: [&str; 8] = [
    "S3_DATA_EVENTS",
    "EKS_AUDIT_LOGS",
    "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS",
    "RUNTIME_MONITORING",
    "LAMBDA_NETWORK_LOGS",
    "AI_PROTECTION",
    "AI_ANALYST",
];

/// What a person needs on screen before a step's questions: its title, why it matters, its cost.
pub fn context(id: StepId) -> String {
    let step = catalog::step(id);
    let why = step.why.trim().replace('\n', " ");
    say("prompt-context", &[("title", &step.title), ("why", &why), ("cost", &step.cost)])
}

/// Finds an input's declaration.
pub fn declared(key: &str) -> Option<&'static Input> {
    let step = StepId::ALL.into_iter().find(|id| key.starts_with(&format!("{id}.")))?;
    let inputs = &catalog::step(step).inputs;
    // A per-item input (`step.name.*`) answers for each item under it: one answer per account.
    let per_item = |i: &&Input| i.key.strip_suffix('*').is_some_and(|p| key.len() > p.len() && key.starts_with(p));
    inputs.iter().find(|i| i.key == key).or_else(|| inputs.iter().find(per_item))
}

/// An input's prompt for `key`: `{item}` is what a `prefix.*` declaration's key names.
pub fn prompt(input: &Input, key: &str) -> String {
    let item = input.key.strip_suffix('*').and_then(|p| key.strip_prefix(p)).unwrap_or_default();
    catalog::fill(&input.prompt, &[("item", item)])
}

/// Checks and normalises a value; the error says what is wrong in plain words.
pub fn validate(kind: Kind, value: &str) -> Result<String, String> {
    let v = value.trim();
    let ok = match kind {
        Kind::Text => !v.is_empty() && v.chars().count() <= 64 && !v.chars().any(char::is_control),
        Kind::Email => is_email(v),
        Kind::Phone => (1..=25).contains(&v.len()) && v.chars().all(|c| c.is_ascii_digit() || " ()+-".contains(c)),
        Kind::Region => is_region(v),
        Kind::Regions => !v.is_empty() && v.split(',').all(|r| is_region(r.trim())),
        Kind::Severity => v.parse::<f64>().is_ok_and(|s| (1.0..=10.0).contains(&s)),
        Kind::GuarddutyPlans => {
            v == "none" || v.split(',').all(|p| GUARDDUTY_PLANS.contains(&p.trim().to_uppercase().as_str()))
        }
        Kind::UserName => {
            (1..=128).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
        }
        Kind::YesNo | Kind::Accept => matches!(v.to_lowercase().as_str(), "yes" | "no" | "y" | "n"),
        Kind::AccountId => v.len() == 12 && v.chars().all(|c| c.is_ascii_digit()),
        Kind::AccountChoices => {
            v == "none"
                || v.split(',').all(|pair| {
                    pair.split_once('=').is_some_and(|(a, c)| {
                        let (a, c) = (a.trim(), c.trim());
                        a.len() == 12 && a.chars().all(|d| d.is_ascii_digit()) && matches!(c, "close" | "keep")
                    })
                })
        }
        Kind::Amount => is_amount(v),
        Kind::ControlSkips => control_skips(v).is_some(),
        Kind::Version => {
            // AWS's pattern for a landing zone version: \d+.\d+
            let parts: Vec<&str> = v.split('.').collect();
            parts.len() == 2
                && parts.iter().all(|p| (1..=4).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()))
        }
    };
    if !ok {
        return Err(say(&format!("input-invalid-{}", kind_name(kind)), &[("value", v)]));
    }
    Ok(match kind {
        Kind::AccountChoices if v != "none" => {
            let pairs: Vec<String> =
                v.split(',').map(|p| p.split('=').map(str::trim).collect::<Vec<_>>().join("=")).collect();
            pairs.join(",")
        }
        Kind::Regions | Kind::GuarddutyPlans => {
            let mut items: Vec<String> = v.split(',').map(|s| s.trim().to_owned()).collect();
            if kind == Kind::GuarddutyPlans {
                for p in &mut items {
                    *p = p.to_uppercase().replace("NONE", "none");
                }
            }
            items.dedup();
            items.join(",")
        }
        Kind::YesNo | Kind::Accept => if v.to_lowercase().starts_with('y') { "yes" } else { "no" }.to_owned(),
        _ => v.to_owned(),
    })
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Text => "text",
        Kind::Email => "email",
        Kind::Phone => "phone",
        Kind::Region => "region",
        Kind::Regions => "regions",
        Kind::Severity => "severity",
        Kind::GuarddutyPlans => "guardduty-plans",
        Kind::UserName => "user-name",
        Kind::YesNo => "yes-no",
        Kind::AccountId => "account-id",
        Kind::Version => "version",
        Kind::Amount => "amount",
        Kind::ControlSkips => "control-skips",
        Kind::Accept => "accept",
        Kind::AccountChoices => "account-choices",
    }
}

/// The controls a `ControlSkips` answer names, each with its reason (`None`: not such an answer).
/// A control is named as the Control Catalog's alias for it (letters, digits, `_ . -`).
pub fn control_skips(v: &str) -> Option<BTreeMap<String, String>> {
    let v = v.trim();
    if v.eq_ignore_ascii_case("none") {
        return Some(BTreeMap::new());
    }
    let mut out = BTreeMap::new();
    for entry in v.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        let (alias, reason) = entry.split_once('=')?;
        let (alias, reason) = (alias.trim(), reason.trim());
        let named = !alias.is_empty() && alias.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        if !named || reason.is_empty() || reason.chars().count() > 200 || reason.chars().any(char::is_control) {
            return None;
        }
        out.insert(alias.to_owned(), reason.to_owned());
    }
    (!out.is_empty()).then_some(out)
}

fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else { return false };
    !local.is_empty()
        && v.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !v.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
}

/// Dollars as AWS Budgets takes them: digits, optionally a point and one or two more, more than 0
/// and less than a billion (a typo's extra zeros are refused rather than budgeted).
fn is_amount(v: &str) -> bool {
    let (whole, cents) = v.split_once('.').unwrap_or((v, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    (1..=9).contains(&whole.len())
        && digits(whole)
        && cents.len() <= 2
        && digits(cents)
        && !(v.contains('.') && cents.is_empty())
        && v.parse::<f64>().is_ok_and(|a| a > 0.0)
}

fn is_region(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

/// Parses `--set step.key=value` arguments. An unknown key or an invalid value is an error naming
/// the key, raised before anything is read or changed.
pub fn parse_sets(sets: &[String]) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for set in sets {
        let Some((key, value)) = set.split_once('=') else {
            return Err(say("input-set-syntax", &[("set", set)]));
        };
        let key = key.trim();
        let Some(input) = declared(key) else {
            return Err(say("input-unknown-key", &[("key", key)]));
        };
        let value = validate(input.kind, value).map_err(|e| say("input-bad-value", &[("key", key), ("why", &e)]))?;
        out.insert(key.to_owned(), value);
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("{0}")]
    Missing(String),
    #[error("{0}")]
    Invalid(String),
}

/// Where a plan gets the values it needs.
pub trait Ask: Send + Sync {
    /// The value for `key`; `default` is used when the person has not answered.
    fn get(&mut self, key: &str, default: Option<&str>) -> Result<String, InputError>;

    /// The value for `key` only when one was given (`--set` or remembered): for an expert override
    /// that is never asked, prompted for or listed as a question.
    fn given(&self, _key: &str) -> Option<String> {
        None
    }
}

/// Answers from `--set` and the record; prompts on a terminal for anything else (unless `--yes`).
pub struct Prompter {
    pub answers: BTreeMap<String, String>,
    pub interactive: bool,
    /// Every key the plan asked for, in order, once each.
    pub asked: Vec<String>,
    /// Answers to be asked again, each offered as the default.
    pub offered: BTreeMap<String, String>,
    /// The step's context was printed before its first question.
    introduced: bool,
}

impl Prompter {
    pub fn new(answers: BTreeMap<String, String>, assume_yes: bool) -> Prompter {
        Prompter {
            answers,
            interactive: !assume_yes && std::io::stdin().is_terminal(),
            asked: Vec::new(),
            offered: BTreeMap::new(),
            introduced: false,
        }
    }

    /// Makes every answer the last plan used a question again, with that answer as its default.
    /// Returns whether there was anything to ask.
    pub fn reopen(&mut self) -> bool {
        for key in std::mem::take(&mut self.asked) {
            if let Some(v) = self.answers.remove(&key) {
                self.offered.insert(key, v);
            }
        }
        !self.offered.is_empty()
    }
}

impl Ask for Prompter {
    fn given(&self, key: &str) -> Option<String> {
        self.answers.get(key).cloned()
    }

    fn get(&mut self, key: &str, default: Option<&str>) -> Result<String, InputError> {
        if !self.asked.iter().any(|k| k == key) {
            self.asked.push(key.to_owned());
        }
        if let Some(v) = self.answers.get(key) {
            return Ok(v.clone());
        }
        let input = declared(key).ok_or_else(|| InputError::Invalid(say("input-unknown-key", &[("key", key)])))?;
        let default = self.offered.remove(key).or_else(|| default.map(str::to_owned)).or_else(|| input.default.clone());
        if !self.interactive {
            if offered_only(input) {
                return Err(InputError::Missing(say("input-missing", &[("key", key)])));
            }
            return match default {
                Some(d) => Ok(d),
                None => Err(InputError::Missing(say("input-missing", &[("key", key)]))),
            };
        }
        if !self.introduced
            && let Some(id) = StepId::ALL.into_iter().find(|id| key.starts_with(&format!("{id}.")))
        {
            eprintln!("{}", context(id));
            self.introduced = true;
        }
        if input.kind == Kind::GuarddutyPlans {
            // The choices, each with what it is and costs, before the person names some.
            let step = catalog::step(StepId::Guardduty);
            for plan in GUARDDUTY_PLANS {
                eprintln!("  {plan}: {}", step.say(&format!("choice-{plan}"), &[]));
            }
            eprintln!("  {}", say("input-choices-typed", &[]));
        }
        let stdin = std::io::stdin();
        for _ in 0..3 {
            let shown = default.as_deref().map(|d| format!(" [{d}]")).unwrap_or_default();
            eprint!("{}{shown}: ", prompt(input, key));
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            if stdin.lock().read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            let raw = if line.trim().is_empty() { default.clone().unwrap_or_default() } else { line };
            match validate(input.kind, &raw) {
                Ok(v) => {
                    self.answers.insert(key.to_owned(), v.clone());
                    return Ok(v);
                }
                Err(why) => eprintln!("  {why}"),
            }
        }
        Err(InputError::Missing(say("input-missing", &[("key", key)])))
    }
}

/// For `plan`: answers where known, a visible placeholder where not, and a list of what is missing.
#[derive(Default)]
pub struct Placeholders {
    pub answers: BTreeMap<String, String>,
    /// Inputs with no answer and no default.
    pub missing: Vec<String>,
    /// Every input asked that has no answer yet, with its default (for the wizard to ask them all).
    pub unanswered: Vec<(String, Option<String>)>,
    /// Every input the plan asked, once each, with the value it used (to offer them for editing).
    pub asked: Vec<(String, Option<String>)>,
}

impl Placeholders {
    fn note(&mut self, key: &str, value: Option<&String>) {
        if !self.asked.iter().any(|(k, _)| k == key) {
            self.asked.push((key.to_owned(), value.cloned()));
        }
    }
}

impl Ask for Placeholders {
    fn given(&self, key: &str) -> Option<String> {
        self.answers.get(key).cloned()
    }

    fn get(&mut self, key: &str, default: Option<&str>) -> Result<String, InputError> {
        if let Some(v) = self.answers.get(key).cloned() {
            self.note(key, Some(&v));
            return Ok(v);
        }
        let input = declared(key);
        let default = default.map(str::to_owned).or_else(|| input.and_then(|i| i.default.clone()));
        self.note(key, default.as_ref());
        self.unanswered.push((key.to_owned(), default.clone()));
        if let Some(d) = default.filter(|_| !input.is_some_and(offered_only)) {
            return Ok(d);
        }
        self.missing.push(key.to_owned());
        Ok(format!("<{key}>"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_validated() {
        assert!(validate(Kind::Email, "ada@example.com").is_ok());
        for bad in ["", "ada", "ada@", "@example.com", "ada@example", "a da@example.com"] {
            assert!(validate(Kind::Email, bad).is_err(), "{bad:?}");
        }
        assert!(validate(Kind::Text, "  ").is_err());
        assert!(validate(Kind::Phone, "+1 (555) 555-0100").is_ok());
        assert!(validate(Kind::Phone, "call me").is_err());
        assert_eq!(validate(Kind::Regions, "us-east-1, eu-west-1").as_deref(), Ok("us-east-1,eu-west-1"));
        assert!(validate(Kind::Region, "moon-1").is_err());
        assert!(validate(Kind::Severity, "11").is_err());
        assert_eq!(validate(Kind::GuarddutyPlans, "s3_data_events").as_deref(), Ok("S3_DATA_EVENTS"));
        assert!(validate(Kind::GuarddutyPlans, "EVERYTHING").is_err());
        assert_eq!(validate(Kind::Version, " 4.1 ").as_deref(), Ok("4.1"));
        for bad in ["4", "latest", "4.x", "4..1", "v4.1", "4.1.2", "4.-1", "12345.0"] {
            assert!(validate(Kind::Version, bad).is_err(), "{bad:?}");
        }
        assert_eq!(validate(Kind::Amount, " 250 ").as_deref(), Ok("250"));
        assert!(validate(Kind::Amount, "99.50").is_ok());
        for bad in ["0", "0.00", "-5", "5.", ".5", "1.234", "$100", "1e3", "1,000", "1000000000", ""] {
            assert!(validate(Kind::Amount, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn every_declared_input_belongs_to_its_step() {
        for id in StepId::ALL {
            for input in &catalog::step(id).inputs {
                assert!(input.key.starts_with(&format!("{id}.")), "{} is declared in {id}", input.key);
                if let Some(d) = &input.default {
                    assert!(validate(input.kind, d).is_ok(), "default of {} is invalid", input.key);
                }
            }
        }
    }

    #[test]
    fn a_confirmation_is_offered_never_assumed() {
        let (key, found) = ("control-tower.confirm-audit", "222222222222");
        let mut plan = Placeholders::default();
        assert_eq!(plan.get(key, Some(found)), Ok(format!("<{key}>")));
        assert_eq!(plan.missing, vec![key.to_owned()]);
        assert_eq!(plan.unanswered, vec![(key.to_owned(), Some(found.to_owned()))], "the wizard offers it");
        let mut script = Prompter::new(BTreeMap::new(), true);
        assert!(matches!(script.get(key, Some(found)), Err(InputError::Missing(_))), "--yes is no confirmation");
        script.answers.insert(key.to_owned(), found.to_owned());
        assert_eq!(script.get(key, Some(found)).as_deref(), Ok(found));
        assert!(validate(Kind::AccountId, "22222222222").is_err());
        assert!(validate(Kind::AccountId, "2222222222a2").is_err());
    }

    #[test]
    fn a_per_item_input_asks_about_its_item_and_is_never_remembered() {
        let key = "root-access.delete.222222222222";
        let input = declared(key).expect("declared by root-access.delete.*");
        assert_eq!(input.kind, Kind::YesNo);
        assert!(prompt(input, key).contains("222222222222"), "{}", prompt(input, key));
        assert!(!remembered(key), "a deletion's yes holds for its own run");
        assert!(declared("root-access.delete.").is_none(), "an item is needed");
        let mut script = Prompter::new(BTreeMap::new(), true);
        assert_eq!(script.get(key, Some("no")).as_deref(), Ok("no"), "--yes alone deletes nothing");
    }

    #[test]
    fn an_expert_override_is_never_asked_nor_remembered() {
        let key = "control-tower.version";
        let mut plan = Placeholders::default();
        assert_eq!(plan.given(key), None);
        assert!(plan.unanswered.is_empty() && plan.missing.is_empty(), "the wizard does not ask it");
        plan.answers.insert(key.to_owned(), "4.1".to_owned());
        assert_eq!(plan.given(key).as_deref(), Some("4.1"));
        assert!(!remembered(key));
        assert!(remembered("control-tower.regions"));
    }

    #[test]
    fn reopened_answers_are_asked_again_with_themselves_as_defaults() {
        let mut p = Prompter::new(BTreeMap::from([("alerts.email".to_owned(), "typo@example.con".to_owned())]), true);
        assert_eq!(p.get("alerts.email", None).as_deref(), Ok("typo@example.con"));
        assert!(p.reopen());
        assert!(p.answers.is_empty());
        // Without a terminal the offered answer is the default taken; on one it is asked.
        assert_eq!(p.get("alerts.email", None).as_deref(), Ok("typo@example.con"));
        assert!(!p.reopen(), "nothing asked since");
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let e = parse_sets(&["alerts.colour=red".into()]).expect_err("unknown");
        assert!(e.contains("alerts.colour"), "{e}");
        let e = parse_sets(&["alerts.email=nope".into()]).expect_err("invalid");
        assert!(e.contains("alerts.email"), "{e}");
        assert_eq!(
            parse_sets(&["alerts.min-severity=8".into()])
                .ok()
                .and_then(|m| m.get("alerts.min-severity").cloned())
                .as_deref(),
            Some("8")
        );
    }
}
