//! The project's AWS emulator on loopback: moto in server mode plus `tests/emulator/server.py`, in a
//! venv made from the pinned `tests/emulator/requirements.txt` on first use. The tests start one per
//! test; `groundwork sandbox` starts one for a person to try groundwork without an AWS account.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::catalog::say;

/// Where the project's files are: the emulator ships with the source, not the binary.
const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// A running emulator; stopped when dropped.
pub struct Emulator {
    pub port: u16,
    child: Child,
}

impl Emulator {
    /// Starts a fresh emulator on a free loopback port, with extra environment for the server.
    pub fn start(env: &[(&str, &str)]) -> Result<Emulator, String> {
        let python = venv_python()?;
        let server = Path::new(MANIFEST_DIR).join("tests/emulator/server.py");
        if !server.exists() {
            return Err(say("emulator-missing", &[("path", &server.display().to_string())]));
        }
        let mut cmd = Command::new(&python);
        cmd.arg(&server)
            .args(["--port", "0"])
            .env_remove("MOTO_ACCOUNT_ID")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().map_err(|e| e.to_string())?;
        // The server binds a port of its own choosing and says which: no other process can take it
        // between our choosing and its binding.
        let port = child.stdout.take().and_then(|out| announced_port(out, Duration::from_secs(30)));
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(say("emulator-no-start", &[]));
        };
        let mut emu = Emulator { port, child };
        if emu.wait_ready(Duration::from_secs(30)) { Ok(emu) } else { Err(say("emulator-no-start", &[])) }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_ready(&mut self, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if matches!(http(self.port, "GET", "/_groundwork/health", ""), Ok((200, _))) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads the server's `PORT <n>` line, then keeps draining its output so it never blocks on a
/// full pipe.
fn announced_port(out: std::process::ChildStdout, limit: Duration) -> Option<u16> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = std::io::BufRead::lines(std::io::BufReader::new(out));
        let port =
            lines.by_ref().map_while(Result::ok).find_map(|l| l.strip_prefix("PORT ")?.trim().parse::<u16>().ok());
        let _ = tx.send(port);
        lines.for_each(drop);
    });
    rx.recv_timeout(limit).ok().flatten()
}

/// A minimal HTTP/1.1 request to the emulator on loopback (hooks only; AWS calls go through the SDK).
pub fn http(port: u16, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let mut body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    if text.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Ok((status, body))
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}

/// The venv's python, creating the venv from the pinned requirements on first use. A file lock
/// keeps parallel test binaries (or a test run and a sandbox) from installing at once.
pub fn venv_python() -> Result<PathBuf, String> {
    let root = Path::new(MANIFEST_DIR);
    let venv = root.join("target/emulator-venv");
    let python = venv.join("bin/python");
    let requirements = root.join("tests/emulator/requirements.txt");
    let wanted = fs::read_to_string(&requirements)
        .map_err(|_| say("emulator-missing", &[("path", &requirements.display().to_string())]))?;
    let stamp = venv.join("groundwork-installed.txt");
    if fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(python);
    }
    fs::create_dir_all(root.join("target")).map_err(|e| e.to_string())?;
    let lock = File::create(root.join("target/emulator-venv.lock")).map_err(|e| e.to_string())?;
    lock.lock().map_err(|e| e.to_string())?;
    if fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(python);
    }
    let python3 = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let made = Command::new(&python3).args(["-m", "venv"]).arg(&venv).status();
    if !made.is_ok_and(|s| s.success()) {
        return Err(say("emulator-no-python", &[]));
    }
    let pip = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(&requirements)
        .status();
    if !pip.is_ok_and(|s| s.success()) {
        return Err(say("emulator-no-pip", &[]));
    }
    fs::write(&stamp, wanted).map_err(|e| e.to_string())?;
    Ok(python)
}
