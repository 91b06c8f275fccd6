//! The alert path judged as EventBridge and SNS would run it, in the emulator: every way it can
//! fail silently (pattern, topic policy, encryption, rule state, target) is not done and says why;
//! correct setups (conditions naming the rule, several rules in a Region) stay done; a piece that
//! cannot be read makes only itself unknown; the chosen severity is the one judged; groundwork's
//! target never replaces one the person had.

use crate::common;

use common::{Emulator, MGMT, REGION, check_json, config, groundwork, seed, step_status};
use groundwork::catalog::StepId;
use groundwork::verdict::{Status, StepResult};
use groundwork::{checks, facts};
use serde_json::json;

async fn check(emu: &Emulator) -> StepResult {
    let aws = common::session(emu, 8).await;
    let facts = facts::gather(&aws).await.expect("identity");
    checks::check(&aws, &facts, StepId::Alerts).await
}

/// How many TestEventPattern calls the emulator has answered.
fn test_event_patterns(emu: &Emulator) -> usize {
    emu.requests().iter().filter(|r| r["operation"] == "TestEventPattern").count()
}

fn assert_says(r: &StepResult, status: Status, words: &str) {
    assert_eq!(r.status, status, "{r:#?}");
    assert!(r.findings[0].detail.contains(words), "expected {words:?} in {r:#?}");
}

struct Path {
    events: aws_sdk_eventbridge::Client,
    sns: aws_sdk_sns::Client,
    topic: String,
    rule_arn: String,
    audit: String,
}

impl Path {
    async fn pattern(&self, pattern: &serde_json::Value) {
        self.events
            .put_rule()
            .name("guardduty-high")
            .event_pattern(pattern.to_string())
            .send()
            .await
            .expect("put rule");
    }

    async fn policy(&self, statements: serde_json::Value) {
        let doc = json!({"Version": "2012-10-17", "Statement": statements});
        self.topic_attribute("Policy", &doc.to_string()).await;
    }

    async fn topic_attribute(&self, name: &str, value: &str) {
        self.sns
            .set_topic_attributes()
            .topic_arn(&self.topic)
            .attribute_name(name)
            .attribute_value(value)
            .send()
            .await
            .expect("set topic attribute");
    }

    fn allow(&self, condition: &serde_json::Value) -> serde_json::Value {
        json!({"Sid": "AllowEventBridge", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
               "Action": "sns:Publish", "Resource": self.topic, "Condition": condition})
    }
}

/// An organization whose Audit account has a complete, confirmed alert path in us-east-1.
async fn complete_path(emu: &Emulator) -> Path {
    let org = seed::organization(emu).await;
    let topic = seed::alerts(emu, &org.audit, REGION, true).await;
    let conf = config(emu, &org.audit, REGION).await;
    let events = aws_sdk_eventbridge::Client::new(&conf);
    let rule_arn =
        events.describe_rule().name("guardduty-high").send().await.expect("rule").arn().expect("arn").to_owned();
    Path { events, sns: aws_sdk_sns::Client::new(&conf), topic, rule_arn, audit: org.audit }
}

#[tokio::test]
async fn each_silent_failure_is_not_done_and_says_why() {
    let emu = Emulator::start();
    let p = complete_path(&emu).await;
    let high: serde_json::Value = serde_json::from_str(seed::HIGH_SEVERITY).expect("pattern");
    assert_eq!(check(&emu).await.status, Status::Done);

    // The pattern, judged by EventBridge's matcher: an account filter, one member account only,
    // an `$or` that misses the threshold.
    let mut other_account = high.clone();
    other_account["account"] = json!(["999999999999"]);
    p.pattern(&other_account).await;
    assert_says(&check(&emu).await, Status::Partial, "would not send a severity 7.0 finding");
    p.pattern(&json!({"source": ["aws.guardduty"], "detail": {"accountId": [p.audit]}})).await;
    assert_says(&check(&emu).await, Status::Partial, &format!("about account {MGMT}"));
    p.pattern(&json!({"source": ["aws.guardduty"],
                      "$or": [{"detail": {"severity": [{"numeric": [">=", 8]}]}}, {"region": ["eu-west-1"]}]}))
        .await;
    assert_says(&check(&emu).await, Status::Partial, "severity 7.0");
    p.pattern(&high).await;

    // The rule's state.
    p.events.disable_rule().name("guardduty-high").send().await.expect("disable");
    assert_says(&check(&emu).await, Status::NotDone, "disabled");
    p.events.enable_rule().name("guardduty-high").send().await.expect("enable");

    // The topic policy: a condition naming another rule or account, an explicit Deny.
    let other_rule = format!("arn:aws:events:{REGION}:{}:rule/something-else", p.audit);
    p.policy(json!([p.allow(&json!({"ArnEquals": {"aws:SourceArn": other_rule}}))])).await;
    assert_says(&check(&emu).await, Status::Partial, "does not let EventBridge publish");
    p.policy(json!([p.allow(&json!({"StringEquals": {"aws:SourceAccount": "999999999999"}}))])).await;
    assert_says(&check(&emu).await, Status::Partial, "does not let EventBridge publish");
    let deny =
        json!({"Sid": "NoPublish", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": p.topic});
    p.policy(json!([p.allow(&json!({})), deny])).await;
    assert_says(&check(&emu).await, Status::Partial, "denies it (NoPublish)");
    // Conditions that name this rule and this account: done.
    let right = json!({"ArnEquals": {"aws:SourceArn": p.rule_arn}, "StringEquals": {"aws:SourceAccount": p.audit}});
    p.policy(json!([p.allow(&right)])).await;
    assert_eq!(check(&emu).await.status, Status::Done);

    // The topic's encryption: the AWS managed key never works; a customer managed key is unknown
    // until its key policy can be read.
    p.topic_attribute("KmsMasterKeyId", "alias/aws/sns").await;
    assert_says(&check(&emu).await, Status::Partial, "alias/aws/sns");
    let cmk = format!("arn:aws:kms:{REGION}:{}:key/1234abcd-12ab-34cd-56ef-1234567890ab", p.audit);
    p.topic_attribute("KmsMasterKeyId", &cmk).await;
    assert_says(&check(&emu).await, Status::Unknown, "key policies");
    p.topic_attribute("KmsMasterKeyId", "").await;
    assert_eq!(check(&emu).await.status, Status::Done);

    // The target.
    p.events.remove_targets().rule("guardduty-high").ids("sns").send().await.expect("remove target");
    assert_says(&check(&emu).await, Status::Partial, "does not send to an SNS topic");
}

#[tokio::test]
async fn several_rules_in_a_region_and_an_unreadable_one_only_makes_itself_unknown() {
    let emu = Emulator::start();
    let p = complete_path(&emu).await;
    let target =
        |id: &str, arn: &str| aws_sdk_eventbridge::types::Target::builder().id(id).arn(arn).build().expect("t");
    // A rule about something else, and a GuardDuty rule whose topic is gone (cannot be read).
    p.events.put_rule().name("aaa-ec2").event_pattern(r#"{"source":["aws.ec2"]}"#).send().await.expect("rule");
    p.events.put_targets().rule("aaa-ec2").targets(target("t", &p.topic)).send().await.expect("targets");
    let gone = format!("arn:aws:sns:{REGION}:{}:gone", p.audit);
    p.events.put_rule().name("aaa-gone").event_pattern(seed::HIGH_SEVERITY).send().await.expect("rule");
    p.events.put_targets().rule("aaa-gone").targets(target("t", &gone)).send().await.expect("targets");
    let r = check(&emu).await;
    assert_says(&r, Status::Done, "guardduty-high");

    // Without the complete rule, the unreadable one is what is left: unknown, and it says which.
    p.events.remove_targets().rule("guardduty-high").ids("sns").send().await.expect("remove target");
    let r = check(&emu).await;
    assert_says(&r, Status::Unknown, "aaa-gone");
    assert!(r.findings[0].detail.contains("could not be read"), "{r:#?}");
}

#[tokio::test]
async fn apply_with_min_severity_8_then_check_is_done() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let out = groundwork(&emu.url(), state.path())
        .args(["apply", "alerts", "--yes", "--set", "alerts.email=alerts@example.com"])
        .args(["--set", "alerts.min-severity=8"])
        .output()
        .expect("apply");
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(said.contains(r#"[">=",8]"#), "{said}");
    emu.hook(
        "/_groundwork/sns/confirm",
        json!({"account": MGMT, "region": REGION, "endpoint": "alerts@example.com",
               "topicArn": format!("arn:aws:sns:{REGION}:{MGMT}:groundwork-security-alerts")}),
    );
    // Judged with the remembered answer, 8: the rule groundwork built is the complete one.
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, "alerts"), "done", "{json:#}");
    // With the default (7) the same rule would miss 7.0 findings: the answer is what decides.
    let aws = common::session(&emu, 8).await;
    let facts = facts::gather(&aws).await.expect("identity");
    let r = checks::check(&aws, &facts, StepId::Alerts).await;
    assert_says(&r, Status::Partial, "severity 7.0");
}

#[tokio::test]
async fn groundworks_target_never_replaces_an_existing_one() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let conf = config(&emu, MGMT, REGION).await;
    let events = aws_sdk_eventbridge::Client::new(&conf);
    let pattern = r#"{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"],"detail":{"severity":[{"numeric":[">=",7]}]}}"#;
    events.put_rule().name("groundwork-guardduty-findings").event_pattern(pattern).send().await.expect("rule");
    let theirs = format!("arn:aws:sns:{REGION}:{MGMT}:their-pager");
    let target = aws_sdk_eventbridge::types::Target::builder().id("groundwork-sns").arn(&theirs).build().expect("t");
    events.put_targets().rule("groundwork-guardduty-findings").targets(target).send().await.expect("targets");

    let out = groundwork(&emu.url(), state.path())
        .args(["apply", "alerts", "--yes", "--set", "alerts.email=alerts@example.com"])
        .output()
        .expect("apply");
    // Partial (1) while the email waits on its confirmation; every change made, none failed.
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    common::assert_changes_succeeded(state.path(), &["sns:CreateTopic", "sns:Subscribe", "events:PutTargets"]);
    let listed = events.list_targets_by_rule().rule("groundwork-guardduty-findings").send().await.expect("list");
    let mut targets: Vec<(String, String)> =
        listed.targets().iter().map(|t| (t.id().to_owned(), t.arn().to_owned())).collect();
    targets.sort();
    let ours = format!("arn:aws:sns:{REGION}:{MGMT}:groundwork-security-alerts");
    assert_eq!(targets, [("groundwork-sns".to_owned(), theirs), ("groundwork-sns-2".to_owned(), ours)]);
}

#[tokio::test]
async fn two_governed_regions_share_one_topic_and_one_confirmation() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let org = seed::organization(&emu).await;
    seed::landing_zone(&emu, &org, &["us-east-1", "eu-west-1"], "ACTIVE", "IN_SYNC");
    let out = groundwork(&emu.url(), state.path())
        .args(["apply", "alerts", "--yes", "--set", "alerts.email=alerts@example.com"])
        .output()
        .expect("apply");
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(said.contains("groundwork-alerts-forwarding"), "{said}");

    // One subscription to confirm, in the home Region; none anywhere else.
    let mut subscriptions = 0;
    for region in ["us-east-1", "eu-west-1"] {
        let sns = aws_sdk_sns::Client::new(&config(&emu, &org.audit, region).await);
        subscriptions += sns.list_subscriptions().send().await.expect("subscriptions").subscriptions().len();
    }
    assert_eq!(subscriptions, 1);
    emu.hook(
        "/_groundwork/sns/confirm",
        json!({"account": org.audit, "region": "us-east-1", "endpoint": "alerts@example.com",
               "topicArn": format!("arn:aws:sns:us-east-1:{}:groundwork-security-alerts", org.audit)}),
    );
    // The check follows eu-west-1's route to the home Region's rule and topic.
    let asked_before = test_event_patterns(&emu);
    let r = check(&emu).await;
    assert_eq!(r.status, Status::Done, "{r:#?}");
    // Each distinct pattern and sample finding is asked once: per Region, one finding at the
    // threshold per active account, one above, one attack sequence and one below. The home rule,
    // asked about eu-west-1's findings along the route, has the same pattern as eu-west-1's rule.
    let aws = common::session(&emu, 8).await;
    let facts = facts::gather(&aws).await.expect("identity");
    let active = facts.accounts.as_ref().expect("accounts").iter().filter(|a| a.active).count();
    assert_eq!(test_event_patterns(&emu) - asked_before, 2 * (active + 3));
    let eu = r.findings.iter().find(|f| f.region.as_deref() == Some("eu-west-1")).expect("eu-west-1");
    assert!(eu.detail.contains("forwards these findings to the event bus in us-east-1"), "{eu:?}");
    // Applying again changes nothing.
    let again = groundwork(&emu.url(), state.path())
        .args(["plan", "alerts", "--set", "alerts.email=alerts@example.com"])
        .output()
        .expect("plan");
    let again = String::from_utf8_lossy(&again.stdout).to_string();
    assert!(!again.contains("  1. "), "{again}");

    // A role EventBridge may not assume breaks only the forwarding Region.
    let iam = aws_sdk_iam::Client::new(&config(&emu, &org.audit, REGION).await);
    let lambda = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    iam.update_assume_role_policy()
        .role_name("groundwork-alerts-forwarding")
        .policy_document(lambda.to_string())
        .send()
        .await
        .expect("trust");
    let r = check(&emu).await;
    let status = |region: &str| r.findings.iter().find(|f| f.region.as_deref() == Some(region)).map(|f| f.status);
    assert_eq!(status("us-east-1"), Some(Status::Done), "{r:#?}");
    assert_eq!(status("eu-west-1"), Some(Status::Partial), "{r:#?}");
    assert!(
        r.findings.iter().any(|f| f.detail.contains("does not let EventBridge (events.amazonaws.com) assume")),
        "{r:#?}"
    );
}

#[tokio::test]
async fn the_drill_shows_a_sample_finding_reach_the_confirmed_email_or_says_why_not() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let gd = aws_sdk_guardduty::Client::new(&config(&emu, MGMT, REGION).await);
    gd.create_detector().enable(true).send().await.expect("detector");
    let out = groundwork(&emu.url(), state.path())
        .args(["apply", "alerts", "--yes", "--set", "alerts.email=alerts@example.com"])
        .output()
        .expect("apply");
    assert_eq!(out.status.code(), Some(1), "pending until confirmed: {}", String::from_utf8_lossy(&out.stdout));
    let drill = || {
        groundwork(&emu.url(), state.path())
            .env("GROUNDWORK_POLL_SECONDS", "0.2")
            .args(["drill", "--yes", "--wait-seconds", "30"])
            .output()
            .expect("drill")
    };

    // Pending: matched and delivered to the topic, but no email, and it says why.
    let out = drill();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("Sample findings are free"), "{said}");
    assert!(said.contains("[✓] the rule matched it"), "{said}");
    assert!(said.contains("[✓] EventBridge delivered it to the topic"), "{said}");
    assert!(!said.contains("[✓] SNS delivered it"), "{said}");
    assert!(said.contains("alerts@example.com has not confirmed the subscription"), "{said}");

    // Confirmed: the email is delivered, and the runbook follows.
    emu.hook(
        "/_groundwork/sns/confirm",
        json!({"account": MGMT, "region": REGION, "endpoint": "alerts@example.com",
               "topicArn": format!("arn:aws:sns:{REGION}:{MGMT}:groundwork-security-alerts")}),
    );
    let out = drill();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("[✓] SNS delivered it to the confirmed email subscription(s)"), "{said}");
    assert!(said.contains("reached 1 confirmed email subscription(s)"), "{said}");
    assert!(said.contains("Runbook: UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"), "{said}");
    // Each sample finding is a logged change.
    let log = groundwork(&emu.url(), state.path()).args(["log", "--json"]).output().expect("log");
    let log = String::from_utf8_lossy(&log.stdout).to_string();
    let made = log.lines().filter(|l| l.contains("guardduty:CreateSampleFindings") && l.contains(r#""result":"ok""#));
    assert_eq!(made.count(), 2, "{log}");
}

#[tokio::test]
async fn a_forwarding_role_left_without_its_policy_gets_it_and_another_role_is_a_conflict() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let org = seed::organization(&emu).await;
    seed::landing_zone(&emu, &org, &["us-east-1", "eu-west-1"], "ACTIVE", "IN_SYNC");
    let plan = || {
        let out = groundwork(&emu.url(), state.path())
            .args(["plan", "alerts", "--set", "alerts.email=alerts@example.com"])
            .output()
            .expect("plan");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    // A role of that name that EventBridge may not assume is the person's: groundwork stops.
    let iam = aws_sdk_iam::Client::new(&config(&emu, &org.audit, REGION).await);
    let trust = |service: &str| {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})
        .to_string()
    };
    let role = "groundwork-alerts-forwarding";
    iam.create_role()
        .role_name(role)
        .assume_role_policy_document(trust("lambda.amazonaws.com"))
        .send()
        .await
        .expect("role");
    assert!(plan().contains("STOP"), "{}", plan());

    // Trusting EventBridge with no policy at all, as a run stopped after creating it leaves it:
    // only the policy is added, and the forwarding Region is then done.
    iam.update_assume_role_policy()
        .role_name(role)
        .policy_document(trust("events.amazonaws.com"))
        .send()
        .await
        .expect("trust");
    let planned = plan();
    assert!(!planned.contains("STOP") && !planned.contains("iam:CreateRole"), "{planned}");
    assert!(planned.contains("iam:PutRolePolicy") && planned.contains("forward-to-home-bus"), "{planned}");
    let out = groundwork(&emu.url(), state.path())
        .args(["apply", "alerts", "--yes", "--set", "alerts.email=alerts@example.com"])
        .output()
        .expect("apply");
    assert_eq!(out.status.code(), Some(1), "pending until confirmed: {}", String::from_utf8_lossy(&out.stderr));
    let r = check(&emu).await;
    let eu = r.findings.iter().find(|f| f.region.as_deref() == Some("eu-west-1")).expect("eu-west-1");
    assert!(eu.detail.contains("forwards these findings to the event bus in us-east-1"), "{eu:?}");
    assert!(!plan().contains("  1. "), "nothing left to change:\n{}", plan());
}

#[tokio::test]
async fn accounts_that_cannot_be_listed_make_the_step_unknown_never_done_on_audit_alone() {
    let emu = Emulator::start();
    let p = complete_path(&emu).await;
    // The landing zone names Audit, so the account model needs no account list to find it.
    let org = seed::Org { log_archive: String::new(), audit: p.audit.clone() };
    seed::landing_zone(&emu, &org, &[REGION], "ACTIVE", "IN_SYNC");
    // A rule about Audit's findings only: the management account's findings are never emailed.
    p.pattern(&json!({"source": ["aws.guardduty"], "detail": {"accountId": [p.audit]}})).await;
    assert_says(&check(&emu).await, Status::Partial, &format!("about account {MGMT}"));

    // Organizations cannot list the accounts: whom the rule must cover is unknown, never Audit alone.
    emu.hook("/_groundwork/faults", json!({"operation": "ListAccounts", "service": "organizations"}));
    let r = check(&emu).await;
    assert_says(&r, Status::Unknown, "organizations:ListAccounts");
    assert!(r.findings[0].detail.contains("every active account"), "{r:#?}");
}

/// The drill, against a path whose topic gives it no email: an HTTP subscriber's delivery is not an
/// email; a finding delivered before the drill started (in the same minute) is not the drill's; a
/// suspended detector stops the drill before any sample is sent.
#[tokio::test]
async fn the_drill_counts_only_emails_of_its_own_sample_and_stops_on_a_suspended_detector() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let gd = aws_sdk_guardduty::Client::new(&config(&emu, MGMT, REGION).await);
    let detector = gd.create_detector().enable(true).send().await.expect("detector");
    let detector = detector.detector_id().expect("id").to_owned();
    let out = groundwork(&emu.url(), state.path())
        .args(["apply", "alerts", "--yes", "--set", "alerts.email=alerts@example.com"])
        .output()
        .expect("apply");
    assert_eq!(out.status.code(), Some(1), "pending until confirmed: {}", String::from_utf8_lossy(&out.stdout));
    let topic = format!("arn:aws:sns:{REGION}:{MGMT}:groundwork-security-alerts");
    let drill = || {
        let out = groundwork(&emu.url(), state.path())
            .env("GROUNDWORK_POLL_SECONDS", "0.2")
            .args(["drill", "--yes", "--wait-seconds", "30"])
            .output()
            .expect("drill");
        (out.status.code(), String::from_utf8_lossy(&out.stdout).to_string())
    };

    // An HTTP subscriber (a SIEM, say) on the topic takes the sample; the email is still pending.
    let conf = config(&emu, MGMT, REGION).await;
    let sns = aws_sdk_sns::Client::new(&conf);
    let endpoint = format!("{}/_groundwork/siem", emu.url());
    sns.subscribe().topic_arn(&topic).protocol("http").endpoint(endpoint).send().await.expect("subscribe");
    let (code, said) = drill();
    assert_eq!(code, Some(1), "an HTTP delivery is not an email: {said}");
    assert!(!said.contains("[✓] SNS delivered it"), "{said}");
    assert!(said.contains("alerts@example.com has not confirmed the subscription"), "{said}");

    // The email is confirmed and a real finding reaches it; then EventBridge may no longer publish.
    // The drill's own sample fails, whatever reached the inbox earlier in that minute.
    emu.hook(
        "/_groundwork/sns/confirm",
        json!({"account": MGMT, "region": REGION, "endpoint": "alerts@example.com", "topicArn": topic}),
    );
    gd.create_sample_findings()
        .detector_id(&detector)
        .finding_types("UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS")
        .send()
        .await
        .expect("a finding before the drill");
    let deny = json!({"Version": "2012-10-17", "Statement": [{"Sid": "NoPublish", "Effect": "Deny",
        "Principal": "*", "Action": "sns:Publish", "Resource": topic}]});
    sns.set_topic_attributes()
        .topic_arn(&topic)
        .attribute_name("Policy")
        .attribute_value(deny.to_string())
        .send()
        .await
        .expect("policy");
    let (code, said) = drill();
    assert_eq!(code, Some(1), "the earlier finding is not the drill's: {said}");
    assert!(!said.contains("[✓] SNS delivered it"), "{said}");
    assert!(said.contains("could not deliver it"), "{said}");

    // Suspended: no sample is sent, and the drill says what to do.
    gd.update_detector().detector_id(&detector).enable(false).send().await.expect("suspend");
    let before = emu.requests().iter().filter(|r| r["operation"] == "CreateSampleFindings").count();
    let (code, said) = drill();
    assert_ne!(code, Some(0), "{said}");
    assert!(said.contains("GuardDuty is suspended"), "{said}");
    let after = emu.requests().iter().filter(|r| r["operation"] == "CreateSampleFindings").count();
    assert_eq!(after, before, "no sample from a suspended detector");
}
