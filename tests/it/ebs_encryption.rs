//! ebs-encryption end to end: the real binary against the emulator. In a fresh organization it is
//! not done; `apply` turns encryption by default on in every active account (each through its member
//! role) and every governed Region, the step is then done and a
//! second apply changes nothing.

use crate::common;

use common::{Emulator, MGMT, check_json, config, groundwork, seed, step_status};

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

async fn on(emu: &Emulator, account: &str, region: &str) -> bool {
    let ec2 = aws_sdk_ec2::Client::new(&config(emu, account, region).await);
    let out = ec2.get_ebs_encryption_by_default().send().await.expect("read");
    out.ebs_encryption_by_default() == Some(true)
}

#[tokio::test]
async fn apply_turns_it_on_in_every_account_and_governed_region() {
    let emu = Emulator::start();
    let state = tempfile::tempdir().expect("tempdir");
    let org = seed::organization(&emu).await;
    seed::landing_zone(&emu, &org, &REGIONS, "ACTIVE", "IN_SYNC");
    let accounts = [MGMT, org.log_archive.as_str(), org.audit.as_str()];

    let (_, before) = check_json(&emu, state.path());
    assert_eq!(step_status(&before, "ebs-encryption"), "not-done", "{before:#}");

    let out = groundwork(&emu.url(), state.path()).args(["apply", "ebs-encryption", "--yes"]).output().expect("apply");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("aws/ebs") && said.contains("existing volumes stay"), "the plan says so: {said}");
    for account in accounts {
        for region in REGIONS {
            assert!(on(&emu, account, region).await, "{account} {region}: {said}");
        }
    }
    let (_, after) = check_json(&emu, state.path());
    assert_eq!(step_status(&after, "ebs-encryption"), "done", "{said}\n{after:#}");

    let again =
        groundwork(&emu.url(), state.path()).args(["apply", "ebs-encryption", "--yes"]).output().expect("apply");
    let again = String::from_utf8_lossy(&again.stdout).to_string();
    assert!(!again.contains("ec2:EnableEbsEncryptionByDefault"), "{again}");
}
