"""Control Tower controls (EnableControl, GetControlOperation, ListEnabledControls) and the Control
Catalog (ListControls) they name.

Modelled from AWS's documentation (self-check: selfcheck_controls.py cites each page):
  * API_ListControls.html / API_ControlSummary.html (controlcatalog): a paged list of ControlSummary
    {Arn, Aliases, Name, Description, Behavior PREVENTIVE|DETECTIVE|PROACTIVE, Severity,
    Implementation{Type, Identifier}}; Aliases are "human-readable designators".
  * control-identifiers.html: global ARNs arn:aws:controlcatalog:::control/<id> (recommended) and the
    legacy Regional arn:aws:controltower:<Region>::control/<name>; EnableControl takes either.
  * strongly-recommended-controls.html: the fourteen strongly recommended controls, "not enabled by
    default". The legacy AWS-GR_ names are their aliases (identifiers-for-legacy-controls.html).
  * API_EnableControl.html: "starts an asynchronous operation that creates AWS resources on the
    specified organizational unit"; answers {operationIdentifier, arn}; ValidationException,
    ConflictException, ResourceNotFoundException, AccessDeniedException. API_GetControlOperation.html:
    ControlOperation {operationIdentifier, operationType ENABLE_CONTROL, status IN_PROGRESS|SUCCEEDED|
    FAILED, statusMessage, startTime, endTime, controlIdentifier, targetIdentifier}.
  * API_ListEnabledControls.html: paged, by targetIdentifier; EnabledControlSummary {arn,
    controlIdentifier, targetIdentifier, statusSummary{status SUCCEEDED|FAILED|UNDER_CHANGE,
    lastOperationIdentifier}, driftStatusSummary{driftStatus}}.
  * key-changes-lz-v4.html: an OU must be registered (AWSControlTowerBaseline) before its controls.
The global control IDs below and every refusal's wording are ours: AWS does not publish them in the
pages we read. An operation ends delays.seconds("control") after it starts
(GROUNDWORK_EMULATOR_CONTROL_DELAY_SECONDS, default 0; negative: only the hook ends it).
POST /_groundwork/controlcatalog/remove {"alias": ...} takes a control out of the catalog (AWS may
retire or rename a control); reset puts it back.
"""
import time

from moto.moto_api._internal import mock_random
from moto.organizations.models import organizations_backends

import baselines
import delays
from wire import ApiError, iso, json_response, now

# alias -> (global id (ours), name, behavior, implementation type)
_SCP, _CONFIG = "AWS::Organizations::Policy::SERVICE_CONTROL_POLICY", "AWS::Config::ConfigRule"
CONTROLS = {
    "AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS": ("1l1p6ctm0vpsaz5yv2bjq4ik0", "Disallow creation of access keys for the root user", "PREVENTIVE", _SCP),
    "AWS-GR_RESTRICT_ROOT_USER": ("5ycu4n0jd8yq46kmlsb2aq4b8", "Disallow actions as a root user", "PREVENTIVE", _SCP),
    "AWS-GR_ENCRYPTED_VOLUMES": ("3dg0mwcq8pa1d1fxwsb0bm7jr", "Detect whether encryption is enabled for Amazon EBS volumes attached to Amazon EC2 instances", "DETECTIVE", _CONFIG),
    "AWS-GR_RESTRICTED_COMMON_PORTS": ("6ppjhf4m7u3c5nkwb9rq7cx1t", "Detect whether unrestricted incoming TCP traffic is allowed", "DETECTIVE", _CONFIG),
    "AWS-GR_RESTRICTED_SSH": ("2v1bzr6y4pq0r8ds3mkfe5hqa", "Detect whether unrestricted internet connection through SSH is allowed", "DETECTIVE", _CONFIG),
    "AWS-GR_ROOT_ACCOUNT_MFA_ENABLED": ("7kz3cvbn1t0g2mh5wq8r4ypsd", "Detect whether MFA for the root user is enabled", "DETECTIVE", _CONFIG),
    "AWS-GR_S3_BUCKET_PUBLIC_READ_PROHIBITED": ("4yq0w1xg5vb9n3t7d2kjr6mpe", "Detect whether public read access to Amazon S3 buckets is allowed", "DETECTIVE", _CONFIG),
    "AWS-GR_S3_BUCKET_PUBLIC_WRITE_PROHIBITED": ("9tjx2r5d0mq7b1kv4wnh8c3ya", "Detect whether public write access to Amazon S3 buckets is allowed", "DETECTIVE", _CONFIG),
    "AWS-GR_EC2_VOLUME_INUSE_CHECK": ("8hb4m2q0c7ty5vr1n9kdwx3ej", "Detect whether Amazon EBS volumes are attached to Amazon EC2 instances", "DETECTIVE", _CONFIG),
    "AWS-GR_EBS_OPTIMIZED_INSTANCE": ("0pw7x3kd9ne2q5b8y1rt4cmvh", "Detect whether Amazon EBS optimization is enabled for Amazon EC2 instances", "DETECTIVE", _CONFIG),
    "AWS-GR_RDS_INSTANCE_PUBLIC_ACCESS_CHECK": ("5gm1ty8cw4qk0x3vb7rd2nhpa", "Detect whether public access to Amazon RDS database instances is enabled", "DETECTIVE", _CONFIG),
    "AWS-GR_RDS_SNAPSHOTS_PUBLIC_PROHIBITED": ("3rc9nd6v1q0t4ykw8bm2xh5je", "Detect whether public access to Amazon RDS database snapshots is enabled", "DETECTIVE", _CONFIG),
    "AWS-GR_RDS_STORAGE_ENCRYPTED": ("1wv5k8qy3h0n7dt2mc9rb4xpg", "Detect whether storage encryption is enabled for Amazon RDS database instances", "DETECTIVE", _CONFIG),
    # elective, for the offer
    "AWS-GR_IAM_USER_MFA_ENABLED": ("6dn2p9xk4c1v8tq0rb3mwy7he", "Detect whether MFA is enabled for AWS IAM users", "DETECTIVE", _CONFIG),
    "AWS-GR_S3_VERSIONING_ENABLED": ("2kq8w5rn0b7y3dx1vt4mhc9pe", "Detect whether versioning for Amazon S3 buckets is enabled", "DETECTIVE", _CONFIG),
}
REMOVED = set()  # aliases taken out of the catalog by the hook
ENABLED = {}  # enabled control ARN -> dict (account, region, control (global ARN), target, status, op)
OPS = {}  # operationIdentifier -> dict


def error(status, code, message):
    return ApiError(status, code, {"message": message})


def global_arn(alias):
    return f"arn:aws:controlcatalog:::control/{CONTROLS[alias][0]}"


def resolve(identifier):
    """The alias of a control identifier, global or legacy Regional (control-identifiers.html)."""
    for alias in CONTROLS:
        if alias in REMOVED:
            continue
        if identifier == global_arn(alias) or (identifier.startswith("arn:aws:controltower:")
                                               and identifier.endswith("::control/" + alias)):
            return alias
    return None


# --------------------------------------------------------------------------- Control Catalog
def list_controls(account, region, body):
    out = []
    for alias, (_, name, behavior, impl) in CONTROLS.items():
        if alias in REMOVED:
            continue
        out.append({"Arn": global_arn(alias), "Aliases": [alias], "Name": name, "Description": name + ".",
                    "Behavior": behavior, "Severity": "HIGH", "Implementation": {"Type": impl},
                    "CreateTime": 1_600_000_000})
    return {"Controls": out}


# --------------------------------------------------------------------------- Control Tower
def tick():
    t = time.monotonic()
    for op in list(OPS.values()):
        if op["status"] == "IN_PROGRESS" and t >= op["due"]:
            finish(op, "SUCCEEDED", None)


def finish(op, status, message):
    op.update(status=status, end=now(), message=message, due=None)
    enabled = ENABLED.get(op["enabled"])
    if enabled is not None:
        enabled["status"] = status


def enable_control(account, region, body):
    identifier, target = body.get("controlIdentifier") or "", body.get("targetIdentifier") or ""
    org = organizations_backends[account]["aws"]
    if org.org is None or org.org.master_account_id != account:
        raise error(403, "AccessDeniedException", "Only the management account of the organization can enable controls.")
    alias = resolve(identifier)
    if alias is None:
        raise error(404, "ResourceNotFoundException", f"The control {identifier} does not exist.")
    _, ou_id = baselines.check_target(account, target)
    lz = baselines.landing_zone(account)
    if lz is None or lz["status"] != "ACTIVE" or lz["region"] != region:
        raise error(400, "ValidationException", "AWS Control Tower cannot enable a control without an ACTIVE "
                    "landing zone in this Region.")
    if baselines.registered(account, ou_id) is None:
        raise error(400, "ValidationException", f"The organizational unit {ou_id} is not registered with AWS "
                    "Control Tower. Register it before enabling controls on it.")
    for e in ENABLED.values():
        if e["account"] == account and e["target"] == target and e["alias"] == alias:
            if e["status"] == "UNDER_CHANGE":
                raise error(409, "ConflictException", "AWS Control Tower cannot begin another operation on this "
                            "control and target while an operation is in progress.")
            if e["status"] == "SUCCEEDED":
                raise error(409, "ConflictException", f"The control {identifier} is already enabled on {target}.")
    arn = f"arn:aws:controltower:{region}:{account}:enabledcontrol/" + mock_random.get_random_string(
        16, include_digits=True).upper()
    op_id = str(mock_random.uuid4())
    ENABLED[arn] = {"arn": arn, "account": account, "region": region, "alias": alias, "identifier": identifier,
                    "target": target, "status": "UNDER_CHANGE", "op": op_id}
    OPS[op_id] = {"id": op_id, "account": account, "region": region, "status": "IN_PROGRESS", "start": now(),
                  "end": None, "message": None, "due": delays.ready_at("control"), "enabled": arn,
                  "identifier": identifier, "target": target}
    return {"operationIdentifier": op_id, "arn": arn}


def get_control_operation(account, region, body):
    op = OPS.get(body.get("operationIdentifier") or "")
    if not op or op["account"] != account or op["region"] != region:
        raise error(404, "ResourceNotFoundException", "The requested resource does not exist.")
    out = {"operationIdentifier": op["id"], "operationType": "ENABLE_CONTROL", "status": op["status"],
           "startTime": iso(op["start"]), "controlIdentifier": op["identifier"], "targetIdentifier": op["target"],
           "enabledControlIdentifier": op["enabled"]}
    if op["end"]:
        out["endTime"] = iso(op["end"])
    if op["message"]:
        out["statusMessage"] = op["message"]
    return {"controlOperation": out}


def list_enabled_controls(account, region, body):
    target = body.get("targetIdentifier")
    out = []
    for e in ENABLED.values():
        if e["account"] != account or e["region"] != region or (target and e["target"] != target):
            continue
        out.append({"arn": e["arn"], "controlIdentifier": e["identifier"], "targetIdentifier": e["target"],
                    "statusSummary": {"status": e["status"], "lastOperationIdentifier": e["op"]},
                    "driftStatusSummary": {"driftStatus": "IN_SYNC"}})
    return {"enabledControls": out}


# --------------------------------------------------------------------------- hooks and state
def hook_remove(b):
    alias = b.get("alias")
    if alias not in CONTROLS:
        return json_response({"error": f"unknown alias {alias}"}, 404)
    REMOVED.add(alias)
    return json_response({"removed": sorted(REMOVED)})


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
    return {"enabledControls": {a: dict(e) for a, e in sorted(ENABLED.items())},
            "controlOperations": [{k: (iso(v) if k in ("start", "end") and v else v) for k, v in o.items()
                                   if k != "due"} for o in OPS.values()]}


def reset():
    ENABLED.clear(), OPS.clear(), REMOVED.clear()


baselines.TICKS.append(tick)
ROUTES = {
    ("controlcatalog", "POST", "/list-controls"): list_controls,
    ("controltower", "POST", "/enable-control"): enable_control,
    ("controltower", "POST", "/get-control-operation"): get_control_operation,
    ("controltower", "POST", "/list-enabled-controls"): list_enabled_controls,
}
HOOKS = {"/_groundwork/controlcatalog/remove": hook_remove,
         "/_groundwork/controltower/control-operations/complete": hook_complete}
