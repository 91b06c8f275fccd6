//! `groundwork sandbox`: the project's AWS emulator on loopback, as a brand-new AWS account, with
//! the wizard pointed at it and a banner saying so. Every call goes to 127.0.0.1 with throwaway
//! keys; nothing can reach real AWS. Quitting the wizard stops the emulator.

use crate::exit::Exit;
use std::io::IsTerminal;

use serde_json::json;

use crate::aws::Settings;
use crate::catalog::{StepId, say};
use crate::cli::Global;
use crate::emulator::{Emulator, http};
use crate::facts::Facts;

pub async fn run(_global: &Global) -> Exit {
    if !std::io::stdout().is_terminal() {
        eprintln!("groundwork: {}", say("sandbox-needs-terminal", &[]));
        return Exit::Failed;
    }
    eprintln!("{}", say("sandbox-starting", &[]));
    let Some(cache) = directories::ProjectDirs::from("", "", "groundwork").map(|d| d.cache_dir().to_path_buf()) else {
        eprintln!("groundwork: {}", say("sandbox-no-cache", &[]));
        return Exit::Failed;
    };
    let installing =
        |venv: &std::path::Path| eprintln!("{}", say("emulator-installing", &[("venv", &venv.display().to_string())]));
    // A landing zone takes 20 seconds here rather than an hour, a new account 5 rather than minutes,
    // a Security Hub standard 3: every wait can be seen end to end. AWS's request rates hold as on
    // AWS (assets/rates.toml), so what a person sees here is what AWS would do.
    let delays = [
        ("GROUNDWORK_EMULATOR_CT_DELAY_SECONDS", "20"),
        ("GROUNDWORK_EMULATOR_ACCOUNT_DELAY_SECONDS", "5"),
        ("GROUNDWORK_EMULATOR_STANDARDS_DELAY_SECONDS", "3"),
        ("GROUNDWORK_EMULATOR_THROTTLE", "1"),
    ];
    let emulator = match Emulator::start_embedded(&cache, &delays, &installing) {
        Ok(e) => e,
        Err(why) => {
            eprintln!("groundwork: {why}");
            return Exit::Failed;
        }
    };
    let state = std::env::temp_dir().join(format!("groundwork-sandbox-{}", std::process::id()));
    let settings =
        Settings { concurrency: 8, sandbox_endpoint: Some(emulator.url()), poll_seconds: 2.0, ..Settings::default() };
    let code = crate::wizard::runtime::run(settings, Some(state.clone())).await;
    drop(emulator);
    let _ = std::fs::remove_dir_all(&state);
    eprintln!("{}", say("sandbox-stopped", &[]));
    code
}

/// What only a person can do for a step, done through the emulator's test hooks: in the sandbox
/// alone, so a newcomer can finish the journey. `None` for a step a person need not touch.
pub fn simulates(id: StepId) -> Option<String> {
    match id {
        StepId::RootMfa => Some(say("sandbox-simulate-root-mfa", &[])),
        StepId::Alerts => Some(say("sandbox-simulate-alerts", &[])),
        _ => None,
    }
}

/// Does, against the sandbox emulator at `endpoint`, what only a person can do for `id`: enrol the
/// root user's MFA device, or click the confirmation link in the alert email.
pub fn simulate(endpoint: &str, id: StepId, facts: &Facts, email: Option<&str>) -> Result<String, String> {
    // Only ever the loopback emulator the sandbox started, never an address from elsewhere.
    let port: u16 = endpoint
        .strip_prefix("http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| say("sandbox-simulate-failed", &[("why", endpoint)]))?;
    let hook = |path: &str, body: serde_json::Value| match http(port, "POST", path, &body.to_string()) {
        Ok((200, _)) => Ok(()),
        Ok((status, text)) => Err(say("sandbox-simulate-failed", &[("why", &format!("{status} {text}"))])),
        Err(e) => Err(say("sandbox-simulate-failed", &[("why", &e.to_string())])),
    };
    let account = &facts.identity.account;
    match id {
        StepId::RootMfa => {
            hook("/_groundwork/iam/account-summary", json!({"account": account, "AccountMFAEnabled": 1}))?;
            Ok(say("sandbox-simulated-root-mfa", &[]))
        }
        StepId::Alerts => {
            let email = email.ok_or_else(|| say("sandbox-simulate-alerts-first", &[]))?;
            // Where the alerts step subscribes: the Audit account (or this one), in the home Region,
            // which every other governed Region forwards to; a subscription found in any governed
            // Region is confirmed, as the person's click would confirm it.
            let owner = facts.audit.as_ref().map_or(account, |a| &a.id);
            let mut confirmed = 0;
            for region in &facts.governed_regions {
                let topic = format!("arn:aws:sns:{region}:{owner}:{}", crate::plans::ALERT_TOPIC);
                let body = json!({"account": owner, "region": region, "topicArn": topic, "endpoint": email});
                confirmed += usize::from(hook("/_groundwork/sns/confirm", body).is_ok());
            }
            if confirmed == 0 {
                return Err(say("sandbox-simulate-alerts-first", &[]));
            }
            Ok(say("sandbox-simulated-alerts", &[("email", email)]))
        }
        _ => Err(say("sandbox-nothing-to-simulate", &[])),
    }
}
