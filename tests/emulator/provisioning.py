"""IAM Identity Center account assignments and permission set pushes take time, and can fail, as on AWS.

AWS answers CreateAccountAssignment with Status IN_PROGRESS and provisions the assignment in the
background (usually seconds); DescribeAccountAssignmentCreationStatus reports IN_PROGRESS until
then, and the assignment is listed only once it exists. moto answers SUCCEEDED at once, so a
client that polls is never exercised and one that gives up early looks right.

delays.seconds("assignment") (GROUNDWORK_EMULATOR_ASSIGNMENT_DELAY_SECONDS, or POST
/_groundwork/delays) sets how long provisioning takes (default 0: at once, as moto; negative: never,
for tests of a client's time limit). Importing this module patches moto.

ProvisionPermissionSet is asynchronous on AWS too: it answers a PermissionSetProvisioningStatus
(Status IN_PROGRESS | FAILED | SUCCEEDED, RequestId, PermissionSetArn, FailureReason, CreatedDate;
API_ProvisionPermissionSet, API_PermissionSetProvisioningStatus), followed with
DescribePermissionSetProvisioningStatus by request id and listed by ListPermissionSetProvisioningStatus
(CreatedDate, RequestId, Status, with a Status filter; API_ListPermissionSetProvisioningStatus).
moto answers SUCCEEDED at once and has neither read. Here a push is IN_PROGRESS for
delays.seconds("provision") (GROUNDWORK_EMULATOR_PROVISION_DELAY_SECONDS, default 0), then ends.

Both can fail on AWS (a FAILED status with a FailureReason, e.g. a policy the account cannot take),
which moto never does. POST /_groundwork/identitycenter/fail {"what": "provision" | "assignment",
"reason": "...", "count": 1} makes the next `count` pushes or assignments end FAILED with that
reason once their delay passes. A failed assignment does not exist: no list shows it, and creating
it again is a new request.
"""
import json
import threading
import time
import uuid

from moto.ssoadmin.exceptions import ResourceNotFoundException
from moto.ssoadmin.models import SSOAdminBackend
from moto.ssoadmin.responses import SSOAdminResponse
from moto.ssoadmin.utils import PAGINATION_MODEL
from moto.utilities.paginator import paginate

import delays

_LOCK = threading.Lock()
_READY_AT = {}  # request id -> monotonic time it is provisioned (inf: never)
_FAILED = {}  # assignment request id -> (its creation status as moto answered it, FailureReason)
_PUSHES = {}  # push request id -> dict: account, instance, status fields, ready, reason (None: succeeds)
_FAIL_NEXT = {"provision": [], "assignment": []}  # reasons the next calls of each kind fail with


def delay():
    return delays.seconds("assignment")


def _ready(request_id):
    with _LOCK:
        return time.monotonic() >= _READY_AT.get(request_id, 0.0)


def _status_of(body, key):
    doc = json.loads(body)
    status = doc.get(key, {})
    request_id = status.get("RequestId")
    if not _ready(request_id):
        status["Status"] = "IN_PROGRESS"
    elif request_id in _FAILED:
        status["Status"], status["FailureReason"] = "FAILED", _FAILED[request_id][1]
    else:
        status["Status"] = "SUCCEEDED"
    return json.dumps(doc)


def _next_failure(what):
    with _LOCK:
        return _FAIL_NEXT[what].pop(0) if _FAIL_NEXT[what] else None


def hook_fail(body):
    """POST /_groundwork/identitycenter/fail: the next `count` pushes or assignments fail."""
    what = body.get("what")
    if what not in _FAIL_NEXT:
        raise ValueError(f"what must be one of {sorted(_FAIL_NEXT)}")
    count = int(body.get("count", 1))
    reason = body.get("reason") or "The request failed (set by the test hook)."
    with _LOCK:
        _FAIL_NEXT[what].extend([reason] * count)
        return {k: len(v) for k, v in _FAIL_NEXT.items()}


_moto_create = SSOAdminResponse.create_account_assignment
_moto_describe = SSOAdminResponse.describe_account_assignment_creation_status
# The lists are filtered before moto pages them, so pages keep their size.
_moto_list_for_principal = SSOAdminBackend.list_account_assignments_for_principal.__wrapped__
_moto_list = SSOAdminBackend.list_account_assignments.__wrapped__


def _create(self):
    body = _moto_create(self)
    request_id = json.loads(body)["AccountAssignmentCreationStatus"].get("RequestId")
    wait = delay()
    with _LOCK:
        fresh = request_id not in _READY_AT  # an existing assignment answered again keeps its time
        if fresh:
            _READY_AT[request_id] = float("inf") if wait < 0 else time.monotonic() + wait
    reason = _next_failure("assignment") if fresh else None
    if reason is not None:
        # A failed assignment never exists: out of moto's lists, its status kept for Describe.
        backend = self.ssoadmin_backend
        backend.account_assignments = [a for a in backend.account_assignments if a.request_id != request_id]
        with _LOCK:
            _FAILED[request_id] = (body, reason)
    return _status_of(body, "AccountAssignmentCreationStatus")


def _describe(self):
    request_id = self._get_param("AccountAssignmentCreationRequestId")
    with _LOCK:
        failed = _FAILED.get(request_id)
    if failed is not None:
        return _status_of(failed[0], "AccountAssignmentCreationStatus")
    return _status_of(_moto_describe(self), "AccountAssignmentCreationStatus")


def _push_status(push, summary=False):
    if time.monotonic() < push["ready"]:
        status = "IN_PROGRESS"
    else:
        status = "FAILED" if push["reason"] is not None else "SUCCEEDED"
    out = {"CreatedDate": push["CreatedDate"], "RequestId": push["RequestId"], "Status": status}
    if not summary:
        out["PermissionSetArn"] = push["PermissionSetArn"]
        if push.get("AccountId"):
            out["AccountId"] = push["AccountId"]
        if status == "FAILED":
            out["FailureReason"] = push["reason"]
    return out


def _provision(self):
    instance = self._get_param("InstanceArn")
    permission_set = self._get_param("PermissionSetArn")
    # moto records the set as provisioned, and refuses a set that does not exist.
    self.ssoadmin_backend.provision_permission_set(instance_arn=instance, permission_set_arn=permission_set)
    push = {"account": self.current_account, "instance": instance, "PermissionSetArn": permission_set,
            "RequestId": str(uuid.uuid4()), "CreatedDate": time.time(),
            "ready": delays.ready_at("provision"), "reason": _next_failure("provision")}
    if self._get_param("TargetType") == "AWS_ACCOUNT":
        push["AccountId"] = self._get_param("TargetId")
    with _LOCK:
        _PUSHES[push["RequestId"]] = push
    return json.dumps({"PermissionSetProvisioningStatus": _push_status(push)})


def _describe_push(self):
    request_id = self._get_param("ProvisionPermissionSetRequestId")
    with _LOCK:
        push = _PUSHES.get(request_id)
    if push is None or push["account"] != self.current_account or push["instance"] != self._get_param("InstanceArn"):
        raise ResourceNotFoundException(message=f"Could not find provisioning request {request_id}")
    return json.dumps({"PermissionSetProvisioningStatus": _push_status(push)})


def _list_pushes(self):
    instance = self._get_param("InstanceArn")
    wanted = (self._get_param("Filter") or {}).get("Status")
    with _LOCK:
        mine = [p for p in _PUSHES.values() if p["account"] == self.current_account and p["instance"] == instance]
    listed = [_push_status(p, summary=True) for p in sorted(mine, key=lambda p: p["CreatedDate"])]
    return json.dumps({"PermissionSetsProvisioningStatus": [p for p in listed if wanted in (None, p["Status"])]})


def _provisioned(backend, instance_arn):
    """The request ids of assignments still being provisioned, which no list shows yet."""
    return {a.request_id for a in backend.account_assignments
            if a.instance_arn == instance_arn and not _ready(a.request_id)}


def _list_for_principal(self, filter_, instance_arn, principal_id, principal_type):
    pending = _provisioned(self, instance_arn)
    hidden = {(a.target_id, a.permission_set_arn, a.principal_id) for a in self.account_assignments
              if a.request_id in pending}
    listed = _moto_list_for_principal(self, filter_, instance_arn, principal_id, principal_type)
    return [a for a in listed if (a["AccountId"], a["PermissionSetArn"], a["PrincipalId"]) not in hidden]


def _list(self, instance_arn, account_id, permission_set_arn):
    # Named parameters, not **kwargs: moto's paginator passes its own arguments to a **kwargs function.
    listed = _moto_list(self, instance_arn, account_id, permission_set_arn)
    pending = _provisioned(self, instance_arn)
    hidden = {(a.target_id, a.permission_set_arn, a.principal_id) for a in self.account_assignments
              if a.request_id in pending}
    return [a for a in listed
            if (a.get("AccountId"), a.get("PermissionSetArn"), a.get("PrincipalId")) not in hidden]


def reset():
    with _LOCK:
        _READY_AT.clear()
        _FAILED.clear()
        _PUSHES.clear()
        for reasons in _FAIL_NEXT.values():
            reasons.clear()


# moto's paginator finds its settings by the method's name.
_list_for_principal.__name__ = "list_account_assignments_for_principal"
_list.__name__ = "list_account_assignments"
SSOAdminResponse.create_account_assignment = _create
SSOAdminResponse.describe_account_assignment_creation_status = _describe
SSOAdminResponse.provision_permission_set = _provision
SSOAdminResponse.describe_permission_set_provisioning_status = _describe_push
SSOAdminResponse.list_permission_set_provisioning_status = _list_pushes
SSOAdminBackend.list_account_assignments_for_principal = paginate(PAGINATION_MODEL)(_list_for_principal)
SSOAdminBackend.list_account_assignments = paginate(PAGINATION_MODEL)(_list)
