"""Control Tower baselines: registering OUs (EnableBaseline) and what enrolment leaves in accounts.

Modelled from AWS's documentation (see ../../../shared/reference/control-tower-4.md section 6):
  * types-of-baselines.html: AWSControlTowerBaseline "sets up resources and mandatory controls for
    member accounts within the target OU"; "Only Baselines that apply at OU level can be directly
    enabled with the EnableBaseline API"; the landing zone's own baselines (IdentityCenterBaseline and
    the 4.0 integration baselines) are enabled by the landing zone setup.
  * table-of-baselines.html ("Compatibility of OU baselines and landing zone versions"): "you must
    specify a baseline version that's compatible with your current AWS Control Tower landing zone
    version". AWSControlTowerBaseline 4.0 fits landing zone 3.2 and 3.3, 3.0 fits 3.0 and 3.1; 5.0
    fits 4.0 (AWS's landing-zone-accelerator 1.15 passes 5.0 for 4.0).
  * baseline-api-examples.html: ARNs arn:aws:controltower:<Region>::baseline/<ID> (AWSControlTowerBaseline
    17BSJV3IGJ2QSGA2, IdentityCenterBaseline LN25R72TTG6IGPTQ); a landing zone "opted-in to AWS IAM
    Identity Center access" needs the IdentityCenterEnabledBaselineArn parameter, read from
    ListEnabledBaselines filtered on the Identity Center baseline; EnableBaseline answers {operationIdentifier, arn}.
  * API_EnableBaseline.html: asynchronous ("starts an asynchronous operation"), "Only OUs are supported
    as targets"; GetBaselineOperation reports IN_PROGRESS, SUCCEEDED or FAILED.
The IDs of the integration baselines (and every refusal's wording) are ours: AWS does not document them.
An operation ends delays.seconds("baseline") after it starts (GROUNDWORK_EMULATOR_BASELINE_DELAY_SECONDS,
default 0; negative: only /_groundwork/controltower/baseline-operations/complete ends it).
What a SUCCEEDED AWSControlTowerBaseline does in the OU's accounts lives in enrolment.py.
"""
import re
import time

from moto.moto_api._internal import mock_random
from moto.organizations.models import organizations_backends

import delays
from wire import ApiError, iso, json_response, now

CT_BASELINE = "AWSControlTowerBaseline"
IC_BASELINE = "IdentityCenterBaseline"
IC_PARAMETER = "IdentityCenterEnabledBaselineArn"
# name -> (id, description, can EnableBaseline target an OU with it)
CATALOG = {
    CT_BASELINE: ("17BSJV3IGJ2QSGA2", "Sets up resources and mandatory controls for member accounts within "
                  "the target OU, required for AWS Control Tower governance.", True),
    IC_BASELINE: ("LN25R72TTG6IGPTQ", "Sets up shared resources for AWS IAM Identity Center, which prepares "
                  "the AWSControlTowerBaseline to set up Identity Center access for accounts.", False),
    "LogArchiveBaseline": ("RHHR2PDDVJVVX6ZQ", "Sets up the central logging resources in the Log Archive account.", False),
    "CentralConfigBaseline": ("C5QYR4XNO0F3BEHJ", "Sets up AWS Config aggregation and delivery in the Config account.", False),
    "CentralSecurityRolesBaseline": ("W3ZHSTLPD1B6DJPQ", "Sets up the security roles in the security roles account.", False),
    "BackupCentralVaultBaseline": ("ZC3DCOUCJF6KHOM1", "Sets up the central backup vault.", False),
    "BackupAdminBaseline": ("8AE0J6MRRPRUQHTQ", "Sets up the backup administrator account.", False),
    "BackupBaseline": ("45FJWHVIZ0X7NHTE", "Sets up backup plans for the accounts of the target OU.", False),
}
OU_ARN = re.compile(r"^arn:aws:organizations::(\d{12}):ou/(o-[a-z0-9]+)/(ou-[a-z0-9]+-[a-z0-9]+)$")
NOT_FOUND = "The requested resource does not exist."

ENABLED = {}  # enabled baseline ARN -> dict (account, region, name, version, target, parameters, status, op)
OPS = {}  # operationIdentifier -> dict (id, account, region, type, status, start, end, message, due, enabled)
FINISHED = []  # functions (enabled baseline) run when an operation SUCCEEDS; a text returned fails it (enrolment.py)
TICKS = []  # functions run on every tick (enrolment.py: automatic enrolment of moved accounts)


def error(status, code, message):
    return ApiError(status, code, {"message": message})


def invalid(message):
    return error(400, "ValidationException", message)


def arn_of(region, name):
    return f"arn:aws:controltower:{region}::baseline/{CATALOG[name][0]}"


def by_arn(region, identifier):
    """The catalog name of a baseline ARN of this Region (AWS lists baselines per Region)."""
    for name in CATALOG:
        if identifier == arn_of(region, name):
            return name
    return None


def fitting_version(name, lz_version):
    """The baseline version that fits a landing zone version (table-of-baselines.html)."""
    if name != CT_BASELINE:
        return "1.0"
    major, minor = (int(x) for x in lz_version.split(".")[:2])
    if major >= 4:
        return "5.0"
    if (major, minor) >= (3, 2):
        return "4.0"
    return "3.0" if major == 3 else "2.0"


def landing_zone(account):
    import controltower  # the landing zone lives there; imported late, it imports this module
    return controltower.LZ.get(account)


# --------------------------------------------------------------------------- operations
def new_enabled_arn(account, region):
    suffix = mock_random.get_random_string(17, include_digits=True).upper()
    return f"arn:aws:controltower:{region}:{account}:enabledbaseline/{suffix}"


def start(account, region, enabled, op_type):
    op_id = str(mock_random.uuid4())
    OPS[op_id] = {"id": op_id, "account": account, "region": region, "type": op_type, "status": "IN_PROGRESS",
                  "start": now(), "end": None, "message": None, "due": delays.ready_at("baseline"),
                  "enabled": enabled["arn"]}
    enabled.update(status="UNDER_CHANGE", op=op_id)
    return op_id


def finish(op, status, message):
    op.update(status=status, end=now(), message=message, due=None)
    enabled = ENABLED.get(op["enabled"])
    if enabled is None:
        return
    if status == "SUCCEEDED":
        for fn in FINISHED:
            refused = fn(enabled)
            if refused:  # enrolment could not deploy (an existing recorder, say): the operation fails
                op.update(status="FAILED", message=refused)
                break
    enabled["status"] = op["status"]


def tick():
    """Ends every operation whose time has come (called before every AWS request)."""
    t = time.monotonic()
    for op in list(OPS.values()):
        if op["status"] == "IN_PROGRESS" and t >= op["due"]:
            finish(op, "SUCCEEDED", None)
    for fn in TICKS:
        fn()


def record(account, region, name, version, target, parameters=None):
    """An enabled baseline that is already SUCCEEDED (what a landing zone setup leaves)."""
    for e in ENABLED.values():
        if e["account"] == account and e["name"] == name and e["target"] == target:
            return e
    arn = new_enabled_arn(account, region)
    ENABLED[arn] = {"arn": arn, "account": account, "region": region, "name": name, "version": version,
                    "target": target, "parameters": parameters or [], "status": "SUCCEEDED", "op": None}
    return ENABLED[arn]


def forget_landing_zone(account):
    """A landing zone replaced by the hook takes its own enabled baselines with it."""
    for arn in [a for a, e in ENABLED.items() if e["account"] == account and e["name"] != CT_BASELINE]:
        del ENABLED[arn]


# --------------------------------------------------------------------------- API
def list_baselines(account, region, body):
    return {"baselines": [{"arn": arn_of(region, n), "name": n, "description": d} for n, (_, d, _) in CATALOG.items()]}


def get_baseline(account, region, body):
    name = by_arn(region, body.get("baselineIdentifier") or "")
    if name is None:
        raise error(404, "ResourceNotFoundException", NOT_FOUND)
    return {"arn": arn_of(region, name), "name": name, "description": CATALOG[name][1]}


def check_target(account, target):
    """The OU ARN names an OU of the caller's organization (only OUs are targets)."""
    m = OU_ARN.match(target or "")
    if not m:
        raise invalid(f"The target {target} is not an organizational unit. Only OUs are supported as targets.")
    org = organizations_backends[account]["aws"]
    if org.org is None or org.org.master_account_id != account:
        raise error(403, "AccessDeniedException", "Only the management account of the organization can enable baselines.")
    if m.group(1) != account or m.group(2) != org.org.id or not any(o.id == m.group(3) for o in org.ou):
        raise error(404, "ResourceNotFoundException", f"The organizational unit {target} does not exist.")
    return org, m.group(3)


def registered(account, ou_id):
    """The SUCCEEDED AWSControlTowerBaseline on that OU, if any."""
    for e in ENABLED.values():
        if e["account"] == account and e["name"] == CT_BASELINE and e["target"].endswith("/" + ou_id) \
                and e["status"] == "SUCCEEDED":
            return e
    return None


def enable_baseline(account, region, body):
    name = by_arn(region, body.get("baselineIdentifier") or "")
    if name is None:
        raise error(404, "ResourceNotFoundException", f"The baseline {body.get('baselineIdentifier')} does not exist.")
    version = body.get("baselineVersion")
    if not isinstance(version, str) or not re.fullmatch(r"\d+(?:\.\d+){0,2}", version):
        raise invalid("baselineVersion must match pattern \\d+(?:\\.\\d+){0,2}")
    if not CATALOG[name][2]:
        raise invalid(f"The baseline {name} cannot be enabled on an organizational unit.")
    target = body.get("targetIdentifier")
    org, ou_id = check_target(account, target)
    lz = landing_zone(account)
    if lz is None or lz["status"] != "ACTIVE" or lz["region"] != region:
        raise invalid("AWS Control Tower cannot enable a baseline without an ACTIVE landing zone in this Region.")
    fits = fitting_version(name, lz["version"])
    if version != fits:
        raise invalid(f"Baseline version {version} of {name} is not compatible with landing zone version "
                      f"{lz['version']}. Use version {fits}.")
    params = body.get("parameters") or []
    ic_on = (lz["manifest"].get("accessManagement") or {}).get("enabled")
    ic = next((p.get("value") for p in params if p.get("key") == IC_PARAMETER), None)
    if ic_on:
        ic_enabled = [e["arn"] for e in ENABLED.values() if e["account"] == account and e["name"] == IC_BASELINE]
        if ic not in ic_enabled:
            raise invalid(f"The parameter {IC_PARAMETER} is required and must name the enabled "
                          f"{IC_BASELINE} of this landing zone, because it has IAM Identity Center access.")
    ou = next(o for o in org.ou if o.id == ou_id)
    if ou.parent_id != org.org.root_id and registered(account, ou.parent_id) is None:
        raise invalid(f"The parent of organizational unit {ou_id} is not registered with AWS Control Tower. "
                      "Register the parent OU first.")
    for e in ENABLED.values():
        if e["account"] == account and e["target"] == target:
            if e["status"] == "UNDER_CHANGE":
                raise error(409, "ConflictException", "AWS Control Tower cannot begin another operation on this "
                            "target while an operation is in progress.")
            if e["name"] == name:
                raise invalid(f"The baseline {name} is already enabled on {target}.")
    arn = new_enabled_arn(account, region)
    ENABLED[arn] = {"arn": arn, "account": account, "region": region, "name": name, "version": version,
                    "target": target, "parameters": [{"key": p.get("key"), "value": p.get("value")} for p in params],
                    "status": "UNDER_CHANGE", "op": None}
    return {"operationIdentifier": start(account, region, ENABLED[arn], "ENABLE_BASELINE"), "arn": arn}


def get_baseline_operation(account, region, body):
    op = OPS.get(body.get("operationIdentifier") or "")
    if not op or op["account"] != account or op["region"] != region:
        raise error(404, "ResourceNotFoundException", NOT_FOUND)
    out = {"operationIdentifier": op["id"], "operationType": op["type"], "status": op["status"],
           "startTime": iso(op["start"])}
    if op["end"]:
        out["endTime"] = iso(op["end"])
    if op["message"]:
        out["statusMessage"] = op["message"]
    return {"baselineOperation": out}


def summary(e, detail=False):
    out = {"arn": e["arn"], "baselineIdentifier": arn_of(e["region"], e["name"]), "baselineVersion": e["version"],
           "targetIdentifier": e["target"], "statusSummary": {"status": e["status"]},
           "driftStatusSummary": {"types": {"inheritance": {"status": "IN_SYNC"}}}}
    if e["op"]:
        out["statusSummary"]["lastOperationIdentifier"] = e["op"]
    if detail:
        out["parameters"] = e["parameters"]
    return out


def list_enabled_baselines(account, region, body):
    flt = body.get("filter") or {}
    targets, baselines = flt.get("targetIdentifiers"), flt.get("baselineIdentifiers")
    statuses = flt.get("statuses")
    out = []
    for e in ENABLED.values():
        if e["account"] != account or e["region"] != region:
            continue
        if targets and e["target"] not in targets:
            continue
        if baselines and arn_of(region, e["name"]) not in baselines:
            continue
        if statuses and e["status"] not in statuses:
            continue
        out.append(summary(e))
    # includeChildren would add the account-level enablements under each OU; none are modelled
    # separately here (an enrolled account inherits its OU's enabled baseline).
    return {"enabledBaselines": out}


def get_enabled_baseline(account, region, body):
    e = ENABLED.get(body.get("enabledBaselineIdentifier") or "")
    if e is None or e["account"] != account or e["region"] != region:
        raise error(404, "ResourceNotFoundException", NOT_FOUND)
    return {"enabledBaselineDetails": summary(e, detail=True)}


# --------------------------------------------------------------------------- hooks and state
def hook_complete(b):
    op = OPS.get(b.get("operationIdentifier") or "")
    status = b.get("status", "SUCCEEDED")
    if op is None:
        return json_response({"error": "unknown operationIdentifier"}, 404)
    if status not in ("SUCCEEDED", "FAILED"):
        return json_response({"error": "status must be SUCCEEDED or FAILED"}, 400)
    finish(op, status, b.get("statusMessage"))
    return json_response({"operationIdentifier": op["id"], "status": op["status"]})


def state():
    enabled = {a: dict(e) for a, e in sorted(ENABLED.items())}
    ops = [{k: (iso(v) if k in ("start", "end") and v else v) for k, v in o.items() if k != "due"}
           for o in sorted(OPS.values(), key=lambda o: (o["start"], o["id"]))]
    return {"enabledBaselines": enabled, "baselineOperations": ops}


def reset():
    ENABLED.clear(), OPS.clear()


ROUTES = {
    ("controltower", "POST", "/list-baselines"): list_baselines,
    ("controltower", "POST", "/get-baseline"): get_baseline,
    ("controltower", "POST", "/enable-baseline"): enable_baseline,
    ("controltower", "POST", "/get-baseline-operation"): get_baseline_operation,
    ("controltower", "POST", "/list-enabled-baselines"): list_enabled_baselines,
    ("controltower", "POST", "/get-enabled-baseline"): get_enabled_baseline,
}
HOOKS = {"/_groundwork/controltower/baseline-operations/complete": hook_complete}
