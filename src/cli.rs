//! The command line: arguments (clap), and which command runs. Exit codes are part of the contract:
//! 0 all settled, 1 something left to do or unknown, 2 nothing could be checked or bad usage.

use crate::exit::Exit;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::aws::Settings;
use crate::catalog::StepId;

#[derive(Debug, Parser)]
#[command(name = "groundwork", version, about = "Lay a secure AWS foundation, one checked step at a time.")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct Global {
    /// AWS profile to use (as with the AWS CLI; AWS_PROFILE works too).
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// AWS Region (else AWS_REGION, then the profile's Region).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Where groundwork keeps its local record (default: the platform's data directory).
    #[arg(long, global = true, env = "GROUNDWORK_STATE_DIR")]
    pub state_dir: Option<PathBuf>,
    /// Say more: every step's findings in `check`, AWS's request id in error messages (what AWS
    /// Support asks for), and each wait for AWS's rate limits and how long it was.
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check every step against the live account (nothing is changed).
    Check(CheckArgs),
    /// Show the last recorded state without calling AWS.
    Status(StatusArgs),
    /// Show what `apply` would change, step by step (nothing is changed).
    Plan(PlanArgs),
    /// Make one step's changes: show the plan, ask, apply, re-check.
    Apply(ApplyArgs),
    /// Show every change groundwork has made (the action log).
    Log(LogArgs),
    /// Write a Markdown report of the live state and the changes made, to share.
    Report(ReportArgs),
    /// Try groundwork on a local AWS emulator: no AWS account needed, nothing real is touched.
    Sandbox,
    /// Send one sample GuardDuty finding (free) and watch it travel to your inbox.
    Drill(DrillArgs),
}

#[derive(Debug, Args)]
pub struct DrillArgs {
    /// Do not ask for confirmation.
    #[arg(long, short)]
    pub yes: bool,
    /// How long to watch the finding travel before saying what is still unseen.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub wait_seconds: u64,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Write the report to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Only this step.
    #[arg(value_parser = parse_step)]
    pub step: Option<StepId>,
    /// Pre-answer an input: --set step.key=value (repeatable).
    #[arg(long = "set", value_name = "STEP.KEY=VALUE")]
    pub set: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The step to apply.
    #[arg(value_parser = parse_step)]
    pub step: StepId,
    /// Pre-answer an input: --set step.key=value (repeatable).
    #[arg(long = "set", value_name = "STEP.KEY=VALUE")]
    pub set: Vec<String>,
    /// Do not ask for confirmation (every input must be given with --set, or remembered).
    #[arg(long, short)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Print the raw JSON lines.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args, Default)]
pub struct CheckArgs {
    /// Print the result as JSON (see the README for the contract).
    #[arg(long)]
    pub json: bool,
    /// Check only this step.
    #[arg(long, value_parser = parse_step)]
    pub step: Option<StepId>,
    /// How many AWS calls may be in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only this account's record.
    #[arg(long)]
    pub account: Option<String>,
}

fn parse_step(s: &str) -> Result<StepId, String> {
    StepId::parse(s).ok_or_else(|| {
        let ids: Vec<&str> = StepId::ALL.iter().map(|i| i.as_str()).collect();
        format!("unknown step {s:?}; the steps are: {}", ids.join(", "))
    })
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::aws::error::set_verbose(cli.global.verbose);
    // Waits for AWS's rate limits are said on stderr with --verbose, except under the wizard's screen
    // (which shows them on its progress line instead).
    let screen = match cli.command {
        None => std::io::IsTerminal::is_terminal(&std::io::stdout()),
        Some(Command::Sandbox) => true,
        Some(_) => false,
    };
    crate::aws::set_say_waits(cli.global.verbose && !screen);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("groundwork: cannot start: {e}");
            return Exit::Failed.into();
        }
    };
    let code = match cli.command {
        Some(Command::Status(args)) => crate::status::run(&cli.global, &args),
        Some(Command::Check(args)) => runtime.block_on(crate::check::run(&cli.global, &args)),
        Some(Command::Plan(args)) => runtime.block_on(crate::apply::plan(&cli.global, &args)),
        Some(Command::Apply(args)) => runtime.block_on(crate::apply::apply(&cli.global, &args)),
        Some(Command::Log(args)) => show_log(&cli.global, &args),
        Some(Command::Report(args)) => runtime.block_on(crate::report::run(&cli.global, &args)),
        Some(Command::Sandbox) => runtime.block_on(crate::sandbox::run(&cli.global)),
        Some(Command::Drill(args)) => runtime.block_on(crate::drill::run(&cli.global, &args)),
        None if std::io::IsTerminal::is_terminal(&std::io::stdout()) => {
            runtime.block_on(crate::wizard::runtime::run(cli.global.settings(8), cli.global.state_dir.clone()))
        }
        // Without a terminal there is no wizard to show: the same verdicts, as `check` prints them.
        None => runtime.block_on(crate::check::run(&cli.global, &CheckArgs { concurrency: 8, ..CheckArgs::default() })),
    };
    code.into()
}

fn show_log(global: &Global, args: &LogArgs) -> Exit {
    match crate::record::Store::open(global.state_dir.clone()) {
        Ok(store) => {
            print!("{}", crate::actionlog::show(store.dir(), args.json));
            Exit::Settled
        }
        Err(e) => {
            eprintln!("groundwork: {e}");
            Exit::Failed
        }
    }
}

impl Global {
    pub fn settings(&self, concurrency: u16) -> Settings {
        // Tests and demos shorten the wait between polls of a long operation; 30 s otherwise.
        let poll_seconds = std::env::var("GROUNDWORK_POLL_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(30.0);
        // ... and how long they wait for one before saying it is still in progress.
        let wait_limit_seconds = std::env::var("GROUNDWORK_WAIT_LIMIT_SECONDS").ok().and_then(|v| v.parse().ok());
        Settings {
            profile: self.profile.clone(),
            region: self.region.clone(),
            concurrency: usize::from(concurrency),
            sandbox_endpoint: None,
            poll_seconds,
            wait_limit_seconds,
            throttle_limit_seconds: None,
        }
    }
}
