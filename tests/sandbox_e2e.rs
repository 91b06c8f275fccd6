//! `groundwork sandbox`: with no AWS credentials at all, it starts the emulator, serves the wizard
//! against it with a banner, and stops the emulator when the wizard quits.

use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(socket: &str, args: &[&str]) -> String {
    let out = Command::new("tmux").arg("-L").arg(socket).args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_for(socket: &str, text: &str, limit: Duration) -> String {
    let start = Instant::now();
    loop {
        let screen = tmux(socket, &["capture-pane", "-p", "-t", "sandbox"]);
        if screen.contains(text) {
            return screen;
        }
        assert!(start.elapsed() < limit, "waited for {text:?}; the screen shows:\n{screen}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_sandbox_serves_the_wizard_and_stops_its_emulator() {
    let socket = format!("groundwork-sandbox-{}", std::process::id());
    let state = tempfile::tempdir().expect("tempdir");
    let binary = assert_cmd::cargo::cargo_bin("groundwork");
    // No AWS keys, no profile, no Region: the sandbox needs none of them.
    let line = format!(
        "env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_PROFILE -u AWS_REGION -u AWS_ENDPOINT_URL \
         AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE={0}/none AWS_SHARED_CREDENTIALS_FILE={0}/none HOME={0} \
         TERM=xterm-256color {1} sandbox; echo SANDBOX-EXITED-$?; sleep 600",
        state.path().display(),
        binary.display()
    );
    tmux(&socket, &["new-session", "-d", "-s", "sandbox", "-x", "120", "-y", "40", &line]);
    let screen = wait_for(&socket, "Steps · 0 of 8 done", Duration::from_secs(90));
    let banner = screen.lines().find(|l| l.contains("SANDBOX")).expect("the sandbox banner").to_owned();
    let port: u16 = banner
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|p| p.parse().ok())
        .expect("the banner names the emulator's address");
    wait_for(&socket, "○ AWS Organization", Duration::from_secs(30));
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok(), "the emulator serves while the wizard runs");

    tmux(&socket, &["send-keys", "-t", "sandbox", "q"]);
    let screen = wait_for(&socket, "SANDBOX-EXITED-0", Duration::from_secs(30));
    assert!(screen.contains("Sandbox stopped"), "{screen}");
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "the emulator was left running on port {port}");
    tmux(&socket, &["kill-server"]);
}
