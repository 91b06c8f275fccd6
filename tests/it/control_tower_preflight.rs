//! Control Tower's preflight on what already runs in the organization: AWS Config resources in Log
//! Archive or Audit make the launch fail (a conflict), an organization trail already logging makes
//! it cost more (a note). Each is seeded through the real SDK, shown by `plan`, and changes nothing.

use crate::common;

use std::path::Path;

use common::{Emulator, MGMT, REGION, config, groundwork, seed};

const CONFIRM_BOTH: fn(&seed::Org) -> Vec<String> = |org| {
    vec![
        "--set".into(),
        format!("control-tower.confirm-audit={}", org.audit),
        "--set".into(),
        format!("control-tower.confirm-log-archive={}", org.log_archive),
    ]
};

fn run(emu: &Emulator, state: &Path, args: &[&str], org: &seed::Org) -> (i32, String) {
    let out = groundwork(&emu.url(), state)
        .args(args)
        .args(["--set", "control-tower.regions=us-east-1,eu-west-1"])
        .args(CONFIRM_BOTH(org))
        .output()
        .expect("run groundwork");
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// The emulator's state without what changes on reads alone (assumed-role sessions).
fn state_of(emu: &Emulator) -> serde_json::Value {
    fn scrub(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                map.retain(|k, _| !common::VOLATILE_KEYS.contains(&k.as_str()));
                map.values_mut().for_each(scrub);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(scrub),
            _ => {}
        }
    }
    let mut data = emu.data();
    scrub(&mut data);
    data
}

/// The plan shows `words` and no change; applying it changes nothing at all.
fn refused(emu: &Emulator, state: &Path, org: &seed::Org, words: &[&str]) -> String {
    let (_, plan) = run(emu, state, &["plan", "control-tower"], org);
    for w in words {
        assert!(plan.contains(w), "{w:?} not in the plan:\n{plan}");
    }
    assert!(!plan.contains("  1. "), "a change is planned despite the conflict:\n{plan}");
    let before = state_of(emu);
    let (code, out) = run(emu, state, &["apply", "control-tower", "--yes"], org);
    assert_eq!(code, 1, "{out}");
    assert!(state_of(emu) == before, "the refused apply changed the emulator's state");
    plan
}

async fn config_client(emu: &Emulator, account: &str, region: &str) -> aws_sdk_config::Client {
    aws_sdk_config::Client::new(&config(emu, account, region).await)
}

/// A configuration recorder in `account`/`region`, and a delivery channel when `channel`.
async fn config_resources(emu: &Emulator, account: &str, region: &str, channel: bool) {
    use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel};
    let c = config_client(emu, account, region).await;
    let role = format!("arn:aws:iam::{account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig");
    c.put_configuration_recorder()
        .configuration_recorder(ConfigurationRecorder::builder().name("default").role_arn(role).build())
        .send()
        .await
        .expect("put configuration recorder");
    if channel {
        c.put_delivery_channel()
            .delivery_channel(DeliveryChannel::builder().name("default").s3_bucket_name("config-bucket").build())
            .send()
            .await
            .expect("put delivery channel");
    }
}

#[tokio::test]
async fn config_resources_in_log_archive_or_audit_stop_the_plan() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let org = seed::organization(&emu).await;
    let dir = state.path();

    // A recorder and a delivery channel in Audit, in the second governed Region.
    config_resources(&emu, &org.audit, "eu-west-1", true).await;
    let audit_words = format!(
        "The Audit account {} already has AWS Config resources in eu-west-1 (configuration recorders: default; delivery channels: default)",
        org.audit
    );
    refused(&emu, dir, &org, &[&audit_words, "groundwork does not delete them"]);

    // Gone from Audit (deleted as the conflict says), but a recorder alone in Log Archive stops it too.
    let audit = config_client(&emu, &org.audit, "eu-west-1").await;
    audit.delete_delivery_channel().delivery_channel_name("default").send().await.expect("delete channel");
    audit.delete_configuration_recorder().configuration_recorder_name("default").send().await.expect("delete");
    config_resources(&emu, &org.log_archive, REGION, false).await;
    let log_words = format!(
        "The Log Archive account {} already has AWS Config resources in us-east-1 (configuration recorders: default; delivery channels: none)",
        org.log_archive
    );
    let plan = refused(&emu, dir, &org, &[&log_words]);
    assert!(!plan.contains("The Audit account"), "Audit is clean now:\n{plan}");

    // A Region outside the governed ones is not Control Tower's business.
    let log = config_client(&emu, &org.log_archive, REGION).await;
    log.delete_configuration_recorder().configuration_recorder_name("default").send().await.expect("delete");
    config_resources(&emu, &org.log_archive, "ap-southeast-2", true).await;
    let (_, plan) = run(&emu, dir, &["plan", "control-tower"], &org);
    assert!(plan.contains("controltower:CreateLandingZone"), "{plan}");
    assert!(!plan.contains("AWS Config resources"), "{plan}");

    // The reads reached both accounts in both governed Regions, through the member role.
    let calls: Vec<(String, String)> = emu
        .requests()
        .iter()
        .filter(|r| r["operation"] == "DescribeConfigurationRecorders")
        .map(|r| (r["account"].as_str().unwrap_or("").to_owned(), r["region"].as_str().unwrap_or("").to_owned()))
        .collect();
    for account in [&org.log_archive, &org.audit] {
        for region in [REGION, "eu-west-1"] {
            assert!(calls.contains(&(account.clone(), region.to_owned())), "{account} {region} not read: {calls:?}");
        }
    }
}

/// An S3 bucket in the management account (CloudTrail needs one to deliver to). groundwork has no
/// S3 SDK crate, and one would cost every build minutes: the emulator's boto3 makes it instead.
fn bucket(emu: &Emulator, name: &str) {
    let dir = env!("CARGO_MANIFEST_DIR");
    let script = "import sys, boto3; boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1', \
        aws_access_key_id='testing', aws_secret_access_key='testing').create_bucket(Bucket=sys.argv[2])";
    let out = std::process::Command::new(format!("{dir}/target/emulator-venv/bin/python"))
        .args(["-c", script, &emu.url(), name])
        .env_remove("MOTO_ACCOUNT_ID")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run the emulator's python");
    assert!(out.status.success(), "create bucket: {}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn an_organization_trail_already_logging_is_a_note_about_cost() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let org = seed::organization(&emu).await;
    let dir = state.path();
    // As AWS requires for an organization trail: trusted access for CloudTrail, from the management account.
    seed::trusted_access(&emu, "cloudtrail.amazonaws.com").await;
    let conf = config(&emu, MGMT, REGION).await;
    bucket(&emu, "company-trail-logs");
    let trail = aws_sdk_cloudtrail::Client::new(&conf);
    trail
        .create_trail()
        .name("company-trail")
        .s3_bucket_name("company-trail-logs")
        .is_organization_trail(true)
        .is_multi_region_trail(true)
        .send()
        .await
        .expect("create organization trail");
    trail.start_logging().name("company-trail").send().await.expect("start logging");

    // The trail is a note (the launch would succeed, at twice the cost); the trusted access it
    // needed is today's conflict. Nothing changes.
    let plan = refused(
        &emu,
        dir,
        &org,
        &[
            "The organization trail company-trail (home Region us-east-1) is already logging",
            "the second copy is billed",
            "Trusted access for cloudtrail.amazonaws.com is already on",
        ],
    );
    let note = plan.lines().find(|l| l.contains("company-trail")).expect("the note");
    assert!(note.trim_start().starts_with("- "), "shown as a note, not a conflict: {note}");

    // A trail that is not logging costs nothing more: no note.
    trail.stop_logging().name("company-trail").send().await.expect("stop logging");
    let plan = refused(&emu, dir, &org, &["Trusted access for cloudtrail.amazonaws.com is already on"]);
    assert!(!plan.contains("company-trail"), "{plan}");
}

/// What the preflight cannot read it says it could not check, with AWS's reason; it never passes
/// silently, and a read it cannot make does not stop the plan on its own.
#[tokio::test]
async fn reads_that_fail_stop_the_plan_unless_accepted_for_that_run() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let org = seed::organization(&emu).await;
    let deny = |operation: &str, account: &str| {
        serde_json::json!({"operation": operation, "account": account, "code": "AccessDeniedException",
                           "status": 403, "message": "injected"})
    };
    emu.hook("/_groundwork/faults", deny("DescribeDeliveryChannels", &org.audit));
    // A failed read stops the plan (organization-wide first): it says which call, and how to go on.
    emu.hook("/_groundwork/faults", deny("DescribeTrails", MGMT));
    let plan =
        refused(&emu, state.path(), &org, &["Could not check for an organization trail", "cloudtrail:DescribeTrails"]);
    assert!(plan.contains("control-tower.skip-unreadable-checks=yes"), "{plan}");

    // Accepted for one run: the same findings are notes, and the launch is planned.
    let accept = ["plan", "control-tower", "--set", "control-tower.skip-unreadable-checks=yes"];
    let (_, plan) = run(&emu, state.path(), &accept, &org);
    let audit = format!("Could not check the Audit account {} for existing AWS Config resources", org.audit);
    assert!(plan.contains(&audit), "{plan}");
    assert!(plan.contains("config:DescribeDeliveryChannels"), "the failed call is named:\n{plan}");
    assert!(!plan.contains("Could not check the Log Archive"), "Log Archive was readable:\n{plan}");
    assert!(plan.contains("Could not check for an organization trail"), "{plan}");
    assert!(plan.contains("controltower:CreateLandingZone"), "accepted, the plan goes on:\n{plan}");

    // Never remembered: the next run without the answer stops again, at the per-Region check too.
    emu.hook("/_groundwork/faults/clear", serde_json::json!({}));
    emu.hook("/_groundwork/faults", deny("DescribeDeliveryChannels", &org.audit));
    refused(&emu, state.path(), &org, &[&audit, "control-tower.skip-unreadable-checks=yes"]);
}

/// A name that is no Region at all, with the Region list unreadable: refused before any change, so
/// no account is created for a launch that would fail (an account takes 90 days to close).
#[tokio::test]
async fn a_name_that_is_no_region_and_an_unreadable_region_list_create_no_account() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let org = groundwork(&emu.url(), state.path()).args(["apply", "organization", "--yes"]).output().expect("org");
    assert!(org.status.success(), "{}", String::from_utf8_lossy(&org.stderr));
    emu.hook(
        "/_groundwork/faults",
        serde_json::json!({"operation": "ListRegions", "service": "account", "code": "AccessDeniedException",
                           "status": 403, "message": "injected"}),
    );
    let apply = |regions: &str| {
        let out = groundwork(&emu.url(), state.path())
            .args(["apply", "control-tower", "--yes", "--set", &format!("control-tower.regions={regions}")])
            .args(["--set", "control-tower.log-archive-email=log@example.com"])
            .args(["--set", "control-tower.audit-email=audit@example.com"])
            .output()
            .expect("apply");
        (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    };
    let changes = |emu: &Emulator| {
        let made = ["CreateAccount", "CreateOrganizationalUnit", "MoveAccount", "CreateRole", "CreateLandingZone"];
        emu.requests().iter().filter(|r| made.iter().any(|m| r["operation"] == *m)).count()
    };
    let before = changes(&emu);
    let (code, said) = apply("us-east-1,mars-north-9");
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("mars-north-9 is not a Region"), "{said}");
    assert!(said.contains("account:ListRegions"), "the unreadable check is named: {said}");
    assert_eq!(changes(&emu), before, "nothing is created: {said}");
    // Well-named Regions, still unverifiable: stopped too.
    let (code, said) = apply("us-east-1,eu-west-1");
    assert_eq!(code, Some(1), "{said}");
    assert_eq!(changes(&emu), before, "nothing is created: {said}");
}

/// An email AWS refuses for a new account (EMAIL_ALREADY_EXISTS, known only once creation ends):
/// said plainly, nothing reported created, and the email is asked for again; an email an account of
/// the organization already has is refused before any change.
#[tokio::test]
async fn an_email_already_used_is_said_plainly_and_asked_for_again() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let org = groundwork(&emu.url(), state.path()).args(["apply", "organization", "--yes"]).output().expect("org");
    assert!(org.status.success(), "{}", String::from_utf8_lossy(&org.stderr));
    // Another account with that email, still being created: no list shows it to the plan.
    emu.hook("/_groundwork/delays", serde_json::json!({"account": -1}));
    let orgs = aws_sdk_organizations::Client::new(&config(&emu, MGMT, REGION).await);
    orgs.create_account().account_name("Dev").email("audit@example.com").send().await.expect("create Dev");
    emu.hook("/_groundwork/delays", serde_json::json!({"account": null}));

    let run = |extra: &[&str]| {
        let out = groundwork(&emu.url(), state.path())
            .args(["apply", "control-tower", "--yes", "--set", "control-tower.regions=us-east-1"])
            .args(extra)
            .output()
            .expect("apply");
        (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    };
    let emails = [
        "--set",
        "control-tower.log-archive-email=log@example.com",
        "--set",
        "control-tower.audit-email=audit@example.com",
    ];
    let (code, said) = run(&emails);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("did not create the Audit account") && said.contains("EMAIL_ALREADY_EXISTS"), "{said}");
    assert!(!said.contains("CreateLandingZone ok"), "{said}");
    let names: Vec<String> = orgs
        .list_accounts()
        .send()
        .await
        .expect("accounts")
        .accounts()
        .iter()
        .filter_map(|a| a.name().map(str::to_owned))
        .collect();
    assert!(!names.iter().any(|n| n == "Audit"), "no Audit account: {names:?}");

    // The refused email is not remembered: the next run asks for it (none given: it cannot go on).
    let (code, said) = run(&[]);
    assert_ne!(code, Some(0), "{said}");
    assert!(said.contains("control-tower.audit-email"), "the email is asked again: {said}");
    // An email an account of the organization has (Log Archive's, created above): refused at once.
    let (code, said) = run(&["--set", "control-tower.audit-email=LOG@example.com"]);
    assert_ne!(code, Some(0), "{said}");
    assert!(said.contains("is already the email of account"), "{said}");
}
