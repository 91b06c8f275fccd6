//! S3: each bucket of an account and whether it is public today, read before a change to the
//! account's Block Public Access could end that. Each bucket is read in its own Region.

use aws_sdk_s3::error::ProvideErrorMetadata;
use futures_util::future::join_all;

use super::s3control::Block;
use super::{At, Aws, AwsError, call::classify_at, missing};

/// The ACL groups that make a bucket public (AWS, "The meaning of public"): everyone, and every
/// AWS account holder.
const PUBLIC_GROUPS: [(&str, &str); 2] = [
    ("http://acs.amazonaws.com/groups/global/AllUsers", "AllUsers"),
    ("http://acs.amazonaws.com/groups/global/AuthenticatedUsers", "AuthenticatedUsers"),
];

/// One bucket, as far as its public status goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub name: String,
    pub region: String,
    /// `GetBucketPolicyStatus` says its policy is public.
    pub policy_public: bool,
    /// Its ACL's grants to a public group, as `AllUsers READ`.
    pub acl_grants: Vec<String>,
    /// The bucket's own Block Public Access settings (AWS applies the stricter of these and the
    /// account's).
    pub block: Block,
}

/// Every bucket the account owns, each read in its Region. `ListBuckets` is asked with
/// `MaxBuckets`, so that AWS names each bucket's Region ("if the request contains at least one
/// valid parameter") and pages with `ContinuationToken`.
pub async fn buckets(aws: &Aws, at: &At) -> Result<Vec<Bucket>, AwsError> {
    let s3 = aws.client(at, client);
    let pages =
        aws.pages("s3:ListAllMyBuckets", at, || s3.list_buckets().max_buckets(1000).into_paginator().send()).await?;
    let mut named = Vec::new();
    for b in pages.iter().flat_map(|p| p.buckets()) {
        let name = missing(b.name(), "s3:ListAllMyBuckets", "bucket Name", at)?;
        let region = missing(b.bucket_region(), "s3:ListAllMyBuckets", "BucketRegion", at)?;
        named.push((name, region));
    }
    let reads = named.iter().map(|(name, region)| bucket(aws, At::new(&at.account, region), name));
    let mut found = Vec::new();
    for read in join_all(reads).await {
        // A bucket deleted since the list is simply gone.
        if let Some(b) = read? {
            found.push(b);
        }
    }
    Ok(found)
}

/// One bucket's policy status, ACL and own settings; `None` when it no longer exists.
async fn bucket(aws: &Aws, at: At, name: &str) -> Result<Option<Bucket>, AwsError> {
    let s3 = aws.client(&at, client);
    let gone = |code: Option<&str>| code == Some("NoSuchBucket");
    let sent = aws.send("s3:GetBucketPolicyStatus", &at, || s3.get_bucket_policy_status().bucket(name).send()).await;
    let policy_public = match sent {
        Ok(out) => out.policy_status().and_then(|s| s.is_public()).unwrap_or(false),
        // No policy at all: nothing public through a policy.
        Err(e) if e.code() == Some("NoSuchBucketPolicy") => false,
        Err(e) if gone(e.code()) => return Ok(None),
        Err(e) => return Err(classify_at(&e, "s3:GetBucketPolicyStatus", &at)),
    };
    let sent = aws.send("s3:GetBucketAcl", &at, || s3.get_bucket_acl().bucket(name).send()).await;
    let acl_grants = match sent {
        Ok(out) => out
            .grants()
            .iter()
            .filter_map(|g| {
                let uri = g.grantee().and_then(|t| t.uri())?;
                let group = PUBLIC_GROUPS.iter().find(|(u, _)| *u == uri)?.1;
                Some(format!("{group} {}", g.permission().map_or("", |p| p.as_str())))
            })
            .collect(),
        Err(e) if gone(e.code()) => return Ok(None),
        Err(e) => return Err(classify_at(&e, "s3:GetBucketAcl", &at)),
    };
    let sent =
        aws.send("s3:GetBucketPublicAccessBlock", &at, || s3.get_public_access_block().bucket(name).send()).await;
    let block = match sent {
        Ok(out) => {
            let c = out.public_access_block_configuration();
            [
                c.and_then(|c| c.block_public_acls()).unwrap_or(false),
                c.and_then(|c| c.ignore_public_acls()).unwrap_or(false),
                c.and_then(|c| c.block_public_policy()).unwrap_or(false),
                c.and_then(|c| c.restrict_public_buckets()).unwrap_or(false),
            ]
        }
        Err(e) if e.code() == Some("NoSuchPublicAccessBlockConfiguration") => [false; 4],
        Err(e) if gone(e.code()) => return Ok(None),
        Err(e) => return Err(classify_at(&e, "s3:GetBucketPublicAccessBlock", &at)),
    };
    Ok(Some(Bucket { name: name.to_owned(), region: at.region.clone(), policy_public, acl_grants, block }))
}

/// An S3 client; against an emulator (an endpoint override) with path-style addressing, since a
/// bucket name in front of 127.0.0.1 does not resolve. Against AWS, the SDK's own addressing.
fn client(conf: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    let builder = aws_sdk_s3::config::Builder::from(conf).force_path_style(conf.endpoint_url().is_some());
    aws_sdk_s3::Client::from_conf(builder.build())
}
