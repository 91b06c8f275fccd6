//! The wizard's runtime: the terminal, a key reader, a clock, and tokio tasks that perform effects
//! and send results back on one channel. It alone writes the local record. The screen never waits
//! on the network: every AWS call runs in a task.

use crate::exit::Exit;
use std::sync::Arc;

use crossterm::event::{Event as TermEvent, EventStream, KeyEvent};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use super::{Effect, Header, Model, Msg, Proposal, drill, keys, terminal, update, view};
use crate::aws::{Aws, Settings, sts};
use crate::catalog::{StepId, say};
use crate::facts::{self, Facts};
use crate::inputs::Placeholders;
use crate::perform::{self, Actor};
use crate::record::{self, Record, Skip, Store};
use crate::{checks, plans};

/// What reaches the loop: a key, a model message, or something only the runtime keeps.
pub(super) enum Event {
    Key(KeyEvent),
    Redraw,
    Ui(Msg),
    /// Who the caller is: the record of that account can be loaded and shown.
    Identity(sts::Identity),
    Facts {
        facts: Arc<Facts>,
        first: bool,
    },
    Perform(perform::Event),
}

struct Runtime {
    aws: Arc<Aws>,
    store: Store,
    record: Record,
    facts: Option<Arc<Facts>>,
    tx: UnboundedSender<Event>,
    sandbox: Option<String>,
}

/// Opens the wizard. Credentials are resolved first: without them, a plain message instead. Who
/// the caller is, and everything else from AWS, is read after the first frame is on screen.
pub async fn run(settings: Settings, state_dir: Option<std::path::PathBuf>) -> Exit {
    let sandbox = settings.sandbox_endpoint.clone();
    let (aws, store) = match prepare(&settings, state_dir).await {
        Ok(v) => v,
        Err(message) => {
            eprintln!("groundwork: {message}");
            return Exit::Failed;
        }
    };
    let header = Header {
        account: say("wizard-account-pending", &[]),
        profile: aws.profile().unwrap_or("default chain").to_owned(),
        region: aws.region().to_owned(),
        sandbox: sandbox.clone(),
        ..Header::default()
    };
    let mut model = Model::new(header, StepId::ALL.iter().map(|_| (None, None)).collect(), unix_now());
    let (tx, rx) = unbounded_channel();
    let record = Record::default();
    let mut runtime = Runtime { aws, store, record, facts: None, tx, sandbox };
    runtime.event_loop(&mut model, rx).await;
    Exit::Settled
}

async fn prepare(settings: &Settings, state_dir: Option<std::path::PathBuf>) -> Result<(Arc<Aws>, Store), String> {
    let store = Store::open(state_dir).map_err(|e| e.to_string())?;
    let aws = Aws::load(settings).await?;
    aws.resolve_credentials().await.map_err(|e| e.explain_for(aws.profile()))?;
    Ok((aws, store))
}

/// Performs changes in a task, streaming progress to the screen and pending operations to the
/// record, then refreshes the shared facts and reports how it ended.
async fn perform_and_report(
    aws: &Aws,
    f: &Facts,
    dir: &std::path::Path,
    tx: &UnboundedSender<Event>,
    id: StepId,
    changes: &[plans::Change],
) {
    let aws = &aws.bound(f);
    let actor = Actor { aws, principal: &f.identity.arn, log_dir: dir, log_account: &f.identity.account };
    let progress = tx.clone();
    let mut on = move |ev: perform::Event| {
        // The CLI's words say to run the apply again; in the wizard, quitting is enough.
        let line = match &ev {
            perform::Event::Waiting { operation } => Some(say("wizard-waiting", &[("operation", operation)])),
            perform::Event::WaitingBaseline { operation, ou } => {
                Some(say("wizard-waiting-baseline", &[("operation", operation), ("ou", ou)]))
            }
            other => other.line(),
        };
        if let Some(line) = line {
            let _ = progress.send(Event::Ui(Msg::Progress { id, line }));
        }
        let _ = progress.send(Event::Perform(ev));
    };
    let result = perform::run_changes(&actor, id, changes, &mut on).await.map_err(|e| e.explain_for(aws.profile()));
    // What changed may change the shared facts (a new organization, a landing zone).
    if let Ok(fresh) = facts::gather(aws).await {
        let _ = tx.send(Event::Facts { facts: Arc::new(fresh), first: false });
    }
    let _ = tx.send(Event::Ui(Msg::Applied { id, result }));
}

pub(super) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs().try_into().unwrap_or(0))
}

impl Runtime {
    async fn event_loop(&mut self, model: &mut Model, mut rx: tokio::sync::mpsc::UnboundedReceiver<Event>) {
        let theme = view::Theme::from_env();
        let mut terminal = ratatui::init();
        // Keys arrive on the same loop as everything else; the stream is dropped (and its reader
        // stopped) whenever another program has the terminal, so it never takes their keys.
        let mut keys = Some(EventStream::new());
        terminal::spawn_clock(self.tx.clone());
        if let Ok(size) = terminal.size() {
            update(model, Msg::Resized { width: size.width, height: size.height });
        }
        self.effect(Effect::Connect);
        while !model.quit {
            let _ = terminal.draw(|f| view::draw(f, model, theme));
            let event = tokio::select! {
                event = rx.recv() => match event {
                    Some(event) => event,
                    None => break,
                },
                Some(term) = terminal::next(&mut keys) => match term {
                    TermEvent::Key(key) => Event::Key(key),
                    TermEvent::Resize(..) => Event::Redraw,
                    _ => continue,
                },
            };
            let msg = match event {
                Event::Key(key) => keys::map(key, model.overlay),
                Event::Redraw => terminal.size().ok().map(|s| Msg::Resized { width: s.width, height: s.height }),
                Event::Ui(msg) => Some(msg),
                Event::Identity(identity) => Some(self.identified(&identity)),
                Event::Facts { facts, first } => {
                    let header = self.header(&facts);
                    self.facts = Some(facts);
                    if first {
                        self.resume_pending(model);
                        Some(Msg::Connected(header))
                    } else {
                        model.header = header;
                        None
                    }
                }
                Event::Perform(ev) => {
                    if perform::note(&mut self.record.clone(), &ev) {
                        self.change(|r| {
                            perform::note(r, &ev);
                        });
                    }
                    None
                }
            };
            if let Some(msg) = msg {
                for effect in update(model, msg) {
                    if effect == Effect::Drill {
                        // The drill says how it ended on the terminal; the wizard then re-checks Alerts.
                        let sandbox = self.sandbox.as_deref();
                        drop(keys.take());
                        let _ = drill::on_terminal(&mut terminal, &self.aws, self.store.dir(), sandbox);
                        keys = Some(EventStream::new());
                        let _ = self.tx.send(Event::Ui(Msg::Recheck));
                        continue;
                    }
                    self.effect(effect);
                }
            }
        }
        ratatui::restore();
    }

    /// Loads the caller's record, for the model to show at once while live checks run.
    fn identified(&mut self, identity: &sts::Identity) -> Msg {
        let (record, notice) = match self.store.load(&identity.account) {
            Ok(loaded) => (loaded.record, loaded.warning),
            Err(e) => (Record::new(&identity.account), Some(e.to_string())),
        };
        self.record = record;
        let recorded = StepId::ALL
            .iter()
            .map(|id| {
                (
                    self.record.steps.get(id).map(|s| s.result.clone()),
                    self.record.skips.get(id).map(|s| s.reason.clone()),
                )
            })
            .collect();
        let header = Header {
            account: identity.account.clone(),
            principal: identity.arn.clone(),
            profile: self.aws.profile().unwrap_or("default chain").to_owned(),
            region: self.aws.region().to_owned(),
            organization: None,
            root: identity.is_root(),
            sandbox: self.sandbox.clone(),
        };
        let now = unix_now();
        let checked = StepId::ALL
            .iter()
            .map(|id| self.record.steps.get(id).and_then(|s| record::age_secs(&s.checked_at)).map(|age| now - age))
            .collect();
        // Changes an earlier run left interrupted: each step's detail says so until it runs again.
        let interrupted = super::Interruption::from_log(&crate::actionlog::read_all(self.store.dir()));
        if !interrupted.is_empty() {
            let _ = self.tx.send(Event::Ui(Msg::Interrupted(interrupted)));
        }
        Msg::Identified { header, recorded, checked, notice }
    }

    /// Keeps a live result the model accepted in the record.
    fn remember(&mut self, result: crate::verdict::StepResult) {
        let seen = record::Seen { checked_at: record::now(), result };
        let principal = self.facts.as_ref().map(|f| f.identity.arn.clone());
        self.change(|r| {
            r.see(seen.clone());
            if principal.is_some() {
                r.principal.clone_from(&principal);
            }
        });
    }

    /// Changes the record under its lock, merged with what other processes wrote meanwhile.
    fn change(&mut self, f: impl Fn(&mut Record)) {
        if let Err(e) = self.store.change(&mut self.record, f) {
            let _ = self.tx.send(Event::Ui(Msg::Progress { id: StepId::RootMfa, line: e.to_string() }));
        }
    }

    fn header(&self, f: &Facts) -> Header {
        let organization = f.managed_org().map(|org| {
            // A shared account recognised by name only is marked as the guess it is.
            let id = |a: &Option<crate::facts::SharedAccount>| match a {
                Some(s) if s.source == crate::facts::Source::AccountName => {
                    say("header-guessed", &[("account", &s.id)])
                }
                Some(s) => s.id.clone(),
                None => say("header-none", &[]),
            };
            say(
                "header-organization",
                &[
                    ("org", &org.id),
                    ("audit", &id(&f.audit)),
                    ("log_archive", &id(&f.log_archive)),
                    ("regions", &f.regions_shown()),
                ],
            )
        });
        Header {
            account: f.identity.account.clone(),
            principal: f.identity.arn.clone(),
            profile: self.aws.profile().unwrap_or("default chain").to_owned(),
            region: self.aws.region().to_owned(),
            organization,
            root: f.identity.is_root(),
            sandbox: self.sandbox.clone(),
        }
    }

    fn effect(&mut self, effect: Effect) {
        let (aws, tx) = (self.aws.clone(), self.tx.clone());
        match effect {
            Effect::Connect => {
                tokio::spawn(async move {
                    match sts::caller_identity(&aws).await {
                        Ok(identity) => {
                            let _ = tx.send(Event::Identity(identity.clone()));
                            let facts = facts::gather_for(&aws, identity).await;
                            let _ = tx.send(Event::Facts { facts: Arc::new(facts), first: true });
                        }
                        Err(e) => {
                            let _ = tx.send(Event::Ui(Msg::ConnectFailed(e.explain_for(aws.profile()))));
                        }
                    }
                });
            }
            Effect::Check { id, generation } => {
                let Some(f) = self.facts.clone() else { return };
                let answers = self.record.inputs.clone();
                tokio::spawn(async move {
                    let result = checks::check_with(&aws, &f, &answers, id).await;
                    let _ = tx.send(Event::Ui(Msg::Checked { id, generation, result }));
                });
            }
            Effect::CheckAll { generations } => {
                let profile = self.aws.profile().map(str::to_owned);
                tokio::spawn(async move {
                    let fresh = match facts::gather(&aws).await {
                        Ok(f) => Arc::new(f),
                        Err(e) => {
                            let _ = tx.send(Event::Ui(Msg::RecheckFailed(e.explain_for(profile.as_deref()))));
                            return;
                        }
                    };
                    let _ = tx.send(Event::Facts { facts: fresh.clone(), first: false });
                    let checks = generations.into_iter().map(|(id, generation)| {
                        let (aws, f, tx) = (aws.clone(), fresh.clone(), tx.clone());
                        async move {
                            let result = checks::check(&aws, &f, id).await;
                            let _ = tx.send(Event::Ui(Msg::Checked { id, generation, result }));
                        }
                    });
                    futures_util::future::join_all(checks).await;
                });
            }
            Effect::Plan { id } => self.spawn_plan(id),
            Effect::SaveAnswers { id, values } => {
                self.change(|r| r.inputs.extend(values.clone()));
                self.spawn_plan(id);
            }
            Effect::Apply { id, plan } => self.spawn_apply(id, plan.changes),
            Effect::SaveSkip { id, reason } => {
                let at = record::now();
                self.change(|r| {
                    match &reason {
                        Some(reason) => r.skips.insert(id, Skip { reason: reason.clone(), at: at.clone() }),
                        None => r.skips.remove(&id),
                    };
                });
            }
            Effect::Remember { result } => self.remember(result),
            Effect::Simulate { id } => {
                let (Some(endpoint), Some(f)) = (self.sandbox.clone(), self.facts.clone()) else { return };
                let email = self.record.inputs.get("alerts.email").cloned();
                tokio::task::spawn_blocking(move || {
                    let result = crate::sandbox::simulate(&endpoint, id, &f, email.as_deref());
                    let _ = tx.send(Event::Ui(Msg::Simulated { id, result }));
                });
            }
            Effect::Open { url } => {
                let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
                let _ = std::process::Command::new(opener)
                    .arg(url)
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn();
            }
            // The drill is run by the event loop, which owns the terminal.
            Effect::Drill | Effect::Quit => {}
        }
    }

    /// Plans in a task: with remembered answers; any input still missing comes back as a question.
    fn spawn_plan(&self, id: StepId) {
        let Some(f) = self.facts.clone() else { return };
        let (aws, tx, record) = (self.aws.clone(), self.tx.clone(), self.record.clone());
        tokio::spawn(async move {
            let mut ask = Placeholders { answers: record.inputs.clone(), ..Placeholders::default() };
            let msg = match plans::plan(&aws, &f, &mut ask, &record, id).await {
                // Every question the plan raised that was never answered, defaults shown to confirm.
                Ok(_) if !ask.unanswered.is_empty() => Msg::NeedInputs { id, keys: ask.unanswered },
                // Every value came from an answer: this is the plan to confirm, no second read needed.
                Ok(plan) => {
                    let text = plans::render(id, &plan, &f);
                    Msg::Planned { id, result: Ok(Proposal { text, plan, asked: ask.asked }) }
                }
                Err(e) => Msg::Planned { id, result: Err(e.to_string()) },
            };
            let _ = tx.send(Event::Ui(msg));
        });
    }

    fn spawn_apply(&self, id: StepId, changes: Vec<plans::Change>) {
        let Some(f) = self.facts.clone() else { return };
        let (aws, tx, dir) = (self.aws.clone(), self.tx.clone(), self.store.dir().to_path_buf());
        tokio::spawn(async move { perform_and_report(&aws, &f, &dir, &tx, id, &changes).await });
    }

    /// A landing zone operation recorded by an earlier run: wait for it again, visibly.
    fn resume_pending(&self, model: &mut Model) {
        let Some(op) = self.record.pending.iter().find(|p| p.step == StepId::ControlTower).cloned() else { return };
        let since = record::age_secs(&op.started_at).map_or(model.now, |age| model.now - age);
        let _ = self.tx.send(Event::Ui(Msg::Resuming { id: op.step, since }));
        let Some(f) = self.facts.clone() else { return };
        let (aws, tx, record, dir) =
            (self.aws.clone(), self.tx.clone(), self.record.clone(), self.store.dir().to_path_buf());
        tokio::spawn(async move {
            let mut ask = Placeholders { answers: record.inputs.clone(), ..Placeholders::default() };
            match plans::plan(&aws, &f, &mut ask, &record, op.step).await {
                Ok(plan) if plan.changes.iter().all(|c| !c.action.is_change()) && !plan.changes.is_empty() => {
                    let line = say("wizard-resuming", &[("operation", &op.id)]);
                    let _ = tx.send(Event::Ui(Msg::Progress { id: op.step, line }));
                    perform_and_report(&aws, &f, &dir, &tx, op.step, &plan.changes).await;
                }
                // The operation already ended (or cannot be followed): a re-check says where it stands.
                _ => {
                    let _ = tx.send(Event::Perform(perform::Event::Ended { operation: op.id.clone() }));
                    let _ = tx.send(Event::Ui(Msg::Applied { id: op.step, result: Ok(()) }));
                }
            }
        });
    }
}
