//! `groundwork drill`: with the person's yes, one sample high-severity GuardDuty finding in Audit's
//! home-Region detector, then watching it travel the alert path through the path's own CloudWatch
//! metrics (the rule matched it, EventBridge delivered it to the topic, SNS delivered it to the
//! confirmed email subscriptions), with a time limit; then a short runbook for that finding type.
//!
//! The metrics count per minute and per topic, never per protocol, so what the drill shows is what
//! it can prove: counts are compared with a baseline read just before the sample is sent (a real
//! finding earlier in the same minute is not the drill's), and an email counts as delivered only
//! when the topic's deliveries exceed what its other (SQS, HTTPS, ...) subscribers could have taken.

use crate::exit::Exit;
use std::io::{BufRead, IsTerminal};
use std::time::{Duration, Instant, SystemTime};

use crate::aws::change::{Action, drill};
use crate::aws::{At, Aws, AwsError, eventbridge, guardduty, sns};
use crate::catalog::{StepId, say};
use crate::cli::{DrillArgs, Global};
use crate::perform::{Actor, run_changes};
use crate::plans::Change;

/// The finding the drill creates: high severity (8), about stolen instance credentials.
pub const FINDING_TYPE: &str = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
const SEVERITY: f64 = 8.0;

/// One rule that matches the sample, and the topics it sends to.
struct Watched {
    rule: String,
    topics: Vec<Topic>,
}

struct Topic {
    arn: String,
    name: String,
    confirmed: Vec<String>,
    pending: Vec<String>,
    /// Confirmed subscriptions that are not email (SQS, HTTPS, Lambda, ...): SNS counts their
    /// deliveries in the same metric.
    others: usize,
}

/// What the metrics have shown so far.
#[derive(Default, Clone, Copy, PartialEq)]
struct Seen {
    matched: bool,
    delivered_to_topic: bool,
    failed: bool,
    emailed: f64,
}

/// The metric sums of the watched path since the drill's start: per rule (matched, failed), per
/// topic (published, delivered), in the order of `watched`.
#[derive(Default, Clone, PartialEq)]
struct Counts {
    rules: Vec<(f64, f64)>,
    topics: Vec<(f64, f64)>,
}

pub async fn run(global: &Global, args: &DrillArgs) -> Exit {
    match drill_run(global, args).await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("groundwork: {message}");
            Exit::Failed
        }
    }
}

async fn drill_run(global: &Global, args: &DrillArgs) -> Result<Exit, String> {
    let crate::session::Session { aws, facts, store, .. } = crate::session::open(global, 8).await?;
    print!("{}", crate::output::header(&facts, aws.region(), aws.profile()));
    let account = facts.audit.as_ref().map_or(&facts.identity.account, |a| &a.id);
    let at = At::new(account, &facts.home_region);
    let explain = |e: AwsError| e.explain_for(aws.profile());
    let Some(detector) = guardduty::detector(&aws, &at).await.map_err(explain)? else {
        println!("{}", say("drill-no-detector", &[("account", account), ("region", &at.region)]));
        return Ok(Exit::Left);
    };
    // A suspended detector produces no findings: a drill would only wait for nothing.
    if detector.status != "ENABLED" {
        let args = [("account", account.as_str()), ("region", at.region.as_str()), ("status", &detector.status)];
        println!("{}", say("drill-detector-suspended", &args));
        return Ok(Exit::Left);
    }
    let watched = watched(&aws, &at).await.map_err(explain)?;
    if watched.is_empty() {
        println!("{}", say("drill-no-path", &[("region", &at.region)]));
        return Ok(Exit::Left);
    }
    let limit = Duration::from_secs(args.wait_seconds);
    let args_intro = [
        ("type", FINDING_TYPE),
        ("detector", detector.id.as_str()),
        ("account", account.as_str()),
        ("region", at.region.as_str()),
        ("seconds", &args.wait_seconds.to_string()),
        ("poll", &format!("{:.0}", aws.poll_interval().as_secs_f64().max(1.0))),
    ];
    println!("\n{}", say("drill-intro", &args_intro));
    for w in &watched {
        for t in &w.topics {
            let emails = if t.confirmed.is_empty() { say("drill-nobody", &[]) } else { t.confirmed.join(", ") };
            println!("  {}", say("drill-watching", &[("rule", &w.rule), ("topic", &t.name), ("emails", &emails)]));
        }
    }
    if !confirmed(args.yes) {
        eprintln!("groundwork: {}", say("apply-cancelled", &[]));
        return Ok(Exit::Left);
    }
    let started = SystemTime::now();
    // What the path's metrics already hold for this minute, before the sample exists.
    let baseline = counts(&aws, &at, &watched, started).await.map_err(explain)?;
    let change = Change {
        at: at.clone(),
        global: false,
        action: Action::CreateSampleFinding { detector: detector.id.clone(), finding_type: FINDING_TYPE.into() },
    };
    let actor =
        Actor { aws: &aws, principal: &facts.identity.arn, log_dir: store.dir(), log_account: &facts.identity.account };
    let mut on = |event: crate::perform::Event| {
        if let Some(line) = event.line() {
            println!("{line}");
        }
    };
    run_changes(&actor, StepId::Alerts, &[change], &mut on).await.map_err(explain)?;
    let seen = watch(&aws, &at, &watched, (started, &baseline), limit).await.map_err(explain)?;
    let delivered = conclude(&watched, seen);
    println!("\n{}", say("drill-runbook", &[("region", &at.region)]));
    Ok(Exit::settled_if(delivered))
}

/// The rules in Audit's home Region that match a sample finding like the drill's, with their
/// topics in that Region.
async fn watched(aws: &Aws, at: &At) -> Result<Vec<Watched>, AwsError> {
    let event = crate::steps::alerts::finding_event(&at.account, &at.region, &at.account, FINDING_TYPE, SEVERITY);
    let mut out = Vec::new();
    for rule in eventbridge::rules(aws, at).await? {
        let Some(pattern) = rule.pattern.as_deref() else { continue };
        if !rule.enabled || !eventbridge::test_event_pattern(aws, at, pattern, &event).await? {
            continue;
        }
        let mut topics = Vec::new();
        for target in eventbridge::targets(aws, at, &rule.name).await? {
            let prefix = format!(":sns:{}:", at.region);
            if !target.arn.starts_with("arn:") || !target.arn.contains(&prefix) {
                continue;
            }
            let name = target.arn.rsplit(':').next().unwrap_or_default().to_owned();
            let subs = sns::subscriptions(aws, at, &target.arn).await?;
            let email = |p: &str| p == "email" || p == "email-json";
            let emails = |confirmed: bool| {
                subs.iter()
                    .filter(|s| email(&s.protocol) && s.confirmed == confirmed)
                    .map(|s| s.endpoint.clone())
                    .collect()
            };
            let others = subs.iter().filter(|s| !email(&s.protocol) && s.confirmed).count();
            topics.push(Topic {
                arn: target.arn.clone(),
                name,
                confirmed: emails(true),
                pending: emails(false),
                others,
            });
        }
        if !topics.is_empty() {
            out.push(Watched { rule: rule.name, topics });
        }
    }
    Ok(out)
}

/// The path's metric sums since `since`.
async fn counts(aws: &Aws, at: &At, watched: &[Watched], since: SystemTime) -> Result<Counts, AwsError> {
    let mut c = Counts::default();
    for w in watched {
        let rule = ("RuleName", w.rule.as_str());
        let matched = drill::metric_sum(aws, at, "AWS/Events", "MatchedEvents", rule, since).await?;
        let failed = drill::metric_sum(aws, at, "AWS/Events", "FailedInvocations", rule, since).await?;
        c.rules.push((matched, failed));
        for t in &w.topics {
            let topic = ("TopicName", t.name.as_str());
            let published = drill::metric_sum(aws, at, "AWS/SNS", "NumberOfMessagesPublished", topic, since).await?;
            let delivered =
                drill::metric_sum(aws, at, "AWS/SNS", "NumberOfNotificationsDelivered", topic, since).await?;
            c.topics.push((published, delivered));
        }
    }
    Ok(c)
}

/// What the counts since the baseline show. SNS counts deliveries per topic, not per protocol: each
/// message published can reach every other confirmed subscriber, so only deliveries beyond that
/// are emails for certain.
fn seen(watched: &[Watched], now: &Counts, base: &Counts) -> Seen {
    let delta = |a: f64, b: f64| (a - b).max(0.0);
    let mut seen = Seen::default();
    for ((m, f), (bm, bf)) in now.rules.iter().zip(&base.rules) {
        seen.matched |= delta(*m, *bm) > 0.0;
        seen.failed |= delta(*f, *bf) > 0.0;
    }
    let topics = watched.iter().flat_map(|w| &w.topics);
    for (t, ((p, d), (bp, bd))) in topics.zip(now.topics.iter().zip(&base.topics)) {
        let published = delta(*p, *bp);
        seen.delivered_to_topic |= published > 0.0;
        // Usize to f64: a topic's subscription count is far below f64's exact range.
        #[allow(clippy::cast_precision_loss)]
        let others = t.others as f64;
        seen.emailed += delta(delta(*d, *bd), published * others);
    }
    seen
}

/// Polls the path's metrics until an email was delivered, a delivery failed, or time runs out.
async fn watch(
    aws: &Aws,
    at: &At,
    watched: &[Watched],
    (since, base): (SystemTime, &Counts),
    limit: Duration,
) -> Result<Seen, AwsError> {
    let start = Instant::now();
    let mut shown = Seen::default();
    let mut live = crate::console::Live::new();
    loop {
        let seen = seen(watched, &counts(aws, at, watched, since).await?, base);
        let secs = start.elapsed().as_secs().to_string();
        for (now, before, key) in [
            (seen.matched, shown.matched, "drill-seen-matched"),
            (seen.delivered_to_topic, shown.delivered_to_topic, "drill-seen-topic"),
            (seen.failed, shown.failed, "drill-seen-failed"),
            (seen.emailed > 0.0, shown.emailed > 0.0, "drill-seen-emailed"),
        ] {
            if now && !before {
                live.done();
                println!("  {}", say(key, &[("seconds", &secs)]));
            }
        }
        shown = seen;
        // With no confirmed email subscription anywhere, nothing more can arrive once the topic has it.
        let nobody = watched.iter().flat_map(|w| &w.topics).all(|t| t.confirmed.is_empty());
        if seen.emailed > 0.0 || seen.failed || (seen.delivered_to_topic && nobody) || start.elapsed() >= limit {
            live.done();
            return Ok(seen);
        }
        // One line, counting the seconds between reads, so the wait is never silent.
        let pause = aws.poll_interval().min(limit.saturating_sub(start.elapsed()));
        live.wait(pause, start, |s| say("drill-waiting", &[("seconds", &s.to_string())])).await;
    }
}

/// Says what was seen and what was not, and why; true when an email was delivered.
fn conclude(watched: &[Watched], seen: Seen) -> bool {
    let topics: Vec<&Topic> = watched.iter().flat_map(|w| &w.topics).collect();
    let arns: Vec<&str> = topics.iter().map(|t| t.arn.as_str()).collect();
    let pending: Vec<&str> = topics.iter().flat_map(|t| &t.pending).map(String::as_str).collect();
    let line = if seen.emailed > 0.0 {
        say("drill-done", &[("count", &format!("{:.0}", seen.emailed))])
    } else if seen.failed {
        say("drill-failed", &[("topics", &arns.join(", "))])
    } else if !seen.matched {
        say("drill-unseen-matched", &[])
    } else if !seen.delivered_to_topic {
        say("drill-unseen-topic", &[("topics", &arns.join(", "))])
    } else if topics.iter().all(|t| t.confirmed.is_empty()) && !pending.is_empty() {
        say("drill-pending", &[("emails", &pending.join(", "))])
    } else if topics.iter().all(|t| t.confirmed.is_empty()) {
        say("drill-no-email", &[("topics", &arns.join(", "))])
    } else {
        say("drill-unseen-email", &[])
    };
    println!("\n{line}");
    seen.emailed > 0.0
}

/// Asks "Send the sample finding? y / N" on a terminal; without one, only `--yes` proceeds.
fn confirmed(yes: bool) -> bool {
    if yes {
        return true;
    }
    if !std::io::stdin().is_terminal() {
        eprintln!("groundwork: {}", say("apply-needs-yes", &[]));
        return false;
    }
    // One key, as the wizard takes it; a line only where the terminal has no raw mode.
    if let Some(yes) = crate::console::yes_key(&say("drill-confirm", &[])) {
        return yes;
    }
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    matches!(line.trim().to_lowercase().as_str(), "y" | "yes")
}
