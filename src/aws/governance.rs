//! What Control Tower governs, read from the management account: the organization's OU tree with
//! the parent of every account, the baselines AWS offers (`ListBaselines`) and those enabled
//! (`ListEnabledBaselines`), every page. Baseline identifiers are ARNs that differ per Region, so
//! they are always read in the landing zone's home Region, never written down.

use std::collections::BTreeMap;

use aws_sdk_organizations::types::PolicyType;

use super::{At, Aws, AwsError, missing};

/// One OU of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ou {
    pub id: String,
    /// EnableBaseline names its target by ARN.
    pub arn: String,
    pub name: String,
    /// The root's id for an OU directly under the root.
    pub parent: String,
}

/// One baseline enabled on a target, as ListEnabledBaselines says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enabled {
    pub arn: String,
    /// The baseline's ARN (from ListBaselines).
    pub baseline: String,
    pub version: Option<String>,
    /// The target's ARN (an OU's, for an OU baseline).
    pub target: String,
    /// `SUCCEEDED`, `FAILED` or `UNDER_CHANGE`.
    pub status: String,
    pub operation: Option<String>,
}

/// The part of the organization Control Tower governs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Governance {
    pub root: String,
    /// Every OU, parents before their children.
    pub ous: Vec<Ou>,
    /// Each account's parent (an OU's id, or the root's).
    pub parents: BTreeMap<String, String>,
    /// The baselines AWS offers in the home Region, as (name, ARN).
    pub baselines: Vec<(String, String)>,
    pub enabled: Vec<Enabled>,
    /// The SCPs attached to each OU directly under the root named `Workloads` (the OU a plan would
    /// move accounts into), by name.
    pub scps: BTreeMap<String, Vec<String>>,
}

/// The OU name groundwork moves accounts under the root into.
pub const WORKLOADS: &str = "Workloads";

/// Reads it all: the tree from the management account (Organizations is global), the baselines in
/// the home Region.
pub async fn read(aws: &Aws, mgmt: &At, home: &At) -> Result<Governance, AwsError> {
    let (tree, baselines, enabled) = tokio::join!(tree(aws, mgmt), baselines(aws, home), enabled(aws, home));
    let (root, ous, parents) = tree?;
    let mut scps = BTreeMap::new();
    for ou in ous.iter().filter(|o| o.parent == root && o.name == WORKLOADS) {
        scps.insert(ou.id.clone(), policies(aws, mgmt, &ou.id).await?);
    }
    Ok(Governance { root, ous, parents, baselines: baselines?, enabled: enabled?, scps })
}

type Tree = (String, Vec<Ou>, BTreeMap<String, String>);

/// The root, every OU (breadth first) and the parent of every account.
async fn tree(aws: &Aws, at: &At) -> Result<Tree, AwsError> {
    let client = aws.client(at, aws_sdk_organizations::Client::new);
    let pages = aws.pages("organizations:ListRoots", at, || client.list_roots().into_paginator().send()).await?;
    let root =
        missing(pages.iter().flat_map(|p| p.roots()).find_map(|r| r.id()), "organizations:ListRoots", "Root.Id", at)?;
    let (mut ous, mut parents, mut queue) = (Vec::new(), BTreeMap::new(), vec![root.clone()]);
    while let Some(parent) = (!queue.is_empty()).then(|| queue.remove(0)) {
        let accounts = aws
            .pages("organizations:ListAccountsForParent", at, || {
                client.list_accounts_for_parent().parent_id(&parent).into_paginator().send()
            })
            .await?;
        for a in accounts.iter().flat_map(|p| p.accounts()) {
            parents.insert(missing(a.id(), "organizations:ListAccountsForParent", "Account.Id", at)?, parent.clone());
        }
        let children = aws
            .pages("organizations:ListOrganizationalUnitsForParent", at, || {
                client.list_organizational_units_for_parent().parent_id(&parent).into_paginator().send()
            })
            .await?;
        for o in children.iter().flat_map(|p| p.organizational_units()) {
            const ACTION: &str = "organizations:ListOrganizationalUnitsForParent";
            let id = missing(o.id(), ACTION, "OrganizationalUnit.Id", at)?;
            let arn = missing(o.arn(), ACTION, "OrganizationalUnit.Arn", at)?;
            queue.push(id.clone());
            ous.push(Ou { id, arn, name: o.name().unwrap_or_default().to_owned(), parent: parent.clone() });
        }
    }
    Ok((root, ous, parents))
}

/// The SCPs attached to a target, by name.
async fn policies(aws: &Aws, at: &At, target: &str) -> Result<Vec<String>, AwsError> {
    let client = aws.client(at, aws_sdk_organizations::Client::new);
    let pages = aws
        .pages("organizations:ListPoliciesForTarget", at, || {
            client
                .list_policies_for_target()
                .target_id(target)
                .filter(PolicyType::ServiceControlPolicy)
                .into_paginator()
                .send()
        })
        .await?;
    Ok(pages.iter().flat_map(|p| p.policies()).filter_map(|p| p.name().map(str::to_owned)).collect())
}

async fn baselines(aws: &Aws, at: &At) -> Result<Vec<(String, String)>, AwsError> {
    let client = aws.client(at, aws_sdk_controltower::Client::new);
    let pages = aws.pages("controltower:ListBaselines", at, || client.list_baselines().into_paginator().send()).await?;
    Ok(pages.iter().flat_map(|p| p.baselines()).map(|b| (b.name().to_owned(), b.arn().to_owned())).collect())
}

async fn enabled(aws: &Aws, at: &At) -> Result<Vec<Enabled>, AwsError> {
    let client = aws.client(at, aws_sdk_controltower::Client::new);
    let pages = aws
        .pages("controltower:ListEnabledBaselines", at, || client.list_enabled_baselines().into_paginator().send())
        .await?;
    Ok(pages
        .iter()
        .flat_map(|p| p.enabled_baselines())
        .map(|b| Enabled {
            arn: b.arn().to_owned(),
            baseline: b.baseline_identifier().to_owned(),
            version: b.baseline_version().map(str::to_owned),
            target: b.target_identifier().to_owned(),
            // No status summary is not success: judged like any status groundwork does not know.
            status: b.status_summary().and_then(|s| s.status()).map_or("UNKNOWN", |s| s.as_str()).to_owned(),
            operation: b.status_summary().and_then(|s| s.last_operation_identifier()).map(str::to_owned),
        })
        .collect())
}
