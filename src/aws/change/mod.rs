//! Everything `plan` and `apply` ask of AWS beyond what `check` reads: the reads a plan needs and
//! every call that changes something. Changes are data ([`Action`]) first, shown to the person,
//! and performed only after a yes. Nothing here deletes or overwrites.

pub mod account;
pub mod alerts;
pub mod config;
pub mod controltower;
pub mod drill;
pub mod guardduty;
pub mod iam;
pub mod identity_center;
pub mod organizations;
mod params;
pub mod securityhub;

use std::collections::HashMap;

use super::{At, Aws, AwsError};

/// A value an action needs that may only exist once an earlier action has run (a new account's id,
/// a new user's id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ref {
    Known(String),
    /// Produced by an earlier action under this name.
    Output(String),
}

impl Ref {
    fn resolve(&self, outputs: &HashMap<String, String>) -> Result<String, AwsError> {
        match self {
            Ref::Known(v) => Ok(v.clone()),
            Ref::Output(name) => outputs.get(name).cloned().ok_or_else(|| AwsError {
                request_id: None,
                kind: super::ErrorKind::Other,
                action: "groundwork:resolve",
                account: String::new(),
                region: None,
                code: None,
                message: format!("an earlier change did not produce {name}"),
            }),
        }
    }

    /// How the value reads in a plan.
    pub fn show(&self) -> String {
        match self {
            Ref::Known(v) => v.clone(),
            Ref::Output(name) => format!("<{name}>"),
        }
    }
}

/// One AWS change, described fully before it is made.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    CreateOrganization,
    EnableServiceAccess {
        principal: String,
    },
    CreateAccount {
        name: String,
        email: String,
        output: String,
    },
    PutAlternateContact {
        account: String,
        own: bool,
        kind: String,
        name: String,
        title: String,
        email: String,
        phone: String,
    },
    CreateOrganizationalUnit {
        parent: String,
        name: String,
        output: String,
    },
    MoveAccount {
        account: Ref,
        from: String,
        to: Ref,
    },
    CreateServiceRole {
        role: crate::landing_zone::ServiceRole,
    },
    /// A service role's managed policy: right after `CreateServiceRole`, or repairing a role
    /// that lacks it.
    AttachRolePolicy {
        role: &'static str,
        policy: &'static str,
    },
    /// A service role's inline policy: right after `CreateServiceRole`, or repairing a role that
    /// lacks it.
    PutRolePolicy {
        role: crate::landing_zone::ServiceRole,
    },
    CreateLandingZone {
        /// One of `landing_zone::SHAPES`, or an expert override (written with the newest shape); the
        /// manifest is written when the accounts exist.
        version: String,
        /// Governed Regions, the home Region first.
        regions: Vec<String>,
        log_archive: Ref,
        audit: Ref,
    },
    ResetLandingZone {
        arn: String,
    },
    /// Not a change: waits for a landing zone operation started earlier (possibly by another run).
    WaitForLandingZone {
        operation: Ref,
    },
    /// Registers an OU with Control Tower: `AWSControlTowerBaseline` (its ARN and version read live)
    /// enabled on the OU's ARN.
    EnableBaseline {
        baseline: String,
        version: String,
        /// The OU's ARN (a new OU's comes from `CreateOrganizationalUnit`).
        target: Ref,
        /// The OU's name, for the plan.
        ou: String,
        /// The Identity Center enabled baseline's ARN, when the landing zone manages Identity Center.
        identity_center: Option<String>,
    },
    /// Re-deploys a baseline whose last operation failed.
    ResetEnabledBaseline {
        arn: String,
        ou: String,
    },
    /// Not a change: waits for a baseline operation (ours just now, or one an earlier run started).
    WaitForBaseline {
        operation: Ref,
        ou: String,
    },
    CreateUser {
        store: String,
        user_name: String,
        given: String,
        family: String,
        email: String,
    },
    CreateGroup {
        store: String,
        name: String,
    },
    AddToGroup {
        store: String,
        group: Ref,
        user: Ref,
    },
    CreatePermissionSet {
        instance: String,
        name: String,
        session: String,
    },
    AttachManagedPolicy {
        instance: String,
        /// Names the set in the plan (its ARN may not exist yet).
        name: String,
        permission_set: Ref,
        policy_arn: String,
    },
    /// Pushes a repaired set to the accounts it is already assigned to.
    ProvisionPermissionSet {
        instance: String,
        name: String,
        permission_set: String,
    },
    AssignAccount {
        instance: String,
        account: String,
        permission_set: Ref,
        group: Ref,
    },
    CreateDetector {
        plans: Vec<(String, bool)>,
    },
    EnableGuardDutyAdmin {
        admin: String,
    },
    /// Sends updates to existing findings on within 15 minutes (AWS's default is six hours).
    SetFindingFrequency {
        detector: String,
    },
    GuardDutyAutoEnable {
        detector: Ref,
        /// Every organization-level plan and the auto-enable value it is given.
        features: Vec<(String, String)>,
    },
    /// Enrols one existing organization account as a GuardDuty member, from the administrator.
    CreateGuardDutyMember {
        detector: Ref,
        account: String,
        email: String,
    },
    /// Makes one existing organization account a Security Hub member, from the administrator.
    CreateSecurityHubMember {
        account: String,
    },
    EnableHub,
    /// Enables FSBP and waits (up to [`securityhub::STANDARD_LIMIT`]) until AWS says it is `READY`.
    EnableFsbp,
    /// Not a change: waits for FSBP enabled by an earlier run that stopped waiting (`PENDING`).
    WaitForFsbp,
    EnableSecurityHubAdmin {
        admin: String,
    },
    SecurityHubAutoEnable,
    /// AWS Config in the management account: role, recorder, delivery channel, start.
    Config(config::ConfigChange),
    CreateTopic {
        name: String,
        policy: String,
    },
    Subscribe {
        topic: String,
        email: String,
    },
    PutRule {
        name: String,
        pattern: String,
    },
    PutTarget {
        rule: String,
        topic: String,
    },
    /// A role EventBridge assumes to forward events to another Region's bus (its policy is the
    /// next change, `PutForwardingPolicy`).
    CreateForwardingRole {
        name: String,
    },
    /// The forwarding role's inline policy (JSON), which allows exactly sending to `bus`.
    PutForwardingPolicy {
        role: String,
        bus: String,
        policy: String,
    },
    /// One sample finding (the drill): free, titled "[SAMPLE]" in GuardDuty.
    CreateSampleFinding {
        detector: String,
        finding_type: String,
    },
    /// A rule target that forwards to another Region's event bus through `role`.
    PutBusTarget {
        rule: String,
        bus: String,
        role: String,
    },
}

impl Action {
    /// The AWS operation, as `service:Operation` (the IAM action name).
    pub fn call(&self) -> &'static str {
        match self {
            Action::CreateOrganization => "organizations:CreateOrganization",
            Action::EnableServiceAccess { .. } => "organizations:EnableAWSServiceAccess",
            Action::CreateAccount { .. } => "organizations:CreateAccount",
            Action::PutAlternateContact { .. } => "account:PutAlternateContact",
            Action::CreateOrganizationalUnit { .. } => "organizations:CreateOrganizationalUnit",
            Action::MoveAccount { .. } => "organizations:MoveAccount",
            Action::CreateServiceRole { .. } | Action::CreateForwardingRole { .. } => "iam:CreateRole",
            Action::AttachRolePolicy { .. } => "iam:AttachRolePolicy",
            Action::PutRolePolicy { .. } | Action::PutForwardingPolicy { .. } => "iam:PutRolePolicy",
            Action::CreateLandingZone { .. } => "controltower:CreateLandingZone",
            Action::ResetLandingZone { .. } => "controltower:ResetLandingZone",
            Action::WaitForLandingZone { .. } => "controltower:GetLandingZoneOperation",
            Action::EnableBaseline { .. } => "controltower:EnableBaseline",
            Action::ResetEnabledBaseline { .. } => "controltower:ResetEnabledBaseline",
            Action::WaitForBaseline { .. } => "controltower:GetBaselineOperation",
            Action::CreateUser { .. } => "identitystore:CreateUser",
            Action::CreateGroup { .. } => "identitystore:CreateGroup",
            Action::AddToGroup { .. } => "identitystore:CreateGroupMembership",
            Action::CreatePermissionSet { .. } => "sso:CreatePermissionSet",
            Action::AttachManagedPolicy { .. } => "sso:AttachManagedPolicyToPermissionSet",
            Action::ProvisionPermissionSet { .. } => "sso:ProvisionPermissionSet",
            Action::AssignAccount { .. } => "sso:CreateAccountAssignment",
            Action::CreateDetector { .. } => "guardduty:CreateDetector",
            Action::EnableGuardDutyAdmin { .. } => "guardduty:EnableOrganizationAdminAccount",
            Action::SetFindingFrequency { .. } => "guardduty:UpdateDetector",
            Action::GuardDutyAutoEnable { .. } => "guardduty:UpdateOrganizationConfiguration",
            Action::CreateGuardDutyMember { .. } => "guardduty:CreateMembers",
            Action::CreateSecurityHubMember { .. } => "securityhub:CreateMembers",
            Action::EnableHub => "securityhub:EnableSecurityHub",
            Action::EnableFsbp => "securityhub:BatchEnableStandards",
            Action::WaitForFsbp => "securityhub:GetEnabledStandards",
            Action::EnableSecurityHubAdmin { .. } => "securityhub:EnableOrganizationAdminAccount",
            Action::SecurityHubAutoEnable => "securityhub:UpdateOrganizationConfiguration",
            Action::Config(c) => c.call(),
            Action::CreateTopic { .. } => "sns:CreateTopic",
            Action::Subscribe { .. } => "sns:Subscribe",
            Action::PutRule { .. } => "events:PutRule",
            Action::PutTarget { .. } | Action::PutBusTarget { .. } => "events:PutTargets",
            Action::CreateSampleFinding { .. } => "guardduty:CreateSampleFindings",
        }
    }

    /// Whether performing it changes anything in AWS (waiting does not).
    pub fn is_change(&self) -> bool {
        !matches!(self, Action::WaitForLandingZone { .. } | Action::WaitForBaseline { .. } | Action::WaitForFsbp)
    }
}

/// What performing an action produced, for later actions and the record.
pub type Outputs = HashMap<String, String>;

/// Performs one action in `at`, adding what it produced to `outputs`.
pub async fn perform(aws: &Aws, at: &At, action: &Action, outputs: &mut Outputs) -> Result<(), AwsError> {
    // Each AWS call below is paced and bounded by `Aws::call` itself: nothing is held here, so an
    // action that polls holds no slot while it waits.
    match action {
        Action::CreateOrganization => organizations::create_organization(aws, at).await,
        Action::EnableServiceAccess { principal } => organizations::enable_service_access(aws, at, principal).await,
        Action::CreateAccount { name, email, output } => {
            let id = organizations::create_account(aws, at, name, email).await?;
            outputs.insert(output.clone(), id);
            Ok(())
        }
        Action::PutAlternateContact { account, own, kind, name, title, email, phone } => {
            account::put_alternate_contact(aws, at, account, *own, [kind, name, title, email, phone]).await
        }
        Action::CreateOrganizationalUnit { parent, name, output } => {
            organizations::create_ou(aws, at, parent, name, output, outputs).await
        }
        Action::MoveAccount { account, from, to } => {
            organizations::move_account(aws, at, &account.resolve(outputs)?, from, &to.resolve(outputs)?).await
        }
        Action::CreateServiceRole { role } => iam::create_service_role(aws, at, role).await,
        Action::AttachRolePolicy { role, policy } => iam::attach_policy(aws, at, role, policy).await,
        Action::PutRolePolicy { role } => iam::put_inline(aws, at, role).await,
        Action::CreateLandingZone { .. } | Action::ResetLandingZone { .. } => {
            controltower::start_landing_zone(aws, at, action, outputs).await
        }
        Action::WaitForLandingZone { .. } | Action::WaitForBaseline { .. } => Ok(()), // perform polls
        Action::EnableBaseline { .. } | Action::ResetEnabledBaseline { .. } => {
            controltower::start_baseline(aws, at, action, outputs).await
        }
        Action::CreateUser { store, user_name, given, family, email } => {
            let id = identity_center::create_user(aws, at, store, user_name, given, family, email).await?;
            outputs.insert("user".into(), id);
            Ok(())
        }
        Action::CreateGroup { store, name } => {
            let id = identity_center::create_group(aws, at, store, name).await?;
            outputs.insert("group".into(), id);
            Ok(())
        }
        Action::AddToGroup { store, group, user } => {
            identity_center::add_to_group(aws, at, store, &group.resolve(outputs)?, &user.resolve(outputs)?).await
        }
        Action::CreatePermissionSet { instance, name, session } => {
            let arn = identity_center::create_permission_set(aws, at, instance, name, session).await?;
            outputs.insert(format!("permission-set:{name}"), arn);
            Ok(())
        }
        Action::AttachManagedPolicy { instance, permission_set, policy_arn, .. } => {
            identity_center::attach_managed_policy(aws, at, instance, &permission_set.resolve(outputs)?, policy_arn)
                .await
        }
        Action::ProvisionPermissionSet { instance, permission_set, .. } => {
            identity_center::provision(aws, at, instance, permission_set).await
        }
        Action::AssignAccount { instance, account, permission_set, group } => {
            let ps = permission_set.resolve(outputs)?;
            identity_center::assign(aws, at, instance, account, &ps, &group.resolve(outputs)?).await
        }
        Action::CreateDetector { plans } => {
            let id = guardduty::create_detector(aws, at, plans).await?;
            outputs.insert(format!("detector:{}", at.region), id);
            Ok(())
        }
        Action::EnableGuardDutyAdmin { admin } => guardduty::enable_admin(aws, at, admin).await,
        Action::SetFindingFrequency { detector } => guardduty::set_frequency(aws, at, detector).await,
        Action::GuardDutyAutoEnable { detector, features } => {
            guardduty::auto_enable_all(aws, at, &detector.resolve(outputs)?, features).await
        }
        Action::CreateGuardDutyMember { detector, account, email } => {
            guardduty::create_member(aws, at, &detector.resolve(outputs)?, account, email).await
        }
        Action::CreateSecurityHubMember { account } => securityhub::create_member(aws, at, account).await,
        Action::EnableHub => securityhub::enable_hub(aws, at).await,
        Action::EnableFsbp | Action::WaitForFsbp => securityhub::fsbp(aws, at, action == &Action::EnableFsbp).await,
        Action::EnableSecurityHubAdmin { admin } => securityhub::enable_admin(aws, at, admin).await,
        Action::SecurityHubAutoEnable => securityhub::auto_enable(aws, at).await,
        Action::Config(c) => c.perform(aws, at).await,
        Action::CreateTopic { name, policy } => alerts::create_topic(aws, at, name, policy).await,
        Action::Subscribe { topic, email } => alerts::subscribe(aws, at, topic, email).await,
        Action::PutRule { name, pattern } => alerts::put_rule(aws, at, name, pattern).await,
        Action::PutTarget { rule, topic } => alerts::put_target(aws, at, rule, topic, None).await,
        Action::CreateForwardingRole { name } => alerts::create_forwarding_role(aws, at, name).await,
        Action::PutForwardingPolicy { role, policy, .. } => alerts::put_forwarding_policy(aws, at, role, policy).await,
        Action::PutBusTarget { rule, bus, role } => alerts::put_target(aws, at, rule, bus, Some(role)).await,
        Action::CreateSampleFinding { detector, finding_type } => {
            drill::create_sample_finding(aws, at, detector, finding_type).await
        }
    }
}
