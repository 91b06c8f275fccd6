"""Organizations creates accounts asynchronously, as on AWS.

AWS answers CreateAccount with a CreateAccountStatus whose State is IN_PROGRESS and creates the
account in the background; DescribeCreateAccountStatus and ListCreateAccountStatus report
IN_PROGRESS until the State is SUCCEEDED, and AccountId (with CompletedTimestamp) is "present in
the output only after the account has been successfully created" (Organizations API reference).
Until then the account is in no list (ListAccounts, ListAccountsForParent, ListChildren),
DescribeAccount and MoveAccount do not know it, and what joining the organization does (members.py:
GuardDuty and Security Hub auto-enable) has not happened. moto creates it within the call.

How long creation takes is delays.seconds("account") (GROUNDWORK_EMULATOR_ACCOUNT_DELAY_SECONDS,
default 0: at once, as moto; negative: never). A pending account is held outside moto's list of
accounts and put back when it is due, so every moto and extension read agrees it does not exist
yet; settle() (called before every AWS request) does that. Importing this module patches moto.

Creation can fail, as AWS documents (CreateAccountStatus, FailureReason): "EMAIL_ALREADY_EXISTS:
The account could not be created because another AWS account with that email address already
exists" (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccountStatus.html).
Here an email already used by an account of this emulator's organizations (case-insensitive),
or by one still being created, makes the request end FAILED with that reason after the same delay;
no account is created, and ListCreateAccountStatus lists the request under FAILED. moto created
a second account with the same email.
"""
import threading
import time

from moto.core.utils import unix_time
from moto.organizations.models import OrganizationsBackend, organizations_backends
from moto.organizations.utils import make_random_create_account_status_id

import delays

_LOCK = threading.Lock()
_PENDING = {}  # create-account request id -> (organizations backend, FakeAccount, monotonic time it is created)
_FAILED = {}  # create-account request id -> (organizations backend, its status, monotonic time it fails)
JOINED = []  # functions (organizations backend, FakeAccount) run when an account joins the organization

_moto_create = OrganizationsBackend.create_account
_moto_describe_status = OrganizationsBackend.describe_create_account_status
_moto_list_status = OrganizationsBackend.list_create_account_status


def _in_progress(account):
    return {"Id": account.create_account_status_id, "AccountName": account.name, "State": "IN_PROGRESS",
            "RequestedTimestamp": unix_time(account.create_time)}


def _join(backend, account):
    for fn in JOINED:
        fn(backend, account)


def _email_taken(email):
    """Whether another account (of any organization here, or being created) has this email."""
    wanted = (email or "").lower()
    used = {a.email.lower() for _, _, b in _existing() for a in b.accounts}
    with _LOCK:
        used |= {a.email.lower() for _, a, _ in _PENDING.values()}
    return wanted in used


def _existing():
    for account, regions in list(dict.items(organizations_backends)):
        for region, backend in list(dict.items(regions)):
            yield account, region, backend


def _failed_status(entry):
    backend, status, due = entry
    if time.monotonic() < due:
        return {k: v for k, v in status.items() if k in ("Id", "AccountName", "RequestedTimestamp")} | \
            {"State": "IN_PROGRESS"}
    return dict(status)


def _create(self, **kwargs):
    if self.org is not None and _email_taken(kwargs.get("Email")):
        request = make_random_create_account_status_id()
        status = {"Id": request, "AccountName": kwargs.get("AccountName"), "State": "FAILED",
                  "FailureReason": "EMAIL_ALREADY_EXISTS", "RequestedTimestamp": unix_time(),
                  "CompletedTimestamp": unix_time()}
        with _LOCK:
            _FAILED[request] = (self, status, delays.ready_at("account"))
            entry = _FAILED[request]
        return {"CreateAccountStatus": _failed_status(entry)}
    status = _moto_create(self, **kwargs)
    account = self.accounts[-1]
    ready = delays.ready_at("account")
    if ready <= time.monotonic():
        _join(self, account)
        return status
    with _LOCK:
        self.accounts.remove(account)
        _PENDING[account.create_account_status_id] = (self, account, ready)
    return {"CreateAccountStatus": _in_progress(account)}


def _describe_status(self, **kwargs):
    settle()
    with _LOCK:
        pending = _PENDING.get(kwargs.get("CreateAccountRequestId"))
        failed = _FAILED.get(kwargs.get("CreateAccountRequestId"))
    if pending is not None and pending[0] is self:
        return {"CreateAccountStatus": _in_progress(pending[1])}
    if failed is not None and failed[0] is self:
        return {"CreateAccountStatus": _failed_status(failed)}
    return _moto_describe_status(self, **kwargs)


def _list_status(self, **kwargs):
    settle()
    states = kwargs.get("States") or ["IN_PROGRESS", "SUCCEEDED", "FAILED"]
    done = _moto_list_status(self, States=states, MaxResults=1_000_000)["CreateAccountStatuses"]
    with _LOCK:
        pending = [_in_progress(a) for b, a, _ in _PENDING.values() if b is self] if "IN_PROGRESS" in states else []
        failed = [_failed_status(e) for e in _FAILED.values() if e[0] is self]
    statuses = done + pending + [f for f in failed if f["State"] in states]
    start = int(kwargs.get("NextToken") or 0)
    size = int(kwargs.get("MaxResults") or 20)
    end = start + size
    return {"CreateAccountStatuses": statuses[start:end], **({"NextToken": str(end)} if end < len(statuses) else {})}


def settle():
    """Puts every account whose creation is due into its organization, and runs what joining does."""
    now = time.monotonic()
    with _LOCK:
        due = [(key, entry) for key, entry in _PENDING.items() if entry[2] <= now]
        for key, _ in due:
            del _PENDING[key]
    for _, (backend, account, _) in due:
        backend.accounts.append(account)
        _join(backend, account)


def state():
    with _LOCK:
        return sorted(a.name for _, a, _ in _PENDING.values())


def reset():
    with _LOCK:
        _PENDING.clear()
        _FAILED.clear()


OrganizationsBackend.create_account = _create
OrganizationsBackend.describe_create_account_status = _describe_status
OrganizationsBackend.list_create_account_status = _list_status
