//! The drill from inside the wizard: `groundwork drill` runs as a child on the plain terminal (it
//! asks its own yes and prints its progress and runbook), then the wizard takes the screen back.

use crate::aws::Aws;
use crate::catalog::say;

/// Hands the terminal to `groundwork drill` with this session's profile, Region, state directory
/// and, in the sandbox, the emulator; waits for a key so the person can read the runbook; then
/// restores the wizard's screen. Returns the drill's exit code.
pub(super) fn on_terminal(
    terminal: &mut ratatui::DefaultTerminal,
    aws: &Aws,
    state_dir: &std::path::Path,
    sandbox: Option<&str>,
) -> Option<i32> {
    // The caller has dropped its key stream: every key now goes to the drill.
    ratatui::restore();
    let code = run(aws, state_dir, sandbox);
    *terminal = ratatui::init();
    let _ = terminal.clear();
    code
}

fn run(aws: &Aws, state_dir: &std::path::Path, sandbox: Option<&str>) -> Option<i32> {
    let exe = std::env::current_exe().ok()?;
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("drill").arg("--region").arg(aws.region()).env("GROUNDWORK_STATE_DIR", state_dir);
    if let Some(endpoint) = sandbox {
        // The same throwaway keys and address the sandbox session uses: nothing can reach AWS.
        for var in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"] {
            cmd.env_remove(var);
        }
        cmd.env("AWS_ENDPOINT_URL", endpoint)
            .env("AWS_ACCESS_KEY_ID", "sandbox")
            .env("AWS_SECRET_ACCESS_KEY", "sandbox")
            .env("AWS_EC2_METADATA_DISABLED", "true");
    } else if let Some(profile) = aws.profile() {
        cmd.arg("--profile").arg(profile);
    }
    let code = cmd.status().ok().and_then(|s| s.code());
    eprintln!();
    crate::console::any_key(&say("wizard-drill-back", &[]));
    code
}
