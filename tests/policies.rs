//! The IAM policy in assets/ lists exactly the actions the code calls, so it cannot drift from it.

use std::collections::BTreeSet;

const SERVICES: [&str; 11] = [
    "sts",
    "iam",
    "account",
    "organizations",
    "controltower",
    "sso",
    "identitystore",
    "guardduty",
    "securityhub",
    "events",
    "sns",
];

/// Every `"service:Action"` literal in src/aws/ (each SDK call names its IAM action).
fn actions_in_code() -> BTreeSet<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/aws");
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("src/aws") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("source");
        for literal in text.split('"').skip(1).step_by(2) {
            let Some((service, action)) = literal.split_once(':') else { continue };
            if SERVICES.contains(&service) && !action.is_empty() && action.chars().all(char::is_alphanumeric) {
                found.insert(literal.to_owned());
            }
        }
    }
    found
}

fn actions_in_policy(name: &str) -> BTreeSet<String> {
    let path = format!("{}/assets/policies/{name}", env!("CARGO_MANIFEST_DIR"));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("policy")).expect("json");
    let mut found = BTreeSet::new();
    for statement in doc["Statement"].as_array().expect("statements") {
        assert_eq!(statement["Effect"], "Allow");
        match &statement["Action"] {
            serde_json::Value::String(a) => {
                found.insert(a.clone());
            }
            serde_json::Value::Array(list) => found.extend(list.iter().filter_map(|a| a.as_str().map(str::to_owned))),
            other => panic!("unexpected Action {other}"),
        }
    }
    found
}

#[test]
fn the_check_policy_lists_exactly_what_check_calls() {
    let code = actions_in_code();
    let mut policy = actions_in_policy("groundwork-check.json");
    assert!(code.len() > 20, "the scan found only {code:?}");
    // The SDK's AssumeRole provider makes this call for us when reaching a member account.
    assert!(policy.remove("sts:AssumeRole"));
    let missing: Vec<_> = code.difference(&policy).collect();
    let unused: Vec<_> = policy.difference(&code).collect();
    assert!(missing.is_empty(), "called but not in assets/policies/groundwork-check.json: {missing:?}");
    assert!(unused.is_empty(), "in the policy but never called: {unused:?}");
}
