//! The only module that talks to AWS. It loads one configuration the way the AWS CLI does (profiles,
//! SSO, environment, `AWS_REGION`, `AWS_ENDPOINT_URL`), reaches member accounts by assuming a role,
//! bounds how many calls are in flight, and turns SDK answers into plain domain types.

pub mod account;
pub mod change;
pub mod cloudtrail;
pub mod config_service;
pub mod controltower;
pub mod error;
pub mod eventbridge;
pub mod guardduty;
pub mod iam;
pub mod identity_center;
mod member;
pub mod organizations;
pub mod profiles;
pub mod regions;
pub mod securityhub;
pub mod sns;
pub mod sts;

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::meta::region::RegionProviderChain;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_sts::config::Region;
use tokio::sync::{Semaphore, SemaphorePermit};

pub use error::{AwsError, ErrorKind};

/// How groundwork was asked to reach AWS, from the command line.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub profile: Option<String>,
    pub region: Option<String>,
    /// How many AWS calls may be in flight at once.
    pub concurrency: usize,
    /// The sandbox's emulator: every call goes there, with throwaway keys, whatever the machine has.
    pub sandbox_endpoint: Option<String>,
    /// Seconds between polls of a long operation.
    pub poll_seconds: f64,
    /// Overrides every long operation's own limit (tests and demos, which cannot wait an hour).
    pub wait_limit_seconds: Option<f64>,
}

/// Which account, and which Region, a call is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct At {
    pub account: String,
    pub region: String,
}

impl At {
    pub fn new(account: &str, region: &str) -> At {
        At { account: account.to_owned(), region: region.to_owned() }
    }
}

/// A loaded AWS session: the caller's configuration plus lazily assumed member-account credentials.
pub struct Aws {
    base: SdkConfig,
    region: String,
    profile: Option<String>,
    /// The account whose credentials `base` holds; set once the caller's identity is known.
    caller_account: Mutex<Option<String>>,
    /// Roles to try, in order, to act in a member account.
    member_roles: Mutex<Vec<&'static str>>,
    members: Mutex<HashMap<String, SharedCredentialsProvider>>,
    /// One client per service, account and Region for the whole run.
    clients: Mutex<HashMap<(TypeId, At), Box<dyn Any + Send + Sync>>>,
    limit: Semaphore,
    poll: Duration,
    wait_limit: Option<Duration>,
}

/// The role Control Tower puts in every account it creates or enrolls.
pub const CONTROL_TOWER_ROLE: &str = "AWSControlTowerExecution";
/// The role Organizations' CreateAccount puts in new accounts by default.
pub const ORGANIZATIONS_ROLE: &str = "OrganizationAccountAccessRole";

impl Aws {
    /// Loads configuration from the default chain. Fails only when no Region can be found.
    pub async fn load(settings: &Settings) -> Result<Arc<Aws>, String> {
        if let Some(endpoint) = &settings.sandbox_endpoint {
            // Set in code, these win over anything in the environment or profiles.
            let base = aws_config::defaults(BehaviorVersion::latest())
                .region(Region::new("us-east-1"))
                .endpoint_url(endpoint)
                .credentials_provider(aws_credential_types::Credentials::new(
                    "sandbox", "sandbox", None, None, "sandbox",
                ))
                .load()
                .await;
            return Ok(Arc::new(Aws::from_config(base, settings)));
        }
        // A short IMDS timeout keeps "no credentials" fast on a machine without instance metadata.
        let imds = aws_config::imds::Client::builder()
            .connect_timeout(Duration::from_millis(300))
            .read_timeout(Duration::from_millis(500))
            .max_attempts(1)
            .build();
        // A profile named but not defined anywhere: say so first, everything else follows from it.
        let named = settings.profile.clone().or_else(|| std::env::var("AWS_PROFILE").ok()).filter(|p| !p.is_empty());
        if let Some(name) = named.filter(|n| n != "default") {
            let known = profiles::names();
            if !known.contains(&name) {
                let list = if known.is_empty() { "none".to_owned() } else { known.join(", ") };
                return Err(crate::catalog::say("error-unknown-profile", &[("profile", &name), ("profiles", &list)]));
            }
        }
        let mut profile_region = aws_config::profile::ProfileFileRegionProvider::builder();
        let mut creds = aws_config::default_provider::credentials::Builder::default().imds_client(imds.clone());
        if let Some(p) = &settings.profile {
            profile_region = profile_region.profile_name(p);
            creds = creds.profile_name(p);
        }
        let region_chain = RegionProviderChain::first_try(settings.region.clone().map(Region::new))
            .or_else(aws_config::environment::EnvironmentVariableRegionProvider::new())
            .or_else(profile_region.build())
            .or_else(aws_config::imds::region::ImdsRegionProvider::builder().imds_client(imds).build());
        let Some(region) = region_chain.region().await else {
            // Say everything that is missing at once, not one thing per try.
            use aws_credential_types::provider::ProvideCredentials;
            let probe = creds.region(Region::new("us-east-1")).build().await;
            let key = match probe.provide_credentials().await {
                Err(e) if error::from_credentials(&e).kind == ErrorKind::NoCredentials => "error-nothing-configured",
                _ => "error-no-region",
            };
            return Err(crate::catalog::say(key, &[]));
        };
        let creds = creds.region(region.clone()).build().await;
        let mut loader =
            aws_config::defaults(BehaviorVersion::latest()).region(region.clone()).credentials_provider(creds);
        if let Some(p) = &settings.profile {
            loader = loader.profile_name(p);
        }
        let base = loader.load().await;
        Ok(Arc::new(Aws::from_config(base, settings)))
    }

    /// Resolves the caller's credentials without calling any AWS service but the credential
    /// source itself (SSO, a process): "no credentials" is known before any screen opens.
    pub async fn resolve_credentials(&self) -> Result<(), AwsError> {
        use aws_credential_types::provider::ProvideCredentials;
        let Some(provider) = self.base.credentials_provider() else {
            return Err(error::from_credentials(&aws_credential_types::provider::error::CredentialsError::not_loaded(
                "no credentials provider",
            )));
        };
        provider.provide_credentials().await.map(|_| ()).map_err(|e| error::from_credentials(&e))
    }

    /// Wraps an already-built configuration (tests build theirs).
    pub fn from_config(base: SdkConfig, settings: &Settings) -> Aws {
        let region = base.region().map_or_else(|| "us-east-1".to_owned(), ToString::to_string);
        let profile = settings.profile.clone().or_else(|| std::env::var("AWS_PROFILE").ok());
        Aws {
            base,
            region,
            profile,
            caller_account: Mutex::new(None),
            member_roles: Mutex::new(vec![ORGANIZATIONS_ROLE, CONTROL_TOWER_ROLE]),
            members: Mutex::new(HashMap::new()),
            clients: Mutex::new(HashMap::new()),
            limit: Semaphore::new(settings.concurrency.max(1)),
            poll: Duration::from_secs_f64(if settings.poll_seconds > 0.0 { settings.poll_seconds } else { 30.0 }),
            wait_limit: settings.wait_limit_seconds.filter(|s| *s >= 0.0).map(Duration::from_secs_f64),
        }
    }

    /// How long to wait between polls of a long operation.
    pub fn poll_interval(&self) -> Duration {
        self.poll
    }

    /// How long to wait for a long operation whose own limit is `default`.
    pub fn wait_limit(&self, default: Duration) -> Duration {
        self.wait_limit.unwrap_or(default)
    }

    /// The Region groundwork was configured with.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The profile in use, if one was named (for hints such as `aws sso login --profile X`).
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    /// Records whose credentials the base configuration holds.
    pub fn set_caller_account(&self, account: &str) {
        *lock(&self.caller_account) = Some(account.to_owned());
    }

    /// The caller's account id, once known.
    pub(crate) fn caller(&self) -> String {
        lock(&self.caller_account).clone().unwrap_or_default()
    }

    /// Prefers Control Tower's execution role when a landing zone exists.
    pub fn prefer_control_tower_role(&self, yes: bool) {
        let order = if yes {
            vec![CONTROL_TOWER_ROLE, ORGANIZATIONS_ROLE]
        } else {
            vec![ORGANIZATIONS_ROLE, CONTROL_TOWER_ROLE]
        };
        *lock(&self.member_roles) = order;
    }

    /// Waits for a slot under the concurrency bound; hold the permit for the call's duration.
    pub(crate) async fn permit(&self) -> SemaphorePermit<'_> {
        match self.limit.acquire().await {
            Ok(p) => p,
            // The semaphore is never closed; if it were, running unbounded is the safe fallback.
            Err(_) => unreachable!("the call limiter is never closed"),
        }
    }

    /// The caller's own configuration, in the configured Region.
    pub(crate) fn base_config(&self) -> SdkConfig {
        self.base.clone()
    }

    /// The client of a service for `at`, made once per run and reused (clients are cheap to clone).
    pub(crate) fn client<C: Clone + Send + Sync + 'static>(&self, at: &At, make: fn(&SdkConfig) -> C) -> C {
        let key = (TypeId::of::<C>(), at.clone());
        if let Some(c) = lock(&self.clients).get(&key).and_then(|c| c.downcast_ref::<C>()) {
            return c.clone();
        }
        let client = make(&self.config(at));
        lock(&self.clients).insert(key, Box::new(client.clone()));
        client
    }

    /// The configuration to use for a call in `at`: the caller's own credentials for its own
    /// account, or an assumed role's (cached for the run) for any other account.
    pub(crate) fn config(&self, at: &At) -> SdkConfig {
        let own = lock(&self.caller_account).as_deref().is_none_or(|a| a == at.account);
        let mut builder = self.base.to_builder();
        builder.set_region(Some(Region::new(at.region.clone())));
        if !own {
            builder.set_credentials_provider(Some(self.member_credentials(&at.account)));
        }
        builder.build()
    }

    fn member_credentials(&self, account: &str) -> SharedCredentialsProvider {
        let mut members = lock(&self.members);
        if let Some(p) = members.get(account) {
            return p.clone();
        }
        let roles = lock(&self.member_roles).clone();
        let provider =
            SharedCredentialsProvider::new(member::MemberCredentials::new(self.base.clone(), account, roles));
        members.insert(account.to_owned(), provider.clone());
        provider
    }
}

/// A poisoned lock only means another task panicked mid-update of a small map; the data is still
/// usable, so recover it rather than cascade the panic.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A field AWS documents as always present, or an error naming it: an empty id must never reach a
/// later call, and a verdict must never rest on a value AWS did not send.
pub(crate) fn missing(value: Option<&str>, action: &'static str, field: &str, at: &At) -> Result<String, AwsError> {
    value.filter(|v| !v.is_empty()).map(str::to_owned).ok_or_else(|| AwsError {
        request_id: None,
        kind: ErrorKind::Other,
        action,
        account: at.account.clone(),
        region: Some(at.region.clone()),
        code: Some("incomplete answer".to_owned()),
        message: format!("AWS's answer had no {field}"),
    })
}

/// A long operation that had not finished when this run stopped waiting: not a failure, and never
/// taken for success.
pub(crate) fn still_in_progress(action: &'static str, at: &At, waited: Duration) -> AwsError {
    AwsError {
        request_id: None,
        kind: ErrorKind::InProgress,
        action,
        account: at.account.clone(),
        region: Some(at.region.clone()),
        code: None,
        message: crate::catalog::say("apply-still-in-progress", &[("waited", &human(waited))]),
    }
}

/// "90 minutes", "45 seconds": how long, as a person says it.
fn human(d: Duration) -> String {
    match d.as_secs() {
        s if s < 120 => format!("{s} seconds"),
        s => format!("{} minutes", s / 60),
    }
}
