//! A real terminal for end-to-end tests: a tmux server of the test's own, read by polling its screen
//! until the text a person would wait for appears (never after a fixed pause), and stopped with
//! every process started in it when the guard is dropped, also when the test fails.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// How long a wait for the screen may take before the test fails: generous, since a slow machine
/// must not fail a test that would pass (the benchmark measures speed, not the tests).
pub const PATIENCE: Duration = Duration::from_mins(3);

/// How often the screen is read while waiting.
const POLL: Duration = Duration::from_millis(50);

/// A tmux server of this test's own; dropped, it stops every process started in it.
pub struct Tmux {
    socket: String,
    session: Cell<u32>,
    /// The last question answered with [`Tmux::answer`], so the next waits for another one.
    answered: RefCell<String>,
}

impl Tmux {
    /// A new server named after `name` and this process (the tests of a file run at once, and must
    /// not type into each other).
    pub fn new(name: &str) -> Tmux {
        static SERVERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SERVERS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let version = Command::new("tmux").arg("-V").output();
        assert!(version.is_ok_and(|o| o.status.success()), "end-to-end tests need tmux (apt-get install tmux)");
        Tmux {
            socket: format!("groundwork-{name}-{}-{n}", std::process::id()),
            session: Cell::new(0),
            answered: RefCell::new(String::new()),
        }
    }

    /// Runs a tmux command on this server and returns what it printed.
    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs the shell `line` in a fresh 120×40 session (in `cwd` when given); the previous
    /// session, whose program has ended, is closed.
    pub fn start(&self, line: &str, cwd: Option<&Path>) {
        let old = self.target();
        self.session.set(self.session.get() + 1);
        let target = self.target();
        let mut args = vec!["new-session", "-d", "-s", target.as_str(), "-x", "120", "-y", "40"];
        let cwd = cwd.map(|c| c.to_string_lossy().into_owned());
        if let Some(c) = &cwd {
            args.extend(["-c", c.as_str()]);
        }
        args.push(line);
        self.run(&args);
        if self.session.get() > 1 {
            self.run(&["kill-session", "-t", &old]);
        }
        self.answered.borrow_mut().clear();
    }

    fn target(&self) -> String {
        format!("gw{}", self.session.get())
    }

    /// What the terminal shows now.
    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", &self.target()])
    }

    /// Waits until the screen shows `text`; fails with the screen if it never does.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |screen| screen.contains(text))
    }

    /// Waits until `seen` holds for the screen (`what` names it in the failure).
    pub fn wait_until(&self, what: &str, seen: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if seen(&screen) {
                return screen;
            }
            assert!(start.elapsed() < PATIENCE, "waited {PATIENCE:?} for {what}; the screen shows:\n{screen}");
            std::thread::sleep(POLL);
        }
    }

    /// Presses keys (tmux names: `Enter`, `End`, `y`).
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", &self.target(), k]);
        }
    }

    /// Types `text` and presses Enter.
    pub fn type_line(&self, text: &str) {
        self.run(&["send-keys", "-t", &self.target(), "-l", text]);
        self.run(&["send-keys", "-t", &self.target(), "Enter"]);
    }

    /// Waits for the wizard's next question whose `[key]` starts with `prefix` (a different one
    /// from the last answered, so an answer is never typed into the question it already answered),
    /// then types the reply `reply` picks for that key. Returns the screen the question was on.
    pub fn answer(&self, prefix: &str, reply: impl Fn(&str) -> String) -> String {
        let last = self.answered.borrow().clone();
        let screen = self.wait_until(&format!("a question {prefix}… after {last:?}"), |screen| {
            question(screen, prefix).is_some_and(|key| key != last)
        });
        let key = question(&screen, prefix).unwrap_or_default();
        self.type_line(&reply(&key));
        *self.answered.borrow_mut() = key;
        screen
    }

    /// For line-by-line programs (`groundwork apply` on a terminal): waits until the last line is a
    /// prompt (it ends in `:`) other than `previous`, and returns it.
    pub fn prompt_after(&self, previous: &str) -> String {
        let screen = self.wait_until(&format!("a prompt after {previous:?}"), |screen| {
            last_line(screen).is_some_and(|l| l.ends_with(':') && l != previous)
        });
        last_line(&screen).unwrap_or_default().to_owned()
    }
}

/// The `[key]` of the question on screen: the last line naming one that starts with `prefix`.
pub fn question(screen: &str, prefix: &str) -> Option<String> {
    let line = screen.lines().rev().find(|l| l.contains(prefix))?;
    let from = &line[line.find(prefix)?..];
    Some(from[..from.find(']').map_or(from.len(), |i| i + 1)].to_owned())
}

fn last_line(screen: &str) -> Option<&str> {
    screen.lines().map(str::trim_end).rfind(|l| !l.is_empty())
}

impl Drop for Tmux {
    /// Stops the server and then whatever its sessions started (a program left running after a
    /// failed assertion, the `sleep` that keeps a window open, an emulator a sandbox started).
    fn drop(&mut self) {
        let panes: Vec<u32> = self
            .run(&["list-panes", "-a", "-F", "#{pane_pid}"])
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect();
        let started = descendants(&panes);
        self.run(&["kill-server"]);
        let alive: Vec<String> =
            started.iter().filter(|pid| Path::new(&format!("/proc/{pid}")).exists()).map(u32::to_string).collect();
        if !alive.is_empty() {
            let _ = Command::new("kill").arg("-KILL").args(&alive).status();
        }
    }
}

/// `roots` and every process below them, from the parent ids in /proc.
fn descendants(roots: &[u32]) -> BTreeSet<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // "pid (comm) state ppid …": the name may hold spaces, so read after its closing paren.
        let parent = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse().ok());
        if let Some(parent) = parent {
            children.entry(parent).or_default().push(pid);
        }
    }
    let mut found: BTreeSet<u32> = roots.iter().copied().collect();
    let mut todo: Vec<u32> = roots.to_vec();
    while let Some(pid) = todo.pop() {
        for child in children.get(&pid).into_iter().flatten() {
            if found.insert(*child) {
                todo.push(*child);
            }
        }
    }
    found
}
