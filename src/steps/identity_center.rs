//! identity-center: people sign in through an active organization instance of IAM Identity Center,
//! and at least one person's user reaches an account through a permission set that grants
//! something. One observation of AWS feeds both the verdict (`judge`) and the plan (`plan`), two
//! pure functions, so what `check` says and what `apply` would do cannot disagree.
//!
//! The plan gives the person a user in an administrators group, assigned to every active account
//! with an AdministratorAccess permission set (ReadOnlyAccess is created alongside for later use),
//! and repairs a set of those names that grants nothing (a run that stopped between creating it
//! and attaching its policy). Enabling the instance and sending the invitation are console tasks.

use futures_util::future::join_all;

use crate::aws::change::{Action, Ref};
use crate::aws::identity_center::{self as ic, Assignment, Group, Instance, PermissionSet, Push, User};
use crate::aws::{At, Aws, AwsError};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::inputs::{Ask, InputError};
use crate::steps::{Change, Plan};
use crate::verdict::{Finding, Status, combine};

/// The permission sets groundwork creates: name and the AWS managed policy that gives it meaning.
pub const SETS: [(&str, &str); 2] = [
    ("AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess"),
    ("ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
];
/// A working day: long enough not to nag, short enough that a leaked session soon expires.
pub const SESSION: &str = "PT8H";

/// Everything the step reads from AWS, as plain values (a test builds one by hand).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observed {
    /// The caller (the management account) and the Region Identity Center lives in.
    pub me: String,
    pub region: String,
    /// The accounts the administrators group should reach: every active account of the
    /// organization, or just this one outside an organization.
    pub accounts: Vec<String>,
    /// The organization's instance, else any instance listed (an account instance).
    pub instance: Option<Instance>,
    /// The instance's directory, read only when it is active and the organization's own.
    pub directory: Option<Directory>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Directory {
    pub users: Vec<Person>,
    pub groups: Vec<Team>,
    pub permission_sets: Vec<PermissionSet>,
    /// The pushes of permission sets to their accounts that are not known to have succeeded, and
    /// those after them (see `ic::pushes`): the latest of a set says whether its accounts have it.
    pub pushes: Vec<Push>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub user: User,
    /// Ids of the groups the user belongs to.
    pub groups: Vec<String>,
    pub assignments: Vec<Assignment>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    pub group: Group,
    pub assignments: Vec<Assignment>,
}

/// Reads what the step needs, once.
pub async fn observe(aws: &Aws, facts: &Facts) -> Result<Observed, AwsError> {
    let me = facts.identity.account.clone();
    let at = At::new(&me, &facts.home_region);
    let instances = ic::instances(aws, &at).await?;
    let instance = instances.iter().find(|i| i.owner_account == me).or_else(|| instances.first()).cloned();
    let directory = match &instance {
        Some(i) if i.status == "ACTIVE" && i.owner_account == me => Some(directory(aws, &at, i).await?),
        _ => None,
    };
    let accounts = match (&facts.accounts, facts.managed_org()) {
        (Ok(list), Some(_)) if !list.is_empty() => list.iter().filter(|a| a.active).map(|a| a.id.clone()).collect(),
        _ => vec![me.clone()],
    };
    Ok(Observed { me, region: facts.home_region.clone(), accounts, instance, directory })
}

async fn directory(aws: &Aws, at: &At, instance: &Instance) -> Result<Directory, AwsError> {
    let store = &instance.identity_store_id;
    let (users, groups, permission_sets, pushes) = tokio::join!(
        ic::users(aws, at, store),
        ic::groups(aws, at, store),
        ic::permission_sets(aws, at, &instance.arn),
        ic::pushes(aws, at, &instance.arn)
    );
    let people = join_all(users?.into_iter().map(|user| async move {
        let (groups, assignments) = tokio::join!(
            ic::groups_of(aws, at, store, &user.id),
            ic::assignments_of(aws, at, &instance.arn, &user.id, false)
        );
        Ok::<_, AwsError>(Person { user, groups: groups?, assignments: assignments? })
    }));
    let teams = join_all(groups?.into_iter().map(|group| async move {
        let assignments = ic::assignments_of(aws, at, &instance.arn, &group.id, true).await?;
        Ok::<_, AwsError>(Team { group, assignments })
    }));
    let (people, teams) = tokio::join!(people, teams);
    Ok(Directory {
        users: people.into_iter().collect::<Result<_, _>>()?,
        groups: teams.into_iter().collect::<Result<_, _>>()?,
        permission_sets: permission_sets?,
        pushes: pushes?,
    })
}

/// The verdict, from the observation alone.
pub fn judge(o: &Observed, step: &Step) -> Vec<Finding> {
    let found = |status, detail: String| Finding::new(&o.me, Some(&o.region), status, detail);
    let Some(instance) = &o.instance else {
        return vec![found(Status::NotDone, step.say("no-instance", &[("region", &o.region)]))];
    };
    if instance.status != "ACTIVE" {
        return vec![found(Status::Partial, step.say("instance-not-active", &[("status", &instance.status)]))];
    }
    let Some(dir) = o.directory.as_ref().filter(|_| instance.owner_account == o.me) else {
        return vec![found(Status::Partial, step.say("account-instance", &[("owner", &instance.owner_account)]))];
    };
    let mut findings = Vec::new();
    let with_access: Vec<&str> =
        dir.users.iter().filter(|p| has_access(dir, p)).map(|p| p.user.user_name.as_str()).collect();
    let n = dir.users.len().to_string();
    findings.push(match (dir.users.len(), with_access.len()) {
        (0, _) => found(Status::Partial, step.say("no-users", &[])),
        (_, 0) => found(Status::Partial, step.say("no-assignments", &[("users", &n)])),
        _ => found(Status::Done, step.say("users-with-access", &[("users", &n), ("names", &with_access.join(", "))])),
    });
    for set in broken_sets(dir) {
        findings.push(found(Status::Partial, step.say("set-grants-nothing", &[("name", &set.name)])));
    }
    for set in &dir.permission_sets {
        match last_push(dir, &set.arn) {
            Some(p) if p.status == "FAILED" => {
                let reason = p.reason.as_deref().unwrap_or("AWS gave no reason");
                findings
                    .push(found(Status::Partial, step.say("set-push-failed", &[("name", &set.name), ("why", reason)])));
            }
            Some(p) if p.status != "SUCCEEDED" => {
                let args = [("name", set.name.as_str()), ("status", p.status.as_str())];
                findings.push(found(Status::Partial, step.say("set-push-unfinished", &args)));
            }
            _ => {}
        }
    }
    findings
}

/// The latest push of a set to its accounts, when one is not known to have succeeded or came after
/// one that did not.
fn last_push<'a>(dir: &'a Directory, set: &str) -> Option<&'a Push> {
    dir.pushes.iter().filter(|p| p.permission_set == set).max_by(|a, b| a.created.total_cmp(&b.created))
}

/// Whether a set's accounts have it as it reads: no push of it failed or is still running since
/// the last one that succeeded.
fn pushed(dir: &Directory, set: &str) -> bool {
    last_push(dir, set).is_none_or(|p| p.status == "SUCCEEDED")
}

/// Whether a person reaches an account, directly or through a group, with a set that grants (and
/// whose last push reached its accounts).
fn has_access(dir: &Directory, person: &Person) -> bool {
    let grants = |a: &Assignment| {
        dir.permission_sets.iter().any(|s| s.arn == a.permission_set && s.grants_anything() && pushed(dir, &s.arn))
    };
    person.assignments.iter().any(grants)
        || dir.groups.iter().filter(|t| person.groups.contains(&t.group.id)).any(|t| t.assignments.iter().any(grants))
}

/// groundwork's own permission sets that grant nothing: left half-made by an interrupted run.
fn broken_sets(dir: &Directory) -> impl Iterator<Item = &PermissionSet> {
    dir.permission_sets.iter().filter(|s| SETS.iter().any(|(name, _)| *name == s.name) && !s.grants_anything())
}

/// The changes that would make the step done, from the same observation. Empty when `judge` says
/// done; otherwise it asks only for the answers it needs.
pub fn plan(o: &Observed, ask: &mut dyn Ask, step: &Step) -> Result<Plan, InputError> {
    let mut plan = Plan::default();
    let dir = match (&o.instance, &o.directory) {
        (Some(i), Some(dir)) if i.status == "ACTIVE" && i.owner_account == o.me => dir,
        _ => {
            plan.manual = true;
            plan.notes.push(step.say("no-instance", &[("region", &o.region)]));
            return Ok(plan);
        }
    };
    let Some(instance) = &o.instance else { return Ok(plan) };
    let portal =
        step.say("plan-portal", &[("url", &format!("https://{}.awsapps.com/start", instance.identity_store_id))]);
    if combine(judge(o, step).iter().map(|f| f.status)) == Status::Done {
        plan.notes.push(portal);
        return Ok(plan);
    }
    let at = At::new(&o.me, &o.region);
    let (store, arn) = (instance.identity_store_id.clone(), instance.arn.clone());
    let mut add = |action| plan.changes.push(Change { at: at.clone(), global: false, action });

    let user_name = ask.get("identity-center.user-name", None)?;
    let person = dir.users.iter().find(|p| p.user.user_name == user_name);
    let user = match person {
        Some(p) => Ref::Known(p.user.id.clone()),
        None => {
            let given = ask.get("identity-center.given-name", None)?;
            let family = ask.get("identity-center.family-name", None)?;
            let email = ask.get("identity-center.email", None)?;
            add(Action::CreateUser { store: store.clone(), user_name: user_name.clone(), given, family, email });
            Ref::Output("user".into())
        }
    };
    let group_name = ask.get("identity-center.group", None)?;
    let team = dir.groups.iter().find(|t| t.group.name == group_name);
    let group = match team {
        Some(t) => Ref::Known(t.group.id.clone()),
        None => {
            add(Action::CreateGroup { store: store.clone(), name: group_name.clone() });
            Ref::Output("group".into())
        }
    };
    if !matches!((person, team), (Some(p), Some(t)) if p.groups.contains(&t.group.id)) {
        add(Action::AddToGroup { store: store.clone(), group: group.clone(), user });
    }

    let mut admin_set = Ref::Output(format!("permission-set:{}", SETS[0].0));
    for (name, policy) in SETS {
        let existing = dir.permission_sets.iter().find(|s| s.name == name);
        let set = match existing {
            Some(s) => Ref::Known(s.arn.clone()),
            None => {
                add(Action::CreatePermissionSet { instance: arn.clone(), name: name.into(), session: SESSION.into() });
                Ref::Output(format!("permission-set:{name}"))
            }
        };
        if existing.is_none_or(|s| !s.grants_anything()) {
            add(Action::AttachManagedPolicy {
                instance: arn.clone(),
                name: name.into(),
                permission_set: set.clone(),
                policy_arn: policy.into(),
            });
        }
        if let Some(s) = existing.filter(|s| !s.grants_anything() && is_assigned_anywhere(dir, &s.arn)) {
            add(Action::ProvisionPermissionSet {
                instance: arn.clone(),
                name: name.into(),
                permission_set: s.arn.clone(),
            });
        }
        if name == SETS[0].0 {
            admin_set = set;
        }
    }
    let (pushes, running) = repush(dir, &arn, step);
    for action in pushes {
        add(action);
    }
    for account in &o.accounts {
        let assigned = match (&admin_set, team) {
            (Ref::Known(ps), Some(t)) => t.assignments.iter().any(|a| &a.account == account && &a.permission_set == ps),
            _ => false,
        };
        if !assigned {
            add(Action::AssignAccount {
                instance: arn.clone(),
                account: account.clone(),
                permission_set: admin_set.clone(),
                group: group.clone(),
            });
        }
    }
    plan.conflicts.extend(running);
    // API-created users get no invitation email: the person must send it from the console.
    plan.manual = person.is_none();
    plan.notes.push(portal);
    Ok(plan)
}

/// A set whose last push failed is pushed again (it changes nothing the set says); one AWS is still
/// pushing is waited for (the words say so, nothing changes).
fn repush(dir: &Directory, instance: &str, step: &Step) -> (Vec<Action>, Vec<String>) {
    let (mut pushes, mut running) = (Vec::new(), Vec::new());
    for set in &dir.permission_sets {
        // groundwork's own set that grants nothing is repaired and pushed by the plan already.
        let groundworks = SETS.iter().any(|(name, _)| *name == set.name) && !set.grants_anything();
        match last_push(dir, &set.arn) {
            Some(p) if p.status == "FAILED" && !groundworks => pushes.push(Action::ProvisionPermissionSet {
                instance: instance.to_owned(),
                name: set.name.clone(),
                permission_set: set.arn.clone(),
            }),
            Some(p) if p.status != "SUCCEEDED" && p.status != "FAILED" => {
                running.push(step.say("plan-push-unfinished", &[("name", &set.name)]));
            }
            _ => {}
        }
    }
    (pushes, running)
}

fn is_assigned_anywhere(dir: &Directory, set: &str) -> bool {
    let uses = |a: &Assignment| a.permission_set == set;
    dir.users.iter().any(|p| p.assignments.iter().any(uses))
        || dir.groups.iter().any(|t| t.assignments.iter().any(uses))
}

/// `check`: observe, then judge.
pub async fn check(aws: &Aws, facts: &Facts, step: &Step) -> Vec<Finding> {
    match observe(aws, facts).await {
        Ok(o) => judge(&o, step),
        Err(e) => vec![super::unknown(&e)],
    }
}

/// `plan` and `apply`: observe, then plan.
pub async fn plan_live(ctx: &mut crate::steps::Ctx<'_>) -> Result<Plan, crate::steps::PlanError> {
    let o = observe(ctx.aws, ctx.facts).await?;
    Ok(plan(&o, ctx.ask, ctx.step)?)
}
