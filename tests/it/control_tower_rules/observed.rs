//! Hand-built observations for control-tower's rules: landing zones in any state, and a launch from
//! a fresh or a brownfield organization, each changed by a row in one place; and the answers.

use std::collections::BTreeMap;

use groundwork::aws::change::iam::RoleFound;
use groundwork::aws::config_service::ConfigResources;
use groundwork::aws::controltower::LandingZone;
use groundwork::aws::governance::{Enabled, Governance, Ou};
use groundwork::aws::organizations::OrgAccount;
use groundwork::aws::regions::AccountRegion;
use groundwork::aws::{AwsError, ErrorKind};
use groundwork::facts::{SharedAccount, Source};
use groundwork::inputs::{Ask, InputError};
use groundwork::landing_zone::roles::ROLES;
use groundwork::steps::control_tower::{ConfigRead, Launch, Observed, Organization, Regional, Scope};
use serde_json::json;

pub const ME: &str = "111111111111";
pub const LOG: &str = "222222222222";
pub const AUDIT: &str = "333333333333";
pub const ARN: &str = "arn:aws:controltower:eu-west-1:111111111111:landingzone/1";
/// A workload account, in the registered OU `Apps` of the well-governed organization.
pub const WORK: &str = "444444444444";
pub const CT_BASELINE: &str = "arn:aws:controltower:eu-west-1::baseline/17BSJV3IGJ2QSGA2";
pub const IC_BASELINE: &str = "arn:aws:controltower:eu-west-1::baseline/LN25R72TTG6IGPTQ";
pub const IC_ENABLED: &str = "arn:aws:controltower:eu-west-1:111111111111:enabledbaseline/IC";

pub fn failed(action: &'static str, account: &str) -> AwsError {
    AwsError {
        request_id: None,
        kind: ErrorKind::AccessDenied,
        action,
        account: account.into(),
        region: Some("us-east-1".into()),
        code: Some("AccessDeniedException".into()),
        message: "denied".into(),
    }
}

pub fn zone(status: &str, drift: Option<&str>, version: &str, latest: &str) -> LandingZone {
    LandingZone {
        arn: ARN.into(),
        home_region: "eu-west-1".into(),
        status: status.into(),
        drift: drift.map(str::to_owned),
        version: version.into(),
        latest_version: Some(latest.into()),
        manifest: json!({
            "governedRegions": ["eu-west-1"],
            "centralizedLogging": {"enabled": true, "accountId": LOG},
            "config": {"enabled": true, "accountId": AUDIT},
            "securityRoles": {"enabled": true, "accountId": AUDIT},
            "accessManagement": {"enabled": true},
            "backup": {"enabled": false}
        }),
        failure: None,
    }
}

pub fn region(name: &str, status: &str) -> AccountRegion {
    AccountRegion { name: name.into(), status: status.into() }
}

pub fn account(id: &str, name: &str, state: &str) -> OrgAccount {
    OrgAccount {
        id: id.into(),
        name: name.into(),
        email: format!("{id}@x.io"),
        active: state == "ACTIVE",
        state: state.into(),
    }
}

pub fn shared(id: &str) -> SharedAccount {
    SharedAccount { id: id.into(), source: Source::AccountName }
}

/// Every Control Tower role present at its path, trusting its service, with what it needs.
pub fn complete_roles() -> BTreeMap<&'static str, RoleFound> {
    ROLES
        .iter()
        .map(|r| {
            let found = RoleFound {
                path: "/service-role/".into(),
                trust: format!("%7B%22Service%22%3A%22{}%22%7D", r.service),
                managed: r.managed_policy.iter().map(|p| (*p).to_owned()).collect(),
                inline: r.inline.iter().map(|_| r.inline_name()).collect(),
            };
            (r.name, found)
        })
        .collect()
}

/// A fresh organization: all features, nothing else there, Regions read, nothing in the way.
pub fn fresh() -> Launch {
    Launch {
        all_features: true,
        accounts: vec![account(ME, "Management", "ACTIVE")],
        log_archive: None,
        audit: None,
        trusted: vec![],
        trails: Ok(vec![]),
        regions: Ok(vec![
            region("us-east-1", "ENABLED_BY_DEFAULT"),
            region("eu-west-1", "ENABLED_BY_DEFAULT"),
            region("af-south-1", "DISABLED"),
        ]),
        root: "r-1".into(),
        ous: vec![],
        parents: [None, None],
        roles: BTreeMap::new(),
        regional: Some(Regional {
            scope: Scope { home: "us-east-1".into(), governed: vec!["us-east-1".into(), "eu-west-1".into()] },
            identity_center: vec![],
            config: vec![],
        }),
    }
}

/// Log Archive and Audit exist under the root, the roles are complete, Config is clean in both.
pub fn brownfield() -> Launch {
    let clean = |name, account: &str, region: &str| ConfigRead {
        name,
        account: account.into(),
        region: region.into(),
        found: Ok(ConfigResources::default()),
    };
    let mut l = fresh();
    l.accounts.extend([account(LOG, "Log Archive", "ACTIVE"), account(AUDIT, "Audit", "ACTIVE")]);
    (l.log_archive, l.audit, l.parents) =
        (Some(shared(LOG)), Some(shared(AUDIT)), [Some("r-1".into()), Some("r-1".into())]);
    l.roles = complete_roles();
    let regional = l.regional.as_mut().expect("regional");
    for (name, id) in [("Log Archive", LOG), ("Audit", AUDIT)] {
        regional.config.extend(["us-east-1", "eu-west-1"].map(|r| clean(name, id, r)));
    }
    l
}

pub fn with(launch: Launch, change: impl FnOnce(&mut Launch)) -> Launch {
    let mut l = launch;
    change(&mut l);
    l
}

pub fn regional(change: impl FnOnce(&mut Regional)) -> impl FnOnce(&mut Launch) {
    move |l| change(l.regional.as_mut().expect("regional"))
}

pub fn observed(zone: Result<Option<LandingZone>, AwsError>, launch: Option<Launch>) -> Observed {
    Observed {
        me: ME.into(),
        region: "us-east-1".into(),
        managed: true,
        landing_zone: zone,
        pending: None,
        launch,
        org: None,
    }
}

/// An existing landing zone seen by the management account, in a well-governed organization.
pub fn existing(lz: LandingZone) -> Observed {
    Observed { org: Some(Ok(governed())), ..observed(Ok(Some(lz)), None) }
}

pub fn ou(id: &str, name: &str, parent: &str) -> Ou {
    Ou {
        id: id.into(),
        arn: format!("arn:aws:organizations::{ME}:ou/o-1/{id}"),
        name: name.into(),
        parent: parent.into(),
    }
}

pub fn enabled(ou_id: &str, baseline: &str, version: &str, status: &str) -> Enabled {
    Enabled {
        arn: format!("arn:aws:controltower:eu-west-1:{ME}:enabledbaseline/{ou_id}"),
        baseline: baseline.into(),
        version: Some(version.into()),
        target: format!("arn:aws:organizations::{ME}:ou/o-1/{ou_id}"),
        status: status.into(),
        operation: Some(format!("op-{ou_id}")),
    }
}

/// Everything governed: Log Archive and Audit in `Security`, the workload account in `Apps`
/// (AWSControlTowerBaseline 5.0 SUCCEEDED), Identity Center's baseline enabled, the management
/// account under the root.
pub fn governed() -> Organization {
    let accounts = vec![
        account(ME, "Management", "ACTIVE"),
        account(LOG, "Log Archive", "ACTIVE"),
        account(AUDIT, "Audit", "ACTIVE"),
        account(WORK, "Shop", "ACTIVE"),
    ];
    let parents = [(ME, "r-1"), (LOG, "ou-sec"), (AUDIT, "ou-sec"), (WORK, "ou-apps")];
    let ic = Enabled {
        arn: IC_ENABLED.into(),
        target: "arn:aws:controltower:eu-west-1::landingzone".into(),
        ..enabled("ic", IC_BASELINE, "1.0", "SUCCEEDED")
    };
    Organization {
        accounts,
        governance: Governance {
            root: "r-1".into(),
            ous: vec![ou("ou-sec", "Security", "r-1"), ou("ou-apps", "Apps", "r-1")],
            parents: parents.iter().map(|(a, p)| ((*a).to_owned(), (*p).to_owned())).collect(),
            baselines: vec![
                ("AWSControlTowerBaseline".into(), CT_BASELINE.into()),
                ("IdentityCenterBaseline".into(), IC_BASELINE.into()),
            ],
            enabled: vec![ic, enabled("ou-apps", CT_BASELINE, "5.0", "SUCCEEDED")],
            scps: BTreeMap::new(),
        },
    }
}

/// An existing landing zone (active, in sync, 4.0) over the governed organization changed by `change`.
pub fn governing(change: impl FnOnce(&mut Organization, &mut LandingZone)) -> Observed {
    let (mut org, mut lz) = (governed(), zone("ACTIVE", Some("IN_SYNC"), "4.0", "4.0"));
    change(&mut org, &mut lz);
    Observed { org: Some(Ok(org)), ..existing(lz) }
}

pub fn launching(launch: Launch) -> Observed {
    observed(Ok(None), Some(launch))
}

/// The person's answers: both emails, plus any expert override a test gives.
pub struct Answers(BTreeMap<&'static str, &'static str>);

impl Ask for Answers {
    fn get(&mut self, key: &str, default: Option<&str>) -> Result<String, InputError> {
        self.0.get(key).map(|v| (*v).to_owned()).or(default.map(str::to_owned)).ok_or(InputError::Missing(key.into()))
    }
    fn given(&self, key: &str) -> Option<String> {
        self.0.get(key).map(|v| (*v).to_owned())
    }
}

pub fn answers(extra: &[(&'static str, &'static str)]) -> Answers {
    let mut a = BTreeMap::from([
        ("control-tower.log-archive-email", "log@example.com"),
        ("control-tower.audit-email", "audit@example.com"),
    ]);
    a.extend(extra.iter().copied());
    Answers(a)
}
