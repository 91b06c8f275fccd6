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

    #[test]
    fn documents_are_what_control_tower_documents() {
        let admin = &ROLES[0];
        assert_eq!(admin.trust()["Statement"][0]["Principal"]["Service"], "controltower.amazonaws.com");
        assert_eq!(admin.inline_policy().expect("inline")["Statement"][0]["Action"], "ec2:DescribeAvailabilityZones");
        let stack_set = &ROLES[2];
        let doc = stack_set.inline_policy().expect("inline");
        assert_eq!(doc["Statement"][0]["Resource"], "arn:aws:iam::*:role/AWSControlTowerExecution");
        assert_eq!(stack_set.inline_name(), "AWSControlTowerStackSetRolePolicy");
        assert!(ROLES[1].inline_policy().is_none());
        assert!(ROLES.iter().all(|r| r.inline.is_some() || r.managed_policy.is_some()), "each grants something");
    }
}
