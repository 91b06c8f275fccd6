//! One classification of everything that can go wrong talking to AWS, so that every caller can
//! tell a person what happened and what to do, instead of printing an SDK error chain.

use std::error::Error as StdError;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sts::operation::RequestId;

use crate::catalog;

/// What kind of failure this was; decides the hint a person sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// No credentials anywhere in the default chain.
    NoCredentials,
    /// Credentials were found but have expired (an SSO session, a temporary token).
    ExpiredCredentials,
    /// An IAM Identity Center profile with no sign-in cached on this machine (never signed in, or
    /// signed out): `aws sso login` is the one thing to do.
    SignInNeeded,
    /// Credentials that AWS does not recognise.
    InvalidCredentials,
    /// The principal may not call this action on this account.
    AccessDenied,
    /// An organization policy (a service or resource control policy) explicitly denies the call:
    /// no permission the principal is granted can help; an organization administrator must act.
    DeniedByOrganization,
    /// The Region is an opt-in Region that is not enabled in this account, so AWS does not
    /// recognise any credentials there.
    RegionNotEnabled,
    /// No role groundwork knows could be assumed in a member account.
    CannotAssumeRole,
    /// AWS kept throttling after the SDK's retries with backoff.
    Throttled,
    /// Nothing answered at the endpoint, or it timed out.
    Unreachable,
    /// Something answered, but not as AWS would: an HTML error page, an unknown operation.
    NotSupported,
    /// A long operation this run stopped waiting for: not failed, not done; run again to resume.
    InProgress,
    /// Any other AWS error; its code and message are kept.
    Other,
}

/// A failed AWS call, with enough context to say what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    pub kind: ErrorKind,
    /// The IAM action that was attempted, e.g. `guardduty:ListDetectors`.
    pub action: &'static str,
    pub account: String,
    pub region: Option<String>,
    /// The AWS error code, when AWS sent one.
    pub code: Option<String>,
    pub message: String,
    /// AWS's id for the request (`x-amzn-RequestId`), what AWS Support asks for; shown with `--verbose`.
    pub request_id: Option<String>,
}

/// Whether error messages name AWS's request id (`--verbose`): useful to AWS Support, noise to
/// everyone else. One switch for the process, set once from the command line.
static VERBOSE: AtomicBool = AtomicBool::new(false);

/// Turns request ids in error messages on (`--verbose`) or off.
pub fn set_verbose(on: bool) {
    VERBOSE.store(on, Ordering::Relaxed);
}

impl AwsError {
    /// AWS's id for the request, when AWS sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// A plain-words explanation with what to do, for a finding or a terminal.
    pub fn explain(&self) -> String {
        self.explain_for(None)
    }

    /// The same, naming the AWS profile in use in commands the person can paste.
    pub fn explain_for(&self, profile: Option<&str>) -> String {
        let region = self.region.as_deref().unwrap_or("global");
        let args = [
            ("profile", profile.unwrap_or("YOUR-PROFILE")),
            ("action", self.action),
            ("account", self.account.as_str()),
            ("region", region),
            ("code", self.code.as_deref().unwrap_or("unknown")),
            ("message", self.message.as_str()),
        ];
        let key = match self.kind {
            ErrorKind::NoCredentials => "error-no-credentials",
            ErrorKind::ExpiredCredentials => "error-expired-credentials",
            ErrorKind::SignInNeeded => "error-sso-sign-in",
            ErrorKind::InvalidCredentials => "error-invalid-credentials",
            ErrorKind::AccessDenied if self.message.contains("explicit deny") => "error-access-denied-explicit",
            ErrorKind::AccessDenied => "error-access-denied",
            ErrorKind::DeniedByOrganization => "error-denied-by-organization",
            ErrorKind::RegionNotEnabled => "error-region-not-enabled",
            ErrorKind::CannotAssumeRole => "error-cannot-assume-role",
            ErrorKind::Throttled => "error-throttled",
            ErrorKind::Unreachable => "error-unreachable",
            ErrorKind::NotSupported => "error-not-supported",
            ErrorKind::InProgress => "error-in-progress",
            ErrorKind::Other => "error-other",
        };
        let words = catalog::say(key, &args);
        match self.request_id().filter(|_| VERBOSE.load(Ordering::Relaxed)) {
            Some(id) => format!("{words} {}", catalog::say("error-request-id", &[("id", id)])),
            None => words,
        }
    }

    /// Whether no call at all can succeed with these credentials or this endpoint.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::NoCredentials
                | ErrorKind::ExpiredCredentials
                | ErrorKind::SignInNeeded
                | ErrorKind::InvalidCredentials
                | ErrorKind::Unreachable
        )
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.explain())
    }
}

impl StdError for AwsError {}

const ACCESS_DENIED: &[&str] =
    &["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "UnauthorizedException"];
const THROTTLED: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
];
const EXPIRED: &[&str] = &["ExpiredToken", "ExpiredTokenException", "RequestExpired"];
const INVALID: &[&str] =
    &["InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "IncompleteSignature"];

/// Classifies an SDK error from any service. `action` names the IAM action for the hint.
pub fn classify<E>(
    err: &SdkError<E, HttpResponse>,
    action: &'static str,
    account: &str,
    region: Option<&str>,
) -> AwsError
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    // AWS's id for the request: parsed from the error document when the protocol carries it there,
    // else the response's x-amzn-RequestId / x-amz-request-id header.
    let request_id = match err {
        SdkError::ServiceError(s) => s.err().meta().request_id().or_else(|| err.request_id()),
        _ => err.request_id(),
    }
    .map(str::to_owned);
    let (kind, code, message) = match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            match e.code() {
                Some(code) => {
                    let message = e.message().unwrap_or("").to_owned();
                    (refine(kind_of_code(code), &message, region), Some(code.to_owned()), message)
                }
                // No code means the body was not an AWS error document: an HTML page from a proxy or
                // an emulator that lacks the operation.
                None => (ErrorKind::NotSupported, None, not_aws_answer(service.raw().status().as_u16())),
            }
        }
        SdkError::ResponseError(response) => {
            (ErrorKind::NotSupported, None, not_aws_answer(response.raw().status().as_u16()))
        }
        SdkError::TimeoutError(_) => (ErrorKind::Unreachable, None, "timed out".to_owned()),
        // Credentials are resolved just before sending, so their failures surface here too.
        SdkError::DispatchFailure(_) => {
            credentials_error(err).unwrap_or_else(|| (ErrorKind::Unreachable, None, chain_text(err)))
        }
        _ => match credentials_error(err) {
            Some(c) => c,
            None => (ErrorKind::Other, None, chain_text(err)),
        },
    };
    AwsError { kind, action, account: account.to_owned(), region: region.map(str::to_owned), code, message, request_id }
}

/// AWS's Regions that an account must opt in to before anything works there
/// (docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html). A Region AWS adds
/// later is one more entry here.
pub const OPT_IN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-west-1",
    "eu-central-2",
    "eu-south-1",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
];

/// What the code alone can't tell. AWS names the policy type that denied a call in its message
/// ("... with an explicit deny in a service control policy"); in an opt-in Region that is not
/// enabled, every credential is "invalid" (STS says so plainly: `RegionDisabledException`).
fn refine(kind: ErrorKind, message: &str, region: Option<&str>) -> ErrorKind {
    let lower = message.to_lowercase();
    let opt_in = region.is_some_and(|r| OPT_IN_REGIONS.contains(&r));
    match kind {
        ErrorKind::AccessDenied
            if lower.contains("explicit deny in a service control policy")
                || lower.contains("explicit deny in a resource control policy") =>
        {
            ErrorKind::DeniedByOrganization
        }
        ErrorKind::InvalidCredentials if opt_in => ErrorKind::RegionNotEnabled,
        // Some services throttle under a general code (`LimitExceededException`) with this message.
        ErrorKind::Other if lower.contains("rate exceeded") => ErrorKind::Throttled,
        other => other,
    }
}

fn kind_of_code(code: &str) -> ErrorKind {
    if code == "RegionDisabledException" {
        ErrorKind::RegionNotEnabled
    } else if ACCESS_DENIED.contains(&code) {
        ErrorKind::AccessDenied
    } else if THROTTLED.contains(&code) {
        ErrorKind::Throttled
    } else if EXPIRED.contains(&code) {
        ErrorKind::ExpiredCredentials
    } else if INVALID.contains(&code) {
        ErrorKind::InvalidCredentials
    } else {
        ErrorKind::Other
    }
}

fn not_aws_answer(status: u16) -> String {
    format!("HTTP {status} with a body that is not an AWS response")
}

/// Each error in the chain, in plain words, without the Debug dump the SDK appends.
fn chain_text(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = Some(err);
    while let Some(e) = cur {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// Classifies a failure to load credentials at all (before any call is made).
pub fn from_credentials(err: &CredentialsError) -> AwsError {
    let (kind, code, message) = credentials_error(err).unwrap_or((ErrorKind::NoCredentials, None, chain_text(err)));
    AwsError {
        kind,
        action: "sts:GetCallerIdentity",
        account: "unknown".into(),
        region: None,
        code,
        message,
        request_id: None,
    }
}

/// Finds a credentials failure anywhere in the error's source chain.
fn credentials_error(err: &(dyn StdError + 'static)) -> Option<(ErrorKind, Option<String>, String)> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(c) = e.downcast_ref::<CredentialsError>() {
            let text = chain_text(c);
            let lower = text.to_lowercase();
            // An expired sign-in first: it also fails every AssumeRole into a member account, and
            // `aws sso login` is then the one thing to do, not a change to the roles.
            let kind = if lower.contains("expired") || lower.contains("sso login") {
                ErrorKind::ExpiredCredentials
            } else if lower.contains("sso token") || lower.contains("sso/cache") {
                ErrorKind::SignInNeeded
            } else if lower.contains("could not assume a role") {
                ErrorKind::CannotAssumeRole
            } else if matches!(c, CredentialsError::CredentialsNotLoaded(_) | CredentialsError::ProviderTimedOut(_))
                || lower.contains("imds")
            {
                // The chain ends with instance metadata: when that fails, there simply are none.
                ErrorKind::NoCredentials
            } else {
                ErrorKind::InvalidCredentials
            };
            return Some((kind, None, text));
        }
        cur = e.source();
    }
    let text = chain_text(err).to_lowercase();
    (text.contains("no credentials") || text.contains("credentials provider was not enabled"))
        .then(|| (ErrorKind::NoCredentials, None, chain_text(err)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_kinds() {
        assert_eq!(kind_of_code("AccessDeniedException"), ErrorKind::AccessDenied);
        assert_eq!(kind_of_code("ThrottlingException"), ErrorKind::Throttled);
        assert_eq!(kind_of_code("ExpiredTokenException"), ErrorKind::ExpiredCredentials);
        assert_eq!(kind_of_code("InvalidClientTokenId"), ErrorKind::InvalidCredentials);
        assert_eq!(kind_of_code("BadRequestException"), ErrorKind::Other);
    }

    #[test]
    fn every_kind_has_words() {
        let keys: Vec<&str> = catalog::messages().keys().collect();
        for key in [
            "error-no-credentials",
            "error-expired-credentials",
            "error-invalid-credentials",
            "error-access-denied",
            "error-cannot-assume-role",
            "error-throttled",
            "error-unreachable",
            "error-not-supported",
            "error-other",
        ] {
            assert!(keys.contains(&key), "assets/messages.toml lacks {key}");
        }
    }
}
