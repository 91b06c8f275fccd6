//! Representative GuardDuty finding events, shaped as the administrator (Audit) account's default
//! bus receives them: the envelope's `account` is the bus owner, `detail.accountId` the account the
//! finding is about, `region` the Region GuardDuty found it in. A rule is asked (TestEventPattern)
//! about each one, so a pattern is judged by EventBridge's own matching, not by reading it here.
//! `evaluate` decides which answers a rule needs, in rounds: `observe` asks exactly those (each
//! distinct pattern and event once) and `judge` reads the same answers back, so both follow one rule.

use serde_json::json;

/// GuardDuty's "High" band starts at 7.0: the lab's default for what should wake someone up.
pub const DEFAULT_MIN_SEVERITY: f64 = 7.0;

/// The chosen threshold, from the person's remembered answer (`alerts.min-severity`, validated
/// like every input), else the step's default. The plan builds its rule from the same answer.
pub fn min_severity(answer: Option<&str>) -> f64 {
    answer
        .and_then(|v| crate::inputs::validate(crate::inputs::Kind::Severity, v).ok())
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(DEFAULT_MIN_SEVERITY)
}

/// One event a rule is asked about.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The event, as TestEventPattern takes it.
    pub event: String,
    /// Whether an alert rule must match it.
    pub should_match: bool,
    /// How a person reads it: "a severity 7.0 finding about account 111122223333 in eu-west-1".
    pub severity: f64,
    pub about: String,
    pub region: String,
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A finding at exactly the threshold.
    AtThreshold,
    /// Just above it.
    Above,
    /// A Critical attack-sequence finding (Extended Threat Detection).
    AttackSequence,
    /// Just below the threshold: not an alert.
    Below,
}

/// The events for one rule: for the first account, a finding at the threshold, just above it, a
/// Critical attack sequence, and one just below (which should not match); for every other
/// account, one at the threshold (a rule that filters on accounts misses it).
pub fn samples(bus_account: &str, region: &str, accounts: &[String], min: f64) -> Vec<Sample> {
    let Some((first, rest)) = accounts.split_first() else { return Vec::new() };
    let tenth = |s: f64| (s * 10.0).round() / 10.0;
    let mut out = vec![sample(bus_account, region, first, min, Kind::AtThreshold)];
    if min < 10.0 {
        out.push(sample(bus_account, region, first, tenth(min + 0.1), Kind::Above));
    }
    out.push(sample(bus_account, region, first, min.max(9.0), Kind::AttackSequence));
    out.extend(rest.iter().map(|a| sample(bus_account, region, a, min, Kind::AtThreshold)));
    if min > 1.0 {
        out.push(sample(bus_account, region, first, tenth(min - 0.1), Kind::Below));
    }
    out
}

/// What a pattern's answers say about one set of samples, or which answers are still needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evaluation {
    /// Ask EventBridge about these samples (indices) next.
    Ask(Vec<usize>),
    /// The rule is about something else than GuardDuty findings.
    Unrelated,
    /// The rule is about GuardDuty findings but would not send this sample (index).
    Misses(usize),
    /// Every finding that should alert matches; `also_lower`: so does one below the threshold.
    Matches { also_lower: bool },
}

/// Judges one pattern on `samples` from EventBridge's answers (`answer` looks one up; `None` when
/// not asked yet). A pattern that never names GuardDuty gets one probe first: enough to tell it is
/// about something else. A rule that names GuardDuty yet matches none of its findings is a broken
/// alert rule, not an unrelated one.
pub fn evaluate<'a, E: Clone + 'a>(
    pattern: &str,
    samples: &[Sample],
    answer: impl Fn(&Sample) -> Option<&'a Result<bool, E>>,
) -> Result<Evaluation, E> {
    let wanted: Vec<usize> = (0..samples.len()).filter(|i| samples[*i].should_match).collect();
    let Some(&first) = wanted.first() else { return Ok(Evaluation::Unrelated) };
    let mentions = pattern.to_ascii_lowercase().contains("guardduty");
    let first_hit = match answer(&samples[first]) {
        None => return Ok(Evaluation::Ask(vec![first])),
        Some(hit) => hit.clone()?,
    };
    if !first_hit && !mentions {
        return Ok(Evaluation::Unrelated);
    }
    let unasked: Vec<usize> = wanted.iter().copied().filter(|i| answer(&samples[*i]).is_none()).collect();
    if !unasked.is_empty() {
        return Ok(Evaluation::Ask(unasked));
    }
    let (mut any, mut missed) = (false, None);
    for &i in &wanted {
        let hit = answer(&samples[i]).map_or(Ok(false), Clone::clone)?;
        any |= hit;
        if !hit && missed.is_none() {
            missed = Some(i);
        }
    }
    if !any && !mentions {
        return Ok(Evaluation::Unrelated);
    }
    if let Some(i) = missed {
        return Ok(Evaluation::Misses(i));
    }
    let Some(below) = samples.iter().position(|s| s.kind == Kind::Below) else {
        return Ok(Evaluation::Matches { also_lower: false });
    };
    match answer(&samples[below]) {
        None => Ok(Evaluation::Ask(vec![below])),
        Some(hit) => Ok(Evaluation::Matches { also_lower: hit.clone()? }),
    }
}

fn sample(bus_account: &str, region: &str, about: &str, severity: f64, kind: Kind) -> Sample {
    let finding_type = match kind {
        Kind::AttackSequence => "AttackSequence:IAM/CompromisedCredentials",
        _ => "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
    };
    Sample {
        event: finding_event(bus_account, region, about, finding_type, severity),
        should_match: kind != Kind::Below,
        severity,
        about: about.to_owned(),
        region: region.to_owned(),
        kind,
    }
}

/// A "GuardDuty Finding" event as `bus_account`'s default bus in `region` receives it.
pub fn finding_event(bus_account: &str, region: &str, about: &str, finding_type: &str, severity: f64) -> String {
    let id = format!("groundwork-sample-{about}-{region}-{}", (severity * 10.0).round());
    json!({
        "version": "0", "id": id, "detail-type": "GuardDuty Finding", "source": "aws.guardduty",
        "account": bus_account, "time": "2026-01-01T00:00:00Z", "region": region, "resources": [],
        "detail": {
            "schemaVersion": "2.0", "accountId": about, "region": region, "partition": "aws", "id": id,
            "arn": format!("arn:aws:guardduty:{region}:{bus_account}:detector/sample/finding/{id}"),
            "type": finding_type, "severity": severity, "title": "groundwork sample finding",
            "resource": {"resourceType": "AccessKey"},
            "service": {"serviceName": "guardduty", "archived": false, "count": 1}
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_cover_the_threshold_each_account_and_one_below() {
        let accounts = vec!["111111111111".to_owned(), "333333333333".to_owned()];
        let s = samples("222222222222", "eu-west-1", &accounts, 7.0);
        let kinds: Vec<(Kind, f64, &str)> = s.iter().map(|s| (s.kind, s.severity, s.about.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (Kind::AtThreshold, 7.0, "111111111111"),
                (Kind::Above, 7.1, "111111111111"),
                (Kind::AttackSequence, 9.0, "111111111111"),
                (Kind::AtThreshold, 7.0, "333333333333"),
                (Kind::Below, 6.9, "111111111111"),
            ]
        );
        assert!(s.iter().all(|s| s.should_match == (s.kind != Kind::Below)));
        let e: serde_json::Value = serde_json::from_str(&s[0].event).expect("JSON");
        for field in ["id", "account", "source", "time", "region", "resources", "detail-type"] {
            assert!(e.get(field).is_some(), "TestEventPattern requires {field}");
        }
        assert_eq!(e["account"], "222222222222");
        assert_eq!(e["detail"]["accountId"], "111111111111");
        assert!(samples("2", "r", &[], 7.0).is_empty());
        assert_eq!(samples("2", "r", &accounts[..1], 10.0).len(), 3); // nothing above 10
    }

    #[test]
    fn answers_are_asked_in_rounds_and_read_back_the_same_way() {
        use std::collections::BTreeMap;
        let accounts = vec!["111111111111".to_owned(), "333333333333".to_owned()];
        let s = samples("222222222222", "eu-west-1", &accounts, 7.0);
        let run = |pattern: &str, hit: &dyn Fn(&Sample) -> bool| {
            let mut asked: BTreeMap<String, Result<bool, ()>> = BTreeMap::new();
            let mut rounds = 0;
            loop {
                match evaluate(pattern, &s, |x| asked.get(&x.event)).expect("no errors") {
                    Evaluation::Ask(next) => {
                        rounds += 1;
                        for i in next {
                            asked.insert(s[i].event.clone(), Ok(hit(&s[i])));
                        }
                    }
                    done => return (done, rounds, asked.len()),
                }
            }
        };
        // Unrelated: one probe.
        assert_eq!(run("{}", &|_| false), (Evaluation::Unrelated, 1, 1));
        // Names GuardDuty, misses every finding: reported, with the first it drops.
        assert_eq!(run("guardduty", &|_| false), (Evaluation::Misses(0), 2, 4));
        // Misses the second account.
        assert_eq!(run("guardduty", &|x| x.about == "111111111111"), (Evaluation::Misses(3), 2, 4));
        // Everything at or above, and below too.
        assert_eq!(run("x", &|_| true), (Evaluation::Matches { also_lower: true }, 3, 5));
        assert_eq!(run("x", &|x| x.kind != Kind::Below), (Evaluation::Matches { also_lower: false }, 3, 5));
        let failed: Result<bool, &str> = Err("denied");
        assert_eq!(evaluate("x", &s, |_| Some(&failed)), Err("denied"));
    }

    #[test]
    fn the_threshold_comes_from_the_answer() {
        assert!((min_severity(Some("8")) - 8.0).abs() < 1e-9);
        assert!((min_severity(Some("banana")) - 7.0).abs() < 1e-9);
        assert!((min_severity(None) - 7.0).abs() < 1e-9);
    }
}
