//! The emulator's own checks, kept apart from the product's tests: nothing here runs groundwork.
//! They test the model of AWS (tests/emulator/), through boto3 (tests/emulator/selfcheck.py) and
//! through the Rust SDK groundwork uses: if the emulator drifts from AWS's wire format or rules,
//! these fail before the product's tests mislead. A test that only exercises the emulator belongs
//! here, not beside the product's tests.

use crate::common;

use common::{Emulator, MGMT, REGION, config, seed};
use serde_json::json;

#[test]
fn the_emulator_extension_passes_its_self_check() {
    let emu = Emulator::start();
    let dir = env!("CARGO_MANIFEST_DIR");
    // The venv the emulator itself runs from (GROUNDWORK_EMULATOR_VENV, as src/emulator.rs reads it).
    let venv = std::env::var("GROUNDWORK_EMULATOR_VENV").unwrap_or_else(|_| format!("{dir}/target/emulator-venv"));
    let out = std::process::Command::new(format!("{venv}/bin/python"))
        .arg(format!("{dir}/tests/emulator/selfcheck.py"))
        .arg(emu.url())
        .env_remove("MOTO_ACCOUNT_ID")
        .output()
        .expect("run selfcheck.py");
    assert!(
        out.status.success(),
        "selfcheck failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The emulator's AccountId rules, through the Rust SDK groundwork uses: what AWS refuses, it refuses.
#[tokio::test]
async fn the_emulator_refuses_account_id_where_aws_does() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let put = |conf: aws_config::SdkConfig, account: Option<String>| async move {
        aws_sdk_account::Client::new(&conf)
            .put_alternate_contact()
            .set_account_id(account)
            .alternate_contact_type(aws_sdk_account::types::AlternateContactType::Security)
            .name("Ada Lovelace")
            .title("CTO")
            .email_address("sec@example.com")
            .phone_number("+15555550100")
            .send()
            .await
            .map_err(|e| e.into_service_error())
    };
    let mgmt = config(&emu, MGMT, REGION).await;
    let inside = config(&emu, &org.audit, REGION).await;
    let denied = |r: Result<_, aws_sdk_account::operation::put_alternate_contact::PutAlternateContactError>| {
        r.expect_err("refused").is_access_denied_exception()
    };
    // Trusted access off: the management account may not name a member.
    assert!(denied(put(mgmt.clone(), Some(org.audit.clone())).await));
    seed::trusted_access(&emu, "account.amazonaws.com").await;
    // From inside the member: refused, whichever account it names.
    assert!(denied(put(inside.clone(), Some(org.audit.clone())).await));
    assert!(denied(put(inside.clone(), Some(MGMT.to_owned())).await));
    // The management account naming itself: refused (it must leave AccountId out).
    assert!(denied(put(mgmt.clone(), Some(MGMT.to_owned())).await));
    // What AWS allows: management -> member, and each account's own without AccountId.
    assert!(put(mgmt.clone(), Some(org.audit.clone())).await.is_ok());
    assert!(put(mgmt, None).await.is_ok());
    assert!(put(inside, None).await.is_ok());
}

/// The emulator refuses what AWS refuses: today's 3.3 version, and the 3.3 manifest at 4.0.
#[tokio::test]
async fn the_emulator_refuses_the_3_3_version_and_manifest() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    seed::control_tower_prerequisites(&emu, &org).await;
    let ct = aws_sdk_controltower::Client::new(&config(&emu, MGMT, REGION).await);
    let three = json!({"governedRegions": [REGION],
        "organizationStructure": {"security": {"name": "Security"}, "sandbox": {"name": "Sandbox"}},
        "centralizedLogging": {"accountId": org.log_archive, "enabled": true},
        "securityRoles": {"accountId": org.audit}, "accessManagement": {"enabled": true}});
    let create = |version: &'static str, manifest: serde_json::Value| {
        ct.create_landing_zone().version(version).manifest(document(&manifest)).send()
    };
    let message = |e: &aws_sdk_controltower::error::SdkError<_, _>| {
        use aws_sdk_controltower::error::ProvideErrorMetadata;
        let e: &aws_sdk_controltower::operation::create_landing_zone::CreateLandingZoneError =
            e.as_service_error().expect("a service error");
        assert!(e.is_validation_exception(), "{e:?}");
        e.message().unwrap_or_default().to_owned()
    };
    let e = create("3.3", three.clone()).await.expect_err("3.3 refused");
    assert_eq!(message(&e), "Your AWS Control Tower landing zone version must be latest available version.");
    let e = create("3.3", seed::manifest_4(&org, &[REGION])).await.expect_err("3.3 refused");
    assert!(message(&e).contains("must be latest available version"));
    let e = create("4.0", three).await.expect_err("3.3 manifest refused");
    assert!(message(&e).contains("organizationStructure"), "{}", message(&e));
    assert!(ct.list_landing_zones().send().await.expect("list").landing_zones().is_empty());
    create("4.0", seed::manifest_4(&org, &[REGION])).await.expect("the 4.0 manifest is accepted");
}

fn document(v: &serde_json::Value) -> aws_smithy_types::Document {
    use aws_smithy_types::{Document, Number};
    match v {
        serde_json::Value::Object(m) => Document::Object(m.iter().map(|(k, v)| (k.clone(), document(v))).collect()),
        serde_json::Value::Array(a) => Document::Array(a.iter().map(document).collect()),
        serde_json::Value::String(s) => Document::String(s.clone()),
        serde_json::Value::Number(n) => Document::Number(Number::PosInt(n.as_u64().unwrap_or_default())),
        serde_json::Value::Bool(b) => Document::Bool(*b),
        serde_json::Value::Null => Document::Null,
    }
}
