//! identity-center against the emulator: a permission set left without its policy by a run that
//! stopped halfway is found by the next plan and repaired, and `check` agrees afterwards.

use crate::common;

use common::{Emulator, MGMT, REGION, check_json, config, groundwork, step_status};

const SETS: [&str; 8] = [
    "--set",
    "identity-center.user-name=ada",
    "--set",
    "identity-center.given-name=Ada",
    "--set",
    "identity-center.family-name=Lovelace",
    "--set",
    "identity-center.email=ada@example.com",
];

#[tokio::test]
async fn a_half_made_permission_set_is_repaired_by_the_next_apply() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let org = groundwork(&emu.url(), dir.path()).args(["apply", "organization", "--yes"]).output().expect("org");
    assert!(org.status.success(), "{}", String::from_utf8_lossy(&org.stderr));

    // What an apply killed between CreatePermissionSet and AttachManagedPolicyToPermissionSet leaves.
    let sso = aws_sdk_ssoadmin::Client::new(&config(&emu, MGMT, REGION).await);
    let instances = sso.list_instances().send().await.expect("instances");
    let instance = instances.instances()[0].instance_arn().expect("arn").to_owned();
    let half = sso
        .create_permission_set()
        .instance_arn(&instance)
        .name("AdministratorAccess")
        .session_duration("PT8H")
        .send()
        .await
        .expect("create the set alone");
    let half = half.permission_set().and_then(|p| p.permission_set_arn()).expect("arn").to_owned();

    let plan = groundwork(&emu.url(), dir.path()).args(["plan", "identity-center"]).args(SETS).output().expect("plan");
    let shown = String::from_utf8_lossy(&plan.stdout);
    assert!(shown.contains("sso:AttachManagedPolicyToPermissionSet"), "the repair is shown: {shown}");

    let out = groundwork(&emu.url(), dir.path())
        .args(["apply", "identity-center", "--yes"])
        .args(SETS)
        .output()
        .expect("apply");
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));

    let policies = sso
        .list_managed_policies_in_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&half)
        .send()
        .await
        .expect("policies");
    let arns: Vec<_> = policies.attached_managed_policies().iter().filter_map(|p| p.arn()).collect();
    assert_eq!(arns, ["arn:aws:iam::aws:policy/AdministratorAccess"], "the same set, repaired (no second set)");
    let sets = sso.list_permission_sets().instance_arn(&instance).send().await.expect("sets");
    assert_eq!(sets.permission_sets().len(), 2, "AdministratorAccess (repaired) and ReadOnlyAccess");

    let (_, json) = check_json(&emu, dir.path());
    assert_eq!(step_status(&json, "identity-center"), "done", "{json:#}");
    let again = groundwork(&emu.url(), dir.path()).args(["plan", "identity-center"]).args(SETS).output().expect("plan");
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("Nothing to change"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}

/// An assignment AWS is still provisioning when the wait runs out is reported as in progress, never
/// as done; once provisioned, the next check sees it.
#[tokio::test]
async fn an_assignment_still_provisioning_at_the_limit_is_not_success() {
    let emu = Emulator::start_with(&[("GROUNDWORK_EMULATOR_ASSIGNMENT_DELAY_SECONDS", "-1")]);
    let dir = tempfile::tempdir().expect("tempdir");
    let org = groundwork(&emu.url(), dir.path()).args(["apply", "organization", "--yes"]).output().expect("org");
    assert!(org.status.success(), "{}", String::from_utf8_lossy(&org.stderr));
    let out = groundwork(&emu.url(), dir.path())
        .env("GROUNDWORK_POLL_SECONDS", "0.2")
        .env("GROUNDWORK_WAIT_LIMIT_SECONDS", "1")
        .args(["apply", "identity-center", "--yes"])
        .args(SETS)
        .output()
        .expect("apply");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("sso:CreateAccountAssignment") && said.contains("not finished yet"), "{said}");
    let (_, json) = check_json(&emu, dir.path());
    assert_ne!(step_status(&json, "identity-center"), "done", "not provisioned, not done: {json:#}");
}

/// The second call of a composite change fails (the permission set exists, its policy does not):
/// the apply stops there, and the next apply finishes the job; `check` agrees.
#[tokio::test]
async fn a_failure_between_the_two_calls_of_a_permission_set_is_finished_by_the_next_apply() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let org = groundwork(&emu.url(), dir.path()).args(["apply", "organization", "--yes"]).output().expect("org");
    assert!(org.status.success(), "{}", String::from_utf8_lossy(&org.stderr));
    emu.hook(
        "/_groundwork/faults",
        serde_json::json!({"operation": "AttachManagedPolicyToPermissionSet", "count": 1,
                           "code": "InternalServerException", "status": 500, "message": "injected"}),
    );
    let first = groundwork(&emu.url(), dir.path())
        .args(["apply", "identity-center", "--yes"])
        .args(SETS)
        .output()
        .expect("apply");
    let said = format!("{}{}", String::from_utf8_lossy(&first.stdout), String::from_utf8_lossy(&first.stderr));
    assert_ne!(first.status.code(), Some(0), "{said}");
    assert!(said.contains("A change failed"), "{said}");
    let (_, json) = check_json(&emu, dir.path());
    assert_ne!(step_status(&json, "identity-center"), "done", "{json:#}");

    let second = groundwork(&emu.url(), dir.path())
        .args(["apply", "identity-center", "--yes"])
        .args(SETS)
        .output()
        .expect("apply");
    let said = format!("{}{}", String::from_utf8_lossy(&second.stdout), String::from_utf8_lossy(&second.stderr));
    assert_eq!(second.status.code(), Some(0), "{said}");
    assert!(said.contains("sso:AttachManagedPolicyToPermissionSet"), "the missing part is made: {said}");
    let sso = aws_sdk_ssoadmin::Client::new(&config(&emu, MGMT, REGION).await);
    let instances = sso.list_instances().send().await.expect("instances");
    let instance = instances.instances()[0].instance_arn().expect("arn").to_owned();
    let sets = sso.list_permission_sets().instance_arn(&instance).send().await.expect("sets");
    assert_eq!(sets.permission_sets().len(), 2, "AdministratorAccess once (finished), ReadOnlyAccess: {said}");
    let (_, json) = check_json(&emu, dir.path());
    assert_eq!(step_status(&json, "identity-center"), "done", "{json:#}");
}

fn apply(emu: &Emulator, dir: &std::path::Path) -> (Option<i32>, String) {
    let out =
        groundwork(&emu.url(), dir).args(["apply", "identity-center", "--yes"]).args(SETS).output().expect("apply");
    (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// A push of a repaired permission set that AWS reports FAILED is a failed apply, and `check` never
/// says the set grants access while its accounts did not get it; the next apply pushes it again.
#[tokio::test]
async fn a_failed_permission_set_push_is_never_access() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let org = groundwork(&emu.url(), dir.path()).args(["apply", "organization", "--yes"]).output().expect("org");
    assert!(org.status.success(), "{}", String::from_utf8_lossy(&org.stderr));
    let (code, said) = apply(&emu, dir.path());
    assert_eq!(code, Some(0), "{said}");

    // The administrators' set loses its policy (as a run stopped halfway leaves it), while assigned.
    let sso = aws_sdk_ssoadmin::Client::new(&config(&emu, MGMT, REGION).await);
    let instances = sso.list_instances().send().await.expect("instances");
    let instance = instances.instances()[0].instance_arn().expect("arn").to_owned();
    let sets = sso.list_permission_sets().instance_arn(&instance).send().await.expect("sets");
    let mut admin = None;
    for arn in sets.permission_sets() {
        let d = sso.describe_permission_set().instance_arn(&instance).permission_set_arn(arn).send().await.expect("d");
        if d.permission_set().and_then(|p| p.name()) == Some("AdministratorAccess") {
            admin = Some(arn.clone());
        }
    }
    let admin = admin.expect("the administrators' set");
    sso.detach_managed_policy_from_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&admin)
        .managed_policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .expect("detach");

    // AWS takes the policy, but its push to the accounts fails.
    let reason = "Account 210987654321 could not receive the permission set";
    emu.hook("/_groundwork/identitycenter/fail", serde_json::json!({"what": "provision", "reason": reason}));
    let (code, said) = apply(&emu, dir.path());
    assert_ne!(code, Some(0), "a failed push is a failed apply: {said}");
    assert!(said.contains("sso:ProvisionPermissionSet") && said.contains(reason), "{said}");
    let (_, json) = check_json(&emu, dir.path());
    assert_eq!(step_status(&json, "identity-center"), "partial", "{json:#}");
    assert!(json.to_string().contains(reason), "the check says why: {json:#}");

    // The next apply pushes it again, and then it is done.
    let (code, said) = apply(&emu, dir.path());
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("sso:ProvisionPermissionSet"), "{said}");
    let (_, json) = check_json(&emu, dir.path());
    assert_eq!(step_status(&json, "identity-center"), "done", "{json:#}");
}

/// An account assignment AWS reports FAILED stops the apply with AWS's reason; the assignment does
/// not exist, so `check` is not done, and the next apply makes it.
#[tokio::test]
async fn a_failed_account_assignment_stops_the_apply_and_is_made_by_the_next() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let org = groundwork(&emu.url(), dir.path()).args(["apply", "organization", "--yes"]).output().expect("org");
    assert!(org.status.success(), "{}", String::from_utf8_lossy(&org.stderr));
    let reason = "Received a 409 status error: the role is being changed";
    emu.hook("/_groundwork/identitycenter/fail", serde_json::json!({"what": "assignment", "reason": reason}));
    let (code, said) = apply(&emu, dir.path());
    assert_ne!(code, Some(0), "{said}");
    assert!(said.contains("sso:CreateAccountAssignment") && said.contains(reason), "{said}");
    let (_, json) = check_json(&emu, dir.path());
    assert_ne!(step_status(&json, "identity-center"), "done", "{json:#}");
    let (code, said) = apply(&emu, dir.path());
    assert_eq!(code, Some(0), "{said}");
    let (_, json) = check_json(&emu, dir.path());
    assert_eq!(step_status(&json, "identity-center"), "done", "{json:#}");
}
