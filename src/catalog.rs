//! The step catalog: the closed set of lab steps and the words a person reads about each, loaded
//! from `steps/<id>.toml` (compiled into the binary) and `assets/messages.toml`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The eight lab steps, in lab order. The TOML files must match this list one to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepId {
    RootMfa,
    Contacts,
    Organization,
    ControlTower,
    IdentityCenter,
    Guardduty,
    SecurityHub,
    Alerts,
    Guardrails,
    IamUsers,
    AccessAnalyzer,
    EbsEncryption,
    RootAccess,
    S3PublicAccess,
    Budget,
}

impl StepId {
    pub const ALL: [StepId; 15] = [
        StepId::RootMfa,
        StepId::Contacts,
        StepId::Organization,
        StepId::ControlTower,
        StepId::IdentityCenter,
        StepId::Guardduty,
        StepId::SecurityHub,
        StepId::Alerts,
        StepId::Guardrails,
        StepId::IamUsers,
        StepId::AccessAnalyzer,
        StepId::EbsEncryption,
        StepId::RootAccess,
        StepId::S3PublicAccess,
        StepId::Budget,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StepId::RootMfa => "root-mfa",
            StepId::Contacts => "contacts",
            StepId::Organization => "organization",
            StepId::ControlTower => "control-tower",
            StepId::IdentityCenter => "identity-center",
            StepId::Guardduty => "guardduty",
            StepId::SecurityHub => "security-hub",
            StepId::Alerts => "alerts",
            StepId::Guardrails => "guardrails",
            StepId::IamUsers => "iam-users",
            StepId::AccessAnalyzer => "access-analyzer",
            StepId::EbsEncryption => "ebs-encryption",
            StepId::RootAccess => "root-access",
            StepId::S3PublicAccess => "s3-public-access",
            StepId::Budget => "budget",
        }
    }

    pub fn parse(s: &str) -> Option<StepId> {
        StepId::ALL.into_iter().find(|id| id.as_str() == s)
    }

    /// The TOML text for this step, compiled in so the binary runs from anywhere.
    fn source(self) -> &'static str {
        match self {
            StepId::RootMfa => include_str!("../steps/root-mfa.toml"),
            StepId::Contacts => include_str!("../steps/contacts.toml"),
            StepId::Organization => include_str!("../steps/organization.toml"),
            StepId::ControlTower => include_str!("../steps/control-tower.toml"),
            StepId::IdentityCenter => include_str!("../steps/identity-center.toml"),
            StepId::Guardduty => include_str!("../steps/guardduty.toml"),
            StepId::SecurityHub => include_str!("../steps/security-hub.toml"),
            StepId::Alerts => include_str!("../steps/alerts.toml"),
            StepId::Guardrails => include_str!("../steps/guardrails.toml"),
            StepId::IamUsers => include_str!("../steps/iam-users.toml"),
            StepId::AccessAnalyzer => include_str!("../steps/access-analyzer.toml"),
            StepId::EbsEncryption => include_str!("../steps/ebs-encryption.toml"),
            StepId::RootAccess => include_str!("../steps/root-access.toml"),
            StepId::S3PublicAccess => include_str!("../steps/s3-public-access.toml"),
            StepId::Budget => include_str!("../steps/budget.toml"),
        }
    }
}

impl fmt::Display for StepId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a step belongs: the lab's eight, the rest of the article's foundation, or what founders
/// need next. The wizard shows the step list in these sections so a long list stays readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Section {
    #[default]
    Lab,
    Foundation,
    Next,
}

impl Section {
    /// Its title, from `assets/messages.toml`.
    pub fn title(self) -> String {
        match self {
            Section::Lab => say("section-lab", &[]),
            Section::Foundation => say("section-foundation", &[]),
            Section::Next => say("section-next", &[]),
        }
    }
}

/// A console page a person may need.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub label: String,
    pub url: String,
}

/// Everything a person reads about one step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: StepId,
    pub title: String,
    pub summary: String,
    /// The section of the step list it is shown in (the lab's by default).
    #[serde(default)]
    pub section: Section,
    pub why: String,
    /// What only a person can do (AWS has no API for it), as numbered console steps.
    #[serde(default)]
    pub manual: Option<String>,
    pub cost: String,
    #[serde(default)]
    pub depends_on: Vec<StepId>,
    #[serde(default)]
    pub links: Vec<Link>,
    /// What `apply` may ask the person (`--set` keys).
    #[serde(default)]
    pub inputs: Vec<crate::inputs::Input>,
    /// Templates for what the check and the plan say, keyed by name; `{name}` is filled in.
    pub messages: BTreeMap<String, String>,
}

impl Step {
    /// Fills the named message template. An unknown key is a bug caught by the catalog test;
    /// at run time it degrades to the key itself rather than failing a check.
    pub fn say(&self, key: &str, args: &[(&str, &str)]) -> String {
        let template = self.messages.get(key).map_or(key, String::as_str);
        fill(template, args)
    }
}

/// Replaces `{name}` placeholders with their values.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Words that belong to no single step: errors, hints, table chrome.
#[derive(Debug, Deserialize)]
pub struct Messages(BTreeMap<String, String>);

impl Messages {
    pub fn say(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.0.get(key).map_or(key, String::as_str), args)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

/// The catalog, parsed once. The sources are compiled in and tested, so a parse failure here is a
/// build defect, reported with the file name.
pub fn step(id: StepId) -> &'static Step {
    static STEPS: OnceLock<Vec<Step>> = OnceLock::new();
    let steps = STEPS.get_or_init(|| StepId::ALL.iter().map(|&id| parse_step(id)).collect());
    &steps[id as usize]
}

fn parse_step(id: StepId) -> Step {
    match toml::from_str::<Step>(id.source()) {
        Ok(step) => step,
        Err(e) => panic!("steps/{id}.toml is invalid: {e}"),
    }
}

/// The shared messages from `assets/messages.toml`.
pub fn messages() -> &'static Messages {
    static MESSAGES: OnceLock<Messages> = OnceLock::new();
    MESSAGES.get_or_init(|| match toml::from_str(include_str!("../assets/messages.toml")) {
        Ok(m) => m,
        Err(e) => panic!("assets/messages.toml is invalid: {e}"),
    })
}

/// Shorthand for a shared message.
pub fn say(key: &str, args: &[(&str, &str)]) -> String {
    messages().say(key, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_file_parses_and_matches_its_id() {
        for id in StepId::ALL {
            let step = step(id);
            assert_eq!(step.id, id, "steps/{id}.toml declares id {}", step.id);
            assert!(!step.title.is_empty() && !step.summary.is_empty() && !step.why.is_empty());
        }
    }

    #[test]
    fn dependencies_point_backwards() {
        for id in StepId::ALL {
            for dep in &step(id).depends_on {
                assert!(*dep < id, "{id} depends on {dep}, which comes later in the lab");
            }
        }
    }

    #[test]
    fn step_files_and_ids_match_one_to_one() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/steps");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("steps/ exists")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(".toml").map(str::to_owned))
            .collect();
        on_disk.sort();
        let mut ids: Vec<String> = StepId::ALL.iter().map(|i| i.as_str().to_owned()).collect();
        ids.sort();
        assert_eq!(on_disk, ids);
    }

    #[test]
    fn links_are_https_console_or_docs_pages() {
        for id in StepId::ALL {
            for link in &step(id).links {
                assert!(link.url.starts_with("https://"), "{id}: {}", link.url);
            }
        }
    }

    #[test]
    fn sections_follow_the_step_order() {
        let sections: Vec<Section> = StepId::ALL.iter().map(|&id| step(id).section).collect();
        assert!(sections.windows(2).all(|w| w[0] <= w[1]), "a section's steps must be contiguous: {sections:?}");
        assert!(!Section::Next.title().is_empty() && Section::Lab.title() != Section::Foundation.title());
    }

    #[test]
    fn fill_replaces_every_placeholder() {
        assert_eq!(fill("{a} and {b} and {a}", &[("a", "x"), ("b", "y")]), "x and y and x");
    }
}
