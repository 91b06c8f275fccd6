//! The only module that talks to AWS. It loads one configuration the way the AWS CLI does (profiles,
//! SSO, environment, `AWS_REGION`, `AWS_ENDPOINT_URL`), reaches member accounts by assuming a role,
//! bounds how many calls are in flight, and turns SDK answers into plain domain types.

pub mod access_analyzer;
pub mod account;
pub mod budgets;
pub(crate) mod call;
pub mod change;
pub mod cloudtrail;
pub mod config_service;
pub mod controls;
pub mod controltower;
pub mod cost_explorer;
pub mod credential_report;
pub mod ec2;
pub mod error;
pub mod eventbridge;
pub mod governance;
pub mod guardduty;
pub mod iam;
pub mod identity_center;
mod member;
pub mod organizations;
pub mod profiles;
pub mod rates;
pub mod regions;
pub mod root_access;
pub mod s3;
pub mod s3control;
pub mod securityhub;
pub mod sns;
pub mod sts;

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::identity::IdentityCache;
use aws_config::meta::region::RegionProviderChain;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_sts::config::Region;
pub use call::{ACCOUNTS_IN_FLIGHT, Wait, WaitReason, say_wait, set_say_waits};
pub use error::{AwsError, ErrorKind};

/// How groundwork was asked to reach AWS, from the command line.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub profile: Option<String>,
    pub region: Option<String>,
    /// How many AWS calls may be in flight at once in one account (four times that in all).
    pub concurrency: usize,
    /// The sandbox's emulator: every call goes there, with throwaway keys, whatever the machine has.
    pub sandbox_endpoint: Option<String>,
    /// Seconds between polls of a long operation.
    pub poll_seconds: f64,
    /// Overrides every long operation's own limit (tests and demos, which cannot wait an hour).
    pub wait_limit_seconds: Option<f64>,
    /// How long one call may keep being throttled before it is reported (two minutes unless told;
    /// tests shorten it).
    pub throttle_limit_seconds: Option<f64>,
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

/// A loaded AWS session: the caller's configuration, the call limiter and the run's caches, plus
/// the route for member accounts. The route is fixed for a value's life: a session loaded from the
/// configuration knows no caller yet (every call uses the caller's own credentials); `bound` makes
/// the session the account model calls for, which reaches other accounts through their roles.
/// Nothing in a session changes once made, so concurrent tasks can share one safely.
#[derive(Clone)]
pub struct Aws {
    shared: Arc<Shared>,
    /// The account whose credentials the base configuration holds, once known.
    caller: Option<String>,
    /// Roles to try, in order, to act in a member account.
    member_roles: Vec<&'static str>,
}

/// What every session of a run shares: configuration, limiter and caches. The caches are keyed by
/// everything that decides their content (the route included), so sessions with different routes
/// never see each other's clients or credentials.
struct Shared {
    base: SdkConfig,
    region: String,
    profile: Option<String>,
    members: Mutex<HashMap<(String, Vec<&'static str>), SharedCredentialsProvider>>,
    /// One client per service, account, Region and route for the whole run.
    clients: Mutex<HashMap<ClientKey, Box<dyn Any + Send + Sync>>>,
    /// Pacing, the bounds on calls in flight, retries (src/aws/call.rs).
    /// Shared with the member credentials, which pace their `AssumeRole` by it.
    calls: Arc<call::Calls>,
    poll: Duration,
    wait_limit: Option<Duration>,
}

/// A client's identity in the cache: its service, where it calls, and the roles it reaches a
/// member account through (`None`: the caller's own credentials).
type ClientKey = (TypeId, At, Option<Vec<&'static str>>);

/// The role Control Tower puts in every account it creates or enrolls.
pub const CONTROL_TOWER_ROLE: &str = "AWSControlTowerExecution";
/// Credential providers kept in the identity cache: one per member account and route, and the
/// caller's own (an organization may have thousands of accounts).
const MAX_CREDENTIALS: usize = 20_000;
/// How long loading one set of credentials may take: a member's turn at STS's rate in a large
/// organization, plus member.rs's throttling budget per role.
const CREDENTIALS_LOAD_LIMIT: Duration = Duration::from_mins(5);

/// The role Organizations' CreateAccount puts in new accounts by default.
pub const ORGANIZATIONS_ROLE: &str = "OrganizationAccountAccessRole";

impl Aws {
    /// Loads configuration from the default chain. Fails only when no Region can be found.
    pub async fn load(settings: &Settings) -> Result<Arc<Aws>, String> {
        if let Some(endpoint) = &settings.sandbox_endpoint {
            // Set in code, these win over anything in the environment or profiles.
            let base = aws_config::defaults(BehaviorVersion::latest())
                .http_client(http_client())
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
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http_client())
            .region(region.clone())
            .credentials_provider(creds);
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
        let Some(provider) = self.shared.base.credentials_provider() else {
            return Err(error::from_credentials(&aws_credential_types::provider::error::CredentialsError::not_loaded(
                "no credentials provider",
            )));
        };
        provider.provide_credentials().await.map(|_| ()).map_err(|e| error::from_credentials(&e))
    }

    /// Wraps an already-built configuration (tests build theirs).
    pub fn from_config(base: SdkConfig, settings: &Settings) -> Aws {
        // Every member account's credentials are a provider of their own, cached in one identity
        // cache. The SDK's default keeps 64 providers and evicts one at random past that: at 150
        // accounts a check assumed 2,340 roles instead of 150, each paced by STS's rate. Its
        // default load timeout (seconds) would also cut short a member's credentials while they
        // wait their turn for that rate or back off from throttling, wasting the AssumeRole AWS
        // had already counted; those waits are bounded in member.rs instead.
        let cache = IdentityCache::lazy().max_partitions(MAX_CREDENTIALS).load_timeout(CREDENTIALS_LOAD_LIMIT).build();
        let base = base.to_builder().identity_cache(cache).build();
        let region = base.region().map_or_else(|| "us-east-1".to_owned(), ToString::to_string);
        let profile = settings.profile.clone().or_else(|| std::env::var("AWS_PROFILE").ok());
        let shared = Shared {
            base,
            region,
            profile,
            members: Mutex::new(HashMap::new()),
            clients: Mutex::new(HashMap::new()),
            calls: Arc::new(call::Calls::new(
                settings.concurrency,
                settings.throttle_limit_seconds.filter(|s| *s >= 0.0).map(Duration::from_secs_f64),
            )),
            poll: Duration::from_secs_f64(if settings.poll_seconds > 0.0 { settings.poll_seconds } else { 30.0 }),
            wait_limit: settings.wait_limit_seconds.filter(|s| *s >= 0.0).map(Duration::from_secs_f64),
        };
        Aws { shared: Arc::new(shared), caller: None, member_roles: member_roles(false) }
    }

    /// How long to wait between polls of a long operation.
    pub fn poll_interval(&self) -> Duration {
        self.shared.poll
    }

    /// How long to wait for a long operation whose own limit is `default`.
    pub fn wait_limit(&self, default: Duration) -> Duration {
        self.shared.wait_limit.unwrap_or(default)
    }

    /// The Region groundwork was configured with.
    pub fn region(&self) -> &str {
        &self.shared.region
    }

    /// The profile in use, if one was named (for hints such as `aws sso login --profile X`).
    pub fn profile(&self) -> Option<&str> {
        self.shared.profile.as_deref()
    }

    /// This session, acting as `caller` (whose credentials the configuration holds) and reaching
    /// other accounts through Control Tower's execution role first when a landing zone exists,
    /// else Organizations' role first. A new value: this one is unchanged.
    #[must_use]
    pub fn acting_as(&self, caller: &str, control_tower: bool) -> Aws {
        Aws { shared: self.shared.clone(), caller: Some(caller.to_owned()), member_roles: member_roles(control_tower) }
    }

    /// The session the account model calls for: the caller it found, and the member role its
    /// landing zone implies. Every step's reads and changes go through this.
    #[must_use]
    pub fn bound(&self, facts: &crate::facts::Facts) -> Aws {
        let control_tower = matches!(facts.landing_zone, Ok(Some(_)));
        self.acting_as(&facts.identity.account, control_tower)
    }

    /// The caller's account id, once known ("unknown" before: only STS is called then).
    pub(crate) fn caller(&self) -> &str {
        self.caller.as_deref().unwrap_or("unknown")
    }

    /// The caller's own configuration, in the configured Region.
    pub(crate) fn base_config(&self) -> SdkConfig {
        self.shared.base.clone()
    }

    /// The client of a service for `at`, made once per run and reused (clients are cheap to clone).
    pub(crate) fn client<C: Clone + Send + Sync + 'static>(&self, at: &At, make: fn(&SdkConfig) -> C) -> C {
        let key = (TypeId::of::<C>(), at.clone(), self.route(at).cloned());
        if let Some(c) = lock(&self.shared.clients).get(&key).and_then(|c| c.downcast_ref::<C>()) {
            return c.clone();
        }
        let client = make(&self.config(at));
        lock(&self.shared.clients).insert(key, Box::new(client.clone()));
        client
    }

    /// The roles a call in `at` goes through: none for the caller's own account (or while the
    /// caller is not yet known), else this session's member roles.
    fn route(&self, at: &At) -> Option<&Vec<&'static str>> {
        let own = self.caller.as_deref().is_none_or(|a| a == at.account);
        (!own).then_some(&self.member_roles)
    }

    /// The configuration to use for a call in `at`: the caller's own credentials for its own
    /// account, or an assumed role's (cached for the run) for any other account.
    pub(crate) fn config(&self, at: &At) -> SdkConfig {
        let mut builder = self.shared.base.to_builder();
        builder.set_region(Some(Region::new(at.region.clone())));
        if let Some(roles) = self.route(at) {
            builder.set_credentials_provider(Some(self.member_credentials(&at.account, roles)));
        }
        builder.build()
    }

    fn member_credentials(&self, account: &str, roles: &[&'static str]) -> SharedCredentialsProvider {
        let mut members = lock(&self.shared.members);
        let key = (account.to_owned(), roles.to_vec());
        if let Some(p) = members.get(&key) {
            return p.clone();
        }
        // AssumeRole is charged to the account that calls it, in the base configuration's Region.
        let caller = At::new(self.caller(), &self.shared.region);
        let provider = SharedCredentialsProvider::new(member::MemberCredentials::new(
            self.shared.base.clone(),
            account,
            roles.to_vec(),
            (self.shared.calls.clone(), caller),
        ));
        members.insert(key, provider.clone());
        provider
    }
}

/// One HTTP client for every SDK client of the run. Left to itself, each SDK client (one per
/// service, account and Region: hundreds in a large organization) builds its own, each with its own
/// connection pool and its own copy of the system's root certificates. This is the SDK's default
/// client (hyper 1, rustls with aws-lc, proxies from the environment), made once.
fn http_client() -> aws_sdk_sts::config::SharedHttpClient {
    use aws_smithy_http_client::{Builder, ConnectorBuilder, proxy::ProxyConfig, tls};
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// The order in which to try roles in a member account.
fn member_roles(control_tower: bool) -> Vec<&'static str> {
    if control_tower {
        vec![CONTROL_TOWER_ROLE, ORGANIZATIONS_ROLE]
    } else {
        vec![ORGANIZATIONS_ROLE, CONTROL_TOWER_ROLE]
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

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Aws {
        let conf =
            SdkConfig::builder().region(Region::new("eu-west-1")).behavior_version(BehaviorVersion::latest()).build();
        Aws::from_config(conf, &Settings::default())
    }

    #[test]
    fn a_route_is_fixed_for_a_sessions_life() {
        let loaded = session();
        let me = At::new("111111111111", "eu-west-1");
        let member = At::new("222222222222", "eu-west-1");
        assert_eq!(loaded.route(&member), None, "before the caller is known, only its own credentials");
        let plain = loaded.acting_as("111111111111", false);
        let tower = loaded.acting_as("111111111111", true);
        assert_eq!(plain.route(&me), None);
        assert_eq!(plain.route(&member), Some(&vec![ORGANIZATIONS_ROLE, CONTROL_TOWER_ROLE]));
        assert_eq!(tower.route(&member), Some(&vec![CONTROL_TOWER_ROLE, ORGANIZATIONS_ROLE]));
        // Binding made new values; the loaded session still routes as it did.
        assert_eq!(loaded.route(&member), None);
        assert_eq!(loaded.caller(), "unknown");
    }
}
