//! groundwork: lays a secure AWS foundation for a small company, one checked step at a time.

pub mod actionlog;
pub mod apply;
pub mod aws;
pub mod catalog;
pub mod check;
pub mod checks;
pub mod cli;
pub mod console;
pub mod drill;
pub mod emulator;
pub mod exit;
pub mod facts;
pub mod inputs;
pub mod landing_zone;
pub mod lock;
pub mod output;
pub mod perform;
pub mod plans;
pub mod record;
pub mod report;
pub mod sandbox;
pub mod session;
pub mod status;
pub mod steps;
pub mod verdict;
pub mod wizard;
