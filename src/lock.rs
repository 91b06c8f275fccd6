//! An advisory lock on a file beside the record, so that concurrent groundwork processes (a wizard
//! open while `apply` runs in another terminal, a script's `check`s) change the record one at a
//! time and never lose each other's work. The holder writes its process id into the lock file, so a
//! process that waits too long can say who holds it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a process waits for another to finish its (millisecond-long) change of the record.
pub const WAIT: Duration = Duration::from_secs(5);

/// Held while alive; the operating system releases it when the file closes, even after a kill.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

#[derive(Debug)]
pub enum LockError {
    Io(std::io::Error),
    /// Still held by another process after [`WAIT`]; its id when it wrote one.
    Busy(Option<u32>),
}

/// Takes the exclusive lock on `path` (creating the file, mode 0600), waiting up to `wait`.
pub fn acquire(path: &Path, wait: Duration) -> Result<Lock, LockError> {
    let mut file = open(path).map_err(LockError::Io)?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) if started.elapsed() < wait => std::thread::sleep(Duration::from_millis(20)),
            Err(TryLockError::WouldBlock) => return Err(LockError::Busy(holder(&mut file))),
            Err(TryLockError::Error(e)) => return Err(LockError::Io(e)),
        }
    }
    // Name the holder for anyone who waits on us; a failure here only weakens that message.
    let _ = file.set_len(0).and_then(|()| write!(file, "{}", std::process::id())).and_then(|()| file.flush());
    Ok(Lock { _file: file })
}

fn holder(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(unix)]
fn open(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new().read(true).write(true).create(true).truncate(false).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_names_the_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.lock");
        let first = acquire(&path, WAIT).expect("first");
        match acquire(&path, Duration::from_millis(100)) {
            Err(LockError::Busy(pid)) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("expected Busy, got {other:?}"),
        }
        drop(first);
        assert!(acquire(&path, Duration::from_millis(100)).is_ok(), "released when dropped");
    }
}
