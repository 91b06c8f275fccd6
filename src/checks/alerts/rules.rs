//! Pure reading of EventBridge event patterns and SNS topic policies: does this rule catch every
//! GuardDuty finding at or above a severity, and may EventBridge publish to this topic?

use serde_json::Value;

/// How an event pattern relates to "GuardDuty findings at or above the minimum severity".
#[derive(Debug, Clone, PartialEq)]
pub enum Fit {
    /// Not a rule on GuardDuty findings at all.
    NotGuardDuty,
    /// Matches every such finding.
    Covers,
    /// A GuardDuty rule that misses some of them; says why.
    Narrower(String),
}

#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)] // severities are 1.0 to 10.0
pub fn fit(pattern: &str, min_severity: f64) -> Fit {
    let Ok(p) = serde_json::from_str::<Value>(pattern) else {
        return Fit::NotGuardDuty;
    };
    if !contains_str(p.get("source"), "aws.guardduty") {
        return Fit::NotGuardDuty;
    }
    if p.get("detail-type").is_some() && !contains_str(p.get("detail-type"), "GuardDuty Finding") {
        return Fit::NotGuardDuty;
    }
    let detail = p.get("detail").and_then(Value::as_object);
    if let Some(other) = detail.and_then(|d| d.keys().find(|k| *k != "severity")) {
        return Fit::Narrower(format!("it also filters on detail.{other}"));
    }
    let Some(severity) = detail.and_then(|d| d.get("severity")) else {
        return Fit::Covers;
    };
    // Severities are 1.0 to 10.0 in tenths: test every one from the minimum up.
    let first = (min_severity * 10.0).round() as i64;
    match (first..=100).map(|t| t as f64 / 10.0).find(|s| !matches_severity(severity, *s)) {
        None => Fit::Covers,
        Some(missed) => Fit::Narrower(format!("it misses findings of severity {missed:.1}")),
    }
}

fn contains_str(v: Option<&Value>, wanted: &str) -> bool {
    match v {
        Some(Value::String(s)) => s == wanted,
        Some(Value::Array(items)) => items.iter().any(|i| i.as_str() == Some(wanted)),
        _ => false,
    }
}

/// An event field matches a pattern array when any element matches.
fn matches_severity(pattern: &Value, severity: f64) -> bool {
    let Some(items) = pattern.as_array() else {
        return false;
    };
    items.iter().any(|item| match item {
        Value::Number(n) => n.as_f64().is_some_and(|v| (v - severity).abs() < 1e-9),
        Value::Object(m) => m.get("numeric").and_then(Value::as_array).is_some_and(|c| numeric(c, severity)),
        _ => false,
    })
}

/// `["op", n, "op", n, ...]`: every comparison must hold.
fn numeric(conditions: &[Value], x: f64) -> bool {
    conditions.chunks(2).all(|pair| match (pair.first().and_then(Value::as_str), pair.get(1).and_then(Value::as_f64)) {
        (Some(">"), Some(n)) => x > n,
        (Some(">="), Some(n)) => x >= n,
        (Some("<"), Some(n)) => x < n,
        (Some("<="), Some(n)) => x <= n,
        (Some("="), Some(n)) => (x - n).abs() < 1e-9,
        _ => false,
    })
}

/// Whether a topic policy has an Allow statement letting `events.amazonaws.com` call `sns:Publish`.
pub fn lets_eventbridge_publish(policy: &str) -> bool {
    let Ok(doc) = serde_json::from_str::<Value>(policy) else {
        return false;
    };
    let statements = match doc.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        Some(single @ Value::Object(_)) => vec![single.clone()],
        _ => return false,
    };
    statements.iter().any(|s| {
        s.get("Effect").and_then(Value::as_str) == Some("Allow")
            && principal_is_eventbridge(s.get("Principal"))
            && actions(s.get("Action")).iter().any(|a| ["sns:publish", "sns:*", "*"].contains(&a.as_str()))
    })
}

/// Only the EventBridge service principal counts: a `"*"` principal usually carries a condition
/// (such as the default policy's SourceOwner) that EventBridge does not meet.
fn principal_is_eventbridge(p: Option<&Value>) -> bool {
    p.and_then(Value::as_object).is_some_and(|m| contains_str(m.get("Service"), "events.amazonaws.com"))
}

/// IAM action names are case-insensitive ("SNS:Publish" in AWS's own default policy).
fn actions(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.to_lowercase()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_lowercase).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HIGH: &str = r#"{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"],"detail":{"severity":[{"numeric":[">=",7]}]}}"#;

    #[test]
    fn patterns() {
        assert_eq!(fit(HIGH, 7.0), Fit::Covers);
        assert_eq!(fit(r#"{"source":["aws.guardduty"]}"#, 7.0), Fit::Covers);
        assert_eq!(
            fit(r#"{"source":["aws.guardduty"],"detail":{"severity":[{"numeric":[">=",4]}]}}"#, 7.0),
            Fit::Covers
        );
        assert!(matches!(
            fit(r#"{"source":["aws.guardduty"],"detail":{"severity":[{"numeric":[">=",8]}]}}"#, 7.0),
            Fit::Narrower(_)
        ));
        assert!(matches!(fit(r#"{"source":["aws.guardduty"],"detail":{"severity":[7, 8]}}"#, 7.0), Fit::Narrower(_)));
        assert!(matches!(fit(r#"{"source":["aws.guardduty"],"detail":{"type":["x"]}}"#, 7.0), Fit::Narrower(_)));
        assert_eq!(fit(r#"{"source":["aws.securityhub"]}"#, 7.0), Fit::NotGuardDuty);
        assert_eq!(fit("not json", 7.0), Fit::NotGuardDuty);
    }

    #[test]
    fn topic_policies() {
        let ok = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"*"}]}"#;
        assert!(lets_eventbridge_publish(ok));
        let default = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:Publish"],"Condition":{"StringEquals":{"AWS:SourceOwner":"1"}}}]}"#;
        assert!(!lets_eventbridge_publish(default));
        assert!(lets_eventbridge_publish(&ok.replace("sns:Publish", "SNS:Publish")));
        let deny = ok.replace("Allow", "Deny");
        assert!(!lets_eventbridge_publish(&deny));
    }
}
