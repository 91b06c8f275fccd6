//! What a person sees when things go wrong: no credentials, no endpoint, a service the endpoint
//! lacks, a corrupt local record, a bad argument. Exit codes are part of the contract.

use crate::common;

use std::net::TcpListener;

use common::{Emulator, check_json, groundwork, step_status};

/// An address on loopback where nothing listens.
fn closed_endpoint() -> String {
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    format!("http://127.0.0.1:{port}")
}

#[test]
fn no_credentials_fails_with_a_hint() {
    let state = tempfile::tempdir().expect("tempdir");
    let out = groundwork(&closed_endpoint(), state.path())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args(["check", "--json"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("No AWS credentials found"), "{stderr}");
    assert!(stderr.contains("aws configure sso"), "{stderr}");
    assert!(stderr.contains("groundwork sandbox"), "the way to try it without an account: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout for scripts to misread");
}

#[test]
fn an_unreachable_endpoint_exits_2() {
    let state = tempfile::tempdir().expect("tempdir");
    let out = groundwork(&closed_endpoint(), state.path()).arg("check").output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("could not be reached"), "{stderr}");
}

#[test]
fn a_missing_service_makes_only_its_step_unknown() {
    let emu = Emulator::start();
    emu.hook("/_groundwork/unsupported", serde_json::json!({"service": "controltower"}));
    let state = tempfile::tempdir().expect("tempdir");
    let (code, json) = check_json(&emu, state.path());
    assert_eq!(code, 1);
    assert_eq!(step_status(&json, "control-tower"), "unknown", "{json:#}");
    let detail = json["steps"][3]["findings"][0]["detail"].as_str().expect("detail");
    assert!(detail.contains("not supported here") && detail.contains("controltower:ListLandingZones"), "{detail}");
    // Everything else was still checked.
    assert_eq!(step_status(&json, "organization"), "not-done");
    assert_eq!(step_status(&json, "root-mfa"), "not-done");
}

#[test]
fn a_corrupt_record_is_set_aside_with_a_warning() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let dir = state.path().join("state");
    std::fs::create_dir_all(&dir).expect("state dir");
    std::fs::write(dir.join("123456789012.json"), "{ not json").expect("write");
    let out = groundwork(&emu.url(), state.path()).args(["check", "--json"]).output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could not be read"), "{stderr}");
    let names: Vec<String> =
        std::fs::read_dir(&dir).expect("dir").filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
    assert!(names.iter().any(|n| n.starts_with("123456789012.json.unreadable-")), "{names:?}");
    let fresh: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("123456789012.json")).expect("new record"))
            .expect("json");
    assert_eq!(fresh["schema"], 1);
}

#[test]
fn status_reads_the_record_without_calling_aws() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let (code, _) = check_json(&emu, state.path());
    assert_eq!(code, 1);
    drop(emu);
    // With the emulator gone, status still answers from the record.
    let out = groundwork(&closed_endpoint(), state.path()).arg("status").output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("account 123456789012"), "{stdout}");
    assert!(stdout.contains("seconds ago"), "{stdout}");
    assert!(stdout.contains("Root user MFA"), "{stdout}");
}

#[test]
fn an_unknown_step_is_a_usage_error() {
    let state = tempfile::tempdir().expect("tempdir");
    let out = groundwork(&closed_endpoint(), state.path()).args(["check", "--step", "firewall"]).output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("root-mfa, contacts"), "{stderr}");
}

#[test]
fn one_step_can_be_checked_alone() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let out =
        groundwork(&emu.url(), state.path()).args(["check", "--json", "--step", "organization"]).output().expect("run");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["steps"].as_array().map(Vec::len), Some(1));
    assert_eq!(step_status(&json, "organization"), "not-done");
}

/// On a machine whose instance metadata service never answers (simulated on loopback), the
/// credential chain still gives up and says so (how fast is the benchmark's job, not a test's).
#[test]
fn no_credentials_is_reported_even_when_instance_metadata_hangs() {
    let hanging = TcpListener::bind("127.0.0.1:0").expect("listener");
    let imds = format!("http://{}", hanging.local_addr().expect("addr"));
    let state = tempfile::tempdir().expect("tempdir");
    let out = groundwork(&closed_endpoint(), state.path())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds)
        .arg("check")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("No AWS credentials found"), "{stderr}");
}
