"""Member accounts of GuardDuty and Security Hub CSPM administrators, as AWS documents them.

moto has no GuardDuty members at all, and its Security Hub members are a plain list (no hub in the
member, no organization rules). Here, from the delegated administrator:

GuardDuty (POST/GET /detector/{id}/member: CreateMembers, ListMembers)
  * CreateMembers for an organization account enables GuardDuty in it (a detector, with the
    organization's auto-enable features) and lists it as RelationshipStatus "Enabled"; the
    administrator itself and accounts outside the organization are unprocessed.
  * UpdateOrganizationConfiguration(autoEnableOrganizationMembers=ALL) enrols the existing accounts
    "within 24 hours": here only when POST /_groundwork/guardduty/enrol runs, or once
    GROUNDWORK_EMULATOR_GD_ENROL_SECONDS have passed (unset: never by itself), so a test can see
    the "still enrolling" state.
  * ListMembers pages (maxResults at most 50, and never more than PAGE here), onlyAssociated
    defaults to true (Enabled and Disabled members only).

Security Hub CSPM (POST/GET /members: CreateMembers, ListMembers)
  * CreateMembers for an organization account makes it a member "Enabled"; an account without a
    hub gets one with the default standards (FSBP and CIS 1.2.0), as AWS does, except the
    management account, whose hub AWS never enables: it is unprocessed until it has one.
  * DisableSecurityHub in a member removes its membership; in the administrator it is refused.
  * ListMembers pages like GuardDuty's; OnlyAssociated defaults to true.

Accounts that join later (CreateAccount): with GuardDuty auto-enable NEW or ALL they are enrolled at
once; with Security Hub AutoEnable they get a hub in every Region where the administrator has one
(with the default standards only if AutoEnableStandards is DEFAULT) and become members. AWS does
both shortly after the account joins; here it happens when the account is created (at once, or
once account_creation.py's delay has passed).

State is keyed by (administrator account, Region); POST /moto-api/reset clears it.
"""
import os
import time

from moto.guardduty.models import guardduty_backends
from moto.organizations.exceptions import OrganizationsClientError
from moto.organizations.models import organizations_backends
from moto.securityhub.exceptions import SecurityHubClientError
from moto.securityhub.models import securityhub_backends

import account_creation
import sh_regions

S = None  # the server module (its error helpers, GD_ORG, LOCK), set by bind()
PAGE = 20  # AWS pages every list; a small page makes clients follow nextToken
GD_MEMBERS = {}  # (admin, region) -> {account: member dict}
GD_ALL_SINCE = {}  # (admin, region) -> when autoEnableOrganizationMembers became ALL
SH_MEMBERS = {}  # (admin, region) -> {account: member dict}


def bind(server):
    global S
    S = server


def reset():
    GD_MEMBERS.clear(), GD_ALL_SINCE.clear(), SH_MEMBERS.clear()


def now_iso():
    return S.iso(S.now())


def org_accounts(account):
    """(management account id, {account id: FakeAccount}) of the caller's organization, or (None, {})."""
    try:
        org = organizations_backends[account]["aws"]
        mgmt = org.describe_organization()["Organization"]["MasterAccountId"]
    except OrganizationsClientError:
        return None, {}
    accounts = organizations_backends[mgmt]["aws"].accounts
    return mgmt, {a.id: a for a in accounts if a.status == "ACTIVE"}


def page(items, key_next, key_max, body, limit=50):
    """One page of `items` and the next token (the index of the next item)."""
    try:
        start = int(body.get(key_next) or 0)
        size = int(body.get(key_max) or limit)
    except ValueError:
        raise S.ApiError(400, "BadRequestException", {"message": "The request is rejected because an input is not valid."})
    if not 1 <= size <= limit:
        raise S.ApiError(400, "BadRequestException", {"message": f"The request is rejected because {key_max} is not valid."})
    end = start + min(size, PAGE)
    return items[start:end], (str(end) if end < len(items) else None)


def truthy(value, default=True):
    return default if value in (None, "") else str(value).lower() == "true"


# --------------------------------------------------------------------------- GuardDuty
def gd_enrol_due():
    """Enrols every organization account for each ALL older than the configured delay."""
    delay = os.environ.get("GROUNDWORK_EMULATOR_GD_ENROL_SECONDS")
    if delay is None:
        return
    for (admin, region), since in list(GD_ALL_SINCE.items()):
        if time.monotonic() - since >= float(delay):
            gd_enrol_all(admin, region)


def gd_enrol_all(admin, region):
    _, accounts = org_accounts(admin)
    for acct in accounts.values():
        if acct.id != admin:
            gd_add_member(admin, region, acct.id, acct.email)


def gd_admin_detector(admin, region):
    detectors = guardduty_backends[admin][region].detectors
    return next(iter(detectors)) if detectors else None


def gd_add_member(admin, region, account, email):
    """The member enrolled as AWS does for an organization account: a detector in it, Enabled."""
    members = GD_MEMBERS.setdefault((admin, region), {})
    old = members.get(account)
    if old and old["relationshipStatus"] == "Enabled":
        return
    backend = guardduty_backends[account][region]
    detector_id = gd_admin_detector(admin, region)
    cfg = S.GD_ORG.get((admin, region, detector_id)) or {"features": []}
    if not backend.detectors:
        features = [{"name": f["name"], "status": "ENABLED" if f.get("autoEnable") in ("ALL", "NEW") else "DISABLED"}
                    for f in cfg["features"]]
        backend.create_detector(True, "SIX_HOURS", {}, {}, features)
    else:
        for det in backend.detectors.values():
            det.enabled = True
    members[account] = {"accountId": account, "detectorId": next(iter(backend.detectors)), "masterId": admin,
                        "administratorId": admin, "email": email, "relationshipStatus": "Enabled",
                        "invitedAt": now_iso(), "updatedAt": now_iso()}


def gd_create_members(account, region, body, detector_id):
    S.gd_config(account, region, detector_id)  # the caller's detector, and it is the delegated admin
    mgmt, accounts = org_accounts(account)
    unprocessed = []
    for detail in body.get("accountDetails") or []:
        target, email = detail.get("accountId"), detail.get("email")
        if not target or not email:
            raise S.gd_bad_request("The request is rejected because accountDetails needs accountId and email.")
        if target == account:
            unprocessed.append({"accountId": target, "result": "The request is rejected because the current account "
                                                                 "cannot be added as a member of itself."})
        elif target not in accounts:
            unprocessed.append({"accountId": target, "result": "The request is rejected because the account is not "
                                                                 "part of the organization."})
        else:
            gd_add_member(account, region, target, email)
    return {"unprocessedAccounts": unprocessed}


def gd_list_members(account, region, body, detector_id):
    S.gd_config(account, region, detector_id)
    gd_enrol_due()
    only = truthy(body.get("onlyAssociated"))
    members = [m for _, m in sorted(GD_MEMBERS.get((account, region), {}).items())
               if not only or m["relationshipStatus"] in ("Enabled", "Disabled")]
    items, token = page(members, "nextToken", "maxResults", body)
    return {"members": items, **({"nextToken": token} if token else {})}


def gd_auto_enable_changed(account, region, value):
    """Called by UpdateOrganizationConfiguration: ALL starts the (slow) enrolment of existing accounts."""
    if value == "ALL":
        GD_ALL_SINCE.setdefault((account, region), time.monotonic())
    elif value is not None:
        GD_ALL_SINCE.pop((account, region), None)


def hook_gd_enrol(b):
    """AWS's enrolment under ALL, finished now: every organization account becomes a member."""
    admin, region = b.get("account"), b.get("region", "us-east-1")
    if (admin, region) not in GD_ALL_SINCE:
        return S.json_response({"error": "autoEnableOrganizationMembers is not ALL there"}, 400)
    gd_enrol_all(admin, region)
    return S.json_response({"members": sorted(GD_MEMBERS.get((admin, region), {}))})


# --------------------------------------------------------------------------- Security Hub
def sh_admin(account, region):
    """The Security Hub administrator of the account's organization in `region` (per Region, as on AWS)."""
    try:
        org_id = organizations_backends[account]["aws"].describe_organization()["Organization"]["Id"]
    except OrganizationsClientError:
        return None
    return sh_regions.configs().in_region(org_id, region).get("admin_account_id")


def sh_create_members(account, region, body):
    S.sh_require_hub(account, region)
    mgmt, accounts = org_accounts(account)
    if sh_admin(account, region) != account:
        raise S.sh_error(403, "AccessDeniedException", "Only the Security Hub administrator account can add members.")
    unprocessed = []
    for detail in body.get("AccountDetails") or []:
        target = detail.get("AccountId")
        if target == account or target not in accounts:
            unprocessed.append({"AccountId": target, "ProcessingResult": "Account is not an organization member account."})
            continue
        hub = securityhub_backends[target][region]
        if not hub.enabled:
            if target == mgmt:  # AWS never enables the management account's hub on its behalf
                unprocessed.append({"AccountId": target, "ProcessingResult": "Security Hub is not enabled in the "
                                    "organization management account. Enable it there first."})
                continue
            hub.enable_security_hub(enable_default_standards=True)
        SH_MEMBERS.setdefault((account, region), {})[target] = {
            "AccountId": target, "Email": accounts[target].email, "MasterId": account, "AdministratorId": account,
            "MemberStatus": "Enabled", "InvitedAt": now_iso(), "UpdatedAt": now_iso()}
    return {"UnprocessedAccounts": unprocessed}


def sh_list_members(account, region, body):
    S.sh_require_hub(account, region)
    only = truthy(body.get("OnlyAssociated"))
    members = [m for _, m in sorted(SH_MEMBERS.get((account, region), {}).items())
               if not only or m["MemberStatus"] in ("Enabled", "Associated")]
    items, token = page(members, "NextToken", "MaxResults", body)
    return {"Members": items, **({"NextToken": token} if token else {})}


def sh_before_disable(backend):
    """DisableSecurityHub: refused in the administrator; in a member it ends the membership."""
    if sh_admin(backend.account_id, backend.region_name) == backend.account_id:
        raise SecurityHubClientError("InvalidInputException", "You can't disable Security Hub in an account that is "
                                     "currently the Security Hub administrator.")
    for (admin, region), members in SH_MEMBERS.items():
        if region == backend.region_name and backend.account_id in members:
            members[backend.account_id]["MemberStatus"] = "Removed"
            members[backend.account_id]["UpdatedAt"] = now_iso()


def _joined(org_backend, account):
    with S.LOCK:
        on_join(org_backend, account)


def on_join(org_backend, account):
    """What the organization's auto-enable settings do for an account that has just joined."""
    mgmt = org_backend.account_id
    for (admin, region, _), cfg in list(S.GD_ORG.items()):
        if cfg["autoEnableOrganizationMembers"] in ("NEW", "ALL") and org_accounts(admin)[0] == mgmt:
            gd_add_member(admin, region, account.id, account.email)
    # Security Hub's AutoEnable and administrator are per Region: each Region's own settings apply.
    for region, conf in sh_regions.configs().regions(org_backend.org.id):
        admin = conf.get("admin_account_id")
        if not (conf.get("auto_enable") and admin) or not securityhub_backends[admin][region].enabled:
            continue
        hub = securityhub_backends[account.id][region]
        if not hub.enabled:
            hub.enable_security_hub(enable_default_standards=conf.get("auto_enable_standards", "DEFAULT") == "DEFAULT")
        SH_MEMBERS.setdefault((admin, region), {})[account.id] = {
            "AccountId": account.id, "Email": account.email, "MasterId": admin, "AdministratorId": admin,
            "MemberStatus": "Enabled", "InvitedAt": now_iso(), "UpdatedAt": now_iso()}


account_creation.JOINED.append(_joined)


def route(service, method, path):
    """(handler, args) for the member operations, or (None, ())."""
    if service == "securityhub" and path.rstrip("/") == "/members":
        return {"POST": sh_create_members, "GET": sh_list_members}.get(method), ()
    if service == "guardduty":
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "detector" and parts[2] == "member":
            return {"POST": gd_create_members, "GET": gd_list_members}.get(method), (parts[1],)
    return None, ()


def state():
    return {"guardduty": {f"{a}/{r}": {m: v["relationshipStatus"] for m, v in sorted(ms.items())}
                          for (a, r), ms in sorted(GD_MEMBERS.items())},
            "securityhub": {f"{a}/{r}": {m: v["MemberStatus"] for m, v in sorted(ms.items())}
                            for (a, r), ms in sorted(SH_MEMBERS.items())}}
