//! The project's AWS emulator on loopback: moto in server mode plus `tests/emulator/server.py`, in a
//! venv made from the pinned `tests/emulator/requirements.txt` on first use. The tests start one per
//! test from the checkout; `groundwork sandbox` starts one for a person to try groundwork without an
//! AWS account, from copies of those files built into the binary, so it runs from any directory
//! after `cargo install`, with its venv in the user's cache directory.

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

/// The emulator's files, built into the binary. Every Python module `server.py` imports must be
/// here (a test compares this list with `tests/emulator/`), and `assets/rates.toml`, which
/// `throttle.py` reads beside itself.
pub const EMBEDDED: [(&str, &str); 32] = [
    ("server.py", include_str!("../tests/emulator/server.py")),
    ("wire.py", include_str!("../tests/emulator/wire.py")),
    ("root_access.py", include_str!("../tests/emulator/root_access.py")),
    ("faults.py", include_str!("../tests/emulator/faults.py")),
    ("hold.py", include_str!("../tests/emulator/hold.py")),
    ("account_contacts.py", include_str!("../tests/emulator/account_contacts.py")),
    ("controltower.py", include_str!("../tests/emulator/controltower.py")),
    ("baselines.py", include_str!("../tests/emulator/baselines.py")),
    ("controls.py", include_str!("../tests/emulator/controls.py")),
    ("enrolment.py", include_str!("../tests/emulator/enrolment.py")),
    ("assume_role.py", include_str!("../tests/emulator/assume_role.py")),
    ("regions.py", include_str!("../tests/emulator/regions.py")),
    ("provisioning.py", include_str!("../tests/emulator/provisioning.py")),
    ("delays.py", include_str!("../tests/emulator/delays.py")),
    ("account_creation.py", include_str!("../tests/emulator/account_creation.py")),
    ("standards.py", include_str!("../tests/emulator/standards.py")),
    ("members.py", include_str!("../tests/emulator/members.py")),
    ("org_trail.py", include_str!("../tests/emulator/org_trail.py")),
    ("paging.py", include_str!("../tests/emulator/paging.py")),
    ("eventbridge.py", include_str!("../tests/emulator/eventbridge.py")),
    ("drill.py", include_str!("../tests/emulator/drill.py")),
    ("cloudwatch_cbor.py", include_str!("../tests/emulator/cloudwatch_cbor.py")),
    ("service_linked_roles.py", include_str!("../tests/emulator/service_linked_roles.py")),
    ("sh_regions.py", include_str!("../tests/emulator/sh_regions.py")),
    ("credential_report.py", include_str!("../tests/emulator/credential_report.py")),
    ("s3_buckets.py", include_str!("../tests/emulator/s3_buckets.py")),
    ("cost.py", include_str!("../tests/emulator/cost.py")),
    ("access_analyzer.py", include_str!("../tests/emulator/access_analyzer.py")),
    ("ebs_defaults.py", include_str!("../tests/emulator/ebs_defaults.py")),
    ("throttle.py", include_str!("../tests/emulator/throttle.py")),
    ("requirements.txt", include_str!("../tests/emulator/requirements.txt")),
    // The table throttle.py enforces, the same one groundwork paces by.
    ("rates.toml", include_str!("../assets/rates.toml")),
];

impl Emulator {
    /// Starts a fresh emulator from the checkout (the tests' harness) on a free loopback port, with
    /// extra environment for the server.
    pub fn start(env: &[(&str, &str)]) -> Result<Emulator, String> {
        let root = Path::new(MANIFEST_DIR);
        let venv = std::env::var_os("GROUNDWORK_EMULATOR_VENV")
            .map_or_else(|| root.join("target/emulator-venv"), PathBuf::from);
        let python = venv_python(&venv, &root.join("tests/emulator/requirements.txt"), &|_| {})?;
        let server = root.join("tests/emulator/server.py");
        if !server.exists() {
            return Err(say("emulator-missing", &[("path", &server.display().to_string())]));
        }
        Emulator::spawn(&python, &server, env)
    }

    /// Starts one from the files built into the binary, written to `cache` (the user's cache
    /// directory), with its venv there too unless `GROUNDWORK_EMULATOR_VENV` names one. `installing`
    /// is told before a first-use install, which takes a while.
    pub fn start_embedded(cache: &Path, env: &[(&str, &str)], installing: &dyn Fn(&Path)) -> Result<Emulator, String> {
        let dir = write_embedded(cache)?;
        let venv =
            std::env::var_os("GROUNDWORK_EMULATOR_VENV").map_or_else(|| cache.join("emulator-venv"), PathBuf::from);
        let python = venv_python(&venv, &dir.join("requirements.txt"), installing)?;
        Emulator::spawn(&python, &dir.join("server.py"), env)
    }

    fn spawn(python: &Path, server: &Path, env: &[(&str, &str)]) -> Result<Emulator, String> {
        let mut cmd = Command::new(python);
        cmd.arg(server)
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

/// Writes the built-in emulator files into a folder of `cache` named for their content (so two
/// versions never mix), once; returns the folder.
fn write_embedded(cache: &Path) -> Result<PathBuf, String> {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    EMBEDDED.hash(&mut hasher);
    let dir = cache.join(format!("emulator-{:016x}", hasher.finish()));
    let failed = |e: std::io::Error| {
        say("emulator-cache-failed", &[("path", &dir.display().to_string()), ("why", &e.to_string())])
    };
    fs::create_dir_all(&dir).map_err(failed)?;
    for (name, text) in EMBEDDED {
        let path = dir.join(name);
        if fs::read_to_string(&path).is_ok_and(|t| t == text) {
            continue;
        }
        // Written aside and renamed, so a second sandbox starting at once never reads half a file.
        let aside = dir.join(format!(".{name}.{}", std::process::id()));
        fs::write(&aside, text).and_then(|()| fs::rename(&aside, &path)).map_err(failed)?;
    }
    Ok(dir)
}

/// The venv's python, creating the venv from the pinned requirements on first use. A file lock
/// keeps parallel test binaries (or a test run and a sandbox) from installing at once.
pub fn venv_python(venv: &Path, requirements: &Path, installing: &dyn Fn(&Path)) -> Result<PathBuf, String> {
    let python = venv.join("bin/python");
    let wanted = fs::read_to_string(requirements)
        .map_err(|_| say("emulator-missing", &[("path", &requirements.display().to_string())]))?;
    let stamp = venv.join("groundwork-installed.txt");
    if fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(python);
    }
    let parent = venv.parent().unwrap_or(venv);
    fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    let lock = File::create(venv.with_extension("lock")).map_err(|e| e.to_string())?;
    lock.lock().map_err(|e| e.to_string())?;
    if fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(python);
    }
    installing(venv);
    let python3 = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let made = Command::new(&python3).args(["-m", "venv"]).arg(venv).stdout(Stdio::null()).status();
    if !made.is_ok_and(|s| s.success()) {
        return Err(say("emulator-no-python", &[("python", &python3)]));
    }
    let pip = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(requirements)
        .status();
    if !pip.is_ok_and(|s| s.success()) {
        return Err(say("emulator-no-pip", &[("venv", &venv.display().to_string())]));
    }
    fs::write(&stamp, wanted).map_err(|e| e.to_string())?;
    Ok(python)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module added next to server.py must be built in too, or the installed sandbox breaks.
    #[test]
    fn every_emulator_module_is_built_in() {
        let dir = Path::new(MANIFEST_DIR).join("tests/emulator");
        let mut on_disk: Vec<String> = fs::read_dir(&dir)
            .expect("tests/emulator")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| {
                let python = Path::new(n).extension().is_some_and(|e| e.eq_ignore_ascii_case("py"));
                (python && !n.starts_with("selfcheck")) || n == "requirements.txt"
            })
            .collect();
        on_disk.sort();
        let mut built_in: Vec<String> =
            EMBEDDED.iter().map(|(n, _)| (*n).to_owned()).filter(|n| n != "rates.toml").collect();
        built_in.sort();
        assert_eq!(on_disk, built_in, "add the new file to EMBEDDED in src/emulator.rs");
    }

    #[test]
    fn the_built_in_files_are_written_once_and_whole() {
        let cache = tempfile_dir();
        let dir = write_embedded(&cache).expect("written");
        assert_eq!(fs::read_to_string(dir.join("server.py")).ok().as_deref(), Some(EMBEDDED[0].1));
        assert_eq!(write_embedded(&cache).ok(), Some(dir.clone()), "the same folder for the same files");
        assert!(
            fs::read_dir(&dir)
                .expect("dir")
                .all(|e| e.is_ok_and(|e| !e.file_name().to_string_lossy().starts_with('.')))
        );
        let _ = fs::remove_dir_all(cache);
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("groundwork-emulator-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }
}
