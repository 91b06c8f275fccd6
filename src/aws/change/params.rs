//! How an action reads in a plan and in the action log: its AWS call's key parameters. Never a
//! secret.

use super::{Action, alerts, budget, controltower};

impl Action {
    /// The key parameters, as a person and the action log read them. Never a secret.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Action::CreateOrganization => vec![("FeatureSet", "ALL".into())],
            Action::EnableServiceAccess { principal } => vec![("ServicePrincipal", principal.clone())],
            Action::CreateAccount { name, email, .. } => vec![("AccountName", name.clone()), ("Email", email.clone())],
            Action::PutAlternateContact { account, own, kind, name, title, email, phone } => {
                let mut p = vec![("AlternateContactType", kind.clone())];
                if !own {
                    p.push(("AccountId", account.clone()));
                }
                p.extend([("Name", name.clone()), ("Title", title.clone()), ("EmailAddress", email.clone())]);
                p.push(("PhoneNumber", phone.clone()));
                p
            }
            Action::CreateOrganizationalUnit { parent, name, .. } => {
                vec![("ParentId", parent.clone()), ("Name", name.clone())]
            }
            Action::MoveAccount { account, from, to } => vec![
                ("AccountId", account.show()),
                ("SourceParentId", from.clone()),
                ("DestinationParentId", to.show()),
            ],
            Action::AttachRolePolicy { role, policy } => {
                vec![("RoleName", (*role).to_owned()), ("PolicyArn", (*policy).to_owned())]
            }
            Action::PutRolePolicy { role } => {
                vec![("RoleName", role.name.to_owned()), ("PolicyName", role.inline_name())]
            }
            Action::CreateServiceRole { role } => {
                vec![
                    ("RoleName", role.name.to_owned()),
                    ("Path", crate::landing_zone::roles::PATH.into()),
                    ("TrustedService", role.service.to_owned()),
                ]
            }
            Action::CreateLandingZone { version, regions, log_archive, audit } => {
                controltower::params(version, regions, &log_archive.show(), &audit.show())
            }
            Action::ResetLandingZone { arn } => vec![("landingZoneIdentifier", arn.clone())],
            Action::WaitForLandingZone { operation } => vec![("operationIdentifier", operation.show())],
            Action::EnableBaseline { baseline, version, target, ou, identity_center } => {
                let mut p = vec![
                    ("OU", ou.clone()),
                    ("baselineIdentifier", baseline.clone()),
                    ("baselineVersion", version.clone()),
                    ("targetIdentifier", target.show()),
                ];
                if let Some(arn) = identity_center {
                    p.push(("IdentityCenterEnabledBaselineArn", arn.clone()));
                }
                p
            }
            Action::ResetEnabledBaseline { arn, ou } => {
                vec![("OU", ou.clone()), ("enabledBaselineIdentifier", arn.clone())]
            }
            Action::WaitForBaseline { operation, ou } => {
                vec![("OU", ou.clone()), ("operationIdentifier", operation.show())]
            }
            Action::EnableControl { control, alias, target, ou } => vec![
                ("control", alias.clone()),
                ("OU", ou.clone()),
                ("controlIdentifier", control.clone()),
                ("targetIdentifier", target.clone()),
            ],
            Action::WaitForControl { operation, alias, ou } => {
                vec![("control", alias.clone()), ("OU", ou.clone()), ("operationIdentifier", operation.show())]
            }
            Action::CreateUser { user_name, email, .. } => {
                vec![("UserName", user_name.clone()), ("Email", email.clone())]
            }
            Action::CreateGroup { name, .. } => vec![("DisplayName", name.clone())],
            Action::AddToGroup { group, user, .. } => vec![("GroupId", group.show()), ("UserId", user.show())],
            Action::CreatePermissionSet { name, session, .. } => {
                vec![("Name", name.clone()), ("SessionDuration", session.clone())]
            }
            Action::AttachManagedPolicy { name, permission_set, policy_arn, .. } => vec![
                ("PermissionSet", name.clone()),
                ("PermissionSetArn", permission_set.show()),
                ("ManagedPolicyArn", policy_arn.clone()),
            ],
            Action::ProvisionPermissionSet { name, permission_set, .. } => vec![
                ("PermissionSet", name.clone()),
                ("PermissionSetArn", permission_set.clone()),
                ("TargetType", "ALL_PROVISIONED_ACCOUNTS".into()),
            ],
            Action::AssignAccount { account, permission_set, group, .. } => {
                vec![
                    ("TargetId", account.clone()),
                    ("PermissionSetArn", permission_set.show()),
                    ("PrincipalId (group)", group.show()),
                ]
            }
            _ => self.security_params(),
        }
    }

    /// The parameters of the security services' and the alert path's actions (and the steps after
    /// the lab's): one arm per action, as long as the list of actions.
    #[allow(clippy::too_many_lines)]
    fn security_params(&self) -> Vec<(&'static str, String)> {
        let plans = |p: &[(String, bool)]| {
            p.iter().map(|(n, on)| format!("{n}={}", if *on { "on" } else { "off" })).collect::<Vec<_>>().join(",")
        };
        match self {
            Action::CreateDetector { plans: p } => vec![
                ("Enable", "true".into()),
                ("FindingPublishingFrequency", crate::aws::guardduty::FREQUENCY.into()),
                ("Features", plans(p)),
            ],
            Action::SetFindingFrequency { detector } => vec![
                ("DetectorId", detector.clone()),
                ("FindingPublishingFrequency", crate::aws::guardduty::FREQUENCY.into()),
            ],
            Action::EnableGuardDutyAdmin { admin } | Action::EnableSecurityHubAdmin { admin } => {
                vec![("AdminAccountId", admin.clone())]
            }
            Action::GuardDutyAutoEnable { detector, features } => vec![
                ("DetectorId", detector.show()),
                ("AutoEnableOrganizationMembers", "ALL".into()),
                ("Features", features.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join(",")),
            ],
            Action::CreateGuardDutyMember { detector, account, email } => {
                vec![("DetectorId", detector.show()), ("AccountId", account.clone()), ("Email", email.clone())]
            }
            Action::CreateSecurityHubMember { account } => vec![("AccountId", account.clone())],
            Action::EnableHub => {
                vec![("EnableDefaultStandards", "false".into()), ("ControlFindingGenerator", "SECURITY_CONTROL".into())]
            }
            Action::EnableFsbp | Action::WaitForFsbp => {
                vec![("StandardsArn", "aws-foundational-security-best-practices/v/1.0.0".into())]
            }
            Action::SecurityHubAutoEnable => {
                vec![("AutoEnable", "true".into()), ("AutoEnableStandards", "NONE".into())]
            }
            Action::Config(c) => c.params(),
            Action::CreateTopic { name, .. } => {
                vec![("Name", name.clone()), ("Policy", "owner + events.amazonaws.com may publish".into())]
            }
            Action::Subscribe { topic, email } => {
                vec![("TopicArn", topic.clone()), ("Protocol", "email".into()), ("Endpoint", email.clone())]
            }
            Action::PutRule { name, pattern } => vec![("Name", name.clone()), ("EventPattern", pattern.clone())],
            Action::PutTarget { rule, topic } => vec![("Rule", rule.clone()), ("Target", topic.clone())],
            Action::CreateForwardingRole { name } => {
                vec![("RoleName", name.clone()), ("TrustedService", "events.amazonaws.com".into())]
            }
            Action::PutForwardingPolicy { role, bus, .. } => vec![
                ("RoleName", role.clone()),
                ("PolicyName", alerts::FORWARD_POLICY.into()),
                ("Allows", format!("events:PutEvents on {bus}")),
            ],
            Action::PutBusTarget { rule, bus, role } => {
                vec![("Rule", rule.clone()), ("Target", bus.clone()), ("RoleArn", role.clone())]
            }
            Action::CreateSampleFinding { detector, finding_type } => {
                vec![("DetectorId", detector.clone()), ("FindingTypes", finding_type.clone())]
            }
            Action::DeactivateAccessKey { user, key } => {
                vec![("UserName", user.clone()), ("AccessKeyId", key.clone()), ("Status", "Inactive".into())]
            }
            Action::PutAccountPublicAccessBlock { account } => {
                let mut p = vec![("AccountId", account.clone())];
                p.extend(crate::aws::s3control::SETTINGS.iter().map(|s| (*s, "true".to_owned())));
                p
            }
            Action::EnableRootCredentialsManagement | Action::EnableRootSessions => Vec::new(),
            Action::DeleteRootCredentials { account, found } => {
                let mut deletes = Vec::new();
                if found.password {
                    deletes.push("password (DeleteLoginProfile)".to_owned());
                }
                deletes.extend(found.access_keys.iter().map(|k| format!("access key {k} (DeleteAccessKey)")));
                deletes.extend(
                    found.certificates.iter().map(|c| format!("signing certificate {c} (DeleteSigningCertificate)")),
                );
                deletes.extend(found.mfa.iter().map(|m| format!("MFA device {m} (DeactivateMFADevice)")));
                vec![
                    ("TargetPrincipal", account.clone()),
                    ("TaskPolicyArn", crate::aws::root_access::DELETE_TASK.into()),
                    ("Deletes", deletes.join("; ")),
                ]
            }
            Action::CreateBudget { name, amount, email } => vec![
                ("BudgetName", name.clone()),
                ("BudgetLimit", format!("{amount} USD, MONTHLY, COST")),
                (
                    "Notifications",
                    format!("ACTUAL > {}%, FORECASTED > {}%", budget::ACTUAL_PERCENT, budget::FORECAST_PERCENT),
                ),
                ("Subscriber", format!("EMAIL {email}")),
            ],
            Action::CreateAnomalyMonitor { name } => vec![
                ("MonitorName", name.clone()),
                ("MonitorType", "DIMENSIONAL".into()),
                ("MonitorDimension", "SERVICE".into()),
            ],
            Action::CreateAnomalySubscription { name, monitor, email } => vec![
                ("SubscriptionName", name.clone()),
                ("MonitorArnList", monitor.show()),
                ("Frequency", "DAILY".into()),
                ("Threshold", format!("total impact >= {} USD", budget::ANOMALY_IMPACT_USD)),
                ("Subscriber", format!("EMAIL {email}")),
            ],
            Action::RegisterDelegatedAdmin { account, principal } => {
                vec![("AccountId", account.clone()), ("ServicePrincipal", principal.clone())]
            }
            Action::CreateAnalyzer { name } => vec![("analyzerName", name.clone()), ("type", "ORGANIZATION".into())],
            Action::WaitForAnalyzer { name } => vec![("analyzerName", name.clone())],
            Action::EnableEbsEncryption => vec![("EbsEncryptionByDefault", "true".into())],
            _ => unreachable!("foundation actions are read by params"),
        }
    }
}
