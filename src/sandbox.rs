//! `groundwork sandbox`: the project's AWS emulator on loopback, as a brand-new AWS account, with
//! the wizard pointed at it and a banner saying so. Every call goes to 127.0.0.1 with throwaway
//! keys; nothing can reach real AWS. Quitting the wizard stops the emulator.

use std::io::IsTerminal;

use crate::aws::Settings;
use crate::catalog::say;
use crate::cli::Global;
use crate::emulator::Emulator;

pub async fn run(_global: &Global) -> u8 {
    if !std::io::stdout().is_terminal() {
        eprintln!("groundwork: {}", say("sandbox-needs-terminal", &[]));
        return 2;
    }
    eprintln!("{}", say("sandbox-starting", &[]));
    // A landing zone takes 20 seconds here rather than an hour, so the wait can be seen end to end.
    let emulator = match Emulator::start(&[("GROUNDWORK_EMULATOR_CT_DELAY_SECONDS", "20")]) {
        Ok(e) => e,
        Err(why) => {
            eprintln!("groundwork: {why}");
            return 2;
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
