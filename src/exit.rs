//! How a command ends, as the README's contract says (`0` settled, `1` something left, `2` could
//! not check, or a usage error): one type every command returns, mapped to a process code once.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked about is settled (done, skipped or not applicable), or the command did
    /// what it was asked.
    Settled,
    /// Something is left: a step not done, a change declined or stopped by a conflict.
    Left,
    /// Nothing could be checked or done: no credentials, no record, a usage error.
    Failed,
}

impl Exit {
    /// `Settled` when `settled`, else `Left`.
    pub fn settled_if(settled: bool) -> Exit {
        if settled { Exit::Settled } else { Exit::Left }
    }

    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Settled => 0,
            Exit::Left => 1,
            Exit::Failed => 2,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}
