//! The IAM policies in assets/ list exactly the actions the code calls, so they cannot drift from
//! it. The actions are derived from the SDK calls themselves (every fluent method of an SDK operation
//! in src/aws/, mapped to its IAM action by the SDK's own sources: tests/common/sdk.rs), so a call
//! added without its policy line fails here, whatever label is written beside it.

use crate::common::sdk;

use std::collections::BTreeSet;

/// The IAM action of every SDK call in the Rust files of a directory (and below it when `deep`).
fn actions_in_code(dir: &std::path::Path, deep: bool) -> BTreeSet<String> {
    let ops = sdk::operations();
    sdk::calls(dir, deep, &ops).into_iter().map(|c| c.op.action).collect()
}

/// The actions a policy grants, leaving out the statement for what AWS itself requires behind the
/// calls groundwork makes (service-linked roles, PassRole), which no code names.
fn actions_in_policy(name: &str) -> BTreeSet<String> {
    let path = format!("{}/assets/policies/{name}", env!("CARGO_MANIFEST_DIR"));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("policy")).expect("json");
    let mut found = BTreeSet::new();
    for statement in doc["Statement"].as_array().expect("statements") {
        assert_eq!(statement["Effect"], "Allow");
        if BEHIND_STATEMENTS.contains(&statement["Sid"].as_str().unwrap_or_default()) {
            continue;
        }
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

/// The statements that grant what AWS requires behind the calls groundwork makes (no code names
/// these actions, so the exact-match tests leave them out; `BEHIND` says why each is there).
const BEHIND_STATEMENTS: [&str; 2] = ["ServiceSideRequirements", "IdentityCenterManagementAccount"];

/// What AWS documents a call needs beyond its own action: the call, the actions, the page.
const BEHIND: &[(&str, &[&str], &str)] = &[
    (
        "guardduty:EnableOrganizationAdminAccount",
        &[
            "organizations:EnableAWSServiceAccess",
            "organizations:RegisterDelegatedAdministrator",
            "organizations:ListDelegatedAdministrators",
            "organizations:ListAWSServiceAccessForOrganization",
            "organizations:DescribeOrganizationalUnit",
            "organizations:DescribeAccount",
            "organizations:DescribeOrganization",
            "organizations:ListAccounts",
            "iam:CreateServiceLinkedRole",
        ],
        "https://docs.aws.amazon.com/guardduty/latest/ug/organizations_permissions.html",
    ),
    (
        // The service-linked role may not change IAM in the management account (its statement has
        // the condition aws:PrincipalOrgMasterAccountId != aws:PrincipalAccount): an assignment
        // into the management account uses the caller's own rights for the role and SAML provider.
        "sso:CreateAccountAssignment",
        &[
            "iam:AttachRolePolicy",
            "iam:CreateRole",
            "iam:PutRolePolicy",
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
            "iam:UpdateAssumeRolePolicy",
            "iam:GetSAMLProvider",
            "iam:CreateSAMLProvider",
            "iam:UpdateSAMLProvider",
        ],
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSSSOServiceRolePolicy.html",
    ),
    (
        // The Service Authorization Reference lists the billing console's permission beside
        // budgets:ModifyBudget for CreateBudget (accounts still on the legacy billing permissions).
        "budgets:ModifyBudget",
        &["aws-portal:ModifyBilling"],
        "https://docs.aws.amazon.com/service-authorization/latest/reference/list_budgets.html",
    ),
    (
        // A preventive control is an SCP Control Tower creates and attaches with the caller's rights
        // (AWS's minimal policy for enabling and disabling controls, less what only disabling needs:
        // DisableControl, DeletePolicy, DetachPolicy; groundwork never disables a control).
        "controltower:EnableControl",
        &[
            "organizations:AttachPolicy",
            "organizations:CreatePolicy",
            "organizations:UpdatePolicy",
            "organizations:DescribeOrganization",
            "organizations:DescribeOrganizationalUnit",
            "organizations:ListAccounts",
            "organizations:ListAWSServiceAccessForOrganization",
            "organizations:ListChildren",
            "organizations:ListOrganizationalUnitsForParent",
            "organizations:ListParents",
            "organizations:ListPoliciesForTarget",
            "organizations:ListRoots",
        ],
        "https://docs.aws.amazon.com/prescriptive-guidance/latest/patterns/deploy-and-manage-aws-control-tower-controls-by-using-aws-cdk-and-aws-cloudformation.html",
    ),
];

/// Every action of the policy, whatever the statement.
fn every_action_in_policy(name: &str) -> BTreeSet<String> {
    let path = format!("{}/assets/policies/{name}", env!("CARGO_MANIFEST_DIR"));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("policy")).expect("json");
    let mut found = BTreeSet::new();
    for statement in doc["Statement"].as_array().expect("statements") {
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
fn the_apply_policy_grants_what_aws_requires_behind_each_call() {
    let policy = every_action_in_policy("groundwork-apply.json");
    let code = actions_in_code(&aws_dir(), true);
    for (call, needs, page) in BEHIND {
        assert!(code.contains(*call), "{call} is no longer called: drop its entry");
        let missing: Vec<_> = needs.iter().filter(|a| !policy.contains(**a)).collect();
        assert!(missing.is_empty(), "{call} needs {missing:?} (see {page}), missing from groundwork-apply.json");
    }
}

fn aws_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/aws")
}

#[test]
fn the_check_policy_lists_exactly_what_check_calls() {
    // `check` uses only the read modules directly in src/aws/; plan and apply live in src/aws/change/.
    let code = actions_in_code(&aws_dir(), false);
    let mut policy = actions_in_policy("groundwork-check.json");
    assert!(code.len() > 20, "the scan found only {code:?}");
    // The SDK's AssumeRole provider makes this call for us when reaching a member account.
    assert!(policy.remove("sts:AssumeRole"));
    let missing: Vec<_> = code.difference(&policy).collect();
    let unused: Vec<_> = policy.difference(&code).collect();
    assert!(missing.is_empty(), "called but not in assets/policies/groundwork-check.json: {missing:?}");
    assert!(unused.is_empty(), "in the policy but never called: {unused:?}");
}

#[test]
fn the_apply_policy_lists_exactly_what_apply_calls() {
    // apply plans, changes and re-checks: every action in src/aws/ and below.
    let mut code = actions_in_code(&aws_dir(), true);
    let policy = actions_in_policy("groundwork-apply.json");
    // Named inside the Control Tower StackSet role's inline policy, and used by the SDK's AssumeRole.
    code.insert("sts:AssumeRole".to_owned());
    assert!(code.len() > 50, "the scan found only {code:?}");
    let missing: Vec<_> = code.difference(&policy).collect();
    let unused: Vec<_> = policy.difference(&code).collect();
    assert!(missing.is_empty(), "called but not in assets/policies/groundwork-apply.json: {missing:?}");
    assert!(unused.is_empty(), "in the apply policy but never called: {unused:?}");
}
