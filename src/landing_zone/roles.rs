//! The four service roles Control Tower's API setup needs in the management account, as data: the
//! service each trusts, the AWS managed policy it carries, and the statement of its inline policy.
//! The documents are built as JSON values; `src/aws/change/iam.rs` only sends them.

use serde_json::{Value, json};

/// The path every Control Tower service role lives at.
pub const PATH: &str = "/service-role/";

/// A role under [`PATH`] trusted by one AWS service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRole {
    pub name: &'static str,
    pub service: &'static str,
    pub managed_policy: Option<&'static str>,
    /// The one statement of its inline policy, when it needs one: (action, resource).
    pub inline: Option<(&'static str, &'static str)>,
}

/// The roles Control Tower's API setup requires in the management account.
pub const ROLES: [ServiceRole; 4] = [
    ServiceRole {
        name: "AWSControlTowerAdmin",
        service: "controltower.amazonaws.com",
        managed_policy: Some("arn:aws:iam::aws:policy/service-role/AWSControlTowerServiceRolePolicy"),
        inline: Some(("ec2:DescribeAvailabilityZones", "*")),
    },
    ServiceRole {
        name: "AWSControlTowerCloudTrailRole",
        service: "cloudtrail.amazonaws.com",
        // Landing zone 4.0 needs the managed policy (its operations fail without it); the inline
        // policy of 3.x roles is left in place, never removed.
        managed_policy: Some("arn:aws:iam::aws:policy/service-role/AWSControlTowerCloudTrailRolePolicy"),
        inline: None,
    },
    ServiceRole {
        name: "AWSControlTowerStackSetRole",
        service: "cloudformation.amazonaws.com",
        managed_policy: None,
        inline: Some(("sts:AssumeRole", "arn:aws:iam::*:role/AWSControlTowerExecution")),
    },
    ServiceRole {
        name: "AWSControlTowerConfigAggregatorRoleForOrganizations",
        service: "config.amazonaws.com",
        managed_policy: Some("arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations"),
        inline: None,
    },
];

impl ServiceRole {
    /// The name groundwork (and the console) gives the role's inline policy.
    pub fn inline_name(&self) -> String {
        format!("{}Policy", self.name)
    }

    /// The trust policy: only the role's service may assume it.
    pub fn trust(&self) -> Value {
        json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": self.service}, "Action": "sts:AssumeRole"}]
        })
    }

    /// The inline policy document, when the role has one.
    pub fn inline_policy(&self) -> Option<Value> {
        let (action, resource) = self.inline?;
        Some(json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What AWS documents for each role ("Examples: Set up an AWS Control Tower landing zone with
    /// APIs only", https://docs.aws.amazon.com/controltower/latest/userguide/walkthrough-api-setup.html,
    /// step 2): the service its trust policy names, and what it must be granted (an inline statement
    /// as (action, resource), or an AWS managed policy). Written from the page, not from `ROLES`.
    /// (role, trusted service, inline statement as (action, resource), managed policy).
    type Documented = (&'static str, &'static str, Option<(&'static str, &'static str)>, Option<&'static str>);

    const DOCUMENTED: [Documented; 4] = [
        (
            "AWSControlTowerAdmin",
            "controltower.amazonaws.com",
            Some(("ec2:DescribeAvailabilityZones", "*")),
            Some("arn:aws:iam::aws:policy/service-role/AWSControlTowerServiceRolePolicy"),
        ),
        // The page's 3.x inline statement (logs:CreateLogStream, logs:PutLogEvents) is what the
        // managed AWSControlTowerCloudTrailRolePolicy grants; landing zone 4.0 needs the managed one.
        (
            "AWSControlTowerCloudTrailRole",
            "cloudtrail.amazonaws.com",
            None,
            Some("arn:aws:iam::aws:policy/service-role/AWSControlTowerCloudTrailRolePolicy"),
        ),
        (
            "AWSControlTowerStackSetRole",
            "cloudformation.amazonaws.com",
            Some(("sts:AssumeRole", "arn:aws:iam::*:role/AWSControlTowerExecution")),
            None,
        ),
        (
            "AWSControlTowerConfigAggregatorRoleForOrganizations",
            "config.amazonaws.com",
            None,
            Some("arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations"),
        ),
    ];

    /// A document as IAM receives it: serialized, then read back as any JSON parser would.
    fn sent(doc: &Value) -> Value {
        serde_json::from_str(&doc.to_string()).expect("the document is valid JSON")
    }

    /// The one statement of a policy document, checked for the grammar IAM requires.
    fn only_statement(doc: &Value) -> &Value {
        assert_eq!(doc["Version"], "2012-10-17", "{doc}");
        let statements = doc["Statement"].as_array().expect("a Statement list");
        assert_eq!(statements.len(), 1, "{doc}");
        assert_eq!(statements[0]["Effect"], "Allow", "{doc}");
        &statements[0]
    }

    #[test]
    fn each_role_grants_what_aws_documents_and_nothing_else() {
        assert_eq!(ROLES.len(), DOCUMENTED.len(), "every documented role, and only those");
        for (role, (name, service, inline, managed)) in ROLES.iter().zip(DOCUMENTED) {
            assert_eq!(role.name, name);
            // Only the role's own service may assume it.
            let trust = sent(&role.trust());
            let statement = only_statement(&trust);
            assert_eq!(statement["Principal"], json!({"Service": service}), "{name}: {trust}");
            assert_eq!(statement["Action"], "sts:AssumeRole", "{name}: {trust}");
            // The inline policy grants the documented action on the documented resource, or is absent.
            let policy = role.inline_policy().map(|d| sent(&d));
            let granted = policy.as_ref().map(|doc| {
                let s = only_statement(doc);
                (s["Action"].as_str().expect("one action").to_owned(), s["Resource"].as_str().expect("one").to_owned())
            });
            assert_eq!(granted, inline.map(|(a, r)| (a.to_owned(), r.to_owned())), "{name}: {policy:?}");
            assert_eq!(role.managed_policy, managed, "{name}");
            assert!(role.inline_name().starts_with(name) && role.inline_name().len() <= 128, "{name}");
        }
        assert_eq!(PATH, "/service-role/", "the page creates every role with --path /service-role/");
    }
}
