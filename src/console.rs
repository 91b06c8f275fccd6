//! The plain terminal, for commands that print lines rather than draw screens: a yes taken with a
//! single key (as the wizard takes it), and one live line rewritten in place while something waits.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEventKind, read};
use crossterm::terminal::{disable_raw_mode, enable_raw_mode};

/// Asks `question` and takes one key: `y` is yes, anything else no (Enter included). `None` when
/// the terminal cannot be put in raw mode (the caller then reads a line).
pub fn yes_key(question: &str) -> Option<bool> {
    eprint!("{question} ");
    let _ = std::io::stderr().flush();
    enable_raw_mode().ok()?;
    let yes = loop {
        match read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => {
                break matches!(k.code, KeyCode::Char('y' | 'Y'));
            }
            Ok(_) => {}
            Err(_) => break false,
        }
    };
    let _ = disable_raw_mode();
    eprintln!("{}", if yes { "y" } else { "n" });
    Some(yes)
}

/// Waits for any key (for "press any key to go back").
pub fn any_key(prompt: &str) {
    eprint!("{prompt} ");
    let _ = std::io::stderr().flush();
    if enable_raw_mode().is_err() {
        let _ = std::io::stdin().read_line(&mut String::new());
        return;
    }
    while !matches!(read(), Ok(Event::Key(k)) if k.kind != KeyEventKind::Release) {}
    let _ = disable_raw_mode();
    eprintln!();
}

/// A line that says what is being waited for, rewritten in place on a terminal (printed once per
/// call elsewhere, so a log keeps every step); `done` clears it for the next plain line.
pub struct Live {
    tty: bool,
    shown: bool,
}

impl Live {
    pub fn new() -> Live {
        Live { tty: std::io::stdout().is_terminal(), shown: false }
    }

    pub fn show(&mut self, line: &str) {
        let mut out = std::io::stdout();
        if self.tty {
            let _ = write!(out, "\r\x1b[2K  {line}");
            self.shown = true;
        } else {
            let _ = writeln!(out, "  {line}");
        }
        let _ = out.flush();
    }

    /// Clears the live line, so what is printed next starts on a clean one.
    pub fn done(&mut self) {
        if self.shown {
            print!("\r\x1b[2K");
            let _ = std::io::stdout().flush();
            self.shown = false;
        }
    }

    /// Sleeps `total`, rewriting the line each second with `line(seconds since start)` on a
    /// terminal, so a wait is never silent; elsewhere a plain sleep.
    pub async fn wait(&mut self, total: Duration, started: std::time::Instant, line: impl Fn(u64) -> String) {
        if !self.tty {
            tokio::time::sleep(total).await;
            return;
        }
        let end = tokio::time::Instant::now() + total;
        while tokio::time::Instant::now() < end {
            self.show(&line(started.elapsed().as_secs()));
            let left = end.saturating_duration_since(tokio::time::Instant::now());
            tokio::time::sleep(left.min(Duration::from_secs(1))).await;
        }
    }
}

impl Default for Live {
    fn default() -> Live {
        Live::new()
    }
}
