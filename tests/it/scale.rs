//! At organization scale (71 accounts, 4 governed Regions) in the emulator: every account and Region
//! is covered, the bound on calls in flight holds (measured by the server), and each member account's role
//! is assumed once per run however many steps and Regions read it. And on the emulator throttling
//! at AWS's documented rates (assets/rates.toml), applies across 51 accounts finish within them.

use crate::common;

use std::collections::HashMap;

use common::{Emulator, MGMT, REGION, seed, session};
use groundwork::aws::WaitReason;
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
async fn seventy_accounts_in_four_regions_are_all_covered_within_the_bound() {
    let emu = Emulator::start();
    let org = seed::organization(&emu).await;
    let orgs = aws_sdk_organizations::Client::new(&common::config(&emu, MGMT, REGION).await);
    // More accounts than the SDK's identity cache keeps by default (64): each member's credentials
    // must stay cached for the whole run all the same (one AssumeRole each, asserted below).
    for n in 3..=70 {
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
    assert_eq!(accounts.len(), 71, "{contacts:?}");
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
        assert_eq!(per_account.len(), 71, "{id}: {r:?}");
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
        "calls for 71 accounts x 4 Regions: guardduty {}, securityhub {}",
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
    // Seventy roles assumed at once is past STS's burst in the management account: the member
    // credentials waited for its rate there, as every other call does.
    let waits = aws.waits();
    assert!(
        waits.iter().any(|w| w.action == "sts:AssumeRole" && w.account == MGMT && w.reason == WaitReason::Rate),
        "no AssumeRole was paced by the management account's STS rate: {:?}",
        waits.iter().filter(|w| w.action.starts_with("sts:")).collect::<Vec<_>>()
    );
}

/// An organization of `members + 1` accounts, every member enrolled by Control Tower (its
/// execution role there) under an ACTIVE landing zone governing `regions`, with Config recording
/// in every account and Region as Control Tower leaves it, and trusted access for Account
/// Management. Seeded with throttling off: the seeding is not what is measured.
async fn governed_organization(emu: &Emulator, members: usize, regions: &[&str]) -> common::seed::Org {
    let org = seed::organization(emu).await;
    let orgs = aws_sdk_organizations::Client::new(&common::config(emu, MGMT, REGION).await);
    let mut accounts = vec![org.audit.clone(), org.log_archive.clone(), MGMT.to_owned()];
    for n in 3..=members {
        let out = orgs
            .create_account()
            .account_name(format!("workload-{n:02}"))
            .email(format!("workload-{n:02}@example.com"))
            .send()
            .await
            .expect("create account");
        let id = out.create_account_status().and_then(|s| s.account_id()).expect("account id").to_owned();
        seed::control_tower_execution_role(emu, &id).await;
        accounts.push(id);
    }
    seed::landing_zone(emu, &org, regions, "ACTIVE", "IN_SYNC");
    let recorded: Vec<&str> = accounts.iter().filter(|a| *a != MGMT).map(String::as_str).collect();
    seed::control_tower_config(emu, &org, &recorded, regions).await;
    seed::trusted_access(emu, "account.amazonaws.com").await;
    org
}

/// Runs `groundwork` as a person would on AWS: the SDK's own retries on (the harness turns them off
/// for every other test), so what throttling costs is what AWS's rates cost.
fn run(emu: &Emulator, state: &std::path::Path, args: &[String]) -> (i32, String, String) {
    let mut cmd = common::groundwork_process(&emu.url(), state);
    cmd.env_remove("AWS_MAX_ATTEMPTS").args(args);
    let out = cmd.output().expect("run groundwork");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every request the emulator let through stayed within AWS's documented rate, checked from the
/// request log against assets/rates.toml itself (not the emulator's buckets): for each (service,
/// operation, account, Region), per account alone for a global service, no span of time held more
/// accepted requests than the rate allows (its burst plus what refills over the span). A throttled
/// request is followed by an accepted one of the same kind: a retry absorbed it. Returns how many
/// were throttled, per `service:operation`.
fn assert_within_documented_rates(log: &[serde_json::Value]) -> std::collections::BTreeMap<String, usize> {
    let table: toml::Table = toml::from_str(include_str!("../../assets/rates.toml")).expect("assets/rates.toml parses");
    let services = table["services"].as_table().expect("services");
    let mut kinds: std::collections::BTreeMap<(String, String, String, String), Vec<&serde_json::Value>> =
        std::collections::BTreeMap::new();
    for r in log {
        let signing = r["service"].as_str().unwrap_or_default();
        let service = if signing == "monitoring" { "cloudwatch" } else { signing };
        let Some(s) = services.get(service) else { continue };
        let global = s.get("global").and_then(toml::Value::as_bool).unwrap_or(false);
        let region = if global { String::new() } else { r["region"].as_str().unwrap_or_default().to_owned() };
        let op = r["operation"].as_str().unwrap_or_default().to_owned();
        let account = r["account"].as_str().unwrap_or_default().to_owned();
        kinds.entry((service.to_owned(), op, account, region)).or_default().push(r);
    }
    let mut throttled = std::collections::BTreeMap::new();
    for ((service, op, account, region), kind) in &kinds {
        let s = &services[service.as_str()];
        let limit = s.get("operations").and_then(|o| o.get(op.as_str())).unwrap_or(&s["default"]);
        let rate = limit["rate"].as_float().expect("rate");
        let burst = f64::from(limit["burst"].as_integer().and_then(|b| i32::try_from(b).ok()).expect("burst"));
        let accepted: Vec<f64> =
            kind.iter().filter(|r| r["throttled"] != true).filter_map(|r| r["start"].as_f64()).collect();
        for (i, first) in accepted.iter().enumerate() {
            for (j, last) in accepted.iter().enumerate().skip(i) {
                // One token of slack: the log's arrival time is taken just before the bucket's.
                let allowed = burst + rate * (last - first) + 1.0;
                let n = j - i + 1;
                assert!(
                    f64::from(u32::try_from(n).expect("a count")) <= allowed,
                    "{service}:{op} in {account} {region}: {n} requests in {:.3}s (rate {rate}, burst {burst})",
                    last - first
                );
            }
        }
        for (k, r) in kind.iter().enumerate() {
            if r["throttled"] == true {
                *throttled.entry(format!("{service}:{op}")).or_insert(0) += 1;
                let retried = kind[k + 1..].iter().any(|later| later["throttled"] != true);
                assert!(retried, "{service}:{op} in {account} {region}: a throttled call never retried");
            }
        }
    }
    throttled
}

/// At organization scale on the throttling emulator (AWS's documented rates, per account and
/// Region): `apply contacts` and `apply security-hub` across 50 accounts in 2 governed Regions
/// finish with every change made and none failed, the check that follows reads everything (no
/// step unknown) and finds both done, and no accepted request exceeded a documented rate.
#[test]
fn contacts_and_security_hub_apply_to_fifty_accounts_within_aws_rates() {
    const GOVERNED: [&str; 2] = ["us-east-1", "eu-west-1"];
    let emu = Emulator::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let org = runtime.block_on(governed_organization(&emu, 50, &GOVERNED));
    emu.hook("/_groundwork/requests/clear", serde_json::json!({}));
    emu.hook("/_groundwork/throttle", serde_json::json!({"enabled": true}));
    let state = tempfile::tempdir().expect("tempdir");

    let mut contacts: Vec<String> = ["apply", "contacts", "--yes"].map(String::from).to_vec();
    contacts.extend(common::sets("contacts"));
    let (code, out, err) = run(&emu, state.path(), &contacts);
    assert_eq!(code, 0, "apply contacts:\n{out}\n{err}");
    let (code, out, err) = run(&emu, state.path(), &["apply", "security-hub", "--yes"].map(String::from));
    assert_eq!(code, 0, "apply security-hub:\n{out}\n{err}");
    common::assert_changes_succeeded(
        state.path(),
        &["account:PutAlternateContact", "securityhub:CreateMembers", "config:PutConfigurationRecorder"],
    );

    let (_, out, err) = run(&emu, state.path(), &["check", "--json"].map(String::from));
    let json: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}\n{err}"));
    assert_eq!(common::step_status(&json, "contacts"), "done", "{json:#}");
    assert_eq!(common::step_status(&json, "security-hub"), "done", "{json:#}");
    for step in json["steps"].as_array().expect("steps") {
        assert_ne!(step["status"], "unknown", "a read failed: {step:#}");
    }
    let members =
        json["steps"].as_array().and_then(|s| s.iter().find(|s| s["id"] == "security-hub")).expect("security-hub");
    let accounts: std::collections::BTreeSet<&str> =
        members["findings"].as_array().expect("findings").iter().filter_map(|f| f["account"].as_str()).collect();
    assert_eq!(accounts.len(), 51, "every account covered: {accounts:?}");
    assert!(accounts.contains(org.audit.as_str()));

    let log = emu.requests();
    let throttled = assert_within_documented_rates(&log);
    let total = log.len();
    eprintln!("51 accounts x 2 Regions: {total} requests; throttled and retried: {throttled:?}");
}
