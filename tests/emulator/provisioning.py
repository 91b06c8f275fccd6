"""IAM Identity Center account assignments take time, as on AWS.

AWS answers CreateAccountAssignment with Status IN_PROGRESS and provisions the assignment in the
background (usually seconds); DescribeAccountAssignmentCreationStatus reports IN_PROGRESS until
then, and the assignment is listed only once it exists. moto answers SUCCEEDED at once, so a
client that polls is never exercised and one that gives up early looks right.

delays.seconds("assignment") (GROUNDWORK_EMULATOR_ASSIGNMENT_DELAY_SECONDS, or POST
/_groundwork/delays) sets how long provisioning takes (default 0: at once, as moto; negative: never,
for tests of a client's time limit). Importing this module patches moto.
"""
import json
import threading
import time

from moto.ssoadmin.models import SSOAdminBackend
from moto.ssoadmin.responses import SSOAdminResponse
from moto.ssoadmin.utils import PAGINATION_MODEL
from moto.utilities.paginator import paginate

import delays

_LOCK = threading.Lock()
_READY_AT = {}  # request id -> monotonic time it is provisioned (inf: never)


def delay():
    return delays.seconds("assignment")


def _ready(request_id):
    with _LOCK:
        return time.monotonic() >= _READY_AT.get(request_id, 0.0)


def _status_of(body, key):
    doc = json.loads(body)
    status = doc.get(key, {})
    status["Status"] = "SUCCEEDED" if _ready(status.get("RequestId")) else "IN_PROGRESS"
    return json.dumps(doc)


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
        if request_id not in _READY_AT:  # an existing assignment answered again keeps its time
            _READY_AT[request_id] = float("inf") if wait < 0 else time.monotonic() + wait
    return _status_of(body, "AccountAssignmentCreationStatus")


def _describe(self):
    return _status_of(_moto_describe(self), "AccountAssignmentCreationStatus")


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


# moto's paginator finds its settings by the method's name.
_list_for_principal.__name__ = "list_account_assignments_for_principal"
_list.__name__ = "list_account_assignments"
SSOAdminResponse.create_account_assignment = _create
SSOAdminResponse.describe_account_assignment_creation_status = _describe
SSOAdminBackend.list_account_assignments_for_principal = paginate(PAGINATION_MODEL)(_list_for_principal)
SSOAdminBackend.list_account_assignments = paginate(PAGINATION_MODEL)(_list)
