//! Long operations have limits and honest outcomes: past its limit a wait ends in "still in
//! progress" (never success), the operation stays recorded as pending, and the next run resumes it.

mod common;

use common::{Emulator, MGMT, check_json, groundwork, step_status};

const CT: [&str; 6] = [
    "--set",
    "control-tower.regions=us-east-1",
    "--set",
    "control-tower.log-archive-email=log@example.com",
    "--set",
    "control-tower.audit-email=audit@example.com",
];

#[test]
fn a_landing_zone_still_running_at_the_limit_is_in_progress_then_resumed() {
    // Operations finish only when the test says so: longer than any limit.
    let emu = Emulator::start_with(&[("GROUNDWORK_EMULATOR_CT_DELAY_SECONDS", "-1")]);
    let dir = tempfile::tempdir().expect("tempdir");
    let org = groundwork(&emu.url(), dir.path()).args(["apply", "organization", "--yes"]).output().expect("org");
    assert!(org.status.success(), "{}", String::from_utf8_lossy(&org.stderr));

    let out = groundwork(&emu.url(), dir.path())
        .env("GROUNDWORK_POLL_SECONDS", "0.2")
        .env("GROUNDWORK_WAIT_LIMIT_SECONDS", "1")
        .args(["apply", "control-tower", "--yes"])
        .args(CT)
        .output()
        .expect("apply");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "not done, and not a failure to check: {said}");
    assert!(said.contains("stopped waiting") && said.contains("not finished yet"), "{said}");
    assert!(!said.contains("A change failed"), "a wait that ran out is not a failure: {said}");

    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(format!("state/{MGMT}.json"))).expect("record"))
            .expect("json");
    let pending = record["pending"][0]["id"].as_str().expect("the operation is still pending").to_owned();
    assert_ne!(record["steps"]["control-tower"]["result"]["status"], "done", "{record:#}");
    let (_, json) = check_json(&emu, dir.path());
    assert_ne!(step_status(&json, "control-tower"), "done", "{json:#}");

    // The next apply resumes waiting for the same operation (no second landing zone), and ends done
    // once AWS finishes.
    let resumed = std::thread::spawn({
        let (url, dir) = (emu.url(), dir.path().to_owned());
        move || {
            groundwork(&url, &dir)
                .env("GROUNDWORK_POLL_SECONDS", "0.2")
                .args(["apply", "control-tower", "--yes"])
                .output()
                .expect("resume")
        }
    });
    std::thread::sleep(std::time::Duration::from_secs(2));
    emu.hook(
        "/_groundwork/controltower/operations/complete",
        serde_json::json!({"operationIdentifier": pending, "status": "SUCCEEDED"}),
    );
    let again = resumed.join().expect("join");
    let said = format!("{}{}", String::from_utf8_lossy(&again.stdout), String::from_utf8_lossy(&again.stderr));
    assert_eq!(again.status.code(), Some(0), "{said}");
    assert!(said.contains(&pending), "the same operation resumed: {said}");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(format!("state/{MGMT}.json"))).expect("record"))
            .expect("json");
    assert_eq!(record["pending"].as_array().map(Vec::len), Some(0), "no longer pending: {record:#}");
}
