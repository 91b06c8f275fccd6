//! The account model: facts several steps need (who am I, the organization, the landing zone, the
//! Log Archive and Audit accounts, the governed Regions), fetched once per run and shared.

use crate::aws::controltower::{self, LandingZone};
use crate::aws::organizations::{self, OrgAccount, Organization};
use crate::aws::sts::{self, Identity};
use crate::aws::{Aws, AwsError};

/// How groundwork found a shared account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// From the landing zone's manifest: authoritative.
    Manifest,
    /// From the organization's account names: a good guess.
    AccountName,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedAccount {
    pub id: String,
    pub source: Source,
}

/// Everything the checks share. A fact that could not be read keeps its error, so each step that
/// depends on it can say "unknown" and why.
#[derive(Debug)]
pub struct Facts {
    pub identity: Identity,
    pub organization: Result<Option<Organization>, AwsError>,
    /// The organization's accounts; empty unless the caller is the management account.
    pub accounts: Result<Vec<OrgAccount>, AwsError>,
    pub landing_zone: Result<Option<LandingZone>, AwsError>,
    pub log_archive: Option<SharedAccount>,
    pub audit: Option<SharedAccount>,
    /// Where Control Tower and Identity Center live: the landing zone's, else the configured Region.
    pub home_region: String,
    /// The landing zone's governed Regions, else the configured Region.
    pub governed_regions: Vec<String>,
    /// Why the governed Regions (and the home Region) could not be established: the landing zone
    /// could not be read. While this is set, `governed_regions` and `home_region` hold only the
    /// configured Region, a guess that no step may be judged or planned on (see
    /// `checks::undetermined`).
    pub regions_unknown: Option<AwsError>,
}

impl Facts {
    /// The organization, when the caller is its management account.
    pub fn managed_org(&self) -> Option<&Organization> {
        match &self.organization {
            Ok(Some(org)) if org.management_account == self.identity.account => Some(org),
            _ => None,
        }
    }

    /// Why the Audit account could not be established, when it could not: no landing zone named
    /// it, and either whether there is an organization is unknown, or the management account could
    /// not list the organization's accounts. Then what lives in Audit cannot be judged anywhere:
    /// not in Audit (unknown), and not in the management account instead.
    pub fn audit_unknown(&self) -> Option<&AwsError> {
        if self.audit.is_some() {
            return None;
        }
        match (&self.organization, &self.accounts) {
            (Err(e), _) => Some(e),
            (Ok(Some(_)), Err(e)) if self.managed_org().is_some() => Some(e),
            _ => None,
        }
    }

    /// The governed Regions as a person reads them: the list, or that they are unknown.
    pub fn regions_shown(&self) -> String {
        if self.regions_unknown.is_some() {
            return crate::catalog::say("regions-unknown", &[]);
        }
        self.governed_regions.join(", ")
    }
}

/// Reads the shared facts. Fails only when the caller's identity cannot be read, in which case
/// nothing else can be checked either.
pub async fn gather(aws: &Aws) -> Result<Facts, AwsError> {
    let identity = sts::caller_identity(aws).await?;
    Ok(gather_for(aws, identity).await)
}

/// The same, for a caller whose identity is already known.
pub async fn gather_for(aws: &Aws, identity: Identity) -> Facts {
    // The organization and the landing zone are read in the caller's own account.
    let aws = &aws.acting_as(&identity.account, false);
    let (organization, landing_zone) = tokio::join!(organizations::organization(aws), controltower::landing_zone(aws));
    let is_management = matches!(&organization, Ok(Some(o)) if o.management_account == identity.account);
    let accounts = if is_management { organizations::accounts(aws).await } else { Ok(Vec::new()) };
    let lz = landing_zone.as_ref().ok().and_then(Option::as_ref);

    let by_name = |wanted: &[&str]| -> Option<SharedAccount> {
        let accounts = accounts.as_ref().ok()?;
        accounts
            .iter()
            .filter(|a| a.active && a.id != identity.account)
            .find(|a| wanted.contains(&normalise(&a.name).as_str()))
            .map(|a| SharedAccount { id: a.id.clone(), source: Source::AccountName })
    };
    let from_manifest = |pointer: &str| -> Option<SharedAccount> {
        let id = lz?.manifest.pointer(pointer)?.as_str()?;
        Some(SharedAccount { id: id.to_owned(), source: Source::Manifest })
    };
    let log_archive = from_manifest("/centralizedLogging/accountId").or_else(|| by_name(&["logarchive"]));
    let audit = from_manifest("/securityRoles/accountId").or_else(|| by_name(&["audit", "securitytooling"]));

    let home_region = lz.map_or_else(|| aws.region().to_owned(), |z| z.home_region.clone());
    let governed_regions = lz.and_then(|z| governed(&z.manifest)).unwrap_or_else(|| vec![home_region.clone()]);
    // An unreadable landing zone is not "no landing zone": the configured Region above is a guess.
    let regions_unknown = landing_zone.as_ref().err().cloned();
    Facts {
        identity,
        organization,
        accounts,
        landing_zone,
        log_archive,
        audit,
        home_region,
        governed_regions,
        regions_unknown,
    }
}

/// Lower-case letters and digits only, so "Log Archive", "log-archive" and "LogArchive" match.
fn normalise(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

fn governed(manifest: &serde_json::Value) -> Option<Vec<String>> {
    let regions: Vec<String> =
        manifest.get("governedRegions")?.as_array()?.iter().filter_map(|r| r.as_str().map(str::to_owned)).collect();
    (!regions.is_empty()).then_some(regions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise() {
        assert_eq!(normalise("Log Archive"), "logarchive");
        assert_eq!(normalise("log-archive"), "logarchive");
        assert_eq!(normalise("Audit"), "audit");
    }

    #[test]
    fn governed_regions_come_from_the_manifest() {
        let m = serde_json::json!({"governedRegions": ["us-east-1", "eu-west-1"]});
        assert_eq!(governed(&m), Some(vec!["us-east-1".to_owned(), "eu-west-1".to_owned()]));
        assert_eq!(governed(&serde_json::json!({})), None);
        assert_eq!(governed(&serde_json::json!({"governedRegions": []})), None);
    }
}
