//! Starts the project's AWS emulator (moto in server mode plus tests/emulator/server.py) on a free
//! loopback port, one fresh process per test, and provisions its pinned venv on first use.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// A running emulator; stopped when dropped.
pub struct Emulator {
    pub port: u16,
    child: Child,
}

impl Emulator {
    /// Starts a fresh emulator. Control Tower operations finish after `GROUNDWORK_EMULATOR_CT_DELAY_SECONDS`
    /// (2 by default); pass a delay to change it (negative: only the hook finishes them).
    pub fn start() -> Emulator {
        Emulator::start_with(&[])
    }

    pub fn start_with(env: &[(&str, &str)]) -> Emulator {
        let python = venv_python();
        for _attempt in 0..3 {
            let port = free_port();
            let mut cmd = Command::new(&python);
            cmd.arg(Path::new(MANIFEST_DIR).join("tests/emulator/server.py"))
                .arg("--port")
                .arg(port.to_string())
                .env_remove("MOTO_ACCOUNT_ID")
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            for (k, v) in env {
                cmd.env(k, v);
            }
            let child = cmd.spawn().expect("start the emulator");
            let mut emu = Emulator { port, child };
            if emu.wait_ready(Duration::from_secs(30)) {
                return emu;
            }
            // Lost the port to another test, or a slow start: try another port.
        }
        panic!("the emulator did not start on 127.0.0.1 within 30 s (three attempts)");
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

    /// Calls a test hook (or /moto-api/); panics unless it answers 2xx.
    pub fn hook(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let (status, text) = http(self.port, "POST", path, &body.to_string()).expect("emulator reachable");
        assert!((200..300).contains(&status), "{path} answered {status}: {text}");
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    }

    /// moto's dump of every model, plus the extension's view of what data.json cannot show
    /// (Control Tower, Identity Store, Security Hub, GuardDuty organization settings, trusted access).
    pub fn data(&self) -> serde_json::Value {
        let get = |path: &str| {
            let (_, text) = http(self.port, "GET", path, "").expect("emulator reachable");
            serde_json::from_str::<serde_json::Value>(&text).expect("state is JSON")
        };
        serde_json::json!({"moto": get("/moto-api/data.json"), "extension": get("/_groundwork/state")})
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free loopback port").port()
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
/// keeps parallel test binaries from installing at once.
fn venv_python() -> PathBuf {
    let venv = Path::new(MANIFEST_DIR).join("target/emulator-venv");
    let python = venv.join("bin/python");
    let requirements = Path::new(MANIFEST_DIR).join("tests/emulator/requirements.txt");
    let wanted = fs::read_to_string(&requirements).expect("tests/emulator/requirements.txt");
    let stamp = venv.join("groundwork-installed.txt");
    if fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return python;
    }
    fs::create_dir_all(Path::new(MANIFEST_DIR).join("target")).expect("target dir");
    let lock = File::create(Path::new(MANIFEST_DIR).join("target/emulator-venv.lock")).expect("lock file");
    lock.lock().expect("lock the venv");
    if fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return python;
    }
    let python3 = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let made = Command::new(&python3).args(["-m", "venv"]).arg(&venv).status();
    match made {
        Ok(s) if s.success() => {}
        _ => panic!(
            "the tests need Python 3 with venv and pip to run the AWS emulator (moto). Install python3 and python3-venv \
             (Debian: apt-get install python3 python3-venv), or set PYTHON to a Python 3 interpreter."
        ),
    }
    let pip = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(&requirements)
        .status()
        .expect("run pip");
    assert!(pip.success(), "pip could not install tests/emulator/requirements.txt (is PyPI reachable?)");
    fs::write(&stamp, wanted).expect("write the venv stamp");
    python
}
