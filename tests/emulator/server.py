#!/usr/bin/env python3
"""groundwork's AWS emulator: moto 5.2.5 in server mode plus what moto lacks.

    python tests/emulator/server.py --port PORT        (always binds 127.0.0.1)

Every request goes to moto's own WSGI app unless it is one of ours:
  * test hooks under /_groundwork/ (plain HTTP + JSON, no SigV4);
  * Control Tower (all of it: controltower.py), Account Regions (regions.py),
    Security Hub standards + ListOrganizationAdminAccounts,
    GuardDuty org configuration: routed by the SigV4 credential-scope service name
    (as moto itself dispatches) plus method and path from botocore's service models.
SNS email subscriptions, Security Hub default standards and the IAM account summary
are handled by small patches/writes on moto's own models, so moto's answers stay moto's;
so are a few AWS behaviours an idempotent `apply` relies on (AWS managed policies, trusted
access for iam, duplicate detectors/hubs/permission sets/memberships/assignments).
GET /_groundwork/state shows what /moto-api/data.json cannot (see README.md).
Account Management's alternate contacts follow AWS's AccountId rules (account_contacts.py),
CloudTrail organization trails AWS's preconditions (org_trail.py), and
POST /_groundwork/faults makes the next calls of a named operation fail (faults.py), and
POST /_groundwork/hold holds the nth request before its answer, for kill tests (hold.py).
AWS's documented request rates (assets/rates.toml) are enforced per account and Region when
GROUNDWORK_EMULATOR_THROTTLE=1 or POST /_groundwork/throttle says so (throttle.py).
Slow operations take as long as delays.py says (POST /_groundwork/delays, or the environment):
Identity Center account assignments (provisioning.py), Organizations accounts (account_creation.py)
and Security Hub standards subscriptions (standards.py) start IN_PROGRESS / PENDING. Every list answers in pages of GROUNDWORK_EMULATOR_PAGE_SIZE items (paging.py).
GET /_groundwork/requests is a log of every AWS request served (service, operation, account,
region, monotonic start/end), so tests and scripts/bench.py can count calls and see overlap.
Extension state is keyed by the account id moto would use for the same request and by
the SigV4 region; POST /moto-api/reset clears it.  See README.md beside this file.
"""
import argparse
import io
import json
import os
import re
import signal
import sys
import threading
import time
import urllib.parse

from werkzeug.exceptions import InternalServerError
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from moto.core import utils as moto_utils
from moto.core.responses import ActionResult, BaseResponse
from moto.guardduty.exceptions import GuardDutyException
from moto.guardduty.models import GuardDutyBackend, guardduty_backends
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, IAMBackend, get_account_id_from, iam_backends
from moto.identitystore.exceptions import ConflictException as IdentityStoreConflict
from moto.identitystore.exceptions import IdentityStoreError
from moto.identitystore.models import IdentityStoreBackend, identitystore_backends
from moto.moto_api._internal import mock_random
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.organizations.exceptions import OrganizationsClientError
from moto.organizations.models import FakeServiceAccess, organizations_backends
from moto.securityhub.exceptions import SecurityHubClientError
from moto.securityhub.models import SecurityHubBackend, securityhub_backends
from moto.sns.models import SNSBackend, Subscription, Topic, sns_backends
from moto.sns.responses import SNSResponse
from moto.ssoadmin.exceptions import ConflictException as SSOConflict
from moto.ssoadmin.models import SSOAdminBackend

import access_analyzer  # IAM Access Analyzer, which moto lacks (beside this file)
import account_contacts  # Account Management's AccountId rules (beside this file)
import account_creation  # CreateAccount is asynchronous, as on AWS (beside this file)
import assume_role  # AssumeRole of a role that does not exist is AccessDenied (beside this file)
import delays  # how long slow operations take (beside this file)
import service_linked_roles  # noqa: F401 -- service-linked roles named as AWS names them (beside this file)
import sh_regions  # Security Hub's organization settings per Region (beside this file)
import standards as sh_readiness  # standards subscriptions start PENDING (beside this file)
import controltower
import cost  # Budgets' subscribers, Cost Anomaly Detection, Cost Explorer in us-east-1 (beside this file)
import enrolment  # what Control Tower leaves in accounts (patches Organizations' MoveAccount on import)
import faults  # the fault-injection test hook (beside this file)
import hold  # holds the nth request before its answer, for kill tests (beside this file)
import throttle  # AWS's documented request rates, per account and Region (assets/rates.toml)
import org_trail  # organization trails' preconditions (beside this file)
import paging  # every list answers in small pages, as on AWS (beside this file)
import provisioning  # account assignments take time, as on AWS (beside this file)
import members as member_accounts  # GuardDuty and Security Hub member accounts (members.py)
import regions
import credential_report  # IAM credential reports as AWS makes them (beside this file)
import s3_buckets  # noqa: F401  ListBuckets pages and names Regions, as on AWS (patches moto on import)
import root_access  # centralized root access: IAM's organization features, AssumeRoot (beside this file)
import cloudwatch_cbor  # GetMetricStatistics in the protocol the Rust SDK speaks to CloudWatch
import ebs_defaults  # EC2 GetEbsDefaultKmsKeyId, which moto lacks (beside this file)
import drill  # CreateSampleFindings carried along the alert path (GuardDuty -> EventBridge -> SNS)
import eventbridge  # noqa: F401  TestEventPattern by moto's matcher (patches moto on import)
from wire import DEFAULT_ACCOUNT, ApiError, iso, json_response, now  # noqa: F401 (members.py uses iso and now)

LOCK = threading.RLock()  # the server is threaded; guards every piece of state below
SH_SUBS = {}  # (account, region) -> {standardsArn: subscription dict}
GD_ORG = {}  # (account, region, detectorId) -> org configuration dict
UNSUPPORTED = {"service": None}  # SigV4 service name answered with moto's HTML 500
SCOPE_RE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


def caller(req):
    """(account, region, service) exactly as moto's BaseResponse derives them."""
    auth = req.headers.get("Authorization", "")
    m = SCOPE_RE.search(auth)
    service = m.group(2).lower() if m else None
    ua = BaseResponse.region_from_useragent_regex.search(req.headers.get("User-Agent", ""))
    region = ua.group(1) if ua else (m.group(1) if m else "us-east-1")
    if "MOTO_ACCOUNT_ID" in os.environ:  # moto's priority 1
        account = os.environ["MOTO_ACCOUNT_ID"]
    elif "x-moto-account-id" in req.headers:  # priority 2
        account = req.headers["x-moto-account-id"]
    else:  # priority 3/4: access key known to IAM (incl. assumed-role keys), else default
        k = BaseResponse.access_key_regex.search(auth)
        key = k.group(1) if k else "AKIAEXAMPLE"
        account = root_access.account_of(key) or get_account_id_from(key)  # a root session acts in its member
    return account, region, service


drill.install(ApiError)


def sh_error(status, code, message):  # Security Hub error shapes: {Message, Code}
    return ApiError(status, code, {"__type": code, "Code": code, "Message": message})


def gd_bad_request(message):  # GuardDuty BadRequestException: {message, type}
    return ApiError(400, "BadRequestException",
                    {"message": message, "type": "InvalidInputException", "__type": "InvalidInputException"})


# --------------------------------------------------------------------------- Security Hub
SH_MANAGED = {"Company": "AWS", "Product": "Security Hub"}


def sh_standards(region):
    """The standards DescribeStandards lists; ARNs exactly as AWS spells them."""
    return [
        {"StandardsArn": f"arn:aws:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0",
         "Name": "AWS Foundational Security Best Practices v1.0.0", "EnabledByDefault": True,
         "Description": "Automated security checks that detect when AWS accounts and resources deviate "
                        "from security best practices.", "StandardsManagedBy": SH_MANAGED},
        {"StandardsArn": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
         "Name": "CIS AWS Foundations Benchmark v1.2.0", "EnabledByDefault": True,
         "Description": "CIS AWS Foundations Benchmark v1.2.0.", "StandardsManagedBy": SH_MANAGED},
        {"StandardsArn": f"arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/1.4.0",
         "Name": "CIS AWS Foundations Benchmark v1.4.0", "EnabledByDefault": False,
         "Description": "CIS AWS Foundations Benchmark v1.4.0.", "StandardsManagedBy": SH_MANAGED},
    ]


def sh_subscribe(account, region, standards_arn):
    """Create (PENDING until the standards delay has passed, then READY) or keep a standards
    subscription; returns it."""
    if standards_arn not in {s["StandardsArn"] for s in sh_standards(region)}:
        raise sh_error(400, "InvalidInputException",
                       f"StandardsArn {standards_arn} is not valid in region {region}.")
    subs = SH_SUBS.setdefault((account, region), {})
    if standards_arn not in subs:
        suffix = standards_arn.split("/", 1)[1]  # e.g. aws-foundational-security-best-practices/v/1.0.0
        subs[standards_arn] = {
            "StandardsSubscriptionArn": f"arn:aws:securityhub:{region}:{account}:subscription/{suffix}",
            "StandardsArn": standards_arn, "StandardsInput": {}}
        sh_readiness.start(subs[standards_arn], sh_set_status)  # PENDING first when a delay is set
    else:
        sh_readiness.settle(subs[standards_arn], sh_set_status)
    return subs[standards_arn]


def sh_set_status(sub, status, reason):
    sub["StandardsStatus"] = status
    sub["StandardsControlsUpdatable"] = "READY_FOR_UPDATES" if status == "READY" else "NOT_READY_FOR_UPDATES"
    sub.pop("StandardsStatusReason", None)
    if reason:
        sub["StandardsStatusReason"] = {"StatusReasonCode": reason}


def sh_require_hub(account, region):
    if not securityhub_backends[account][region].enabled:  # what moto's DescribeHub checks
        raise sh_error(401, "InvalidAccessException",
                       f"Account {account} is not subscribed to AWS Security Hub")


def sh_describe_standards(account, region, body):
    return {"Standards": sh_standards(region)}


def sh_get_enabled_standards(account, region, body):
    sh_require_hub(account, region)
    wanted = body.get("StandardsSubscriptionArns")
    subs = [s for s in SH_SUBS.get((account, region), {}).values()
            if not wanted or s["StandardsSubscriptionArn"] in wanted]
    for sub in subs:
        sh_readiness.settle(sub, sh_set_status)
    return {"StandardsSubscriptions": [sh_readiness.shown(sub, account, region) for sub in subs]}


def sh_batch_enable_standards(account, region, body):
    sh_require_hub(account, region)
    reqs = body.get("StandardsSubscriptionRequests") or []
    subs = [sh_subscribe(account, region, r.get("StandardsArn")) for r in reqs]
    return {"StandardsSubscriptions": [sh_readiness.shown(sub, account, region) for sub in subs]}


def sh_batch_disable_standards(account, region, body):
    sh_require_hub(account, region)
    subs, out = SH_SUBS.get((account, region), {}), []
    for arn in body.get("StandardsSubscriptionArns") or []:
        match = [k for k, s in subs.items() if s["StandardsSubscriptionArn"] == arn]
        if not match:
            raise sh_error(400, "InvalidInputException", f"Standards subscription {arn} was not found.")
        gone = dict(subs.pop(match[0]))
        sh_readiness.forget(gone)
        sh_set_status(gone, "DELETING", None)
        out.append(gone)
    return {"StandardsSubscriptions": out}


def sh_list_organization_admin_accounts(account, region, body):
    """Reads moto's own record (a class-level dict keyed by org id, set by EnableOrganizationAdminAccount)."""
    try:
        org_id = organizations_backends[account]["aws"].describe_organization()["Organization"]["Id"]
    except OrganizationsClientError:
        return {"AdminAccounts": []}
    admin = sh_regions.configs().in_region(org_id, region).get("admin_account_id")
    return {"AdminAccounts": [{"AccountId": admin, "Status": "ENABLED"}] if admin else []}


# Patch: EnableSecurityHub subscribes the default standards (FSBP + CIS 1.2.0) like AWS does
# (EnableDefaultStandards defaults to true), and a second EnableSecurityHub is AWS's
# ResourceConflictException (409) where moto answers 200; DisableSecurityHub drops every subscription.
_moto_enable_hub = SecurityHubBackend.enable_security_hub
_moto_disable_hub = SecurityHubBackend.disable_security_hub


def _enable_hub(self, enable_default_standards=True, tags=None):
    was_enabled = self.enabled
    if was_enabled:
        raise SecurityHubClientError("ResourceConflictException",
                                     f"Account {self.account_id} is already subscribed to Security Hub")
    result = _moto_enable_hub(self, enable_default_standards=enable_default_standards, tags=tags)
    if not was_enabled and enable_default_standards:
        with LOCK:
            for std in sh_standards(self.region_name):
                if std["EnabledByDefault"]:
                    sh_subscribe(self.account_id, self.region_name, std["StandardsArn"])
    return result


def _disable_hub(self):
    with LOCK:
        member_accounts.sh_before_disable(self)
    result = _moto_disable_hub(self)
    with LOCK:
        SH_SUBS.pop((self.account_id, self.region_name), None)
    return result


SecurityHubBackend.enable_security_hub = _enable_hub
sh_regions.install()  # the delegated administrator and AutoEnable per Region, as on AWS
SecurityHubBackend.disable_security_hub = _disable_hub

# --------------------------------------------------------------------------- GuardDuty
GD_FEATURES = ["S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS",
               "LAMBDA_NETWORK_LOGS", "RUNTIME_MONITORING"]
GD_RUNTIME_ADDONS = ["EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT"]
GD_STATUSES = ("NEW", "ALL", "NONE")


def gd_config(account, region, detector_id):
    """The org configuration of the caller's detector; enforces what AWS enforces."""
    if detector_id not in guardduty_backends[account][region].detectors:
        raise gd_bad_request("The request is rejected because the input detectorId is not owned by the current account.")
    try:  # the delegated admin is recorded in the management account's backend for that region
        mgmt = organizations_backends[account]["aws"].describe_organization()["Organization"]["MasterAccountId"]
        is_admin = account in guardduty_backends[mgmt][region].admin_account_ids
    except OrganizationsClientError:
        is_admin = False
    if not is_admin:
        raise gd_bad_request("The request is rejected because the current account is not a GuardDuty delegated administrator")
    return GD_ORG.setdefault((account, region, detector_id), {
        "autoEnableOrganizationMembers": "NONE",
        "features": [{"name": f, "autoEnable": "NONE", **({"additionalConfiguration": [
            {"name": a, "autoEnable": "NONE"} for a in GD_RUNTIME_ADDONS]} if f == "RUNTIME_MONITORING" else {})}
            for f in GD_FEATURES]})


def gd_describe_organization_configuration(account, region, body, detector_id):
    cfg = gd_config(account, region, detector_id)
    return {"autoEnable": cfg["autoEnableOrganizationMembers"] != "NONE", "memberAccountLimitReached": False,
            "features": cfg["features"], "autoEnableOrganizationMembers": cfg["autoEnableOrganizationMembers"]}


def gd_update_organization_configuration(account, region, body, detector_id):
    cfg = gd_config(account, region, detector_id)
    members = body.get("autoEnableOrganizationMembers")
    if members is None and body.get("autoEnable") is not None:  # deprecated bool: true=NEW, false=NONE
        members = "NEW" if body["autoEnable"] else "NONE"
    if members is not None and members not in GD_STATUSES:
        raise gd_bad_request(f"The request failed because autoEnableOrganizationMembers {members} is not valid.")
    named = {f.get("name") for f in body.get("features") or []}
    if {"EKS_RUNTIME_MONITORING", "RUNTIME_MONITORING"} <= named:  # AWS: naming both is an error
        raise gd_bad_request("The request failed because both EKS_RUNTIME_MONITORING and RUNTIME_MONITORING "
                             "were specified.")
    for feat in body.get("features") or []:  # merged by name, like AWS
        if feat.get("name") not in GD_FEATURES + ["EKS_RUNTIME_MONITORING", "AI_PROTECTION"] or \
                feat.get("autoEnable", "NONE") not in GD_STATUSES:
            raise gd_bad_request(f"The request failed because feature {feat.get('name')} is not valid.")
        cur = next((f for f in cfg["features"] if f["name"] == feat["name"]), None)
        if cur is None:
            cur = {"name": feat["name"], "autoEnable": "NONE"}
            cfg["features"].append(cur)
        if "autoEnable" in feat:
            cur["autoEnable"] = feat["autoEnable"]
        for add in feat.get("additionalConfiguration") or []:
            extra = cur.setdefault("additionalConfiguration", [])
            old = next((a for a in extra if a["name"] == add.get("name")), None)
            if old is None:
                extra.append({"name": add.get("name"), "autoEnable": add.get("autoEnable", "NONE")})
            elif "autoEnable" in add:
                old["autoEnable"] = add["autoEnable"]
    if members is not None:
        cfg["autoEnableOrganizationMembers"] = members
        member_accounts.gd_auto_enable_changed(account, region, members)
    return {}


# --------------------------------------------------------------------------- SNS
# Email subscriptions start pending (PendingConfirmation) until the confirm hook runs.
# The state lives on moto's own Subscription objects, so moto's reset clears it.
EMAIL_PROTOCOLS = ("email", "email-json")
_moto_subscribe = SNSBackend.subscribe
_moto_subscribe_response = SNSResponse.subscribe


def is_pending(sub):
    return sub.attributes.get("PendingConfirmation") is True


def _subscribe(self, topic_arn, endpoint, protocol):
    existing = set(self.subscriptions)
    sub = _moto_subscribe(self, topic_arn, endpoint, protocol)
    if protocol in EMAIL_PROTOCOLS and sub.arn not in existing:  # a repeat re-sends: stays as it is
        sub.attributes.update(PendingConfirmation=True, ConfirmationWasAuthenticated=False)
    return sub


def _subscribe_response(self):
    result = _moto_subscribe_response(self)
    sub = self.backend.subscriptions.get(result.result["SubscriptionArn"])
    want_arn = str(self._get_param("ReturnSubscriptionArn", False)).lower() == "true"
    if sub is not None and is_pending(sub) and not want_arn:
        return ActionResult({"SubscriptionArn": "pending confirmation"})
    return result


def _count(topic, pending):
    return sum(1 for s in list(topic.sns_backend.subscriptions.values())
               if s.topic is topic and is_pending(s) == pending)


SNSBackend.subscribe = _subscribe
SNSResponse.subscribe = _subscribe_response
# moto's serializer reads Subscription.subscription_arn before .arn for List* responses.
Subscription.subscription_arn = property(lambda s: "PendingConfirmation" if is_pending(s) else s.arn)
# moto hard-codes these counters to 0; compute them (the setters swallow moto's `= 0`).
Topic.subscriptions_pending = property(lambda t: _count(t, True), lambda t, v: None)
Topic.subscriptions_confimed = property(lambda t: _count(t, False), lambda t, v: None)

# --------------------------------------------------------------------------- moto fixes (apply)
# Small patches on moto's own backends where moto differs from AWS in a way an idempotent
# `apply` test would not notice (duplicates instead of AWS's errors) or cannot get past.

# Organizations: AWS accepts iam.amazonaws.com (centralized root access); moto's list lacks it.
FakeServiceAccess.TRUSTED_SERVICES.append("iam.amazonaws.com")

# IAM: moto server loads no AWS managed policies (MOTO_IAM_LOAD_MANAGED_POLICIES unset), so every
# `arn:aws:iam::aws:policy/...` is NoSuchEntity. Materialize one from moto's bundled list the first
# time it is named (path and name must match, as on AWS). Re-attaching is a no-op, as on AWS
# (moto bumps AttachmentCount again).
_AWS_POLICY_DATA = {}


def iam_aws_policy(backend, arn):
    if not isinstance(arn, str) or arn in backend.managed_policies or not arn.startswith("arn:aws:iam::aws:policy/"):
        return
    with LOCK:
        if not _AWS_POLICY_DATA:
            _AWS_POLICY_DATA.update(json.loads(aws_managed_policies_data))
        name = arn.rsplit("/", 1)[1]
        data = _AWS_POLICY_DATA.get(name)
        if data and arn == f"arn:aws:iam::aws:policy{data.get('Path', '/')}{name}" and arn not in backend.managed_policies:
            policy = AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
            backend.managed_policies[arn] = policy
            backend.aws_managed_policies.append(policy)


def _iam_attach(moto_fn, getter):
    def attach(self, policy_arn, name):
        iam_aws_policy(self, policy_arn)
        if policy_arn in getter(self, name).managed_policies:
            return None
        return moto_fn(self, policy_arn, name)
    return attach


def _iam_get_policy(moto_fn):
    def get_policy(self, policy_arn):
        iam_aws_policy(self, policy_arn)
        return moto_fn(self, policy_arn)
    return get_policy


IAMBackend.attach_role_policy = _iam_attach(IAMBackend.attach_role_policy, IAMBackend.get_role)
IAMBackend.attach_user_policy = _iam_attach(IAMBackend.attach_user_policy, IAMBackend.get_user)
IAMBackend.attach_group_policy = _iam_attach(IAMBackend.attach_group_policy, IAMBackend.get_group)
IAMBackend.get_policy = _iam_get_policy(IAMBackend.get_policy)

# Identity Store: a second CreateGroupMembership for the same user and group is a
# ConflictException on AWS; moto adds a duplicate membership.
_moto_create_membership = IdentityStoreBackend.create_group_membership


def _create_group_membership(self, identity_store_id, group_id, member_id):
    try:
        self.get_group_membership_id(identity_store_id, group_id, member_id)
    except IdentityStoreError:  # not a member (or unknown store/group: moto's own error follows)
        return _moto_create_membership(self, identity_store_id, group_id, member_id)
    raise IdentityStoreConflict(message="Member and Group relationship already exists.",
                                reason="UNIQUENESS_CONSTRAINT_VIOLATION")


IdentityStoreBackend.create_group_membership = _create_group_membership

# IAM Identity Center: permission set names are unique per instance (ConflictException on AWS);
# an existing account assignment is not created twice (AWS answers success, lists it once).
_moto_create_permission_set = SSOAdminBackend.create_permission_set
_moto_create_assignment = SSOAdminBackend.create_account_assignment


def _create_permission_set(self, name, description, instance_arn, session_duration, relay_state, tags):
    if any(p.name == name and p.instance_arn == instance_arn for p in self.permission_sets):
        raise SSOConflict(f"PermissionSet with name {name} already exists.")
    return _moto_create_permission_set(self, name, description, instance_arn, session_duration, relay_state, tags)


def _create_account_assignment(self, instance_arn, target_id, target_type, permission_set_arn,
                               principal_type, principal_id):
    key = (instance_arn, target_id, target_type, permission_set_arn, principal_type, principal_id)
    for a in self.account_assignments:
        if (a.instance_arn, a.target_id, a.target_type, a.permission_set_arn, a.principal_type, a.principal_id) == key:
            return a.to_json(include_creation_date=True, include_request_id=True)
    return _moto_create_assignment(self, *key)


SSOAdminBackend.create_permission_set = _create_permission_set
SSOAdminBackend.create_account_assignment = _create_account_assignment


# GuardDuty: one detector per account and region (AWS: BadRequestException); designating the same
# delegated admin again does not list it twice.
class GuardDutyDetectorExists(GuardDutyException):
    code = 400

    def __init__(self):
        super().__init__("InvalidInputException",
                         "The request is rejected because a detector already exists for the current account.")

    def get_headers(self, *args, **kwargs):  # moto's own GuardDuty errors drop the JSON content type
        return [("X-Amzn-ErrorType", "BadRequestException"), ("Content-Type", "application/json")]


class GuardDutyBadFeatures(GuardDutyDetectorExists):
    def __init__(self):
        GuardDutyException.__init__(self, "InvalidInputException", "The request failed because both "
                                    "EKS_RUNTIME_MONITORING and RUNTIME_MONITORING were specified.")


_moto_create_detector = GuardDutyBackend.create_detector
_moto_gd_enable_admin = GuardDutyBackend.enable_organization_admin_account


def _create_detector(self, *args, **kwargs):
    if self.detectors:
        raise GuardDutyDetectorExists()
    features = kwargs.get("features") if "features" in kwargs else (args[4] if len(args) > 4 else None)
    if {"EKS_RUNTIME_MONITORING", "RUNTIME_MONITORING"} <= {f.get("name") for f in features or []}:
        raise GuardDutyBadFeatures()  # AWS: naming both is an error
    return _moto_create_detector(self, *args, **kwargs)


def _gd_enable_admin(self, admin_account_id):
    if admin_account_id not in self.admin_account_ids:
        _moto_gd_enable_admin(self, admin_account_id)


GuardDutyBackend.create_detector = _create_detector
GuardDutyBackend.enable_organization_admin_account = _gd_enable_admin

# --------------------------------------------------------------------------- routing
ROUTES = {
    ("securityhub", "GET", "/standards"): sh_describe_standards,
    ("securityhub", "POST", "/standards/get"): sh_get_enabled_standards,
    ("securityhub", "POST", "/standards/register"): sh_batch_enable_standards,
    ("securityhub", "POST", "/standards/deregister"): sh_batch_disable_standards,
    ("securityhub", "GET", "/organization/admin"): sh_list_organization_admin_accounts,
}
ROUTES.update(controltower.ROUTES)
ROUTES.update(regions.ROUTES)
GD_ADMIN_PATH = re.compile(r"^/detector/([^/]+)/admin/?$")


def read_json(req):
    data = req.get_data()
    return json.loads(data) if data else {}


# --------------------------------------------------------------------------- test hooks
def hook_account_summary(b):
    summary = iam_backends[b.get("account", DEFAULT_ACCOUNT)]["aws"].account_summary
    summary._account_mfa_enabled = int(b.get("AccountMFAEnabled", summary._account_mfa_enabled))
    summary._account_access_keys_present = int(b.get("AccountAccessKeysPresent", summary._account_access_keys_present))
    return json_response({"AccountMFAEnabled": summary._account_mfa_enabled,
                          "AccountAccessKeysPresent": summary._account_access_keys_present})


def hook_sh_standard_status(b):
    status = b.get("status", "READY")
    if status not in ("PENDING", "READY", "FAILED", "INCOMPLETE", "DELETING"):
        return json_response({"error": "bad status"}, 400)
    sub = sh_subscribe(b.get("account", DEFAULT_ACCOUNT), b.get("region", "us-east-1"), b.get("standardsArn"))
    sh_readiness.by_hand(sub)  # set by hand: no timer or recorder changes it afterwards
    sh_set_status(sub, status, b.get("reason"))
    return json_response(sub)


def hook_sns_confirm(b):
    backend = sns_backends[b.get("account", DEFAULT_ACCOUNT)][b.get("region", "us-east-1")]
    for sub in list(backend.subscriptions.values()):
        if sub.topic.arn == b.get("topicArn") and sub.endpoint == b.get("endpoint") \
                and sub.protocol in EMAIL_PROTOCOLS:
            sub.attributes["PendingConfirmation"] = False
            sub.confirmed = True
            return json_response({"subscriptionArn": sub.arn})
    return json_response({"error": "no such email subscription"}, 404)


def hook_unsupported(b):
    UNSUPPORTED["service"] = b.get("service")
    return json_response({"service": UNSUPPORTED["service"]})


def existing(backends):
    """(account, region, backend) for every backend moto has created, creating none."""
    for account, regions in sorted(dict.items(backends)):
        for region, backend in sorted(dict.items(regions)):
            yield account, region, backend


def plain(value):
    """moto's NamedTuples (Identity Store users, groups, names) as JSON objects."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def groundwork_state():
    """What /moto-api/data.json cannot show: the extension's state and the moto state the
    `apply` calls change outside moto's tracked models. Read-only, deterministic."""
    state = {"controltower": controltower.state(),
             "organizations": {}, "identitystore": {}, "securityhub": {"hubs": {}}, "guardduty": {}}
    for account, _, b in existing(organizations_backends):
        if b.org is not None:
            state["organizations"][account] = {"enabledServicePrincipals": sorted(
                s["ServicePrincipal"] for s in b.services)}
    for account, region, b in existing(identitystore_backends):
        for store_id, store in sorted(b.identity_stores.items()):
            if not (store.users or store.groups or store.group_memberships):
                continue  # moto makes an empty store for any id it is asked about, even by a read
            state["identitystore"][f"{account}/{region}/{store_id}"] = {
                "users": plain(sorted(store.users.values())), "groups": plain(sorted(store.groups.values())),
                "groupMemberships": plain(sorted(store.group_memberships.values(), key=lambda m: m["MembershipId"]))}
    for account, region, b in existing(securityhub_backends):
        for sub in SH_SUBS.get((account, region), {}).values():
            sh_readiness.settle(sub, sh_set_status)
        if b.enabled or SH_SUBS.get((account, region)):
            state["securityhub"]["hubs"][f"{account}/{region}"] = {
                "hubEnabled": b.enabled, "standards": {arn: sh_readiness.shown(sub, account, region)["StandardsStatus"] for arn, sub in
                                                        sorted(SH_SUBS.get((account, region), {}).items())}}
    state["securityhub"]["organizationConfigs"] = plain(sh_regions.configs().plain())
    state["drill"] = {"deliveries": list(drill.DELIVERIES)}
    state["rootAccess"] = root_access.state()
    for account, region, b in existing(guardduty_backends):
        if b.detectors or b.admin_account_ids:
            state["guardduty"][f"{account}/{region}"] = {
                "detectors": {d: {"enabled": det.enabled, "features": det.features,
                                  "organizationConfiguration": GD_ORG.get((account, region, d))}
                              for d, det in sorted(b.detectors.items())},
                "delegatedAdmins": list(b.admin_account_ids)}
    state["members"] = member_accounts.state()
    state["accessanalyzer"] = {f"{a}/{r}": [access_analyzer._shown(x) for x in found.values()]
                               for (a, r), found in sorted(access_analyzer.ANALYZERS.items())}
    return state


def hook_faults(b):
    return json_response(faults.add(b))


def hook_faults_clear(b):
    faults.clear()
    return json_response({"faults": []})


HOOKS = {
    "/_groundwork/faults": hook_faults,
    "/_groundwork/faults/clear": hook_faults_clear,
    "/_groundwork/hold": lambda b: json_response(hold.hook(b)),
    "/_groundwork/hold/release": lambda b: json_response(hold.release(b)),
    "/_groundwork/delays": lambda b: json_response(delays.hook(b)),
    "/_groundwork/throttle": lambda b: json_response(throttle.hook(b)),
    "/_groundwork/iam/account-summary": hook_account_summary,
    "/_groundwork/securityhub/standard-status": hook_sh_standard_status,
    "/_groundwork/sns/confirm": hook_sns_confirm,
    "/_groundwork/unsupported": hook_unsupported,
    **controltower.HOOKS,
    **regions.HOOKS,
    **credential_report.HOOKS,
    "/_groundwork/root/credentials": lambda b: json_response(root_access.hook_credentials(b)),
    **access_analyzer.HOOKS,
    "/_groundwork/guardduty/enrol": member_accounts.hook_gd_enrol,
    "/_groundwork/identitycenter/fail": lambda b: json_response(provisioning.hook_fail(b)),
}


def reset_extension():
    with LOCK:
        controltower.reset(), regions.reset(), enrolment.reset()
        SH_SUBS.clear(), GD_ORG.clear()
        member_accounts.reset()
        UNSUPPORTED["service"] = None
        faults.clear(), paging.reset(), hold.release()
        provisioning.reset(), account_creation.reset(), sh_readiness.reset(), delays.reset()
        drill.reset(), root_access.reset(), cost.reset()
        access_analyzer.reset()
        throttle.reset()
        SecurityHubBackend._org_configs.clear()  # class-level: moto's reset leaves it behind
        organizations_backends.master_accounts.clear()  # dict attribute: same leak


# --------------------------------------------------------------------------- request log
# Every AWS request served (hooks and /moto-api/ excepted), in arrival order, so a test or
# scripts/bench.py can count the calls a client made and see how many overlapped. Entries are
# appended when a request arrives and get their "end" just before the last chunk of the answer
# is written (see LoggedResponse).
REQUESTS = []  # dicts: service, operation, account, role_account, region, start, end
REQUESTS_LOCK = threading.RLock()  # its own lock: recording never waits on the extension's LOCK; re-entrant, so a
# finalizer that records an end while its thread is already recording cannot deadlock the log
# GROUNDWORK_EMULATOR_LATENCY_MS: every AWS request waits this long before it is answered, like a
# network round trip to AWS (default 0). scripts/bench.py --latency-ms sets it; tests leave it off.
LATENCY = max(0.0, float(os.environ.get("GROUNDWORK_EMULATOR_LATENCY_MS") or 0)) / 1000
# One loader for every botocore model this process reads (this file, paging.py, moto's own
# parsers): each model's JSON is decoded once per emulator, not once per reader. A fresh emulator
# started per test spent most of its first seconds decoding the same models two or three times.
_LOADER = paging._LOADER
moto_utils.create_loader = lambda *_, **__: _LOADER
_REST_ROUTES = {}  # SigV4 service name -> [(specificity, method, path regex, query keys, operation)]
_SIGNING_INDEX = {}  # SigV4 service name -> botocore service names; built once, only on a miss
_MODELS_LOCK = threading.Lock()


def _signing_index():
    """Every botocore service model by its SigV4 name (~3 s to build: done once, on demand)."""
    if not _SIGNING_INDEX:
        for name in _LOADER.list_available_services("service-2"):
            meta = _LOADER.load_service_model(name, "service-2")["metadata"]
            _SIGNING_INDEX.setdefault(meta.get("signingName") or meta["endpointPrefix"], []).append(name)
    return _SIGNING_INDEX


def _compile_route(http):
    """botocore's requestUri ("/detector/{DetectorId}/admin", "/{Bucket}?tagging") as a regex,
    the query keys it requires, and how specific it is (more literal text wins)."""
    path, _, query = http["requestUri"].partition("?")
    pattern, literal = "", 0
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{"):
            pattern += ".+" if part.endswith("+}") else "[^/]+"
        else:
            pattern += re.escape(part)
            literal += len(part)
    keys = [q.partition("=")[0] for q in query.split("&") if q]
    return (len(keys), literal), http["method"], re.compile("^" + pattern.rstrip("/") + "/?$"), keys


def _rest_routes(service):
    """The REST routes of the botocore model(s) signed as `service` (cached per service)."""
    with _MODELS_LOCK:
        if service not in _REST_ROUTES:
            try:  # usually the model is named as the service signs (guardduty, securityhub, ...)
                names = [service] if service in _LOADER.list_available_services("service-2") else []
                # The models we know to be signed otherwise, before reading all ~400 to find out.
                names = names or paging.MODEL_NAMES.get(service) or _signing_index().get(service, [])
                routes = []
                for name in names:
                    model = _LOADER.load_service_model(name, "service-2")
                    if model["metadata"]["protocol"] in ("rest-json", "rest-xml"):
                        routes += [(*_compile_route(op["http"]), op_name)
                                   for op_name, op in model["operations"].items() if "http" in op]
                routes.sort(key=lambda r: r[0], reverse=True)  # most specific first
            except Exception:  # a model botocore cannot load: fall back to "METHOD /path"
                routes = []
            _REST_ROUTES[service] = routes
        return _REST_ROUTES[service]


def _form(req, environ):
    """The urlencoded form body of a query-protocol request, read once and put back for moto."""
    if not (req.mimetype == "application/x-www-form-urlencoded" and req.method == "POST"):
        return {}
    data = req.get_data()
    environ["wsgi.input"] = io.BytesIO(data)  # moto (Flask) reads the body again from here
    environ["CONTENT_LENGTH"] = str(len(data))
    environ.pop("wsgi.input_terminated", None)
    return urllib.parse.parse_qs(data.decode("utf-8", "replace"))


def operation_of(req, environ, service):
    """(operation, form): X-Amz-Target's suffix (JSON protocols), Action= (query protocols), the
    botocore REST route matching method and path, else "METHOD /path"."""
    target = req.headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1], {}
    form = _form(req, environ)
    action = req.args.get("Action") or (form.get("Action") or [None])[0]
    if action:
        return action, form
    path = req.path.rstrip("/") or "/"
    # S3 Control signs as s3 but is its own model, told apart by its path (as moto routes it).
    model = "s3control" if service == "s3" and path.startswith("/v20180820/") else service
    for _, method, regex, keys, name in _rest_routes(model) if model else ():
        if method == req.method and regex.match(path) and all(k in req.args for k in keys):
            return name, form
    return f"{req.method} {req.path}", form


def role_account_of(service, operation, form):
    """For sts AssumeRole, the account in RoleArn (arn:aws:iam::ACCOUNT:role/NAME), else None."""
    if service != "sts" or operation != "AssumeRole":
        return None
    parts = (form.get("RoleArn") or [""])[0].split(":")
    return parts[4] if len(parts) > 5 else None


def record_request(entry):
    with REQUESTS_LOCK:
        REQUESTS.append(entry)


def finish_request(entry):
    t = time.monotonic()
    with REQUESTS_LOCK:
        if entry["end"] is None:
            entry["end"] = t


def requests_snapshot():
    with REQUESTS_LOCK:
        return [dict(e) for e in REQUESTS]


def clear_requests():
    with REQUESTS_LOCK:
        REQUESTS.clear()


def peak_overlap(entries):
    """The largest number of requests in flight at once. An interval that ends exactly when
    another starts does not overlap it; a request still in flight counts as ending now."""
    t = time.monotonic()
    events = [(e["start"], 1) for e in entries] + [(e["end"] if e["end"] is not None else t, -1) for e in entries]
    events.sort(key=lambda ev: (ev[0], ev[1]))  # at equal times, ends (-1) before starts
    peak = current = 0
    for _, delta in events:
        current += delta
        peak = max(peak, current)
    return peak


class LoggedResponse:
    """Passes a WSGI response through and records its end just before the server writes the last
    chunk: recorded after it, a client that sends its next call as soon as it has read the answer
    could start that call before this one "ended" and show overlap it never had. close() records
    the end if the iteration never finished (client gone, error)."""

    def __init__(self, iterable, entry):
        self.iterable, self.entry = iterable, entry

    def __iter__(self):
        chunks = iter(self.iterable)
        chunk = next(chunks, None)
        for following in chunks:  # one chunk of look-ahead: know which one is the last
            yield chunk
            chunk = following
        finish_request(self.entry)
        if chunk is not None:
            yield chunk

    def close(self):
        try:
            if hasattr(self.iterable, "close"):
                self.iterable.close()
        finally:
            finish_request(self.entry)


# --------------------------------------------------------------------------- WSGI app
class GroundworkApp:
    def __init__(self):
        self.moto = DomainDispatcherApplication(create_backend_app)

    def __call__(self, environ, start_response):
        req = Request(environ)
        if req.path.startswith(("/_groundwork/", "/moto-api/")):
            return self.dispatch(req, environ, start_response, None)
        start = time.monotonic()  # an AWS request: logged from arrival to its last byte written
        who = caller(req)
        account, region, service = who
        sh_regions.serving(region)
        operation, form = operation_of(req, environ, service)
        entry = {"service": service, "operation": operation, "account": account,
                 "role_account": role_account_of(service, operation, form), "region": region,
                 "start": start, "end": None}
        record_request(entry)
        if LATENCY:
            time.sleep(LATENCY)  # inside the logged interval, off the GIL: overlaps like a real round trip
        try:
            throttled = throttle.take(service, operation, account, region)  # AWS refuses before it acts
            if throttled is not None:
                entry["throttled"] = True
                return LoggedResponse(throttle.response(throttled, req, service)(environ, start_response), entry)
            account_creation.settle()  # accounts whose creation is due join before anything reads them
            with LOCK:  # Control Tower operations that are due end (and leave their resources) before any read
                controltower.tick()
            fault = faults.take(service, operation, account, region)
            if fault is None and service == "sts" and operation == "AssumeRole":
                with LOCK:
                    fault = assume_role.refuse(account, form)
            if fault is not None:
                return LoggedResponse(faults.response(fault, req)(environ, start_response), entry)
            if service in ("iam", "sts"):
                k = BaseResponse.access_key_regex.search(req.headers.get("Authorization", ""))
                with LOCK:
                    own = root_access.answer(service, operation, form, account, k.group(1) if k else None)
                if own is not None:
                    return LoggedResponse(own(environ, start_response), entry)
                if k and root_access.account_of(k.group(1)):  # moto answers a root session's read in its member
                    environ["HTTP_X_MOTO_ACCOUNT_ID"] = account
            answer = paging.serve(self.dispatch, req, environ, start_response, who, operation)
            hold.after(entry)  # carried out, not yet answered: where a kill test may hold it
            return LoggedResponse(answer, entry)
        except BaseException:
            finish_request(entry)
            raise

    def dispatch(self, req, environ, start_response, who):
        """Answers one request; `who` is caller(req) for an AWS request, None for a hook."""
        path, method = req.path, req.method
        if path == "/_groundwork/health":
            return Response("ok", 200, content_type="text/plain")(environ, start_response)
        if path == "/_groundwork/requests" and method == "GET":
            return json_response({"requests": requests_snapshot()})(environ, start_response)
        if path == "/_groundwork/throttle" and method == "GET":
            return json_response(throttle.state())(environ, start_response)
        if path == "/_groundwork/hold" and method == "GET":
            return json_response(hold.state())(environ, start_response)
        if path == "/_groundwork/requests/peak" and method == "GET":
            return json_response({"peak": peak_overlap(requests_snapshot())})(environ, start_response)
        if path == "/_groundwork/requests/clear" and method == "POST":
            # Read the (ignored) body: werkzeug drains unread request bytes after answering and
            # would block on them until the client gave up.
            req.get_data()
            clear_requests()
            return json_response({"requests": []})(environ, start_response)
        if path == "/_groundwork/state" and method == "GET":
            with LOCK:
                controltower.tick()
                body = json.dumps(groundwork_state(), sort_keys=True, default=str)
            return Response(body, 200, content_type="application/json")(environ, start_response)
        if path.startswith("/_groundwork/"):
            hook = HOOKS.get(path)
            if hook is None or method != "POST":
                resp = json_response({"error": f"no hook {method} {path}"}, 404)
            else:
                try:
                    with LOCK:
                        resp = hook(read_json(req))
                except ApiError as e:
                    resp = json_response({"error": e.body}, e.status)
                except ValueError as e:  # malformed JSON or a non-integer value
                    resp = json_response({"error": str(e)}, 400)
            return resp(environ, start_response)
        if path.rstrip("/") == "/moto-api/reset" and method == "POST":
            req.get_data()  # moto ignores a body; unread, werkzeug would block draining it (as above)
            reset_extension()
            clear_requests()
            return self.moto(environ, start_response)
        if who is None:  # the rest of /moto-api/: moto's own
            return self.moto(environ, start_response)
        account, region, service = who
        if service is not None and service == UNSUPPORTED["service"]:
            return InternalServerError()(environ, start_response)  # moto's page for a missing service
        if service == "ec2" and ebs_defaults.handles(service, operation_of(req, environ, service)[0]):
            return ebs_defaults.respond(account, region)(environ, start_response)
        if cloudwatch_cbor.handles(service, path):
            return cloudwatch_cbor.respond(req, account, region)(environ, start_response)
        refused = cost.refuse_region(service, region)
        if refused is not None:
            return refused.response()(environ, start_response)
        handler, args = ROUTES.get((service, method, path.rstrip("/") or "/")), ()
        if handler is None and method == "POST":
            handler, args = cost.route(service, req.headers.get("X-Amz-Target"))
        if handler is None:
            handler, args = member_accounts.route(service, method, path)
        if handler is None and service == "guardduty":
            m = GD_ADMIN_PATH.match(path)
            if m and method in ("GET", "POST"):
                handler = (gd_describe_organization_configuration if method == "GET"
                           else gd_update_organization_configuration)
                args = (m.group(1),)
        if handler is None and service == "account" and method == "POST":
            data = req.get_data()
            environ["wsgi.input"] = io.BytesIO(data)  # moto reads the body again from here
            environ["CONTENT_LENGTH"] = str(len(data))
            environ.pop("wsgi.input_terminated", None)
            try:
                refused = account_contacts.check(account, req.headers.get("Authorization"), path,
                                                 json.loads(data) if data else {})
            except ValueError:
                refused = (400, "ValidationException", {"message": "malformed JSON body"})
            if refused is not None:
                return ApiError(*refused).response()(environ, start_response)
        if handler is None and service == "cloudtrail" and method == "POST":
            data = req.get_data()
            environ["wsgi.input"] = io.BytesIO(data)  # moto reads the body again from here
            environ["CONTENT_LENGTH"] = str(len(data))
            environ.pop("wsgi.input_terminated", None)
            operation = (req.headers.get("X-Amz-Target") or "").rsplit(".", 1)[-1]
            try:
                refused = org_trail.check(account, operation, json.loads(data) if data else {})
            except ValueError:
                refused = (400, "ValidationException", {"message": "malformed JSON body"})
            if refused is not None:
                return ApiError(*refused).response()(environ, start_response)
        if handler is None:
            handler, args = drill.route(service, method, path)
        if handler is None:
            handler, args = access_analyzer.route(service, method, path)
        if handler is None and service == "controltower":  # the rest of Control Tower: as moto would
            return InternalServerError()(environ, start_response)
        if handler is None:
            return self.moto(environ, start_response)
        try:
            body = read_json(req) if method in ("POST", "PUT") else dict(req.args)  # GET: the query string
            with LOCK:
                controltower.tick()
                resp = json_response(handler(account, region, body, *args))
        except ApiError as e:
            resp = e.response()
        except ValueError:
            resp = ApiError(400, "ValidationException", {"message": "malformed JSON body"}).response()
        return resp(environ, start_response)


member_accounts.bind(sys.modules[__name__])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True,
                        help="0 lets the system choose; the port is then printed as 'PORT <n>'")
    args = parser.parse_args()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: sys.exit(0))
    # Bound here, before anyone is told the port: a port chosen by the caller and bound later can
    # be taken meanwhile by another emulator, and the caller would then talk to that one.
    server = make_server("127.0.0.1", args.port, GroundworkApp(), threaded=True,
                         request_handler=MotoRequestHandler)
    port = server.server_port
    os.environ.setdefault("MOTO_PORT", str(port))  # moto's own self-calls use it
    print(f"PORT {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
