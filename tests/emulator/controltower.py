"""Control Tower as AWS ships it today (landing zone 4.0), which moto lacks entirely.

One landing zone per account, kept in its home Region. What AWS refuses, this refuses too, each
with a ValidationException (HTTP 400) shaped as Control Tower's model has it ({message}):
  * a version other than the latest available one ("...must be latest available version.");
  * a manifest that breaks the 4.0 schema: unknown keys (3.x's organizationStructure), a block
    without `enabled`, an enabled block without `accountId`, a block whose dependency is off
    (securityRoles needs config; accessManagement and backup need securityRoles), a bad Region;
  * Log Archive and the Config/security-roles account not sharing one OU directly under the root
    (4.0 no longer creates the Security OU);
  * AWSControlTowerCloudTrailRole missing or without AWSControlTowerCloudTrailRolePolicy, or
    AWSControlTowerAdmin or AWSControlTowerStackSetRole missing (all under /service-role/);
  * a governed Region that is not a Region, or an opt-in Region the account has not enabled.
A landing zone whose home is an opt-in Region is listed only from that Region. Operations are
asynchronous: IN_PROGRESS, then SUCCEEDED after GROUNDWORK_EMULATOR_CT_DELAY_SECONDS (or by hook).
The exact wording of AWS's schema, OU and Region messages is not documented; the version and
CloudTrail role messages are AWS's own (see ../../../shared/reference/control-tower-4.md).
"""
import os
import re
import time

from moto.iam.models import iam_backends
from moto.moto_api._internal import mock_random
from moto.organizations.models import organizations_backends
from moto.ssoadmin.models import SSOAdminBackend

import baselines
import controls  # controls and the Control Catalog (beside this file)
import regions
from wire import DEFAULT_ACCOUNT, ApiError, iso, json_response, now

# The only version CreateLandingZone accepts (4.0 since 2025-11-17). GROUNDWORK_EMULATOR_CT_LATEST
# plays AWS having moved on to a newer version with the same manifest schema.
LATEST = os.environ.get("GROUNDWORK_EMULATOR_CT_LATEST", "4.0")
NOT_FOUND = "The requested resource does not exist."
VERSION_REFUSED = "Your AWS Control Tower landing zone version must be latest available version."
CLOUDTRAIL_ROLE = "AWSControlTowerCloudTrailRole"
CLOUDTRAIL_POLICY = "arn:aws:iam::aws:policy/service-role/AWSControlTowerCloudTrailRolePolicy"
ROLE_REFUSED = (f"AWS Control Tower cannot perform this operation because the IAM role {CLOUDTRAIL_ROLE} "
                "does not exist or have sufficient permissions.")
REGION_RE = re.compile(r"^[a-z]{2}-[a-z\-]*-[0-9]{1}$")
ACCOUNT_RE = re.compile(r"^\d{12}$")
LOGS = {"loggingBucket", "accessLoggingBucket", "kmsKeyArn"}
# The 4.0 schema: each block's allowed keys, and which other block must be enabled for it.
BLOCKS = {
    "centralizedLogging": ({"enabled", "accountId", "configurations"}, None),
    "config": ({"enabled", "accountId", "configurations"}, None),
    "securityRoles": ({"enabled", "accountId"}, "config"),
    "accessManagement": ({"enabled"}, "securityRoles"),
    "backup": ({"enabled", "configurations"}, "securityRoles"),
}

LZ = {}  # account -> landing zone dict
OPS = {}  # operationIdentifier -> operation dict
SSO_HOME = {}  # account -> the one Region its Identity Center instance lives in (set by hook)
LAUNCHED = []  # functions (account, landing zone) run when a landing zone operation SUCCEEDS (enrolment.py)


def error(status, code, message):
    return ApiError(status, code, {"message": message})


def invalid(message):
    return error(400, "ValidationException", message)


def delay():
    """Seconds until a new operation auto-completes; negative = only the test hook completes it."""
    return float(os.environ.get("GROUNDWORK_EMULATOR_CT_DELAY_SECONDS", "2"))


def tick():
    """Complete every operation whose delay has elapsed (lazily, before every AWS request)."""
    baselines.tick()
    t = time.monotonic()
    for op in list(OPS.values()):
        if op["status"] == "IN_PROGRESS" and op["due"] is not None and t >= op["due"]:
            finish(op, "SUCCEEDED", None)


def finish(op, status, message):
    op.update(status=status, end=now(), message=message, due=None)
    lz = LZ.get(op["account"])
    if lz and lz["arn"] == op["arn"]:
        lz["status"] = "ACTIVE" if status == "SUCCEEDED" else "FAILED"
        if status == "SUCCEEDED":
            lz["drift"] = "IN_SYNC"
            launched(op["account"], lz)


def launched(account, lz):
    """What a landing zone that is set up leaves behind: the enabled baselines of its integration
    (IdentityCenterBaseline when accessManagement is on, which EnableBaseline's
    IdentityCenterEnabledBaselineArn parameter names: baseline-api-examples.html)."""
    if (lz["manifest"].get("accessManagement") or {}).get("enabled"):
        baselines.record(account, lz["region"], baselines.IC_BASELINE, "1.0", lz["arn"])
    for fn in LAUNCHED:
        fn(account, lz)


def start(account, region, arn, op_type):
    op_id = str(mock_random.uuid4())
    d = delay()
    OPS[op_id] = {"id": op_id, "account": account, "region": region, "arn": arn,
                  "type": op_type, "status": "IN_PROGRESS", "start": now(), "end": None,
                  "message": None, "due": time.monotonic() + d if d >= 0 else None}
    return op_id


def new_arn(account, region):
    suffix = mock_random.get_random_string(16, include_digits=True).upper()
    return f"arn:aws:controltower:{region}:{account}:landingzone/{suffix}"


def find(account, region, identifier):
    """The caller's landing zone, visible only from its home Region (else 404 like AWS)."""
    lz = LZ.get(account)
    if not identifier:
        raise invalid("landingZoneIdentifier is required")
    if not lz or lz["arn"] != identifier or lz["region"] != region:
        raise error(404, "ResourceNotFoundException", NOT_FOUND)
    return lz


def check_version(body):
    version = body.get("version")
    if not isinstance(version, str) or not re.fullmatch(r"\d+\.\d+", version):
        raise invalid("version must match pattern \\d+.\\d+")
    if version != LATEST:  # AWS refuses before it looks at the manifest
        raise invalid(VERSION_REFUSED)
    return version


def busy(account):
    if any(o["account"] == account and o["status"] == "IN_PROGRESS" for o in OPS.values()):
        raise error(409, "ConflictException", "AWS Control Tower cannot begin another operation while the "
                    "landing zone is processing an operation.")


# --------------------------------------------------------------------------- the 4.0 manifest
def validate_schema(manifest):
    """The landing zone 4.0 schema (landing-zone-schemas.html) and its block dependencies."""
    if not isinstance(manifest, dict):
        raise invalid("The manifest must be a JSON object.")
    for key in manifest:
        if key != "governedRegions" and key not in BLOCKS:
            raise invalid(f"The manifest is not valid for landing zone version {LATEST}: "
                          f"unknown property '{key}'.")
    regions_ = manifest.get("governedRegions", [])
    if not isinstance(regions_, list):
        raise invalid("governedRegions must be a list of Region codes.")
    for r in regions_:
        if not isinstance(r, str) or not REGION_RE.match(r):
            raise invalid(f"The manifest is not valid: governedRegions has '{r}', which is not a Region code.")
    for name, (allowed, _) in BLOCKS.items():
        block = manifest.get(name)
        if block is None:
            continue
        if not isinstance(block, dict):
            raise invalid(f"{name} must be an object.")
        extra = sorted(set(block) - allowed)
        if extra:
            raise invalid(f"The manifest is not valid: unknown property '{extra[0]}' in {name}.")
        if not isinstance(block.get("enabled"), bool):
            raise invalid(f"The manifest is not valid: {name}.enabled is required.")
        if block["enabled"] and "accountId" in allowed and not ACCOUNT_RE.match(str(block.get("accountId", ""))):
            raise invalid(f"The manifest is not valid: {name}.accountId is required when {name} is enabled.")
        configurations = block.get("configurations")
        if configurations is not None and name != "backup":
            check_logging(name, configurations)
    backup = manifest.get("backup") or {}
    if backup.get("enabled"):
        conf = backup.get("configurations") or {}
        for key in ("backupAdmin", "centralBackup"):
            if not ACCOUNT_RE.match(str((conf.get(key) or {}).get("accountId", ""))):
                raise invalid(f"The manifest is not valid: backup.configurations.{key}.accountId is required.")
        if not conf.get("kmsKeyArn"):
            raise invalid("The manifest is not valid: backup.configurations.kmsKeyArn is required.")
    for name, (_, needs) in BLOCKS.items():
        on = (manifest.get(name) or {}).get("enabled")
        if on and needs and not (manifest.get(needs) or {}).get("enabled"):
            raise invalid(f"The manifest is not valid: {name} can be enabled only when {needs} is enabled.")


def check_logging(name, conf):
    if not isinstance(conf, dict) or set(conf) - LOGS:
        raise invalid(f"The manifest is not valid: {name}.configurations accepts only {sorted(LOGS)}.")
    for bucket in ("loggingBucket", "accessLoggingBucket"):
        days = (conf.get(bucket) or {}).get("retentionDays", 1)
        if not isinstance(days, int) or days < 1:
            raise invalid(f"The manifest is not valid: {name}.configurations.{bucket}.retentionDays must be at least 1.")


def validate_regions(account, home, manifest):
    for r in [home] + list(manifest.get("governedRegions", [])):
        if regions.status(account, r) is None:
            raise invalid(f"{r} is not an AWS Region that AWS Control Tower can govern.")
        if not regions.usable(account, r):
            raise invalid(f"The Region {r} is not enabled for account {account}. Enable it before you govern it.")


def validate_organization(account, manifest):
    """4.0: the integration accounts share one OU directly under the root (no Security OU is made)."""
    org = organizations_backends[account]["aws"]
    if org.org is None or org.org.master_account_id != account:
        raise invalid("AWS Control Tower requires an organization with all features, managed by this account.")
    if org.org.feature_set != "ALL":
        raise invalid("AWS Control Tower requires an organization with all features enabled.")
    root = org.org.root_id
    members = {a.id: a for a in org.accounts}
    ids = [manifest[b]["accountId"] for b in ("centralizedLogging", "config", "securityRoles")
           if (manifest.get(b) or {}).get("enabled")]
    parents = set()
    for acc in ids:
        if acc not in members or acc == account:
            raise invalid(f"The account {acc} is not a member account of this organization.")
        if members[acc].state != "ACTIVE":
            raise invalid(f"The account {acc} is not ACTIVE.")
        parents.add(members[acc].parent_id)
    if not ids:
        return
    parent = parents.pop() if len(parents) == 1 else None
    ou = next((o for o in org.ou if o.id == parent), None) if parent else None
    if parent is None or parent == root or ou is None or ou.parent_id != root:
        raise invalid("The log archive, config and security roles accounts must be in the same organizational "
                      "unit, directly under the root, before you create the landing zone.")


def validate_roles(account):
    """The service roles the API setup creates (walkthrough-api-setup.html). Only the CloudTrail
    role's message is AWS's own (seen by LZA); the others are worded the same way."""
    iam = iam_backends[account]["global"]
    roles = {r.name: r for r in iam.roles.values() if r.path == "/service-role/"}
    role = roles.get(CLOUDTRAIL_ROLE)
    if role is None or CLOUDTRAIL_POLICY not in role.managed_policies:
        raise invalid(ROLE_REFUSED)
    for name in ("AWSControlTowerAdmin", "AWSControlTowerStackSetRole"):
        if name not in roles:
            raise invalid(ROLE_REFUSED.replace(CLOUDTRAIL_ROLE, name))


# --------------------------------------------------------------------------- operations
def list_landing_zones(account, region, body):
    lz = LZ.get(account)
    # AWS lists it from every Region, except that a landing zone at home in an opt-in Region is
    # listed only from there.
    visible = lz and (lz["region"] == region or not regions.is_opt_in(lz["region"]))
    return {"landingZones": [{"arn": lz["arn"]}] if visible else []}


def get_landing_zone(account, region, body):
    lz = find(account, region, body.get("landingZoneIdentifier"))
    detail = {"arn": lz["arn"], "status": lz["status"], "version": lz["version"],
              "latestAvailableVersion": lz["latest"], "driftStatus": {"status": lz["drift"]},
              "manifest": lz["manifest"]}
    if lz.get("remediationTypes"):
        detail["remediationTypes"] = lz["remediationTypes"]
    return {"landingZone": detail}


def validate_launch(account, region, manifest):
    validate_schema(manifest)
    validate_regions(account, region, manifest)
    validate_organization(account, manifest)
    validate_roles(account)


def create_landing_zone(account, region, body):
    version = check_version(body)
    if account in LZ:
        raise error(409, "ConflictException", "AWS Control Tower cannot create a landing zone because one already exists.")
    manifest = body.get("manifest")
    validate_launch(account, region, manifest if manifest is not None else {})
    arn = new_arn(account, region)
    LZ[account] = {"arn": arn, "region": region, "status": "PROCESSING", "drift": "IN_SYNC",
                   "version": version, "latest": LATEST, "manifest": manifest or {},
                   "remediationTypes": body.get("remediationTypes")}
    return {"arn": arn, "operationIdentifier": start(account, region, arn, "CREATE")}


def update_landing_zone(account, region, body):
    version = check_version(body)
    lz = find(account, region, body.get("landingZoneIdentifier"))
    busy(account)
    manifest = body.get("manifest") if body.get("manifest") is not None else lz["manifest"]
    validate_launch(account, region, manifest)
    lz.update(version=version, status="PROCESSING", manifest=manifest)
    if body.get("remediationTypes") is not None:
        lz["remediationTypes"] = body["remediationTypes"]
    return {"operationIdentifier": start(account, region, lz["arn"], "UPDATE")}


def reset_landing_zone(account, region, body):
    lz = find(account, region, body.get("landingZoneIdentifier"))
    busy(account)
    lz["status"] = "PROCESSING"
    return {"operationIdentifier": start(account, region, lz["arn"], "RESET")}


def op_summary(op, detail=False):
    out = {"operationType": op["type"], "operationIdentifier": op["id"], "status": op["status"]}
    if detail:
        out["startTime"] = iso(op["start"])
        if op["end"]:
            out["endTime"] = iso(op["end"])
        if op["message"]:
            out["statusMessage"] = op["message"]
    return out


def get_landing_zone_operation(account, region, body):
    op = OPS.get(body.get("operationIdentifier") or "")
    if not op or op["account"] != account or op["region"] != region:
        raise error(404, "ResourceNotFoundException", NOT_FOUND)
    return {"operationDetails": op_summary(op, detail=True)}


def list_landing_zone_operations(account, region, body):
    flt = body.get("filter") or {}
    ops = [o for o in OPS.values() if o["account"] == account and o["region"] == region
           and o["type"] in (flt.get("types") or [o["type"]])
           and o["status"] in (flt.get("statuses") or [o["status"]])]
    ops.sort(key=lambda o: o["start"], reverse=True)
    return {"landingZoneOperations": [op_summary(o) for o in ops]}


# --------------------------------------------------------------------------- Identity Center's Region
# moto answers ListInstances with an instance in every Region; on AWS an organization instance lives
# in one Region. Once the hook has placed an account's instance, other Regions list none (the
# Control Tower preflight needs "Identity Center is in another Region than the home Region").
_moto_list_instances = SSOAdminBackend.list_instances


def _list_instances(self):
    home = SSO_HOME.get(self.account_id)
    if home is not None and home != self.region_name:
        return []
    return _moto_list_instances(self)


SSOAdminBackend.list_instances = _list_instances


def hook_sso_home(b):
    account, region = b.get("account", DEFAULT_ACCOUNT), b.get("region")
    if regions.status(account, region) is None:
        return json_response({"error": "region must be an AWS Region"}, 400)
    SSO_HOME[account] = region
    return json_response({"account": account, "region": region})


# --------------------------------------------------------------------------- hooks and state
def hook_landing_zone(b):
    """A landing zone in any state and version (an existing one, possibly 3.x): no validation."""
    account, region = b.get("account", DEFAULT_ACCOUNT), b.get("region", "us-east-1")
    status, drift = b.get("status", "ACTIVE"), b.get("drift", "IN_SYNC")
    if status not in ("ACTIVE", "PROCESSING", "FAILED") or drift not in ("IN_SYNC", "DRIFTED"):
        return json_response({"error": "bad status or drift"}, 400)
    old = LZ.get(account)
    arn = old["arn"] if old and old["region"] == region else new_arn(account, region)
    LZ[account] = {"arn": arn, "region": region, "status": status, "drift": drift,
                   "version": b.get("version", LATEST), "latest": b.get("latestAvailableVersion", LATEST),
                   "manifest": b.get("manifest") or {}, "remediationTypes": b.get("remediationTypes")}
    baselines.forget_landing_zone(account)
    if status == "ACTIVE":  # an existing landing zone has its Identity Center baseline; with
        # "launch": true also everything a launch leaves in the accounts (enrolment.py)
        if b.get("launch"):
            launched(account, LZ[account])
        elif (LZ[account]["manifest"].get("accessManagement") or {}).get("enabled"):
            baselines.record(account, region, baselines.IC_BASELINE, "1.0", arn)
    return json_response({"arn": arn})


def hook_complete(b):
    op = OPS.get(b.get("operationIdentifier") or "")
    status = b.get("status", "SUCCEEDED")
    if op is None:
        return json_response({"error": "unknown operationIdentifier"}, 404)
    if status not in ("SUCCEEDED", "FAILED"):
        return json_response({"error": "status must be SUCCEEDED or FAILED"}, 400)
    finish(op, status, b.get("statusMessage"))
    return json_response({"operationIdentifier": op["id"], "status": status})


def state():
    lzs = {a: dict(lz) for a, lz in LZ.items()}
    ops = [{k: (iso(v) if k in ("start", "end") and v else v) for k, v in o.items() if k != "due"}
           for o in sorted(OPS.values(), key=lambda o: (o["start"], o["id"]))]
    return {"landingZones": lzs, "operations": ops, **baselines.state(), **controls.state()}


def reset():
    LZ.clear(), OPS.clear(), SSO_HOME.clear(), baselines.reset(), controls.reset()


ROUTES = {
    ("controltower", "POST", "/list-landingzones"): list_landing_zones,
    ("controltower", "POST", "/get-landingzone"): get_landing_zone,
    ("controltower", "POST", "/create-landingzone"): create_landing_zone,
    ("controltower", "POST", "/update-landingzone"): update_landing_zone,
    ("controltower", "POST", "/reset-landingzone"): reset_landing_zone,
    ("controltower", "POST", "/get-landingzone-operation"): get_landing_zone_operation,
    ("controltower", "POST", "/list-landingzone-operations"): list_landing_zone_operations,
}
ROUTES.update(baselines.ROUTES)
ROUTES.update(controls.ROUTES)
HOOKS = {
    **baselines.HOOKS,
    **controls.HOOKS,
    "/_groundwork/controltower/landing-zone": hook_landing_zone,
    "/_groundwork/controltower/operations/complete": hook_complete,
    "/_groundwork/identitycenter/instance-region": hook_sso_home,
}
