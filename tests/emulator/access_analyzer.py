"""IAM Access Analyzer (ListAnalyzers, CreateAnalyzer, GetAnalyzer, ListFindings), which moto lacks.

From AWS's documentation (each cited by selfcheck_access_analyzer.py):
  * API_CreateAnalyzer.html: PUT /analyzer {analyzerName, type}; the name matches
    [A-Za-z][A-Za-z0-9_.-]* (1-255 characters), else ValidationException (400); a name the account
    already uses in the Region is ConflictException (409). The answer is {arn}.
  * access-analyzer-delegated-administrator-add.html / access-analyzer-settings.html: an analyzer with
    the organization as zone of trust (ORGANIZATION, ORGANIZATION_UNUSED_ACCESS, ...) is created only
    by the management account or the delegated administrator for access-analyzer.amazonaws.com, and
    through the API trusted access for that principal comes first. Refused otherwise with
    AccessDeniedException (403; the wording is ours, AWS does not document it).
  * API_AnalyzerSummary.html: status ACTIVE | CREATING | DISABLED | FAILED. A new analyzer is CREATING
    until the `analyzer` delay of delays.py has passed (GROUNDWORK_EMULATOR_ANALYZER_DELAY_SECONDS,
    default 0: at once), then ACTIVE.
  * API_ListAnalyzers.html: GET /analyzer?type=; pages (paging.py pages the answer).
  * API_GetAnalyzer.html: GET /analyzer/{analyzerName}; an unknown name is ResourceNotFoundException (404).
  * API_ListFindings.html: POST /finding {analyzerArn, filter}; the analyzer must be the caller's
    (else ResourceNotFoundException); the filter's `status` `eq` is applied. Findings are put in by
    the hook POST /_groundwork/accessanalyzer/finding {account, region, analyzerName, resource, status}.
State is per (account, Region); POST /moto-api/reset clears it.
"""
import re
import time
import uuid

import delays
from account_contacts import management_of
from wire import DEFAULT_ACCOUNT, ApiError, iso, json_response, now

PRINCIPAL = "access-analyzer.amazonaws.com"
TYPES = ("ACCOUNT", "ORGANIZATION", "ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS",
         "ACCOUNT_INTERNAL_ACCESS", "ORGANIZATION_INTERNAL_ACCESS")
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,254}$")
ANALYZERS = {}  # (account, region) -> {name: analyzer dict (+ "_ready": monotonic time)}
FINDINGS = {}  # analyzer arn -> [finding dict]
ANALYZER_PATH = re.compile(r"^/analyzer/([^/]+)/?$")


def _error(status, code, message, **extra):
    return ApiError(status, code, {"message": message, **extra})


def _settle(a):
    if a["status"] == "CREATING" and time.monotonic() >= a["_ready"]:
        a["status"] = "ACTIVE"


def _shown(a):
    _settle(a)
    return {k: v for k, v in a.items() if not k.startswith("_")}


def _may_govern_organization(account):
    """None when `account` may create an analyzer for its organization; else why not."""
    mgmt, org = management_of(account)
    if org is None:
        return "the account is not in an organization"
    if org.org.feature_set != "ALL":
        return "the organization does not have all features enabled"
    if not any(s["ServicePrincipal"] == PRINCIPAL for s in org.services):
        return f"trusted access for {PRINCIPAL} is not enabled in the organization"
    if account == mgmt:
        return None
    if any(adm.account.id == account and PRINCIPAL in adm.services for adm in org.admins):
        return None
    return f"the account is neither the management account nor the delegated administrator for {PRINCIPAL}"


def create_analyzer(account, region, body):
    name, kind = body.get("analyzerName") or "", body.get("type") or ""
    if not NAME_RE.match(name):
        raise _error(400, "ValidationException", "analyzerName must match [A-Za-z][A-Za-z0-9_.-]*, 1-255 characters.",
                     reason="fieldValidationFailed")
    if kind not in TYPES:
        raise _error(400, "ValidationException", f"type must be one of {', '.join(TYPES)}.",
                     reason="fieldValidationFailed")
    if kind.startswith("ORGANIZATION"):
        why = _may_govern_organization(account)
        if why:
            raise _error(403, "AccessDeniedException",
                         f"You cannot create an analyzer with the organization as zone of trust: {why}.")
    mine = ANALYZERS.setdefault((account, region), {})
    if name in mine:
        raise _error(409, "ConflictException", f"An analyzer named {name} already exists.",
                     resourceId=name, resourceType="AWS::AccessAnalyzer::Analyzer")
    arn = f"arn:aws:access-analyzer:{region}:{account}:analyzer/{name}"
    mine[name] = {"arn": arn, "name": name, "type": kind, "createdAt": iso(now()), "status": "CREATING",
                  "tags": body.get("tags") or {}, "_ready": delays.ready_at("analyzer")}
    _settle(mine[name])
    return {"arn": arn}


def list_analyzers(account, region, body):
    kind = body.get("type")
    if kind is not None and kind not in TYPES:
        raise _error(400, "ValidationException", f"type must be one of {', '.join(TYPES)}.")
    found = [_shown(a) for a in ANALYZERS.get((account, region), {}).values() if kind in (None, a["type"])]
    return {"analyzers": found}


def get_analyzer(account, region, body, name):
    a = ANALYZERS.get((account, region), {}).get(name)
    if a is None:
        raise _error(404, "ResourceNotFoundException", f"Analyzer {name} not found.",
                     resourceId=name, resourceType="AWS::AccessAnalyzer::Analyzer")
    return {"analyzer": _shown(a)}


def _analyzer_by_arn(account, region, arn):
    for a in ANALYZERS.get((account, region), {}).values():
        if a["arn"] == arn:
            return a
    raise _error(404, "ResourceNotFoundException", f"Analyzer {arn} not found.",
                 resourceId=arn or "", resourceType="AWS::AccessAnalyzer::Analyzer")


def list_findings(account, region, body):
    a = _analyzer_by_arn(account, region, body.get("analyzerArn"))
    wanted = ((body.get("filter") or {}).get("status") or {}).get("eq")
    found = [f for f in FINDINGS.get(a["arn"], []) if not wanted or f["status"] in wanted]
    return {"findings": found}


def route(service, method, path):
    """(handler, args) for a request this module answers, else (None, ())."""
    if service != "access-analyzer":
        return None, ()
    path = path.rstrip("/") or "/"
    if path == "/analyzer":
        return {"GET": list_analyzers, "PUT": create_analyzer}.get(method), ()
    if path == "/finding" and method == "POST":
        return list_findings, ()
    m = ANALYZER_PATH.match(path)
    if m and method == "GET":
        return get_analyzer, (m.group(1),)
    return None, ()


def hook_finding(b):
    """POST /_groundwork/accessanalyzer/finding: a finding of an existing analyzer (status ACTIVE
    unless said), as AWS would make for a resource shared outside the zone of trust."""
    account, region = b.get("account", DEFAULT_ACCOUNT), b.get("region", "us-east-1")
    a = ANALYZERS.get((account, region), {}).get(b.get("analyzerName"))
    if a is None:
        return json_response({"error": "no such analyzer"}, 404)
    finding = {"id": str(uuid.uuid4()), "resource": b.get("resource", "arn:aws:s3:::shared-bucket"),
               "resourceType": b.get("resourceType", "AWS::S3::Bucket"), "resourceOwnerAccount": account,
               "status": b.get("status", "ACTIVE"), "condition": {}, "isPublic": bool(b.get("isPublic", True)),
               "createdAt": iso(now()), "updatedAt": iso(now()), "analyzedAt": iso(now())}
    FINDINGS.setdefault(a["arn"], []).append(finding)
    return json_response(finding)


def hook_status(b):
    """POST /_groundwork/accessanalyzer/status: sets an analyzer's status (and reason) as AWS would
    after, say, its delegated administrator was deregistered."""
    account, region = b.get("account", DEFAULT_ACCOUNT), b.get("region", "us-east-1")
    a = ANALYZERS.get((account, region), {}).get(b.get("analyzerName"))
    status = b.get("status")
    if a is None or status not in ("ACTIVE", "CREATING", "DISABLED", "FAILED"):
        return json_response({"error": "an existing analyzerName and ACTIVE|CREATING|DISABLED|FAILED"}, 400)
    a["status"], a["_ready"] = status, float("inf")
    a.pop("statusReason", None)
    if b.get("reason"):
        a["statusReason"] = {"code": b["reason"]}
    return json_response(_shown(a))


def reset():
    ANALYZERS.clear()
    FINDINGS.clear()


HOOKS = {"/_groundwork/accessanalyzer/finding": hook_finding,
         "/_groundwork/accessanalyzer/status": hook_status}
