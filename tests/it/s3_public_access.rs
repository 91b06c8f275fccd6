//! s3-public-access against the emulator, through the real SDK and the groundwork binary: a fresh
//! organization is not done; apply turns all four settings on in every account, each in itself;
//! a member with a bucket that is public today gets no `PutPublicAccessBlock` until the person
//! answers for that account (close: it gets one; keep: it is left alone), and a setting the person
//! had on stays on; an account groundwork cannot reach is unknown, never done.

use crate::common;

use common::{Emulator, MGMT, REGION, check_json, config, groundwork, seed, step_status};
use serde_json::json;

const STEP: &str = "s3-public-access";

/// An S3 client in `account`, path-style as an emulator on 127.0.0.1 needs.
async fn s3(emu: &Emulator, account: &str, region: &str) -> aws_sdk_s3::Client {
    let conf = config(emu, account, region).await;
    aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&conf).force_path_style(true).build())
}

/// A bucket in eu-west-1 whose policy lets anyone read it.
async fn public_bucket(emu: &Emulator, account: &str, name: &str) {
    let c = s3(emu, account, "eu-west-1").await;
    let here = aws_sdk_s3::types::CreateBucketConfiguration::builder()
        .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
        .build();
    c.create_bucket().bucket(name).create_bucket_configuration(here).send().await.expect("create bucket");
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
        "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{name}/*")}]});
    c.put_bucket_policy().bucket(name).policy(policy.to_string()).send().await.expect("public policy");
}

/// Private buckets, enough for ListBuckets to page (the emulator pages by two).
async fn private_buckets(emu: &Emulator, account: &str, names: &[&str]) {
    let c = s3(emu, account, REGION).await;
    for name in names {
        c.create_bucket().bucket(*name).send().await.expect("create bucket");
    }
}

fn apply(emu: &Emulator, state: &std::path::Path, sets: &[&str]) -> (bool, String) {
    let mut cmd = groundwork(&emu.url(), state);
    cmd.args(["apply", STEP, "--yes"]);
    for s in sets {
        cmd.args(["--set", s]);
    }
    let out = cmd.output().expect("run apply");
    (
        out.status.success(),
        format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

/// The accounts `PutPublicAccessBlock` was called in (as the request log saw it).
fn puts_in(emu: &Emulator) -> Vec<String> {
    let mut found: Vec<String> = emu
        .requests()
        .iter()
        .filter(|r| r["service"] == "s3" && r["operation"] == "PutPublicAccessBlock")
        .map(|r| r["account"].as_str().unwrap_or_default().to_owned())
        .collect();
    found.sort();
    found
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_fresh_organization_is_not_done_and_apply_makes_every_account_done() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    private_buckets(&emu, &org.log_archive, &["logs-a", "logs-b", "logs-c"]).await;
    let state = tempfile::tempdir().expect("tempdir");
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, STEP), "not-done", "{json:#}");

    let (ok, text) = apply(&emu, state.path(), &[]);
    assert!(ok, "{text}");
    assert_eq!(puts_in(&emu), sorted(&[MGMT, &org.audit, &org.log_archive]), "one change in each account itself");
    common::assert_changes_succeeded(state.path(), &["s3:PutAccountPublicAccessBlock"]);
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, STEP), "done", "{json:#}");
}

#[tokio::test]
async fn a_public_bucket_stops_the_change_in_its_account_until_the_person_answers() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    // Log Archive had one setting on already; Audit has a bucket that is public today, behind two
    // private ones (so the public one is on ListBuckets' second page).
    private_buckets(&emu, &org.audit, &["aaa-private", "aab-private"]).await;
    public_bucket(&emu, &org.audit, "zz-audit-site").await;
    seed::account_block(&emu, &org.log_archive, false).await;
    let state = tempfile::tempdir().expect("tempdir");
    let (_, json) = check_json(&emu, state.path());
    let audit = json["steps"].as_array().expect("steps").iter().find(|s| s["id"] == STEP).expect("step").to_string();
    assert!(audit.contains("zz-audit-site (eu-west-1): its bucket policy is public"), "{audit}");

    emu.hook("/_groundwork/requests/clear", json!({}));
    let (ok, text) = apply(&emu, state.path(), &[]);
    assert!(!ok, "a conflict stops the apply: {text}");
    assert!(text.contains("zz-audit-site") && text.contains(&format!("{}=close", org.audit)), "{text}");
    assert!(puts_in(&emu).is_empty(), "nothing changed anywhere while the answer is missing");

    // keep: Audit is left as it is, the others are changed; the step stays unfinished.
    let keep = format!("{STEP}.public-buckets={}=keep", org.audit);
    let (_, text) = apply(&emu, state.path(), &[&keep]);
    common::assert_changes_succeeded(state.path(), &["s3:PutAccountPublicAccessBlock"]);
    assert!(text.contains("you chose keep"), "{text}");
    assert_eq!(puts_in(&emu), sorted(&[MGMT, &org.log_archive]));
    let (_, json) = check_json(&emu, state.path());
    assert_ne!(step_status(&json, STEP), "done", "{json:#}");

    // close: now Audit gets its change too, and every account is done.
    emu.hook("/_groundwork/requests/clear", json!({}));
    let close = format!("{STEP}.public-buckets={}=close", org.audit);
    let (ok, text) = apply(&emu, state.path(), &[&close]);
    assert!(ok, "{text}");
    assert_eq!(puts_in(&emu), vec![org.audit.clone()]);
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, STEP), "done", "{json:#}");
}

#[tokio::test]
async fn an_account_groundwork_cannot_reach_is_unknown() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    // Every account groundwork can reach is done already.
    for account in [MGMT, org.audit.as_str(), org.log_archive.as_str()] {
        seed::account_block(&emu, account, true).await;
    }
    // An account created with a role of another name: neither role groundwork knows exists there.
    let orgs = aws_sdk_organizations::Client::new(&config(&emu, MGMT, REGION).await);
    let out = orgs
        .create_account()
        .account_name("Elsewhere")
        .email("elsewhere@example.com")
        .role_name("SomeOtherRole")
        .send()
        .await
        .expect("create account");
    let lost = out.create_account_status().and_then(|s| s.account_id()).expect("account id").to_owned();
    let state = tempfile::tempdir().expect("tempdir");
    emu.hook("/_groundwork/requests/clear", json!({}));
    let (_, json) = check_json(&emu, state.path());
    assert_eq!(step_status(&json, STEP), "unknown", "{json:#}");
    let step = json["steps"].as_array().expect("steps").iter().find(|s| s["id"] == STEP).expect("step").clone();
    let lost_finding = step["findings"].as_array().expect("findings").iter().find(|f| f["account"] == lost.as_str());
    assert_eq!(lost_finding.map(|f| f["status"].clone()), Some(json!("unknown")), "{step:#}");
    let (ok, text) = apply(&emu, state.path(), &[]);
    assert!(!ok, "{text}");
    assert!(puts_in(&emu).is_empty(), "nothing changed: {text}");
}
