//! What groundwork knows about Control Tower landing zone versions, as data: the manifest shape of
//! each version it can create (today only 4.0), how to read any manifest (3.x or 4.x), how versions
//! compare, and which AWS answer means "AWS wants a newer version than this release knows".
//! When AWS ships a new version: add one entry to [`SHAPES`] (newest last) and a test; see README.
//! The service roles a landing zone needs are in [`roles`].

pub mod roles;

pub use roles::ServiceRole;

use serde_json::{Value, json};

/// The accounts and Regions a new landing zone is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integrations {
    /// Governed Regions, the home Region first.
    pub regions: Vec<String>,
    pub log_archive: String,
    pub audit: String,
}

/// One landing zone version groundwork can create, and how to write its manifest.
#[derive(Debug)]
pub struct Shape {
    pub version: &'static str,
    pub build: fn(&Integrations) -> Value,
}

/// Every version groundwork can create, oldest first. AWS accepts only its latest version for a new
/// landing zone, so only the last entry is ever used to create; older entries may be dropped.
pub const SHAPES: &[Shape] = &[Shape { version: "4.0", build: manifest_4_0 }];

/// The newest shape, the one `CreateLandingZone` is called with.
pub fn newest() -> &'static Shape {
    // SHAPES is a non-empty constant; a test pins that.
    &SHAPES[SHAPES.len() - 1]
}

/// Landing zone 4.0 (2025-11-17): all five blocks with their `enabled` flags; Config and the security
/// roles in Audit; Identity Center on; AWS Backup off. No `organizationStructure`: the Security OU
/// exists before the launch (groundwork creates it).
fn manifest_4_0(i: &Integrations) -> Value {
    let retention = json!({"loggingBucket": {"retentionDays": 365}, "accessLoggingBucket": {"retentionDays": 3650}});
    json!({
        "governedRegions": i.regions,
        "centralizedLogging": {"enabled": true, "accountId": i.log_archive, "configurations": retention},
        "config": {"enabled": true, "accountId": i.audit, "configurations": retention},
        "securityRoles": {"enabled": true, "accountId": i.audit},
        "accessManagement": {"enabled": true},
        "backup": {"enabled": false}
    })
}

/// Whether an AWS error message is the refusal of a version that is no longer the latest.
pub fn version_refused(message: &str) -> bool {
    message.contains("must be latest available version")
}

/// Compares dotted version numbers ("3.3" < "3.10" < "4.0"); anything unparseable is not older.
pub fn older(version: &str, than: &str) -> bool {
    let parse = |v: &str| v.split('.').map(str::parse::<u64>).collect::<Result<Vec<_>, _>>();
    match (parse(version), parse(than)) {
        (Ok(a), Ok(b)) => a < b,
        _ => false,
    }
}

/// Whether two versions are the same number ("4.0" and "4.00"); unparseable ones only if equal.
pub fn same(a: &str, b: &str) -> bool {
    a == b || (!older(a, b) && !older(b, a) && [a, b].iter().all(|v| v.split('.').all(|n| n.parse::<u64>().is_ok())))
}

/// Whether AWS offers a version newer than any this release can create.
pub fn beyond_known(latest: &str) -> bool {
    older(newest().version, latest)
}

/// What a person should know about an existing landing zone's version: an update AWS offers (and
/// what it involves), and an AWS version newer than any this groundwork can create.
pub fn version_notes(step: &crate::catalog::Step, lz: &crate::aws::controltower::LandingZone) -> Vec<String> {
    let mut notes = Vec::new();
    let Some(latest) = lz.latest_version.as_deref() else { return notes };
    if older(&lz.version, latest) {
        let args = [("region", lz.home_region.as_str()), ("version", lz.version.as_str()), ("latest", latest)];
        notes.push(step.say("update-available", &args));
        if read(&lz.manifest).three_x {
            notes.push(step.say("three-x-shape", &[("latest", latest)]));
        }
    }
    if beyond_known(latest) {
        notes.push(step.say("newer-than-known", &[("latest", latest), ("known", newest().version)]));
    }
    notes
}

/// What a stored manifest says, whichever shape it has.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reading {
    pub log_archive: Option<String>,
    /// The security roles (Audit) account: `securityRoles.accountId` in 3.x and 4.x.
    pub audit: Option<String>,
    pub governed_regions: Vec<String>,
    /// 3.x only: the Security OU's name (4.x finds it with ListParents of Log Archive).
    pub security_ou: Option<String>,
    /// 3.x has `organizationStructure` and no `config` block.
    pub three_x: bool,
}

pub fn read(manifest: &Value) -> Reading {
    let text = |p: &str| manifest.pointer(p).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    Reading {
        log_archive: text("/centralizedLogging/accountId"),
        audit: text("/securityRoles/accountId"),
        governed_regions: manifest
            .get("governedRegions")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|r| r.as_str().map(str::to_owned)).collect())
            .unwrap_or_default(),
        security_ou: text("/organizationStructure/security/name"),
        three_x: manifest.get("organizationStructure").is_some() && manifest.get("config").is_none(),
    }
}

/// The version of `AWSControlTowerBaseline` that fits a landing zone version, from AWS's table
/// "Compatibility of OU baselines and landing zone versions"
/// (https://docs.aws.amazon.com/controltower/latest/userguide/table-of-baselines.html): EnableBaseline
/// must name a version compatible with the landing zone. No API lists baseline versions
/// (ListBaselines and GetBaseline return only name, ARN and description), so this is data, kept
/// next to the manifest shapes; a landing zone version not in it is said, never guessed.
pub const BASELINE_VERSIONS: &[(&str, &str)] = &[("3.2", "4.0"), ("3.3", "4.0"), ("4.0", "5.0")];

/// The `AWSControlTowerBaseline` version for a landing zone version (compared as numbers).
pub fn baseline_version(landing_zone: &str) -> Option<&'static str> {
    BASELINE_VERSIONS.iter().find(|(lz, _)| same(lz, landing_zone)).map(|(_, b)| *b)
}

/// The integrations a landing zone must run for groundwork to call it done, each as the manifest
/// block that is off or lacks its account: centralized logging (the organization trail into Log
/// Archive), Config (4.x: recording in the integration accounts and the Config account) and the
/// security roles (Audit). A 3.x manifest has no `config` block and no `enabled` flag on
/// `securityRoles`: AWS says both were "always enabled implicitly" before 4.0
/// (https://docs.aws.amazon.com/controltower/latest/userguide/key-changes-lz-v4.html).
pub fn integrations_off(manifest: &Value) -> Vec<&'static str> {
    let on = |block: &str| manifest.pointer(&format!("/{block}/enabled")).and_then(Value::as_bool) == Some(true);
    let account = |block: &str| {
        manifest.pointer(&format!("/{block}/accountId")).and_then(Value::as_str).is_some_and(|s| !s.is_empty())
    };
    let three_x = read(manifest).three_x;
    let mut off = Vec::new();
    if !(on("centralizedLogging") && account("centralizedLogging")) {
        off.push("centralizedLogging");
    }
    if !(three_x || (on("config") && account("config"))) {
        off.push("config");
    }
    if !((three_x || on("securityRoles")) && account("securityRoles")) {
        off.push("securityRoles");
    }
    off
}

/// Where an account sits in the organization, as far as the Security OU rule cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Directly under the root (where CreateAccount puts new accounts).
    Root,
    /// In this OU, which is directly under the root.
    Ou(String),
    /// In this OU, which is itself inside another OU.
    Nested(String),
}

/// What the plan does about the Security OU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityOu {
    /// The OU to use, or `None` when it must be created.
    pub existing: Option<String>,
    /// Which of [Log Archive, Audit] must be moved into it.
    pub moves: [bool; 2],
}

/// Why the OU layout cannot be made to fit 4.0's rule without undoing the person's own layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OuConflict {
    /// The account (index 0 Log Archive, 1 Audit) sits in an OU nested below another.
    Nested(usize, String),
    /// The two accounts sit in two different OUs.
    Apart(String, String),
}

/// 4.0's rule: Log Archive and Audit share one OU directly under the root. An OU one of them is
/// already in is kept (the other joins it); two different OUs or a nested one is a conflict, since
/// moving an account out of an OU the person chose changes its policies. Both under the root: an
/// OU named `name` directly under the root is reused, else one is created.
pub fn security_ou(places: [&Place; 2], under_root: &[(String, String)], name: &str) -> Result<SecurityOu, OuConflict> {
    for (n, place) in places.iter().enumerate() {
        if let Place::Nested(ou) = place {
            return Err(OuConflict::Nested(n, ou.clone()));
        }
    }
    match places {
        [Place::Ou(a), Place::Ou(b)] if a != b => Err(OuConflict::Apart(a.clone(), b.clone())),
        [Place::Ou(a), _] | [_, Place::Ou(a)] => {
            Ok(SecurityOu { existing: Some(a.clone()), moves: [*places[0] == Place::Root, *places[1] == Place::Root] })
        }
        _ => {
            let found = under_root.iter().find(|(_, n)| n == name).map(|(id, _)| id.clone());
            Ok(SecurityOu { existing: found, moves: [true, true] })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints() -> Integrations {
        Integrations {
            regions: vec!["eu-west-1".into(), "us-east-1".into()],
            log_archive: "111".into(),
            audit: "222".into(),
        }
    }

    #[test]
    fn the_newest_shape_is_4_0_with_all_five_blocks() {
        assert_eq!(newest().version, "4.0");
        let m = (newest().build)(&ints());
        assert!(m.get("organizationStructure").is_none());
        for block in ["centralizedLogging", "config", "securityRoles", "accessManagement", "backup"] {
            assert!(m[block]["enabled"].is_boolean(), "{block} has no enabled flag");
        }
        assert_eq!(m["centralizedLogging"]["accountId"], "111");
        assert_eq!(m["config"]["accountId"], "222");
        assert_eq!(m["securityRoles"]["accountId"], "222");
        assert_eq!(m["backup"]["enabled"], false);
        assert_eq!(m["governedRegions"][0], "eu-west-1", "home Region first");
    }

    #[test]
    fn shapes_are_in_version_order() {
        assert!(SHAPES.windows(2).all(|w| older(w[0].version, w[1].version)));
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(older("3.3", "3.10"));
        assert!(older("3.3", "4.0"));
        assert!(!older("4.0", "4.0"));
        assert!(!older("4.0", "3.9"));
        assert!(!older("x", "4.0"));
        assert!(beyond_known("4.1") && !beyond_known("4.0") && !beyond_known("3.3"));
        assert!(same("4.0", "4.00") && same("4.0", "4.0") && !same("4.0", "4.1") && !same("x", "4.0"));
    }

    #[test]
    fn the_refusal_is_recognised() {
        assert!(version_refused("Your AWS Control Tower landing zone version must be latest available version."));
        assert!(!version_refused("AWS Control Tower cannot create a landing zone because one already exists."));
    }

    #[test]
    fn manifests_of_both_shapes_are_read() {
        let three = json!({"governedRegions": ["us-east-1"], "organizationStructure": {"security": {"name": "Sec"}},
            "centralizedLogging": {"accountId": "111", "enabled": true}, "securityRoles": {"accountId": "222"}});
        let r = read(&three);
        assert!(r.three_x);
        assert_eq!(
            (r.log_archive.as_deref(), r.audit.as_deref(), r.security_ou.as_deref()),
            (Some("111"), Some("222"), Some("Sec"))
        );
        let r = read(&(newest().build)(&ints()));
        assert!(!r.three_x);
        assert_eq!((r.log_archive.as_deref(), r.audit.as_deref()), (Some("111"), Some("222")));
        assert_eq!(r.governed_regions, ["eu-west-1", "us-east-1"]);
    }

    #[test]
    fn the_security_ou_is_created_reused_or_a_conflict() {
        let sec = vec![("ou-sec".to_owned(), "Security".to_owned())];
        let ou = |s: &str| Place::Ou(s.into());
        assert_eq!(
            security_ou([&Place::Root, &Place::Root], &[], "Security"),
            Ok(SecurityOu { existing: None, moves: [true, true] })
        );
        assert_eq!(
            security_ou([&Place::Root, &Place::Root], &sec, "Security"),
            Ok(SecurityOu { existing: Some("ou-sec".into()), moves: [true, true] })
        );
        assert_eq!(
            security_ou([&ou("ou-a"), &ou("ou-a")], &sec, "Security"),
            Ok(SecurityOu { existing: Some("ou-a".into()), moves: [false, false] })
        );
        assert_eq!(
            security_ou([&Place::Root, &ou("ou-a")], &sec, "Security"),
            Ok(SecurityOu { existing: Some("ou-a".into()), moves: [true, false] })
        );
        assert_eq!(
            security_ou([&ou("ou-a"), &ou("ou-b")], &sec, "Security"),
            Err(OuConflict::Apart("ou-a".into(), "ou-b".into()))
        );
        assert_eq!(
            security_ou([&Place::Root, &Place::Nested("ou-n".into())], &sec, "Security"),
            Err(OuConflict::Nested(1, "ou-n".into()))
        );
    }
}
