"""What Control Tower leaves in accounts: a landing zone's launch and an OU's AWSControlTowerBaseline.

Written into moto's own backends (Config, IAM, S3, Organizations), so plain moto reads
(config:DescribeConfigurationRecorders / DescribeConfigurationRecorderStatus /
DescribeDeliveryChannels, iam:GetRole, organizations:ListAWSServiceAccessForOrganization,
ListDelegatedAdministrators) see them. From AWS's documentation
(../../../shared/reference/control-tower-4.md sections 1 and 6):
  * key-changes-lz-v4.html, types-of-baselines.html: with landing zone 4.0 Config records only in
    the integration accounts and in the accounts of OUs with AWSControlTowerBaseline; the Config
    account gets its own bucket (aws-controltower-config-logs-...; the suffix after the account is
    ours) and becomes Config's delegated administrator. The management account is never enrolled.
  * lz-api-launch.html / walkthrough-api-setup.html: trusted access for AWS Config, CloudTrail and
    IAM Identity Center is what Control Tower turns on in Organizations.
  * Enrolment (types-of-baselines.html "Sets up resources ... for member accounts within the target OU";
    enroll-account.html): in each governed Region a recorder of all supported types
    (aws-controltower-BaselineConfigRecorder, global types in the home Region), started, and a delivery
    channel (aws-controltower-BaselineConfigDeliveryChannel) to the Config bucket; the role
    AWSControlTowerExecution trusting the management account with AdministratorAccess. A Config
    recorder or delivery channel of the account's own (another name) makes enrolment fail
    ("existing AWS Config resources" must be dealt with before enrolling; the wording is ours).
  * An account moved into a registered OU is enrolled automatically (after the baseline delay).
"""
import json
import time

from moto.config.models import config_backends
from moto.iam.models import iam_backends
from moto.organizations.models import FakeDelegatedAdministrator, OrganizationsBackend, organizations_backends
from moto.s3.models import s3_backends

import baselines
import controltower
import delays

RECORDER = "aws-controltower-BaselineConfigRecorder"
CHANNEL = "aws-controltower-BaselineConfigDeliveryChannel"
RECORDER_ROLE = "aws-controltower-ConfigRecorderRole"
EXECUTION_ROLE = "AWSControlTowerExecution"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
TRUSTED = ("config.amazonaws.com", "cloudtrail.amazonaws.com", "sso.amazonaws.com", "controltower.amazonaws.com")
PENDING = []  # [management account, account, monotonic time due]: automatic enrolment after a move


def governed(lz):
    return [lz["region"]] + [r for r in lz["manifest"].get("governedRegions", []) if r != lz["region"]]


def block(lz, name):
    b = lz["manifest"].get(name) or {}
    return b.get("accountId") if b.get("enabled") else None


def config_bucket(lz):
    account = block(lz, "config") or block(lz, "centralizedLogging")
    return f"aws-controltower-config-logs-{account}-{lz['region']}" if account else None


def role(account, name, trust, policy, path="/"):
    """Creates the role unless it exists (what the account had is kept)."""
    iam = iam_backends[account]["global"]
    if any(r.name == name for r in iam.roles.values()):
        return
    iam.create_role(role_name=name, assume_role_policy_document=json.dumps(trust), path=path,
                    permissions_boundary=None, description="Created by AWS Control Tower", tags=[],
                    max_session_duration="3600")
    iam.attach_role_policy(policy, name)  # server.py makes AWS managed policies known to moto


def execution_role(mgmt, account):
    role(account, EXECUTION_ROLE, {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{mgmt}:root"}, "Action": "sts:AssumeRole"}]},
        ADMIN_POLICY)


def foreign_config(account, regions):
    """(Region, what) of a Config recorder or delivery channel that Control Tower did not make."""
    for region in regions:
        cfg = config_backends[account][region]
        for name in list(cfg.recorders) + list(cfg.delivery_channels):
            if name not in (RECORDER, CHANNEL):
                return region, name
    return None


def record(mgmt, account, lz):
    """The Config recorder and delivery channel in every governed Region (kept when already there)."""
    role(account, RECORDER_ROLE, {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole")
    bucket = config_bucket(lz)
    for region in governed(lz):
        cfg = config_backends[account][region]
        if cfg.recorders:
            continue
        cfg.put_configuration_recorder({"name": RECORDER, "roleARN": f"arn:aws:iam::{account}:role/{RECORDER_ROLE}",
                                        "recordingGroup": {"allSupported": True,
                                                           "includeGlobalResourceTypes": region == lz["region"]}})
        if not cfg.delivery_channels:
            cfg.put_delivery_channel({"name": CHANNEL, "s3BucketName": bucket, "s3KeyPrefix": "o-controltower"})
        cfg.start_configuration_recorder(RECORDER)


def enrol(mgmt, account):
    """Deploys AWSControlTowerBaseline's resources into one member account; returns why it failed, or None."""
    lz = controltower.LZ.get(mgmt)
    if lz is None or account == mgmt:  # the management account is never enrolled
        return None
    if block(lz, "config") is None:
        return None  # no Config integration: nothing to record into
    found = foreign_config(account, governed(lz))
    if found:
        return (f"AWS Control Tower cannot enroll account {account}: AWS Config resource {found[1]} already "
                f"exists in {found[0]}. Remove or adapt existing AWS Config resources before enrolling.")
    execution_role(mgmt, account)
    record(mgmt, account, lz)
    return None


def ou_accounts(mgmt, ou_id):
    org = organizations_backends[mgmt]["aws"]
    return [a.id for a in org.accounts if a.parent_id == ou_id and a.status == "ACTIVE" and a.id != mgmt]


def baseline_succeeded(enabled):
    """baselines.FINISHED: an AWSControlTowerBaseline enrols every active account of its OU."""
    if enabled["name"] != baselines.CT_BASELINE:
        return None
    mgmt, ou_id = enabled["account"], enabled["target"].rsplit("/", 1)[1]
    for account in ou_accounts(mgmt, ou_id):
        refused = enrol(mgmt, account)
        if refused:
            return refused
    return None


def launched(mgmt, lz):
    """controltower.LAUNCHED: trusted access, the integration accounts' roles and recorders, the
    Config bucket and Config's delegated administrator."""
    org = organizations_backends[mgmt]["aws"]
    for principal in TRUSTED:
        org.enable_aws_service_access(ServicePrincipal=principal)
    integration = [a for a in (block(lz, "centralizedLogging"), block(lz, "config"), block(lz, "securityRoles")) if a]
    for account in dict.fromkeys(integration):
        execution_role(mgmt, account)
    config_account = block(lz, "config")
    if config_account is None:
        return
    s3 = s3_backends[config_account]["aws"]
    bucket = config_bucket(lz)
    if bucket not in s3.buckets:
        s3.create_bucket(bucket, lz["region"])
    for account in dict.fromkeys(integration):
        record(mgmt, account, lz)  # the preflight refuses existing recorders here; kept if any
    try:
        org.register_delegated_administrator(AccountId=config_account, ServicePrincipal="config.amazonaws.com")
    except Exception:  # noqa: BLE001  already registered: AWS keeps it as it is
        pass


# --------------------------------------------------------------------------- automatic enrolment
_moto_move = OrganizationsBackend.move_account


def _move(self, **kwargs):
    _moto_move(self, **kwargs)
    dest = kwargs["DestinationParentId"]
    if baselines.registered(self.account_id, dest):
        PENDING.append([self.account_id, kwargs["AccountId"], delays.ready_at("baseline")])


def tick():
    t = time.monotonic()
    for entry in [p for p in PENDING if p[2] <= t]:
        PENDING.remove(entry)
        enrol(entry[0], entry[1])


def reset():
    PENDING.clear()


OrganizationsBackend.move_account = _move
# AWS Config accepts a delegated administrator (config.amazonaws.com; Config developer guide,
# "Register a delegated administrator"); moto lists only config-multiaccountsetup.
FakeDelegatedAdministrator.SUPPORTED_SERVICES.append("config.amazonaws.com")
baselines.FINISHED.append(baseline_succeeded)
baselines.TICKS.append(tick)
controltower.LAUNCHED.append(launched)
