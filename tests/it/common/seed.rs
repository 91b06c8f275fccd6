//! Puts the emulator into known states through the real AWS SDK (and the extension's hooks only for
//! what no API can do: root MFA, a landing zone's state, confirming an email).

use serde_json::json;

use super::{Emulator, MGMT, REGION, config};

/// The organization's shared accounts.
#[derive(Debug, Clone)]
pub struct Org {
    pub log_archive: String,
    pub audit: String,
}

pub const HIGH_SEVERITY: &str =
    r#"{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"],"detail":{"severity":[{"numeric":[">=",7]}]}}"#;

pub fn root_mfa(emu: &Emulator, account: &str, mfa: bool, keys: bool) {
    emu.hook(
        "/_groundwork/iam/account-summary",
        json!({"account": account, "AccountMFAEnabled": u8::from(mfa), "AccountAccessKeysPresent": u8::from(keys)}),
    );
}

/// An organization with all features, plus Log Archive and Audit accounts.
pub async fn organization(emu: &Emulator) -> Org {
    let c = aws_sdk_organizations::Client::new(&config(emu, MGMT, REGION).await);
    c.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .expect("create organization");
    let mut ids = Vec::new();
    for (name, email) in [("Log Archive", "log@example.com"), ("Audit", "audit@example.com")] {
        let out = c.create_account().account_name(name).email(email).send().await.expect("create account");
        ids.push(out.create_account_status().and_then(|s| s.account_id()).expect("account id").to_owned());
    }
    Org { log_archive: ids[0].clone(), audit: ids[1].clone() }
}

/// Turns on an AWS service's trusted access in the organization (as the management account).
pub async fn trusted_access(emu: &Emulator, principal: &str) {
    let c = aws_sdk_organizations::Client::new(&config(emu, MGMT, REGION).await);
    c.enable_aws_service_access().service_principal(principal).send().await.expect("enable trusted access");
}

/// Sets the given alternate contact types on an account, from the management account as AWS
/// requires (a member's with `AccountId`, which needs trusted access for Account Management).
pub async fn contacts(emu: &Emulator, account: &str, kinds: &[&str]) {
    if account != MGMT {
        trusted_access(emu, "account.amazonaws.com").await;
    }
    let c = aws_sdk_account::Client::new(&config(emu, MGMT, REGION).await);
    for kind in kinds {
        let mut req = c
            .put_alternate_contact()
            .alternate_contact_type(aws_sdk_account::types::AlternateContactType::from(*kind))
            .name("Ada Lovelace")
            .title("CTO")
            .email_address("security@example.com")
            .phone_number("+15555550100");
        if account != MGMT {
            req = req.account_id(account);
        }
        req.send().await.expect("put alternate contact");
    }
}

/// A 4.0 landing zone in `regions[0]` governing `regions`, in the given state.
pub fn landing_zone(emu: &Emulator, org: &Org, regions: &[&str], status: &str, drift: &str) {
    landing_zone_version(emu, org, regions, status, drift, "4.0");
}

/// The 4.0 manifest groundwork writes.
pub fn manifest_4(org: &Org, regions: &[&str]) -> serde_json::Value {
    let retention = json!({"loggingBucket": {"retentionDays": 365}, "accessLoggingBucket": {"retentionDays": 3650}});
    json!({
        "governedRegions": regions,
        "centralizedLogging": {"enabled": true, "accountId": org.log_archive, "configurations": retention},
        "config": {"enabled": true, "accountId": org.audit, "configurations": retention},
        "securityRoles": {"enabled": true, "accountId": org.audit},
        "accessManagement": {"enabled": true},
        "backup": {"enabled": false}
    })
}

/// A landing zone of `version` (3.x has the 3.x manifest), AWS offering 4.0 as the latest.
pub fn landing_zone_version(emu: &Emulator, org: &Org, regions: &[&str], status: &str, drift: &str, version: &str) {
    let manifest = if version.starts_with('3') {
        json!({
            "governedRegions": regions,
            "organizationStructure": {"security": {"name": "Security"}, "sandbox": {"name": "Sandbox"}},
            "centralizedLogging": {"accountId": org.log_archive, "enabled": true,
                "configurations": {"loggingBucket": {"retentionDays": 365}, "accessLoggingBucket": {"retentionDays": 3650}}},
            "securityRoles": {"accountId": org.audit},
            "accessManagement": {"enabled": true}
        })
    } else {
        manifest_4(org, regions)
    };
    // An ACTIVE 4.0 landing zone also has what its launch left (the emulator's enrolment.py):
    // AWSControlTowerExecution, Config recording in Log Archive and Audit, trusted access.
    let launch = status == "ACTIVE" && !version.starts_with('3');
    emu.hook(
        "/_groundwork/controltower/landing-zone",
        json!({"account": MGMT, "region": regions[0], "status": status, "drift": drift,
               "version": version, "latestAvailableVersion": "4.0", "manifest": manifest, "launch": launch}),
    );
}

/// The role Control Tower's enrolment creates (AWSControlTowerExecution, trusting the management
/// account, AdministratorAccess), made by hand in an account Control Tower never enrolled. The
/// emulator refuses AssumeRole of a role that does not exist, as AWS does; only for tests whose
/// point is elsewhere while groundwork still tries that role first in unenrolled workload accounts
/// (a product bug the control-tower governance work fixes by choosing the member role per account).
pub async fn control_tower_execution_role(emu: &Emulator, account: &str) {
    let iam = aws_sdk_iam::Client::new(&config(emu, account, REGION).await);
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{MGMT}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    iam.create_role()
        .role_name("AWSControlTowerExecution")
        .assume_role_policy_document(trust)
        .send()
        .await
        .expect("create role");
    iam.attach_role_policy()
        .role_name("AWSControlTowerExecution")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .expect("attach AdministratorAccess");
}

/// What landing zone 4.0 needs before CreateLandingZone: a Security OU under the root holding Log
/// Archive and Audit, and the service roles (the CloudTrail one with its managed policy). Returns the
/// OU's id.
pub async fn control_tower_prerequisites(emu: &Emulator, org: &Org) -> String {
    let conf = config(emu, MGMT, REGION).await;
    let orgs = aws_sdk_organizations::Client::new(&conf);
    let roots = orgs.list_roots().send().await.expect("list roots");
    let root = roots.roots()[0].id().expect("root id").to_owned();
    let ou = orgs.create_organizational_unit().parent_id(&root).name("Security").send().await.expect("create OU");
    let ou = ou.organizational_unit().and_then(|o| o.id()).expect("ou id").to_owned();
    for account in [&org.log_archive, &org.audit] {
        orgs.move_account()
            .account_id(account)
            .source_parent_id(&root)
            .destination_parent_id(&ou)
            .send()
            .await
            .expect("move account");
    }
    let iam = aws_sdk_iam::Client::new(&conf);
    for (role, service) in [
        ("AWSControlTowerCloudTrailRole", "cloudtrail"),
        ("AWSControlTowerAdmin", "controltower"),
        ("AWSControlTowerStackSetRole", "cloudformation"),
    ] {
        let trust = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{service}.amazonaws.com"}},"Action":"sts:AssumeRole"}}]}}"#
        );
        iam.create_role()
            .role_name(role)
            .path("/service-role/")
            .assume_role_policy_document(trust)
            .send()
            .await
            .expect("create role");
    }
    iam.attach_role_policy()
        .role_name("AWSControlTowerCloudTrailRole")
        .policy_arn("arn:aws:iam::aws:policy/service-role/AWSControlTowerCloudTrailRolePolicy")
        .send()
        .await
        .expect("attach policy");
    ou
}

/// A person's user in Identity Center, assigned to the management account with a permission set
/// that grants AdministratorAccess.
pub async fn identity_center_user(emu: &Emulator, region: &str, assign: bool) {
    let conf = config(emu, MGMT, region).await;
    let sso = aws_sdk_ssoadmin::Client::new(&conf);
    let instances = sso.list_instances().send().await.expect("list instances");
    let instance = instances.instances().first().expect("moto has an instance").clone();
    let store = instance.identity_store_id().expect("store id");
    let user = aws_sdk_identitystore::Client::new(&conf)
        .create_user()
        .identity_store_id(store)
        .user_name("ada")
        .display_name("Ada Lovelace")
        .name(aws_sdk_identitystore::types::Name::builder().given_name("Ada").family_name("Lovelace").build())
        .send()
        .await
        .expect("create user");
    if !assign {
        return;
    }
    let arn = instance.instance_arn().expect("instance arn");
    let ps = sso
        .create_permission_set()
        .instance_arn(arn)
        .name("AdministratorAccess")
        .session_duration("PT8H")
        .send()
        .await
        .expect("create permission set");
    let ps = ps.permission_set().and_then(|p| p.permission_set_arn()).expect("ps arn");
    sso.attach_managed_policy_to_permission_set()
        .instance_arn(arn)
        .permission_set_arn(ps)
        .managed_policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .expect("attach the policy");
    sso.create_account_assignment()
        .instance_arn(arn)
        .target_id(MGMT)
        .target_type(aws_sdk_ssoadmin::types::TargetType::AwsAccount)
        .permission_set_arn(ps)
        .principal_type(aws_sdk_ssoadmin::types::PrincipalType::User)
        .principal_id(user.user_id())
        .send()
        .await
        .expect("create account assignment");
}

/// GuardDuty in `region`: Audit as delegated admin, its detector (enabled or suspended), and the
/// organization's auto-enable setting.
pub async fn guardduty(emu: &Emulator, org: &Org, region: &str, enabled: bool, auto: &str) {
    use aws_sdk_guardduty::types::AutoEnableMembers;
    aws_sdk_guardduty::Client::new(&config(emu, MGMT, region).await)
        .enable_organization_admin_account()
        .admin_account_id(&org.audit)
        .send()
        .await
        .expect("delegate GuardDuty to Audit");
    let audit = aws_sdk_guardduty::Client::new(&config(emu, &org.audit, region).await);
    // A healthy detector as groundwork leaves it: finding updates sent on within 15 minutes.
    let detector = audit
        .create_detector()
        .enable(enabled)
        .finding_publishing_frequency(aws_sdk_guardduty::types::FindingPublishingFrequency::FifteenMinutes)
        .send()
        .await
        .expect("create detector");
    let id = detector.detector_id().expect("detector id");
    audit
        .update_organization_configuration()
        .detector_id(id)
        .auto_enable_organization_members(AutoEnableMembers::from(auto))
        .send()
        .await
        .expect("update organization configuration");
    if auto == "ALL" {
        // A day later: AWS has enrolled every existing account (the emulator waits for this hook).
        emu.hook("/_groundwork/guardduty/enrol", json!({"account": org.audit, "region": region}));
    }
}

/// Security Hub CSPM in `region`: Audit's hub (with or without the default standards), Audit as
/// delegated admin, and member auto-enable.
pub async fn security_hub(emu: &Emulator, org: &Org, region: &str, default_standards: bool, auto: bool) {
    let audit = aws_sdk_securityhub::Client::new(&config(emu, &org.audit, region).await);
    audit.enable_security_hub().enable_default_standards(default_standards).send().await.expect("enable hub");
    aws_sdk_securityhub::Client::new(&config(emu, MGMT, region).await)
        .enable_organization_admin_account()
        .admin_account_id(&org.audit)
        .send()
        .await
        .expect("delegate Security Hub to Audit");
    audit.update_organization_configuration().auto_enable(auto).send().await.expect("auto-enable members");
}

/// AWS Config as Control Tower sets it up (landing zone 4.0: in Audit and Log Archive through its
/// Config integration, in the accounts of an OU it governs through `AWSControlTowerBaseline`): in
/// each of `accounts` and `regions`, a recorder of every supported type, recording, delivering to the
/// landing zone's Config bucket in Audit.
pub async fn control_tower_config(emu: &Emulator, org: &Org, accounts: &[&str], regions: &[&str]) {
    use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel, RecordingGroup};
    for account in accounts {
        for region in regions {
            let c = aws_sdk_config::Client::new(&config(emu, account, region).await);
            let group = RecordingGroup::builder().all_supported(true).include_global_resource_types(false).build();
            let recorder = ConfigurationRecorder::builder()
                .name("aws-controltower-BaselineConfigRecorder")
                .role_arn(format!("arn:aws:iam::{account}:role/aws-controltower-ConfigRecorderRole"))
                .recording_group(group)
                .build();
            c.put_configuration_recorder().configuration_recorder(recorder).send().await.expect("recorder");
            let channel = DeliveryChannel::builder()
                .name("aws-controltower-BaselineConfigDeliveryChannel")
                .s3_bucket_name(config_bucket(org))
                .s3_key_prefix("o-groundwork")
                .build();
            c.put_delivery_channel().delivery_channel(channel).send().await.expect("delivery channel");
            c.start_configuration_recorder()
                .configuration_recorder_name("aws-controltower-BaselineConfigRecorder")
                .send()
                .await
                .expect("start recording");
        }
    }
}

/// The landing zone's Config bucket, in the Config (Audit) account.
pub fn config_bucket(org: &Org) -> String {
    format!("aws-controltower-config-logs-{}-groundwork", org.audit)
}

/// Every other active account of the organization made a Security Hub member of Audit in `region`
/// (AWS turns on a hub with the default standards in each; the management account turns its own on
/// first, as AWS requires), with AWS Config recording in every account there, as a healthy
/// organization has it (Control Tower's, and the management account's own).
pub async fn security_hub_members(emu: &Emulator, org: &Org, region: &str) {
    aws_sdk_securityhub::Client::new(&config(emu, MGMT, region).await)
        .enable_security_hub()
        .send()
        .await
        .expect("enable the management account's hub");
    let orgs = aws_sdk_organizations::Client::new(&config(emu, MGMT, REGION).await);
    let pages: Vec<_> = orgs.list_accounts().into_paginator().send().try_collect().await.expect("list accounts");
    let audit = aws_sdk_securityhub::Client::new(&config(emu, &org.audit, region).await);
    let others: Vec<&str> =
        pages.iter().flat_map(|p| p.accounts().iter().filter_map(|a| a.id())).filter(|id| *id != org.audit).collect();
    for batch in others.chunks(50) {
        // One call for up to 50 accounts, as AWS allows.
        let details =
            batch.iter().map(|id| aws_sdk_securityhub::types::AccountDetails::builder().account_id(*id).build());
        let out = audit.create_members().set_account_details(Some(details.collect())).send().await.expect("members");
        assert!(out.unprocessed_accounts().is_empty(), "{out:?}");
    }
    let mut everyone = others.clone();
    everyone.push(&org.audit);
    control_tower_config(emu, org, &everyone, &[region]).await;
}

/// The alert path in `account`/`region`: topic, EventBridge policy, email subscription (confirmed
/// or left pending), and a rule on high-severity GuardDuty findings.
pub async fn alerts(emu: &Emulator, account: &str, region: &str, confirm: bool) -> String {
    let conf = config(emu, account, region).await;
    let sns = aws_sdk_sns::Client::new(&conf);
    let topic = sns.create_topic().name("security-alerts").send().await.expect("create topic");
    let topic_arn = topic.topic_arn().expect("topic arn").to_owned();
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "AllowEventBridge", "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": topic_arn}]});
    sns.set_topic_attributes()
        .topic_arn(&topic_arn)
        .attribute_name("Policy")
        .attribute_value(policy.to_string())
        .send()
        .await
        .expect("set topic policy");
    sns.subscribe()
        .topic_arn(&topic_arn)
        .protocol("email")
        .endpoint("alerts@example.com")
        .send()
        .await
        .expect("subscribe");
    if confirm {
        emu.hook(
            "/_groundwork/sns/confirm",
            json!({"account": account, "region": region, "topicArn": topic_arn, "endpoint": "alerts@example.com"}),
        );
    }
    let events = aws_sdk_eventbridge::Client::new(&conf);
    events.put_rule().name("guardduty-high").event_pattern(HIGH_SEVERITY).send().await.expect("put rule");
    events
        .put_targets()
        .rule("guardduty-high")
        .targets(aws_sdk_eventbridge::types::Target::builder().id("sns").arn(&topic_arn).build().expect("target"))
        .send()
        .await
        .expect("put targets");
    topic_arn
}

/// Everything done, in every given Region (the first is the home Region).
pub async fn everything(emu: &Emulator, regions: &[&str]) -> Org {
    root_mfa(emu, MGMT, true, false);
    let org = organization(emu).await;
    for account in [MGMT, org.log_archive.as_str(), org.audit.as_str()] {
        contacts(emu, account, &["SECURITY", "BILLING", "OPERATIONS"]).await;
    }
    landing_zone(emu, &org, regions, "ACTIVE", "IN_SYNC");
    identity_center_user(emu, regions[0], true).await;
    for region in regions {
        guardduty(emu, &org, region, true, "ALL").await;
        security_hub(emu, &org, region, true, true).await;
        security_hub_members(emu, &org, region).await;
        alerts(emu, &org.audit, region, true).await;
        access_analyzer(emu, &org, region).await;
        for account in [MGMT, org.log_archive.as_str(), org.audit.as_str()] {
            ebs_encryption(emu, account, region).await;
        }
    }
    for account in [MGMT, org.log_archive.as_str(), org.audit.as_str()] {
        account_block(emu, account, true).await;
    }
    root_access(emu).await;
    budget(emu, true).await;
    org
}

/// The person's own account-level setting: BlockPublicAcls alone, or all four.
pub async fn account_block(emu: &Emulator, account: &str, all: bool) {
    let conf = config(emu, account, REGION).await;
    let setting = aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .ignore_public_acls(all)
        .block_public_policy(all)
        .restrict_public_buckets(all)
        .build();
    let control = aws_sdk_s3control::Client::from_conf(
        aws_sdk_s3control::config::Builder::from(&conf).interceptor(StripAccount).build(),
    );
    control
        .put_public_access_block()
        .account_id(account)
        .public_access_block_configuration(setting)
        .send()
        .await
        .expect("the person's own setting");
}

/// S3 Control against the emulator: the account id its endpoint rules put in front of the host
/// taken off again (127.0.0.1 has no such subdomain).
#[derive(Debug)]
struct StripAccount;

impl aws_sdk_s3control::config::Intercept for StripAccount {
    fn name(&self) -> &'static str {
        "StripAccount"
    }

    fn modify_before_transmit(
        &self,
        context: &mut aws_sdk_s3control::config::interceptors::BeforeTransmitInterceptorContextMut<'_>,
        _components: &aws_sdk_s3control::config::RuntimeComponents,
        _cfg: &mut aws_sdk_s3control::config::ConfigBag,
    ) -> Result<(), aws_sdk_s3control::error::BoxError> {
        let request = context.request_mut();
        let uri = request.uri().to_owned();
        if let Some((scheme, rest)) = uri.split_once("://")
            && let Some((label, host)) = rest.split_once('.')
            && label.len() == 12
            && label.chars().all(|c| c.is_ascii_digit())
        {
            request.set_uri(format!("{scheme}://{host}"))?;
        }
        Ok(())
    }
}

/// Centralized root access on: trusted access for IAM and both features, as the management account.
pub async fn root_access(emu: &Emulator) {
    trusted_access(emu, "iam.amazonaws.com").await;
    let iam = aws_sdk_iam::Client::new(&config(emu, MGMT, REGION).await);
    iam.enable_organizations_root_credentials_management().send().await.expect("root credentials management");
    iam.enable_organizations_root_sessions().send().await.expect("root sessions");
}

/// The person's own monthly cost budget "company" (85% actual, 100% forecast, emailed to
/// cfo@example.com), and with `anomaly` an AWS services monitor with a daily email subscription:
/// made as a person would, in us-east-1 where Budgets and Cost Explorer live.
pub async fn budget(emu: &Emulator, anomaly: bool) {
    use aws_sdk_budgets::types as b;
    use aws_sdk_costexplorer::types as ce;
    let conf = config(emu, MGMT, "us-east-1").await;
    let alert = |kind: b::NotificationType, pct: f64| {
        let note = b::Notification::builder()
            .notification_type(kind)
            .comparison_operator(b::ComparisonOperator::GreaterThan)
            .threshold(pct)
            .threshold_type(b::ThresholdType::Percentage)
            .build()
            .expect("notification");
        let to = b::Subscriber::builder()
            .subscription_type(b::SubscriptionType::Email)
            .address("cfo@example.com")
            .build()
            .expect("subscriber");
        b::NotificationWithSubscribers::builder().notification(note).subscribers(to).build().expect("alert")
    };
    let budget = b::Budget::builder()
        .budget_name("company")
        .budget_limit(b::Spend::builder().amount("900").unit("USD").build().expect("spend"))
        .time_unit(b::TimeUnit::Monthly)
        .budget_type(b::BudgetType::Cost)
        .build()
        .expect("budget");
    aws_sdk_budgets::Client::new(&conf)
        .create_budget()
        .account_id(MGMT)
        .budget(budget)
        .notifications_with_subscribers(alert(b::NotificationType::Actual, 85.0))
        .notifications_with_subscribers(alert(b::NotificationType::Forecasted, 100.0))
        .send()
        .await
        .expect("the person's budget");
    if !anomaly {
        return;
    }
    let cost = aws_sdk_costexplorer::Client::new(&conf);
    let monitor = ce::AnomalyMonitor::builder()
        .monitor_name("Default-Services-Monitor")
        .monitor_type(ce::MonitorType::Dimensional)
        .monitor_dimension(ce::MonitorDimension::Service)
        .build()
        .expect("monitor");
    let arn =
        cost.create_anomaly_monitor().anomaly_monitor(monitor).send().await.expect("monitor").monitor_arn().to_owned();
    let impact = ce::DimensionValues::builder()
        .key(ce::Dimension::AnomalyTotalImpactAbsolute)
        .values("100")
        .match_options(ce::MatchOption::GreaterThanOrEqual)
        .build();
    let subscription = ce::AnomalySubscription::builder()
        .subscription_name("cfo")
        .monitor_arn_list(arn)
        .subscribers(ce::Subscriber::builder().r#type(ce::SubscriberType::Email).address("cfo@example.com").build())
        .frequency(ce::AnomalySubscriptionFrequency::Weekly)
        .threshold_expression(ce::Expression::builder().dimensions(impact).build())
        .build()
        .expect("subscription");
    cost.create_anomaly_subscription().anomaly_subscription(subscription).send().await.expect("subscription");
}

/// IAM Access Analyzer as `apply access-analyzer` leaves it: trusted access and Audit as delegated
/// administrator (once), and an ORGANIZATION analyzer in Audit in `region`.
pub async fn access_analyzer(emu: &Emulator, org: &Org, region: &str) {
    const PRINCIPAL: &str = "access-analyzer.amazonaws.com";
    let c = aws_sdk_organizations::Client::new(&config(emu, MGMT, REGION).await);
    c.enable_aws_service_access().service_principal(PRINCIPAL).send().await.expect("enable trusted access");
    let registered =
        c.register_delegated_administrator().account_id(&org.audit).service_principal(PRINCIPAL).send().await;
    // Registered once for the organization, whichever Region is seeded first.
    if let Err(e) = registered {
        assert!(e.into_service_error().is_account_already_registered_exception(), "register Audit");
    }
    let aa = aws_sdk_accessanalyzer::Client::new(&config(emu, &org.audit, region).await);
    aa.create_analyzer()
        .analyzer_name("organization")
        .r#type(aws_sdk_accessanalyzer::types::Type::Organization)
        .send()
        .await
        .expect("create analyzer");
}

/// EBS encryption by default, on in one account and Region.
pub async fn ebs_encryption(emu: &Emulator, account: &str, region: &str) {
    let ec2 = aws_sdk_ec2::Client::new(&config(emu, account, region).await);
    ec2.enable_ebs_encryption_by_default().send().await.expect("EBS encryption by default");
}
