//! The verdict, a pure function of one observation and the chosen severity: for each governed
//! Region, the best alert path among its rules (a working one, else one that may work, else the
//! closest to working), followed through its topic or its route to the home Region's bus.

use std::collections::BTreeMap;

use super::{Access, Answers, Evaluation, Kind, Observed, Publish, RoleAccess, RuleSeen, Sample, TopicArn};
use super::{evaluate, publish_access, role_forwards, samples};
use crate::aws::eventbridge::Target;
use crate::catalog::Step;
use crate::verdict::{Finding, Status};

/// A verdict on one piece of the path, and what was seen.
type Seen = (Status, String);

/// What every judgement of one observation shares.
struct Judge<'a> {
    o: &'a Observed,
    step: &'a Step,
    min: f64,
    /// The sample findings from each Region read.
    samples: BTreeMap<&'a str, Vec<Sample>>,
}

/// One finding per governed Region.
pub fn judge(o: &Observed, answers: &Answers, step: &Step) -> Vec<Finding> {
    if let Some(e) = &o.accounts_unread {
        let why = step.say("accounts-unread", &[("why", &e.explain())]);
        return o.governed.iter().map(|r| Finding::new(&o.account, Some(r), Status::Unknown, why.clone())).collect();
    }
    let min = answers.min();
    let samples = o.rules.keys().map(|r| (r.as_str(), samples(&o.account, r, &o.about, min))).collect();
    let j = Judge { o, step, min, samples };
    o.governed
        .iter()
        .map(|region| {
            let (status, detail) = j.region(region, region, true).unwrap_or_else(|why| (Status::Unknown, why));
            Finding::new(&o.account, Some(region), status, detail)
        })
        .collect()
}

impl Judge<'_> {
    /// What this run did not read (a judgement with another severity than the one observed).
    fn not_read(&self, what: &str) -> String {
        self.step.say("not-observed", &[("what", what)])
    }

    /// The best alert path in one Region's rules for findings from `origin` (the same Region, or
    /// one that forwards to it); `follow` lets a rule's route to the home Region's bus be followed.
    fn region(&self, region: &str, origin: &str, follow: bool) -> Result<Seen, String> {
        let rules = match self.o.rules.get(region) {
            None => return Err(self.not_read(&format!("the rules in {region}"))),
            Some(Err(e)) => return Err(e.explain()),
            Some(Ok(rules)) => rules,
        };
        let mut best: Option<Seen> = None;
        for r in rules {
            let candidate = match self.rule(region, origin, r, follow) {
                Ok(None) => continue,
                Ok(Some(seen)) => seen,
                Err(why) => {
                    (Status::Unknown, self.step.say("rule-unreadable", &[("rule", &r.rule.name), ("why", &why)]))
                }
            };
            let done = candidate.0 == Status::Done;
            if best.as_ref().is_none_or(|b| rank(candidate.0) > rank(b.0)) {
                best = Some(candidate);
            }
            if done {
                break;
            }
        }
        Ok(best.unwrap_or_else(|| (Status::NotDone, self.step.say("no-rule", &[]))))
    }

    /// One rule: `None` when it is about something else than GuardDuty findings.
    fn rule(&self, region: &str, origin: &str, r: &RuleSeen, follow: bool) -> Result<Option<Seen>, String> {
        let Some(pattern) = r.rule.pattern.as_deref() else { return Ok(None) }; // a schedule
        let samples = self.samples.get(origin).map_or(&[][..], Vec::as_slice);
        let also_lower = match evaluate(pattern, samples, |s| self.o.answer(pattern, &s.event)) {
            Err(e) => return Err(e.explain()),
            Ok(Evaluation::Ask(_)) => return Err(self.not_read(&format!("EventBridge's answers for {}", r.rule.name))),
            Ok(Evaluation::Unrelated) => return Ok(None),
            Ok(_) if !r.rule.enabled => {
                return Ok(Some((Status::NotDone, self.step.say("rule-disabled", &[("rule", &r.rule.name)]))));
            }
            Ok(Evaluation::Misses(i)) => {
                let args = [("rule", r.rule.name.as_str()), ("sample", &self.describe(&samples[i]))];
                return Ok(Some((Status::Partial, self.step.say("rule-narrow", &args))));
            }
            Ok(Evaluation::Matches { also_lower }) => also_lower,
        };
        let mut seen = self.targets(region, origin, r, follow)?;
        if also_lower && seen.0 == Status::Done {
            seen.1 = format!("{} {}", seen.1, self.step.say("also-lower", &[("min", &format!("{:.1}", self.min))]));
        }
        Ok(Some(seen))
    }

    fn describe(&self, s: &Sample) -> String {
        let key = if s.kind == Kind::AttackSequence { "sample-attack" } else { "sample-finding" };
        self.step.say(key, &[("severity", &format!("{:.1}", s.severity)), ("account", &s.about), ("region", &s.region)])
    }

    /// Follows one rule to its SNS topics (or its route to the home Region); a piece that cannot
    /// be read makes only itself unknown.
    fn targets(&self, region: &str, origin: &str, r: &RuleSeen, follow: bool) -> Result<Seen, String> {
        let name = r.rule.name.as_str();
        let targets = match &r.targets {
            None => return Err(self.not_read(&format!("the targets of {name}"))),
            Some(Err(e)) => return Err(e.explain()),
            Some(Ok(targets)) => targets,
        };
        let mut best: Option<Seen> = None;
        for target in targets {
            let result = if let Some(topic) = TopicArn::parse(&target.arn) {
                self.topic(region, r, &target.arn, topic.region)
            } else if follow && region != self.o.home && target.arn == self.o.bus_arn() {
                self.route(origin, r, target)
            } else {
                continue;
            };
            let candidate = result.unwrap_or_else(|why| {
                let args = [("rule", name), ("topic", &target.arn), ("why", &why)];
                (Status::Unknown, self.step.say("topic-unreadable", &args))
            });
            if best.as_ref().is_none_or(|b| rank(candidate.0) > rank(b.0)) {
                best = Some(candidate);
            }
        }
        Ok(best.unwrap_or_else(|| (Status::Partial, self.step.say("no-topic", &[("rule", name)]))))
    }

    /// A rule that forwards to the home Region's bus: the role must let EventBridge send there,
    /// and a rule in the home Region must carry findings from `origin` on to a topic.
    fn route(&self, origin: &str, r: &RuleSeen, target: &Target) -> Result<Seen, String> {
        let (step, home) = (self.step, self.o.home.as_str());
        let base = [("rule", r.rule.name.as_str()), ("home", home)];
        let Some(role_arn) = target.role.as_deref() else {
            return Ok((Status::Partial, step.say("route-no-role", &base)));
        };
        let with_role = [base[0], base[1], ("role", role_arn)];
        let docs = match self.o.roles.get(role_arn) {
            None => return Err(self.not_read(&format!("role {role_arn}"))),
            Some(Err(e)) => return Err(e.explain()),
            Some(Ok(None)) => return Ok((Status::Partial, step.say("route-role-missing", &with_role))),
            Some(Ok(Some(docs))) => docs,
        };
        match role_forwards(docs, &target.arn) {
            RoleAccess::Allowed => {}
            RoleAccess::NotTrusted => return Ok((Status::Partial, step.say("route-role-untrusted", &with_role))),
            RoleAccess::Denied => return Ok((Status::Partial, step.say("route-role-denied", &with_role))),
            RoleAccess::Unclear(why) => {
                let args = [with_role[0], with_role[1], with_role[2], ("why", &why)];
                return Ok((Status::Unknown, step.say("route-role-unclear", &args)));
            }
        }
        let (status, then) = self.region(home, origin, false)?;
        Ok((status, step.say("route", &[base[0], base[1], ("then", &then)])))
    }

    /// Whether this rule's events reach this topic's email subscribers.
    fn topic(&self, region: &str, r: &RuleSeen, arn: &str, topic_region: &str) -> Result<Seen, String> {
        let step = self.step;
        let args = [("rule", r.rule.name.as_str()), ("topic", arn)];
        // EventBridge delivers only to targets in the rule's own Region (event buses excepted).
        if topic_region != region {
            return Ok((Status::Partial, step.say("target-other-region", &[args[0], args[1], ("region", region)])));
        }
        let topic = match self.o.topics.get(arn) {
            None => return Err(self.not_read(&format!("topic {arn}"))),
            Some(Err(e)) => return Err(e.explain()),
            Some(Ok(topic)) => topic,
        };
        let request = Publish { topic: arn, rule_arn: &r.rule.arn, account: &self.o.account };
        match publish_access(topic.access.policy.as_deref(), &request) {
            Access::Allowed => {}
            Access::NotAllowed => return Ok((Status::Partial, step.say("policy-missing", &args))),
            Access::Denied(sid) => {
                return Ok((Status::Partial, step.say("policy-denied", &[args[0], args[1], ("statement", &sid)])));
            }
            Access::Unclear(why) => {
                return Ok((Status::Unknown, step.say("policy-unclear", &[args[0], args[1], ("why", &why)])));
            }
        }
        if let Some(key) = topic.access.kms_key.as_deref() {
            // The AWS managed key's policy cannot be changed to let EventBridge use it.
            if aws_managed_key(key) {
                return Ok((Status::Partial, step.say("topic-aws-key", &args)));
            }
            return Ok((Status::Unknown, step.say("topic-cmk", &[args[0], args[1], ("key", key)])));
        }
        let emails = |confirmed: bool| -> Vec<&str> {
            topic
                .subscriptions
                .iter()
                .filter(|s| (s.protocol == "email" || s.protocol == "email-json") && s.confirmed == confirmed)
                .map(|s| s.endpoint.as_str())
                .collect()
        };
        let (confirmed, pending) = (emails(true), emails(false));
        Ok(if !confirmed.is_empty() {
            (Status::Done, step.say("confirmed", &[args[0], args[1], ("emails", &confirmed.join(", "))]))
        } else if !pending.is_empty() {
            (Status::Partial, step.say("pending", &[args[0], args[1], ("emails", &pending.join(", "))]))
        } else {
            (Status::Partial, step.say("no-email", &args))
        })
    }
}

/// `alias/aws/sns`, by alias or alias ARN.
pub fn aws_managed_key(key: &str) -> bool {
    key == "alias/aws/sns" || key.ends_with(":alias/aws/sns")
}

/// Which of two paths to report: a working one, else one that may work (unknown), else the
/// closest to working.
fn rank(s: Status) -> u8 {
    match s {
        Status::Done => 4,
        Status::Unknown => 3,
        Status::Partial => 2,
        _ => 1,
    }
}
