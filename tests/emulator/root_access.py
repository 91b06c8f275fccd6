"""Centralized root access for member accounts: IAM's organization features and STS AssumeRoot.

moto 5.2.5 has neither. What AWS documents, and this module does:
  * iam:ListOrganizationsFeatures, EnableOrganizationsRootCredentialsManagement,
    EnableOrganizationsRootSessions (IAM API reference, API_ListOrganizationsFeatures.html,
    API_EnableOrganizationsRootCredentialsManagement.html, API_EnableOrganizationsRootSessions.html)
    answer {OrganizationId, EnabledFeatures} and refuse, each with HTTP 400 and AWS's code:
    OrganizationNotFound (no organization), OrganizationNotInAllFeaturesMode,
    AccountNotManagementOrDelegatedAdministrator (a member calling), ServiceAccessNotEnabled (no
    trusted access for iam.amazonaws.com). The delegated administrator for IAM cannot be registered
    in moto, so only the management account passes.
  * sts:AssumeRoot (STS API reference, API_AssumeRoot.html; IAM user guide,
    id_root-user-privileged-task.html): only from the management account (or IAM's delegated
    administrator), only once RootSessions is enabled, only for a member account of the caller's
    organization (never the management account itself), DurationSeconds at most 900 (default 900),
    TaskPolicyArn one of the five root-task policies. Refusals of who may call are AccessDenied
    (403); a bad duration or task policy is ValidationError (400). The wording of these messages is
    ours; AWS does not document it. An SCP that blocks root sessions is a fault (faults.py): moto
    evaluates no SCPs.
  * The session's credentials act as the member's root user, limited to its task policy
    (security-iam-awsmanpol.html, root-task policies). The exact action lists of the task policies
    are [unconfirmed] in our references; this is the model: IAMAuditRootUserCredentials reads
    (GetAccountSummary, GetUser, GetLoginProfile, ListAccessKeys, GetAccessKeyLastUsed,
    ListSigningCertificates, ListMFADevices), IAMDeleteRootUserCredentials those reads plus
    DeleteLoginProfile, DeleteAccessKey, DeleteSigningCertificate, DeactivateMFADevice,
    IAMCreateRootUserPassword GetUser, GetLoginProfile and CreateLoginProfile. Anything else is
    AccessDenied ("no identity-based policy allows"), so an audit session may not delete. Expired
    sessions get ExpiredToken (403).
  * Root credentials of member accounts are ours to keep (moto models no root user): seeded by
    POST /_groundwork/root/credentials {"account", "password": true, "accessKeys": n,
    "certificates": n, "mfa": n}; the IAM account summary's AccountAccessKeysPresent and
    AccountMFAEnabled follow them.
"""
import datetime
import secrets
import uuid
from xml.sax.saxutils import escape

from moto.iam.models import iam_backends
from werkzeug.wrappers import Response

from account_contacts import management_of
from wire import now

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
TRUSTED = "iam.amazonaws.com"
FEATURES = ("RootCredentialsManagement", "RootSessions")
MAX_SECONDS = 900
TASK_PREFIX = "arn:aws:iam::aws:policy/root-task/"
READS = {"GetAccountSummary", "GetUser", "GetLoginProfile", "ListAccessKeys", "GetAccessKeyLastUsed",
         "ListSigningCertificates", "ListMFADevices"}
TASKS = {
    "IAMAuditRootUserCredentials": READS,
    "IAMDeleteRootUserCredentials": READS | {"DeleteLoginProfile", "DeleteAccessKey", "DeleteSigningCertificate",
                                             "DeactivateMFADevice"},
    "IAMCreateRootUserPassword": {"GetUser", "GetLoginProfile", "CreateLoginProfile"},
    "S3UnlockBucketPolicy": set(),
    "SQSUnlockQueuePolicy": set(),
}

ENABLED = {}  # management account -> set of enabled features
SESSIONS = {}  # access key id -> {"account", "task", "expires"}
ROOT = {}  # account -> {"password": iso|None, "keys": {id: created}, "certs": {id: uploaded}, "mfa": {serial: enabled}}


def reset():
    ENABLED.clear(), SESSIONS.clear(), ROOT.clear()


class Refused(Exception):
    def __init__(self, status, code, message):
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


def xml(operation, ns, result):
    rid = str(uuid.uuid4())
    body = (f'<{operation}Response xmlns="{ns}"><{operation}Result>{result}</{operation}Result>'
            f'<ResponseMetadata><RequestId>{rid}</RequestId></ResponseMetadata></{operation}Response>')
    return Response(body, 200, headers={"x-amzn-RequestId": rid}, content_type="text/xml")


def error(e, ns):
    rid = str(uuid.uuid4())
    body = (f'<ErrorResponse xmlns="{ns}"><Error><Type>Sender</Type><Code>{escape(e.code)}</Code>'
            f'<Message>{escape(e.message)}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>')
    return Response(body, e.status, headers={"x-amzn-RequestId": rid}, content_type="text/xml")


def members(items):
    return "".join(f"<member>{i}</member>" for i in items)


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def account_of(access_key):
    """The member account a root session's key acts in, or None for any other key."""
    s = SESSIONS.get(access_key)
    return s["account"] if s else None


# --------------------------------------------------------------------------- organization features
def organization(account):
    """(management account, org backend) after AWS's checks for the features API, else Refused."""
    mgmt, org = management_of(account)
    if org is None:
        raise Refused(400, "OrganizationNotFound", "No organization is associated with this account.")
    if org.org.feature_set != "ALL":
        raise Refused(400, "OrganizationNotInAllFeaturesMode", "The organization does not have all features enabled.")
    if mgmt != account:
        raise Refused(400, "AccountNotManagementOrDelegatedAdministrator",
                      "The account making the request is not the management account or delegated administrator "
                      "for centralized root access.")
    if not any(s["ServicePrincipal"] == TRUSTED for s in org.services):
        raise Refused(400, "ServiceAccessNotEnabled",
                      "Trusted access is not enabled for IAM in AWS Organizations.")
    return mgmt, org


def features(account, operation):
    mgmt, org = organization(account)
    on = ENABLED.setdefault(mgmt, set())
    if operation == "EnableOrganizationsRootCredentialsManagement":
        on.add("RootCredentialsManagement")
    elif operation == "EnableOrganizationsRootSessions":
        on.add("RootSessions")
    listed = [f for f in FEATURES if f in on]
    return (f"<OrganizationId>{org.org.id}</OrganizationId>"
            f"<EnabledFeatures>{members(listed)}</EnabledFeatures>")


# --------------------------------------------------------------------------- AssumeRoot
def assume_root(account, form):
    def one(name):
        return (form.get(name) or [None])[0]
    target, task_arn = one("TargetPrincipal") or "", one("TaskPolicyArn.arn") or ""
    seconds = int(one("DurationSeconds") or MAX_SECONDS)
    if not 0 <= seconds <= MAX_SECONDS:
        raise Refused(400, "ValidationError",
                      f"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy "
                      f"constraint: Member must have value less than or equal to {MAX_SECONDS}")
    task = task_arn[len(TASK_PREFIX):] if task_arn.startswith(TASK_PREFIX) else None
    if task not in TASKS:
        raise Refused(400, "ValidationError", f"The task policy {task_arn} is not a root-task policy.")
    member = target.rsplit("/", 1)[-1] if target.startswith("arn:") else target
    denied = f"User: arn:aws:iam::{account}:root is not authorized to perform: sts:AssumeRoot on resource: " \
             f"arn:aws:iam::{member}:root"
    mgmt, org = management_of(account)
    if org is None or mgmt != account:
        raise Refused(403, "AccessDenied", denied)
    if "RootSessions" not in ENABLED.get(mgmt, set()):
        raise Refused(403, "AccessDenied", denied + " (centralized root access: RootSessions is not enabled)")
    if member == mgmt or not any(a.id == member and a.status == "ACTIVE" for a in org.accounts):
        raise Refused(403, "AccessDenied", denied + " (the target is not a member account of the organization)")
    key = "ASIA" + secrets.token_hex(8).upper()
    expires = now() + datetime.timedelta(seconds=seconds)
    SESSIONS[key] = {"account": member, "task": task, "expires": expires}
    return (f"<Credentials><AccessKeyId>{key}</AccessKeyId><SecretAccessKey>{secrets.token_hex(20)}"
            f"</SecretAccessKey><SessionToken>{secrets.token_hex(32)}</SessionToken>"
            f"<Expiration>{stamp(expires)}</Expiration></Credentials><SourceIdentity></SourceIdentity>")


# --------------------------------------------------------------------------- a root session's IAM calls
def creds(account):
    return ROOT.setdefault(account, {"password": None, "keys": {}, "certs": {}, "mfa": {}})


def summary_follows(account):
    """The account summary's root flags follow the root's credentials (root-mfa reads them)."""
    c = creds(account)
    s = iam_backends[account]["aws"].account_summary
    s._account_access_keys_present = 1 if c["keys"] else 0
    s._account_mfa_enabled = 1 if c["mfa"] else 0


def no_such(what):
    return Refused(404, "NoSuchEntity", f"The {what} cannot be found.")


def root_iam(session, operation, form):
    account = session["account"]
    if operation not in TASKS[session["task"]]:
        raise Refused(403, "AccessDenied",
                      f"User: arn:aws:iam::{account}:root is not authorized to perform: iam:{operation} on resource: "
                      f"arn:aws:iam::{account}:root because no identity-based policy allows the iam:{operation} action")
    if operation in ("GetAccountSummary",):
        return None  # moto answers, in the member account (server.caller maps the key)
    c = creds(account)

    def one(name):
        return (form.get(name) or [None])[0]
    if operation == "GetUser":
        return (f"<User><Path>/</Path><UserName></UserName><UserId>{account}</UserId>"
                f"<Arn>arn:aws:iam::{account}:root</Arn><CreateDate>{stamp(now())}</CreateDate></User>")
    if operation == "GetLoginProfile":
        if c["password"] is None:
            raise no_such("Login Profile for the root user")
        return f"<LoginProfile><UserName></UserName><CreateDate>{c['password']}</CreateDate></LoginProfile>"
    if operation == "CreateLoginProfile":
        c["password"] = stamp(now())
        return f"<LoginProfile><UserName></UserName><CreateDate>{c['password']}</CreateDate></LoginProfile>"
    if operation == "DeleteLoginProfile":
        if c["password"] is None:
            raise no_such("Login Profile for the root user")
        c["password"] = None
        return ""
    if operation == "ListAccessKeys":
        keys = [f"<AccessKeyId>{k}</AccessKeyId><Status>Active</Status><CreateDate>{t}</CreateDate>"
                for k, t in sorted(c["keys"].items())]
        return f"<AccessKeyMetadata>{members(keys)}</AccessKeyMetadata><IsTruncated>false</IsTruncated>"
    if operation == "DeleteAccessKey":
        if c["keys"].pop(one("AccessKeyId"), None) is None:
            raise no_such(f"Access Key with id {one('AccessKeyId')}")
        summary_follows(account)
        return ""
    if operation == "ListSigningCertificates":
        certs = [f"<UserName></UserName><CertificateId>{k}</CertificateId><CertificateBody>-----BEGIN CERTIFICATE-----"
                 f"</CertificateBody><Status>Active</Status><UploadDate>{t}</UploadDate>"
                 for k, t in sorted(c["certs"].items())]
        return f"<Certificates>{members(certs)}</Certificates><IsTruncated>false</IsTruncated>"
    if operation == "DeleteSigningCertificate":
        if c["certs"].pop(one("CertificateId"), None) is None:
            raise no_such(f"Certificate with id {one('CertificateId')}")
        return ""
    if operation == "ListMFADevices":
        devices = [f"<UserName></UserName><SerialNumber>{k}</SerialNumber><EnableDate>{t}</EnableDate>"
                   for k, t in sorted(c["mfa"].items())]
        return f"<MFADevices>{members(devices)}</MFADevices><IsTruncated>false</IsTruncated>"
    if operation == "DeactivateMFADevice":
        if c["mfa"].pop(one("SerialNumber"), None) is None:
            raise no_such(f"MFA device {one('SerialNumber')}")
        summary_follows(account)
        return ""
    return None


# --------------------------------------------------------------------------- entry points
def answer(service, operation, form, account, access_key):
    """The response for a request this module answers, else None (moto answers)."""
    ns = IAM_NS if service == "iam" else STS_NS
    try:
        session = SESSIONS.get(access_key)
        if session is not None:
            if session["expires"] <= now():
                raise Refused(403, "ExpiredToken", "The security token included in the request is expired")
            if service == "sts" and operation == "GetCallerIdentity":
                result = (f"<UserId>{session['account']}</UserId><Account>{session['account']}</Account>"
                          f"<Arn>arn:aws:iam::{session['account']}:root</Arn>")
                return xml(operation, ns, result)
            if service == "iam":
                result = root_iam(session, operation, form)
                return None if result is None else xml(operation, ns, result)
            raise Refused(403, "AccessDenied", f"A root session may not call {service}:{operation}.")
        if service == "iam" and operation in ("ListOrganizationsFeatures", "EnableOrganizationsRootCredentialsManagement",
                                              "EnableOrganizationsRootSessions"):
            return xml(operation, ns, features(account, operation))
        if service == "sts" and operation == "AssumeRoot":
            return xml(operation, ns, assume_root(account, form))
    except Refused as e:
        return error(e, ns)
    return None


def hook_credentials(b):
    """Seeds a member's root credentials: {"account", "password", "accessKeys", "certificates", "mfa"}."""
    account = b["account"]
    c = creds(account)
    t = stamp(now())
    if b.get("password"):
        c["password"] = t
    for _ in range(int(b.get("accessKeys", 0))):
        c["keys"]["AKIA" + secrets.token_hex(8).upper()] = t
    for _ in range(int(b.get("certificates", 0))):
        c["certs"][secrets.token_hex(20).upper()] = t
    for _ in range(int(b.get("mfa", 0))):
        c["mfa"][f"arn:aws:iam::{account}:mfa/root-{secrets.token_hex(4)}"] = t
    summary_follows(account)
    return state_of(account)


def state_of(account):
    c = creds(account)
    return {"password": c["password"] is not None, "accessKeys": sorted(c["keys"]),
            "certificates": sorted(c["certs"]), "mfa": sorted(c["mfa"])}


def state():
    return {"features": {m: sorted(f) for m, f in ENABLED.items()},
            "rootCredentials": {a: state_of(a) for a in sorted(ROOT)}}
