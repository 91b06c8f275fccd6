"""Account Management's alternate contacts, with AWS's rules for `AccountId` (moto accepts any).

AWS ("Understanding API modes of operation", Account Management reference; the AccountId
parameter of Get/Put/DeleteAlternateContact):
  * without AccountId the call acts on the caller's own account ("standalone context"), whoever
    the caller is;
  * with AccountId ("organizations context") the caller must be the organization's management
    account (or Account Management's delegated administrator, which moto cannot register), the
    organization must have trusted access for account.amazonaws.com, and the account must be a
    member of that organization;
  * the management account may not name itself: it must use the standalone context.
Each refusal is AccessDeniedException (HTTP 403), worded as AWS words it:
"User: ARN is not authorized to perform: account:OPERATION" plus, where AWS adds one, the reason.
A call that passes these rules goes on to moto, which stores the contact.
"""
from moto.core.responses import BaseResponse
from moto.organizations.models import organizations_backends

TRUSTED = "account.amazonaws.com"
# SigV4 service "account": the REST paths of the operations whose AccountId rules we enforce.
OPERATIONS = {
    "/getAlternateContact": "GetAlternateContact",
    "/putAlternateContact": "PutAlternateContact",
    "/deleteAlternateContact": "DeleteAlternateContact",
}
NEEDS_TRUSTED_ACCESS = "Your organization must first enable trusted access with AWS Account Management."
MANAGEMENT_STANDALONE = "The management account can only be managed using the standalone context from the management account."


def caller_arn(account, auth_header):
    """The caller's ARN as STS would give it (an assumed role's, or the account's user)."""
    from moto.sts.models import sts_backends
    m = BaseResponse.access_key_regex.search(auth_header or "")
    try:
        _, arn, _ = sts_backends[account]["aws"].get_caller_identity(m.group(1) if m else "", "us-east-1")
        return arn
    except Exception:  # an identity moto cannot describe: the account's root, as AWS would name it
        return f"arn:aws:iam::{account}:root"


def management_of(account):
    """The caller's organization as (management account id, backend), or (None, None)."""
    if organizations_backends[account]["aws"].org is not None:
        return account, organizations_backends[account]["aws"]
    entry = organizations_backends.master_accounts.get(account)
    if entry:
        return entry[0], organizations_backends[entry[0]][entry[1]]
    return None, None


def refusal(operation, arn, reason=None):
    """(status, code, body) of AWS's AccessDeniedException for this call."""
    message = f"User: {arn} is not authorized to perform: account:{operation}"
    if reason:
        message += f" ({reason})"
    return 403, "AccessDeniedException", {"message": message}


def check(account, auth_header, path, body):
    """None when AWS would let the call through to the contact store; else the error AWS gives,
    as (status, code, body). `account` is the caller's account, `body` the request's JSON."""
    operation = OPERATIONS.get(path.rstrip("/"))
    if operation is None:
        return None
    target = body.get("AccountId")
    if target is None:
        return None  # standalone context: the caller's own account
    if not (isinstance(target, str) and len(target) == 12 and target.isdigit()):
        return 400, "ValidationException", {"message": "Invalid AccountId: must be a 12-digit account ID.",
                                            "reason": "fieldValidationFailed"}
    arn = caller_arn(account, auth_header)
    mgmt, org = management_of(account)
    if mgmt != account:  # a member account, or an account outside any organization
        return refusal(operation, arn)
    if target == account:
        return refusal(operation, arn, MANAGEMENT_STANDALONE)
    if not any(s["ServicePrincipal"] == TRUSTED for s in org.services):
        return refusal(operation, arn, NEEDS_TRUSTED_ACCESS)
    if not any(a.id == target for a in org.accounts):
        return refusal(operation, arn)
    return None
