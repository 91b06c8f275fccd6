//! At organization scale (50 accounts, 4 governed Regions) in the emulator: every account and Region
//! is covered, the concurrency bound holds (measured by the server), and each member account's role
//! is assumed once per run however many steps and Regions read it.

use crate::common;

use std::collections::HashMap;

use common::{Emulator, MGMT, REGION, seed, session};
use groundwork::catalog::StepId;
use groundwork::emulator::http;
use groundwork::verdict::Status;
use groundwork::{checks, facts};

const REGIONS: [&str; 4] = ["us-east-1", "eu-west-1", "us-west-2", "eu-central-1"];
const BOUND: usize = 4;

fn get(emu: &Emulator, path: &str) -> serde_json::Value {
    let port: u16 = emu.url().rsplit(':').next().and_then(|p| p.parse().ok()).expect("port");
    let (_, text) = http(port, "GET", path, "").expect("emulator reachable");
    serde_json::from_str(&text).expect("JSON")
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_accounts_in_four_regions_are_all_covered_within_the_bound() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let orgs = aws_sdk_organizations::Client::new(&common::config(&emu, MGMT, REGION).await);
    for n in 3..=50 {
        let out = orgs
            .create_account()
            .account_name(format!("workload-{n:02}"))
            .email(format!("workload-{n:02}@example.com"))
            .send()
            .await
            .expect("create account");
        // Enrolled, as every account of a governed organization is: AWSControlTowerExecution, tried
        // first under a landing zone, is there. (An account Control Tower never enrolled costs one
        // refused AssumeRole, then OrganizationAccountAccessRole for the rest of the run.)
        let id = out.create_account_status().and_then(|s| s.account_id()).expect("account id");
        seed::control_tower_execution_role(&emu, id).await;
    }
    seed::landing_zone(&emu, &org, &REGIONS, "ACTIVE", "IN_SYNC");
    for region in REGIONS {
        seed::guardduty(&emu, &org, region, true, "ALL").await;
        seed::security_hub(&emu, &org, region, false, true).await;
        seed::security_hub_members(&emu, &org, region).await;
    }
    emu.hook("/_groundwork/requests/clear", serde_json::json!({}));

    let aws = session(&emu, BOUND).await;
    let facts = facts::gather(&aws).await.expect("identity");
    let results = checks::run(&aws, &facts, &StepId::ALL).await;

    // Every account's contacts, every Region's GuardDuty, Security Hub and alerts.
    let contacts = &results[StepId::Contacts as usize];
    let mut accounts: Vec<&str> = contacts.findings.iter().map(|f| f.account.as_str()).collect();
    accounts.sort_unstable();
    accounts.dedup();
    assert_eq!(accounts.len(), 51, "{contacts:?}");
    for id in [StepId::Guardduty, StepId::SecurityHub, StepId::Alerts] {
        let r = &results[id as usize];
        let mut regions: Vec<&str> = r.findings.iter().filter_map(|f| f.region.as_deref()).collect();
        regions.sort_unstable();
        assert_eq!(regions, ["eu-central-1", "eu-west-1", "us-east-1", "us-west-2"], "{id}: {r:?}");
    }
    // GuardDuty and Security Hub: every account has its own finding, and is covered.
    for id in [StepId::Guardduty, StepId::SecurityHub] {
        let r = &results[id as usize];
        let per_account: Vec<&str> =
            r.findings.iter().filter(|f| f.region.is_none()).map(|f| f.account.as_str()).collect();
        assert_eq!(per_account.len(), 51, "{id}: {r:?}");
    }
    assert_eq!(results[StepId::Guardduty as usize].status, Status::Done);
    // Audit's hub has no FSBP (seeded without default standards): partial there, every member done.
    let hub = &results[StepId::SecurityHub as usize];
    assert_eq!(hub.status, Status::Partial, "{hub:?}");
    assert!(
        hub.findings.iter().filter(|f| f.region.is_none() && f.account != org.audit).all(|f| f.status == Status::Done),
        "{:#?}",
        hub.findings.iter().filter(|f| f.status != Status::Done).collect::<Vec<_>>()
    );

    // The server saw no more than the bound at once (the bound is per account; across accounts,
    // ACCOUNTS_IN_FLIGHT times as many), and did see concurrency.
    let peak = get(&emu, "/_groundwork/requests/peak")["peak"].as_u64().expect("peak");
    let bound = BOUND * groundwork::aws::ACCOUNTS_IN_FLIGHT;
    assert!(usize::try_from(peak).is_ok_and(|p| p <= bound), "{peak} requests in flight with a bound of {bound}");
    assert!(peak > 1, "the checks ran one at a time");

    // One AssumeRole per member account per run, however many steps and Regions read Audit.
    let requests = get(&emu, "/_groundwork/requests");
    // GuardDuty's coverage comes from Audit's member list alone: no call inside any other account.
    // Security Hub reads each account's standards once per Region, and nothing more per account.
    let calls = |service: &str, account: &str| {
        requests["requests"]
            .as_array()
            .map_or(0, |l| l.iter().filter(|r| r["service"] == service && r["account"] == account).count())
    };
    let work: Vec<String> = facts
        .accounts
        .as_ref()
        .expect("accounts")
        .iter()
        .map(|a| a.id.clone())
        .filter(|id| id != MGMT && id != &org.audit)
        .collect();
    assert!(work.iter().all(|a| calls("guardduty", a) == 0), "GuardDuty read inside a member account");
    assert!(work.iter().all(|a| calls("securityhub", a) == REGIONS.len()), "Security Hub: one read per Region");
    let total = |service: &str| {
        requests["requests"].as_array().map_or(0, |l| l.iter().filter(|r| r["service"] == service).count())
    };
    eprintln!(
        "calls for 51 accounts x 4 Regions: guardduty {}, securityhub {}",
        total("guardduty"),
        total("securityhub")
    );

    let mut assumed: HashMap<String, usize> = HashMap::new();
    for r in requests["requests"].as_array().expect("requests") {
        if r["operation"] == "AssumeRole" {
            *assumed.entry(r["role_account"].as_str().unwrap_or_default().to_owned()).or_default() += 1;
        }
    }
    assert_eq!(assumed.get(&org.audit), Some(&1), "{assumed:?}");
    assert!(assumed.values().all(|n| *n == 1), "{assumed:?}");
}
