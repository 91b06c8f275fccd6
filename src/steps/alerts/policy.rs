//! May EventBridge, delivering for one rule, publish to one topic? The topic's access policy is
//! evaluated for that one request as IAM does for a resource policy: the request is allowed when an
//! Allow statement matches it (principal, action, resource and every condition) and no Deny does.
//! An Allow whose condition groundwork cannot evaluate is not counted (the request may lack that
//! key, and IAM then skips the statement); such a Deny makes the answer unclear, never "yes".

use serde_json::Value;

/// The request EventBridge makes when a rule delivers to an SNS topic.
#[derive(Debug, Clone)]
pub struct Publish<'a> {
    pub topic: &'a str,
    pub rule_arn: &'a str,
    /// The rule's account (`aws:SourceAccount`).
    pub account: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Allowed,
    /// No Allow statement matches this request.
    NotAllowed,
    /// A Deny statement matches it (its Sid, or its position).
    Denied(String),
    /// A statement that may decide it uses something groundwork cannot evaluate: says what.
    Unclear(String),
}

/// How one statement relates to the request.
enum Applies {
    Yes,
    No,
    Unclear(String),
}

pub fn publish_access(policy: Option<&str>, req: &Publish<'_>) -> Access {
    let Some(policy) = policy else { return Access::NotAllowed };
    let Ok(doc) = serde_json::from_str::<Value>(policy) else {
        return Access::Unclear("the policy is not valid JSON".into());
    };
    let statements = match doc.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        Some(single @ Value::Object(_)) => vec![single.clone()],
        _ => return Access::NotAllowed,
    };
    let (mut allowed, mut unclear) = (false, None);
    for (n, s) in statements.iter().enumerate() {
        let name = s.get("Sid").and_then(Value::as_str).map_or_else(|| format!("statement {}", n + 1), str::to_owned);
        let deny = s.get("Effect").and_then(Value::as_str) == Some("Deny");
        match applies(s, req) {
            Applies::Yes if deny => return Access::Denied(name),
            Applies::Yes => allowed = true,
            Applies::Unclear(why) if deny => unclear = Some(format!("{name}: {why}")),
            Applies::Unclear(_) | Applies::No => {}
        }
    }
    match (allowed, unclear) {
        // A Deny that may apply could still refuse.
        (_, Some(why)) => Access::Unclear(why),
        (true, None) => Access::Allowed,
        (false, None) => Access::NotAllowed,
    }
}

fn applies(s: &Value, req: &Publish<'_>) -> Applies {
    if !principal(s) || !matches_list(s.get("Action"), s.get("NotAction"), "sns:Publish", true) {
        return Applies::No;
    }
    if !matches_list(s.get("Resource"), s.get("NotResource"), req.topic, false) {
        return Applies::No;
    }
    conditions(s.get("Condition"), req)
}

/// `"*"`, `{"AWS": "*"}` or the EventBridge service principal (a string or in a list).
pub(super) fn principal(s: &Value) -> bool {
    let eventbridge = |v: &Value| strings(Some(v)).iter().any(|p| p == "*" || p == "events.amazonaws.com");
    match s.get("Principal") {
        Some(Value::String(p)) => p == "*",
        Some(Value::Object(m)) => {
            m.get("Service").is_some_and(eventbridge) || strings(m.get("AWS")).iter().any(|p| p == "*")
        }
        _ => false,
    }
}

/// Whether `wanted` is in the list (IAM wildcards `*` and `?`); action names ignore case.
fn matches_list(list: Option<&Value>, not_list: Option<&Value>, wanted: &str, fold: bool) -> bool {
    let hit = |v: Option<&Value>| strings(v).iter().any(|p| glob(p, wanted, fold));
    match (list, not_list) {
        (Some(_), _) => hit(list),
        (None, Some(_)) => !hit(not_list),
        // A topic policy without Resource is refused by SNS; read it as not applying.
        (None, None) => false,
    }
}

/// Every condition must hold. Only the keys EventBridge sets on this request are known.
fn conditions(c: Option<&Value>, req: &Publish<'_>) -> Applies {
    let Some(ops) = c.and_then(Value::as_object) else { return Applies::Yes };
    for (op, keys) in ops {
        let Some(keys) = keys.as_object() else { return Applies::Unclear(format!("condition {op} is malformed")) };
        for (key, values) in keys {
            let actual = match key.to_ascii_lowercase().as_str() {
                "aws:sourcearn" => req.rule_arn,
                "aws:sourceaccount" => req.account,
                _ => return Applies::Unclear(format!("condition key {key} is not one EventBridge sets")),
            };
            let values = strings(Some(values));
            let base = op.strip_suffix("IfExists").unwrap_or(op);
            let hit = match base {
                "StringEquals" | "ArnEquals" => values.iter().any(|v| v == actual),
                "StringEqualsIgnoreCase" => values.iter().any(|v| v.eq_ignore_ascii_case(actual)),
                "StringLike" | "ArnLike" => values.iter().any(|v| glob(v, actual, false)),
                "StringNotEquals" | "ArnNotEquals" => values.iter().all(|v| v != actual),
                "StringNotLike" | "ArnNotLike" => values.iter().all(|v| !glob(v, actual, false)),
                _ => return Applies::Unclear(format!("condition operator {op} is not one groundwork evaluates")),
            };
            if !hit {
                return Applies::No;
            }
        }
    }
    Applies::Yes
}

pub(super) fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// IAM's wildcard match: `*` any run of characters, `?` any one.
pub(super) fn glob(pattern: &str, text: &str, fold: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if fold {
        (pattern.to_lowercase().chars().collect(), text.to_lowercase().chars().collect())
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOPIC: &str = "arn:aws:sns:us-east-1:222222222222:alerts";
    const RULE: &str = "arn:aws:events:us-east-1:222222222222:rule/gd";
    const REQ: Publish<'static> = Publish { topic: TOPIC, rule_arn: RULE, account: "222222222222" };

    fn with(statements: &Value) -> Access {
        publish_access(Some(&serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string()), &REQ)
    }

    fn allow(extra: &Value) -> Value {
        let mut s = serde_json::json!({"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                       "Action": "sns:Publish", "Resource": TOPIC});
        if let (Some(s), Some(e)) = (s.as_object_mut(), extra.as_object()) {
            s.extend(e.clone());
        }
        s
    }

    #[test]
    fn an_allow_for_this_topic_and_rule_lets_eventbridge_publish() {
        use serde_json::json;
        assert_eq!(with(&json!([allow(&json!({}))])), Access::Allowed);
        assert_eq!(with(&json!(allow(&json!({"Action": "SNS:Publish"})))), Access::Allowed);
        assert_eq!(
            with(&json!([allow(&json!({"Resource": "arn:aws:sns:us-east-1:222222222222:*"}))])),
            Access::Allowed
        );
        let cond = json!({"Condition": {"ArnEquals": {"aws:SourceArn": RULE}}});
        assert_eq!(with(&json!([allow(&cond)])), Access::Allowed);
        let cond = json!({"Condition": {"StringEquals": {"AWS:SourceAccount": "222222222222"}, "ArnLike": {"aws:SourceArn": "arn:aws:events:*:222222222222:rule/*"}}});
        assert_eq!(with(&json!([allow(&cond)])), Access::Allowed);
    }

    #[test]
    fn another_rule_account_topic_or_a_deny_does_not() {
        use serde_json::json;
        let other_rule =
            json!({"Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:events:us-east-1:222222222222:rule/other"}}});
        assert_eq!(with(&json!([allow(&other_rule)])), Access::NotAllowed);
        let other_account = json!({"Condition": {"StringEquals": {"aws:SourceAccount": "999999999999"}}});
        assert_eq!(with(&json!([allow(&other_account)])), Access::NotAllowed);
        assert_eq!(
            with(&json!([allow(&json!({"Resource": "arn:aws:sns:us-east-1:222222222222:other"}))])),
            Access::NotAllowed
        );
        assert_eq!(with(&json!([allow(&json!({"Principal": {"Service": "sqs.amazonaws.com"}}))])), Access::NotAllowed);
        let deny = json!({"Sid": "NoEvents", "Effect": "Deny", "Principal": "*", "Action": "sns:*", "Resource": "*"});
        assert_eq!(with(&json!([allow(&json!({})), deny])), Access::Denied("NoEvents".into()));
        assert_eq!(publish_access(None, &REQ), Access::NotAllowed);
        // SNS's default policy: everyone, on a condition (SourceOwner) EventBridge's request does not carry.
        let default = json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["SNS:Publish"], "Resource": TOPIC,
                             "Condition": {"StringEquals": {"AWS:SourceOwner": "222222222222"}}});
        assert_eq!(with(&json!([default.clone()])), Access::NotAllowed);
        assert_eq!(with(&json!([default, allow(&json!({}))])), Access::Allowed);
        let unclear_deny = json!({"Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC,
                                  "Condition": {"Bool": {"aws:SecureTransport": "false"}}});
        assert!(matches!(with(&json!([allow(&json!({})), unclear_deny])), Access::Unclear(_)));
    }

    #[test]
    fn wildcards() {
        assert!(glob("sns:*", "sns:Publish", true));
        assert!(glob("SNS:Pub??sh", "sns:publish", true));
        assert!(!glob("sns:Sub*", "sns:Publish", true));
        assert!(glob("*", TOPIC, false));
        assert!(!glob("arn:aws:sns:*:*:other", TOPIC, false));
    }
}
