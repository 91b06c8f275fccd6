"""IAM credential reports as AWS makes them: a snapshot, at most one per four hours, root first.

From the IAM user guide, "Getting credential reports for your AWS account"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/credential-reports.html), and the API reference
(API_GenerateCredentialReport, API_GetCredentialReport):
- GenerateCredentialReport answers `STARTED` ("No report exists. Starting a new report generation
  task") when there is no report or the last one is more than four hours old, and takes the snapshot;
  it is being generated until the next GenerateCredentialReport, which answers `COMPLETE` (moto's
  order: first STARTED, then COMPLETE). A report less than four hours old is reused: `COMPLETE`, the
  same report, the same GeneratedTime.
- GetCredentialReport: `ReportNotPresent` (410) before any, `ReportInProgress` (404) while it is
  generated, else the snapshot's CSV with its real GeneratedTime (moto gave the live users and a
  fixed 2015 date).
- The CSV's first row is the root user, `<root_account>` (moto had none), whose password_enabled is
  `not_supported`; `password_last_used` is `N/A` for a user without a password; each key's
  `last_used_region` and `last_used_service` are the Region and service namespace of its last use,
  `N/A` when it was never used (moto wrote `not_supported`).

Test hooks (not AWS):
    POST /_groundwork/iam/access-key-last-used {"account", "accessKeyId", "daysAgo", "service", "region"}
        sets a key's last use in the past (what GetAccessKeyLastUsed and the next report show);
    POST /_groundwork/iam/credential-report {"account", "ageHours"} ages the account's report.
"""
import datetime

from moto.core.utils import utcnow
from moto.iam import responses as iam_responses
from moto.iam.exceptions import IAMException, ReportNotPresentException
from moto.iam.models import AccessKeyLastUsed, iam_backends
from moto.core.responses import ActionResult

from wire import DEFAULT_ACCOUNT, json_response

FRESH = datetime.timedelta(hours=4)
FORMAT = "%Y-%m-%dT%H:%M:%S+00:00"
COLUMNS = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    "cert_2_active,cert_2_last_rotated"
)


class ReportInProgress(IAMException):
    code = "ReportInProgress"


def _key_columns(key):
    if key is None:
        return ["false", "N/A", "N/A", "N/A", "N/A"]
    used = key.last_used
    return [
        "true" if key.status == "Active" else "false",
        key.create_date.strftime(FORMAT),
        used.strftime(FORMAT) if used is not None else "N/A",
        getattr(used, "region", None) or "N/A",
        getattr(used, "service", None) or "N/A",
    ]


def _user_row(user):
    password = user.password is not None
    keys = list(user.access_keys) + [None, None]
    certs = list(user.signing_certificates.values()) + [None, None]
    last_used = "N/A"
    if password:
        last_used = user.password_last_used.strftime(FORMAT) if user.password_last_used else "no_information"
    row = [user.name, user.arn, user.create_date.strftime(FORMAT), "true" if password else "false", last_used,
           user.create_date.strftime(FORMAT) if password else "N/A", "N/A",
           "true" if user.mfa_devices else "false"]
    row += _key_columns(keys[0]) + _key_columns(keys[1])
    for cert in certs[:2]:
        row += ["true" if cert is not None and cert.status == "Active" else "false", "N/A"]
    return ",".join(row)


def _root_row(backend, account):
    mfa = backend.account_summary._account_mfa_enabled
    now = utcnow().strftime(FORMAT)
    row = ["<root_account>", f"arn:aws:iam::{account}:root", now, "not_supported", "no_information", "not_supported",
           "not_supported", "true" if mfa else "false"]
    row += ["false", "N/A", "N/A", "N/A", "N/A"] * 2 + ["false", "N/A", "false", "N/A"]
    return ",".join(row)


def _snapshot(backend):
    rows = [COLUMNS, _root_row(backend, backend.account_id)]
    rows += [_user_row(u) for u in backend.users.values()]
    return "\n".join(rows) + "\n"


def generate(self):
    backend = self.backend
    report = getattr(backend, "_gw_report", None)
    if report is None or utcnow() - report["generated"] > FRESH:
        backend._gw_report = {"csv": _snapshot(backend), "generated": utcnow(), "ready": False}
        return ActionResult({"State": "STARTED",
                             "Description": "No report exists. Starting a new report generation task"})
    report["ready"] = True
    return ActionResult({"State": "COMPLETE"})


def get(self):
    report = getattr(self.backend, "_gw_report", None)
    if report is None:
        raise ReportNotPresentException("Credential report not present")
    if not report["ready"]:
        raise ReportInProgress("Credential report is being generated")
    generated = report["generated"].strftime("%Y-%m-%dT%H:%M:%SZ")
    return ActionResult({"Content": report["csv"], "ReportFormat": "text/csv", "GeneratedTime": generated})


iam_responses.IamResponse.generate_credential_report = generate
iam_responses.IamResponse.get_credential_report = get


def hook_last_used(b):
    backend = iam_backends[b.get("account", DEFAULT_ACCOUNT)]["aws"]
    key = backend.access_keys.get(b.get("accessKeyId"))
    if key is None:
        return json_response({"error": "no such access key"}, 404)
    when = utcnow() - datetime.timedelta(days=float(b.get("daysAgo", 0)))
    key.last_used = AccessKeyLastUsed(timestamp=when, service=b.get("service", "s3"),
                                      region=b.get("region", "us-east-1"))
    return json_response({"accessKeyId": key.access_key_id, "lastUsed": when.strftime(FORMAT)})


def hook_age(b):
    backend = iam_backends[b.get("account", DEFAULT_ACCOUNT)]["aws"]
    report = getattr(backend, "_gw_report", None)
    if report is None:
        return json_response({"error": "no report"}, 404)
    report["generated"] = utcnow() - datetime.timedelta(hours=float(b.get("ageHours", 0)))
    return json_response({"generated": report["generated"].strftime(FORMAT)})


HOOKS = {
    "/_groundwork/iam/access-key-last-used": hook_last_used,
    "/_groundwork/iam/credential-report": hook_age,
}
