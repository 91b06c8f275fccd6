//! root-mfa: the root user of the account groundwork runs in has MFA and no access keys.

use crate::aws::{At, Aws, iam};
use crate::catalog::Step;
use crate::facts::Facts;
use crate::verdict::{Finding, Status};

pub async fn check(aws: &Aws, facts: &Facts, step: &Step) -> Vec<Finding> {
    let account = &facts.identity.account;
    match iam::root_credentials(aws, &At::new(account, aws.region())).await {
        Ok(root) => vec![Finding::new(account, None, judge(root), describe(step, root))],
        Err(e) => vec![super::unknown(&e)],
    }
}

/// MFA is what matters most: without it the step is not done whatever else holds; with it,
/// leftover root access keys still make it only partial.
fn judge(root: iam::RootCredentials) -> Status {
    match (root.mfa_enabled, root.access_keys_present) {
        (true, false) => Status::Done,
        (true, true) => Status::Partial,
        (false, _) => Status::NotDone,
    }
}

fn describe(step: &Step, root: iam::RootCredentials) -> String {
    let mfa = if root.mfa_enabled { "mfa-on" } else { "mfa-off" };
    let keys = if root.access_keys_present { "keys-present" } else { "keys-absent" };
    format!("{} {}", step.say(mfa, &[]), step.say(keys, &[]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use iam::RootCredentials as R;

    #[test]
    fn both_conditions_or_not_done() {
        assert_eq!(judge(R { mfa_enabled: true, access_keys_present: false }), Status::Done);
        assert_eq!(judge(R { mfa_enabled: true, access_keys_present: true }), Status::Partial);
        assert_eq!(judge(R { mfa_enabled: false, access_keys_present: false }), Status::NotDone);
        assert_eq!(judge(R { mfa_enabled: false, access_keys_present: true }), Status::NotDone);
    }
}
