//! `kill -9` at random moments during `apply` of the steps whose apply is quick (organization,
//! contacts, identity-center), 20 trials each on an emulator reset to the step's starting point:
//! afterwards the record never says done for what isn't, every change AWS received has its intent
//! in the action log, and a second `apply` converges with no duplicate resources (see
//! `common::kill`; the later steps are in `kill_trials_long.rs`). The moments are drawn from a seed
//! printed by each test (`GROUNDWORK_KILL_SEED` replays one).

use crate::common;

use std::path::Path;

use common::kill::{Part, apply_first, once, trials};
use common::{Emulator, MGMT, REGION, config};

/// One organization: the management account alone in it.
async fn one_organization(emu: &Emulator, _: &Path, trial: &str) {
    let orgs = aws_sdk_organizations::Client::new(&config(emu, MGMT, REGION).await);
    let pages: Vec<_> = orgs.list_accounts().into_paginator().send().try_collect().await.expect("accounts");
    assert_eq!(pages.iter().map(|p| p.accounts().len()).sum::<usize>(), 1, "{trial}: one account, one org");
}

/// One user ada, each group and each permission set once.
async fn identity_center_once(emu: &Emulator, _: &Path, trial: &str) {
    let conf = config(emu, MGMT, REGION).await;
    let sso = aws_sdk_ssoadmin::Client::new(&conf);
    let instances: Vec<_> = sso.list_instances().into_paginator().items().send().try_collect().await.expect("i");
    let instance = instances[0].instance_arn().expect("arn").to_owned();
    let store_id = instances[0].identity_store_id().expect("store").to_owned();
    let store = aws_sdk_identitystore::Client::new(&conf);
    let users: Result<Vec<_>, _> =
        store.list_users().identity_store_id(&store_id).into_paginator().items().send().try_collect().await;
    let users = users.expect("users");
    assert_eq!(users.iter().filter(|u| u.user_name() == Some("ada")).count(), 1, "{trial}: one user ada");
    let groups: Result<Vec<_>, _> =
        store.list_groups().identity_store_id(&store_id).into_paginator().items().send().try_collect().await;
    let names: Vec<_> = groups.expect("groups").iter().filter_map(|g| g.display_name().map(str::to_owned)).collect();
    once(trial, "group", &names);
    let sets: Result<Vec<_>, _> =
        sso.list_permission_sets().instance_arn(&instance).into_paginator().items().send().try_collect().await;
    let mut set_names = Vec::new();
    for arn in sets.expect("sets") {
        let out = sso.describe_permission_set().instance_arn(&instance).permission_set_arn(&arn).send().await;
        set_names.push(out.expect("describe").permission_set().and_then(|p| p.name()).unwrap_or_default().to_owned());
    }
    once(trial, "permission set", &set_names);
}

/// Nothing to prepare: the step starts from a fresh account.
async fn nothing(_: &Emulator, _: &Path) {}

async fn organization_trials(part: Part) {
    let emu = Emulator::start();
    trials(&emu, ("organization", "done", part), nothing, one_organization).await;
}

#[tokio::test]
async fn killed_organization_applies_leave_a_true_record_a_full_log_and_converge_first_half() {
    organization_trials(Part(0)).await;
}

#[tokio::test]
async fn killed_organization_applies_leave_a_true_record_a_full_log_and_converge_second_half() {
    organization_trials(Part(1)).await;
}

async fn contacts_trials(part: Part) {
    let emu = Emulator::start();
    // Contacts are put, never created: nothing can exist twice.
    trials(&emu, ("contacts", "done", part), nothing, async |_, _, _| {}).await;
}

#[tokio::test]
async fn killed_contacts_applies_leave_a_true_record_a_full_log_and_converge_first_half() {
    contacts_trials(Part(0)).await;
}

#[tokio::test]
async fn killed_contacts_applies_leave_a_true_record_a_full_log_and_converge_second_half() {
    contacts_trials(Part(1)).await;
}

async fn identity_center_trials(part: Part) {
    let emu = Emulator::start();
    // Identity Center's account assignments need the organization: made whole, before the trial.
    let organization = async |emu: &Emulator, dir: &Path| apply_first(emu, dir, "organization");
    trials(&emu, ("identity-center", "done", part), organization, identity_center_once).await;
}

#[tokio::test]
async fn killed_identity_center_applies_leave_a_true_record_a_full_log_and_converge_first_half() {
    identity_center_trials(Part(0)).await;
}

#[tokio::test]
async fn killed_identity_center_applies_leave_a_true_record_a_full_log_and_converge_second_half() {
    identity_center_trials(Part(1)).await;
}
