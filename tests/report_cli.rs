//! `groundwork report`: built from a live check, it agrees with `check --json` for the same state,
//! and lists the changes groundwork made, when and by whom.

mod common;

use common::{Emulator, check_json, groundwork, seed};

#[tokio::test(flavor = "multi_thread")]
async fn the_report_matches_check_json_and_lists_the_changes() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let url = emu.url();
    let dir = state.path().to_owned();
    // A change made with groundwork, then a mixed state seeded around it.
    let out = groundwork(&url, &dir).args(["apply", "organization", "--yes"]).output().expect("apply");
    assert_eq!(out.status.code(), Some(0));
    seed::root_mfa(&emu, common::MGMT, true, false);
    seed::contacts(&emu, common::MGMT, &["SECURITY"]).await;

    let (json, report) = tokio::task::spawn_blocking(move || {
        let (_, json) = check_json(&emu, &dir);
        let out = groundwork(&url, &dir).arg("report").output().expect("report");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        (json, String::from_utf8(out.stdout).expect("utf-8"))
    })
    .await
    .expect("join");

    assert!(report.starts_with("# AWS security foundation: account 123456789012"), "{report}");
    assert!(report.contains("from a live check of the account at"), "{report}");
    // The summary table: one row per step, with check --json's status and summary.
    let rows: Vec<Vec<String>> = report
        .lines()
        .filter(|l| {
            l.starts_with("| ")
                && l.split(" | ").next().is_some_and(|n| n.trim_start_matches("| ").parse::<u32>().is_ok())
        })
        .map(|l| l.trim_matches('|').split(" | ").map(|c| c.trim().replace("\\|", "|")).collect())
        .collect();
    let steps = json["steps"].as_array().expect("steps");
    assert_eq!(rows.len(), steps.len(), "{report}");
    for (row, step) in rows.iter().zip(steps) {
        assert_eq!(row[1], step["title"].as_str().expect("title"));
        assert_eq!(row[2], step["status"].as_str().expect("status"));
        assert_eq!(row[3], step["summary"].as_str().expect("summary"));
    }
    let done = steps.iter().filter(|s| s["status"] == "done").count();
    let total = steps.len();
    assert!(report.contains(&format!("Summary: {done} of {total} steps done")), "{report}");
    assert!(report.contains("**Account contacts** (partial)"), "{report}");
    // The history: the change groundwork made, with who made it.
    assert!(
        report.contains(
            "| arn:aws:sts::123456789012:user/moto | 123456789012 | global | organizations:CreateOrganization | ok |"
        ),
        "{report}"
    );
    assert!(report.contains("groundwork made 1 change(s) for this step"), "{report}");
}
