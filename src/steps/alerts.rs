//! alerts: in every governed Region of the Audit account (or the caller's own account outside an
//! organization), an enabled EventBridge rule that EventBridge itself says matches GuardDuty
//! findings at or above the chosen severity about every active account, targeting an SNS topic in
//! the rule's Region that this rule may publish to (policy and encryption), with a confirmed email.
//! A Region may instead forward its findings to the home Region's event bus through a role
//! EventBridge may use; the home Region's rules are then judged on findings from that Region.
//!
//! One observation (`observe`) reads all of it once; the verdict (`judge`) and the changes
//! (`plan`) are pure functions of that observation and the person's answers, so a rule groundwork
//! built for the chosen severity is judged with that same severity. A piece that cannot be read is
//! kept in its place and makes only itself unknown: another complete rule still counts.

mod judge;
mod observe;
mod plan;
mod policy;
mod route;
mod samples;

use std::collections::BTreeMap;

pub use judge::judge;
pub use observe::observe;
pub use plan::plan;
pub use policy::{Access, Publish, publish_access};
pub use route::{RoleAccess, role_forwards};
pub use samples::{DEFAULT_MIN_SEVERITY, Evaluation, Kind, Sample, evaluate, finding_event, min_severity, samples};

use crate::aws::iam::RoleDocs;
use crate::aws::sns::{Subscription, TopicAccess};
use crate::aws::{AwsError, eventbridge};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::verdict::Finding;

/// The topic groundwork creates in the home Region.
pub const TOPIC: &str = "groundwork-security-alerts";
/// The rule groundwork creates in every governed Region.
pub const RULE: &str = "groundwork-guardduty-findings";
/// The role EventBridge uses to forward findings to the home Region's event bus.
pub const ROLE: &str = "groundwork-alerts-forwarding";

/// Everything the step reads from AWS, as plain values (a test builds one by hand). Each part that
/// could not be read holds its error, so it makes only itself unknown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observed {
    /// Where the alert path lives: Audit, or the caller's own account outside an organization.
    pub account: String,
    /// The home Region: groundwork's topic, and where other Regions forward their findings.
    pub home: String,
    /// The governed Regions, in order: each gets a verdict.
    pub governed: Vec<String>,
    /// The accounts findings can be about: every active account, else this one.
    pub about: Vec<String>,
    /// Why the organization's accounts could not be listed: then whom findings can be about is
    /// unknown, and no Region is judged (a rule covering only some accounts would read as done).
    pub accounts_unread: Option<AwsError>,
    /// The rules on the default bus of each Region read (the governed ones and home).
    pub rules: BTreeMap<String, Result<Vec<RuleSeen>, AwsError>>,
    /// EventBridge's answers (TestEventPattern): pattern, then event, to whether it matches.
    pub matches: BTreeMap<String, BTreeMap<String, Result<bool, AwsError>>>,
    /// SNS topics by ARN; one that does not exist is SNS's `NotFound` error.
    pub topics: BTreeMap<String, Result<Topic, AwsError>>,
    /// Forwarding roles by ARN: `None` when no role of that name exists.
    pub roles: BTreeMap<String, Result<Option<RoleDocs>, AwsError>>,
}

/// One rule, with its targets when the step needs them (a rule about GuardDuty findings, or
/// groundwork's own).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSeen {
    pub rule: eventbridge::Rule,
    pub targets: Option<Result<Vec<eventbridge::Target>, AwsError>>,
}

/// A topic's access policy, encryption and subscriptions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Topic {
    pub access: TopicAccess,
    pub subscriptions: Vec<Subscription>,
}

/// The person's answers the step is judged and planned with.
#[derive(Debug, Clone, PartialEq)]
pub struct Answers {
    /// `alerts.min-severity` as the person wrote it (the rule's pattern keeps 7 as 7, not 7.0).
    pub min_severity: String,
    /// `alerts.email`: the address groundwork subscribes when alerts reach no confirmed one.
    pub email: Option<String>,
}

impl Answers {
    /// From the record's remembered answers; the step's default where none is remembered.
    pub fn remembered(answers: &BTreeMap<String, String>) -> Answers {
        let min = answers.get("alerts.min-severity").map_or_else(|| DEFAULT_MIN_SEVERITY.to_string(), Clone::clone);
        Answers { min_severity: min, email: answers.get("alerts.email").cloned() }
    }

    /// The threshold, validated like every input (the default when the answer is not a severity).
    pub fn min(&self) -> f64 {
        min_severity(Some(&self.min_severity))
    }
}

impl Observed {
    /// The ARN of groundwork's topic, rule and role, and of the home Region's default bus.
    pub fn topic_arn(&self) -> String {
        format!("arn:aws:sns:{}:{}:{TOPIC}", self.home, self.account)
    }

    pub fn rule_arn(&self, region: &str) -> String {
        format!("arn:aws:events:{region}:{}:rule/{RULE}", self.account)
    }

    pub fn role_arn(&self) -> String {
        format!("arn:aws:iam::{}:role/{ROLE}", self.account)
    }

    pub fn bus_arn(&self) -> String {
        format!("arn:aws:events:{}:{}:event-bus/default", self.home, self.account)
    }

    /// EventBridge's answer for one pattern and event, if it was asked.
    pub fn answer(&self, pattern: &str, event: &str) -> Option<&Result<bool, AwsError>> {
        self.matches.get(pattern).and_then(|m| m.get(event))
    }

    /// Every Region whose rules the step reads: the governed ones, and home.
    fn regions(&self) -> Vec<String> {
        let mut regions = self.governed.clone();
        if !regions.contains(&self.home) {
            regions.push(self.home.clone());
        }
        regions
    }
}

/// Whether an SNS error says the topic does not exist.
pub fn absent(e: &AwsError) -> bool {
    e.code.as_deref() == Some("NotFound")
}

/// An SNS topic ARN's parts: `arn:PARTITION:sns:REGION:ACCOUNT:NAME`.
struct TopicArn<'a> {
    region: &'a str,
    account: &'a str,
}

impl<'a> TopicArn<'a> {
    fn parse(arn: &'a str) -> Option<TopicArn<'a>> {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        match parts.as_slice() {
            ["arn", _, "sns", region, account, name] if !name.is_empty() => Some(TopicArn { region, account }),
            _ => None,
        }
    }
}

/// `check`: observe with the remembered severity, then judge.
pub async fn check(
    aws: &crate::aws::Aws,
    facts: &Facts,
    answers: &BTreeMap<String, String>,
    step: &Step,
) -> Vec<Finding> {
    let answers = Answers::remembered(answers);
    let o = observe(aws, facts, answers.min()).await;
    judge(&o, &answers, step)
}

/// `plan` and `apply`: the answers first, in the order a person is asked them (the observation
/// asks EventBridge about findings at the chosen severity), then observe, then plan.
pub async fn plan_live(ctx: &mut crate::steps::Ctx<'_>) -> Result<crate::steps::Plan, crate::steps::PlanError> {
    let email = Some(ctx.ask.get("alerts.email", None)?);
    let answers = Answers { min_severity: ctx.ask.get("alerts.min-severity", None)?, email };
    let o = observe(ctx.aws, ctx.facts, answers.min()).await;
    plan(&o, &answers, ctx.ask, ctx.step)
}
