//! Credentials for acting in a member account: assume the first role that works, remember which,
//! and let the SDK's identity cache keep the result until it expires. A role AWS refuses
//! (AccessDenied: the account has no such role, e.g. AWSControlTowerExecution in an account Control
//! Tower never enrolled) is tried once per account per run; the next role is then used for the rest
//! of the run. When every role fails, the error names each role and why. `AssumeRole` is made by
//! the SDK's credentials provider, outside `Aws::call`, so it is paced here by the same rate table,
//! charged to the calling account (an organization's worth of members assumed at once meets STS's
//! rate in the management account); one still throttled is retried with the same backoff for up to
//! `THROTTLE_BUDGET`. It takes no concurrency slot: the call that needs these credentials already
//! holds one, and waiting for a second could leave every slot held by calls waiting for credentials.

use aws_config::SdkConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, future};
use std::sync::Arc;

use tokio::sync::Mutex;
use tokio::time::{Duration, Instant};

use super::At;
use super::call::{Calls, WaitReason, backoff};

/// How long one role may keep being throttled before the account is reported unreachable.
const THROTTLE_BUDGET: Duration = Duration::from_mins(1);

pub struct MemberCredentials {
    base: SdkConfig,
    account: String,
    roles: Vec<&'static str>,
    /// Index into `roles` of the role that worked last time.
    chosen: Mutex<usize>,
    /// The run's rate buckets, and the caller's account and Region that `AssumeRole` is charged to.
    calls: Arc<Calls>,
    caller: At,
}

impl std::fmt::Debug for MemberCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberCredentials")
            .field("account", &self.account)
            .field("roles", &self.roles)
            .field("caller", &self.caller)
            .finish_non_exhaustive()
    }
}

const ASSUME_ROLE: &str = "sts:AssumeRole";

impl MemberCredentials {
    pub fn new(base: SdkConfig, account: &str, roles: Vec<&'static str>, (calls, caller): (Arc<Calls>, At)) -> Self {
        MemberCredentials { base, account: account.to_owned(), roles, chosen: Mutex::new(0), calls, caller }
    }

    async fn resolve(&self) -> Result<Credentials, CredentialsError> {
        let mut chosen = self.chosen.lock().await;
        let mut failures = Vec::new();
        for (i, role) in self.roles.iter().enumerate().skip(*chosen) {
            let arn = format!("arn:aws:iam::{}:role/{role}", self.account);
            let provider =
                AssumeRoleProvider::builder(arn.clone()).session_name("groundwork").configure(&self.base).build().await;
            let started = Instant::now();
            let mut attempt = 0;
            let answer = loop {
                self.calls.pace(ASSUME_ROLE, &self.caller).await;
                let answer = provider.provide_credentials().await;
                let throttled = answer.as_ref().is_err_and(|e| {
                    let why = aws_smithy_types::error::display::DisplayErrorContext(e).to_string();
                    why.contains("Throttl") || why.contains("Rate exceeded") || why.contains("TooManyRequests")
                });
                if !throttled || started.elapsed() >= THROTTLE_BUDGET {
                    break answer;
                }
                self.calls.wait(ASSUME_ROLE, &self.caller, WaitReason::Throttled, backoff(attempt)).await;
                attempt += 1;
            };
            match answer {
                Ok(creds) => {
                    *chosen = i;
                    return Ok(creds);
                }
                Err(e) => {
                    let why = aws_smithy_types::error::display::DisplayErrorContext(&e).to_string();
                    // Only a refusal means "this account has no such role for us": an account Control
                    // Tower never enrolled has no AWSControlTowerExecution. Anything else (throttling,
                    // an unreachable endpoint) is said as it is, not papered over by the next role.
                    let refused = why.contains("AccessDenied");
                    failures.push(format!("{arn}: {why}"));
                    if !refused {
                        break;
                    }
                }
            }
        }
        Err(CredentialsError::provider_error(format!(
            "could not assume a role in account {}: {}",
            self.account,
            failures.join("; ")
        )))
    }
}

impl ProvideCredentials for MemberCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.resolve())
    }
}
