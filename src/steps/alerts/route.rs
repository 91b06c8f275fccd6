//! May EventBridge forward a Region's findings to the home Region's event bus through a rule's
//! role? The role must trust `events.amazonaws.com` and allow `events:PutEvents` on that bus. Only
//! inline policies are read: a role whose permission comes from elsewhere is unclear, never "yes".

use serde_json::Value;

use super::policy::{glob, principal, strings};
use crate::aws::iam::RoleDocs;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleAccess {
    Allowed,
    /// Its trust policy does not let EventBridge assume it.
    NotTrusted,
    /// An inline policy denies sending to the bus.
    Denied,
    /// groundwork cannot tell: says why.
    Unclear(String),
}

pub fn role_forwards(docs: &RoleDocs, bus_arn: &str) -> RoleAccess {
    let trust = statements(&docs.trust);
    let assume = |s: &&Value| {
        effect(s) == "Allow" && principal(s) && strings(s.get("Action")).iter().any(|a| glob(a, "sts:AssumeRole", true))
    };
    if !trust.iter().filter(assume).any(|s| s.get("Condition").is_none()) {
        if trust.iter().any(|s| assume(&s)) {
            return RoleAccess::Unclear("its trust policy lets EventBridge in only on conditions".into());
        }
        return RoleAccess::NotTrusted;
    }
    let put = |s: &&Value| {
        strings(s.get("Action")).iter().any(|a| glob(a, "events:PutEvents", true))
            && strings(s.get("Resource")).iter().any(|r| glob(r, bus_arn, false))
    };
    let inline: Vec<Value> = docs.inline.iter().flat_map(|d| statements(d)).collect();
    if inline.iter().filter(put).any(|s| effect(s) == "Deny") {
        return RoleAccess::Denied;
    }
    if inline.iter().filter(put).any(|s| effect(s) == "Allow" && s.get("Condition").is_none()) {
        return RoleAccess::Allowed;
    }
    RoleAccess::Unclear("no inline policy of the role allows events:PutEvents on that bus".into())
}

fn statements(doc: &str) -> Vec<Value> {
    match serde_json::from_str::<Value>(doc).ok().and_then(|d| d.get("Statement").cloned()) {
        Some(Value::Array(list)) => list,
        Some(single @ Value::Object(_)) => vec![single],
        _ => Vec::new(),
    }
}

fn effect(s: &Value) -> &str {
    s.get("Effect").and_then(Value::as_str).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BUS: &str = "arn:aws:events:us-east-1:222222222222:event-bus/default";

    fn docs(trust: &Value, inline: &[Value]) -> RoleDocs {
        RoleDocs { trust: trust.to_string(), inline: inline.iter().map(Value::to_string).collect() }
    }

    #[test]
    fn a_role_eventbridge_assumes_and_that_may_put_events_on_the_bus() {
        let trust = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                          "Action": "sts:AssumeRole"}]});
        let put = json!({"Statement": [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": BUS}]});
        assert_eq!(role_forwards(&docs(&trust, std::slice::from_ref(&put)), BUS), RoleAccess::Allowed);
        assert!(matches!(role_forwards(&docs(&trust, &[]), BUS), RoleAccess::Unclear(_)));
        let other_bus = json!({"Statement": [{"Effect": "Allow", "Action": "events:PutEvents",
                                              "Resource": "arn:aws:events:eu-west-1:222222222222:event-bus/default"}]});
        assert!(matches!(role_forwards(&docs(&trust, &[other_bus]), BUS), RoleAccess::Unclear(_)));
        let deny = json!({"Statement": [{"Effect": "Deny", "Action": "events:*", "Resource": "*"}]});
        assert_eq!(role_forwards(&docs(&trust, &[put.clone(), deny]), BUS), RoleAccess::Denied);
        let lambda = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                           "Action": "sts:AssumeRole"}]});
        assert_eq!(role_forwards(&docs(&lambda, &[put]), BUS), RoleAccess::NotTrusted);
    }
}
