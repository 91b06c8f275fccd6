//! Steps in one shape: each observes AWS once into a plain value, and judges and plans from that
//! same value with pure functions, so a step's verdict and its plan can never disagree.
//! All eight steps are in this shape; guardduty and security-hub share `coverage`.

pub mod access_analyzer;
pub mod alerts;
pub mod budget;
pub mod contacts;
pub mod control_tower;
pub mod coverage;
pub mod ebs_encryption;
pub mod guardduty;
pub mod guardrails;
pub mod iam_users;
pub mod identity_center;
pub mod organization;
pub mod root_access;
pub mod root_mfa;
pub mod s3_public_access;
pub mod security_hub;
mod shape;

pub use shape::{Answers, Change, Ctx, Plan, PlanError};

use crate::aws::AwsError;
use crate::verdict::{Finding, Status};

/// A read that failed: the step (or the account) is unknown, with AWS's reason and what to do.
pub fn unknown(err: &AwsError) -> Finding {
    Finding::new(&err.account, err.region.as_deref(), Status::Unknown, err.explain())
}
