#!/usr/bin/env python3
"""Self-check of the emulator extension (tests/emulator/server.py), with boto3.

    python tests/emulator/selfcheck.py http://127.0.0.1:PORT

Runs against an already started server, resets it first and last, asserts every
operation the extension adds (plus the multi-account cases) and the request log
(including that parallel calls overlap), exits non-zero on failure.
GROUNDWORK_EMULATOR_CT_DELAY_SECONDS should match the server's (default 2).
"""
import datetime
import json
import os
import sys
import threading
import time
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

URL = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:5000"
MGMT = "123456789012"
CT_DELAY = float(os.environ.get("GROUNDWORK_EMULATOR_CT_DELAY_SECONDS", "2"))
FSBP = "arn:aws:securityhub:{r}::standards/aws-foundational-security-best-practices/v/1.0.0"
CIS12 = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"
CIS14 = "arn:aws:securityhub:{r}::standards/cis-aws-foundations-benchmark/v/1.4.0"
MGMT_CREDS = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "secret"}


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def post(path, body=None):
    req = urllib.request.Request(URL + path, data=json.dumps(body or {}).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        data = resp.read()
    return json.loads(data) if data else None


def client(service, region="us-east-1", creds=None):
    return boto3.client(service, endpoint_url=URL, region_name=region, **(creds or MGMT_CREDS),
                        config=Config(retries={"total_max_attempts": 1}))


def every(c, operation, key, **kwargs):
    """Every item of a list, read page by page as AWS (and the emulator) answer it."""
    return [item for page in c.get_paginator(operation).paginate(**kwargs) for item in page[key]]


def error(fn, code, status, **kwargs):
    try:
        fn(**kwargs)
    except ClientError as e:
        got = (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
        check(got == (code, status), f"{fn.__name__}: expected {code}/{status}, got {got}")
        return e
    raise AssertionError(f"{fn.__name__}: expected {code}, got success")


def organization():
    """Management account creates an org and a member; returns the member's id and credentials."""
    org = client("organizations")
    org.create_organization(FeatureSet="ALL")
    member = org.create_account(Email="audit@example.com", AccountName="Audit")["CreateAccountStatus"]["AccountId"]
    c = client("sts").assume_role(RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
                                  RoleSessionName="selfcheck")["Credentials"]
    creds = {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
             "aws_session_token": c["SessionToken"]}
    check(client("sts", creds=creds).get_caller_identity()["Account"] == member, "assumed role acts in member")
    return member, creds


def check_root_mfa():
    iam = client("iam")
    summary = iam.get_account_summary()["SummaryMap"]
    check(summary["AccountMFAEnabled"] == 0 and summary["AccountAccessKeysPresent"] == 0, summary)
    post("/_groundwork/iam/account-summary", {"account": MGMT, "AccountMFAEnabled": 1, "AccountAccessKeysPresent": 1})
    summary = iam.get_account_summary()["SummaryMap"]
    check(summary["AccountMFAEnabled"] == 1 and summary["AccountAccessKeysPresent"] == 1, summary)
    post("/_groundwork/iam/account-summary", {"account": MGMT, "AccountAccessKeysPresent": 0})
    summary = iam.get_account_summary()["SummaryMap"]
    check(summary["AccountMFAEnabled"] == 1 and summary["AccountAccessKeysPresent"] == 0, summary)
    other = {"aws_access_key_id": "AKIAOTHER00000000000", "aws_secret_access_key": "x"}
    check(client("iam", creds=other).get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1,
          "unknown keys act as the default account, like moto")


def check_securityhub():
    sh, region = client("securityhub"), "us-east-1"
    arns = [s["StandardsArn"] for s in every(sh, "describe_standards", "Standards")]
    check(arns == [FSBP.format(r=region), CIS12, CIS14.format(r=region)], arns)
    error(sh.get_enabled_standards, "InvalidAccessException", 401)
    error(sh.batch_enable_standards, "InvalidAccessException", 401,
          StandardsSubscriptionRequests=[{"StandardsArn": FSBP.format(r=region)}])
    sh.enable_security_hub(EnableDefaultStandards=False)
    check(sh.get_enabled_standards()["StandardsSubscriptions"] == [], "no default standards when disabled")
    sub = sh.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": CIS14.format(r=region)}])["StandardsSubscriptions"][0]
    check(sub["StandardsSubscriptionArn"] == f"arn:aws:securityhub:{region}:{MGMT}:subscription/cis-aws-foundations-benchmark/v/1.4.0"
          and sub["StandardsInput"] == {}, sub)
    error(sh.batch_enable_standards, "InvalidInputException", 400,
          StandardsSubscriptionRequests=[{"StandardsArn": FSBP.format(r="eu-west-1")}])
    post("/_groundwork/securityhub/standard-status", {"account": MGMT, "region": region, "standardsArn": CIS14.format(r=region),
                                                      "status": "INCOMPLETE", "reason": "NO_AVAILABLE_CONFIGURATION_RECORDER"})
    sub = sh.get_enabled_standards()["StandardsSubscriptions"][0]
    check(sub["StandardsStatus"] == "INCOMPLETE" and
          sub["StandardsStatusReason"] == {"StatusReasonCode": "NO_AVAILABLE_CONFIGURATION_RECORDER"}, sub)
    gone = sh.batch_disable_standards(StandardsSubscriptionArns=[sub["StandardsSubscriptionArn"]])["StandardsSubscriptions"]
    check(gone[0]["StandardsStatus"] == "DELETING", gone)
    check(sh.get_enabled_standards()["StandardsSubscriptions"] == [], "disabled")
    # another region: EnableSecurityHub with the default (EnableDefaultStandards omitted = true)
    west = client("securityhub", "us-west-2")
    west.enable_security_hub()
    subs = {s["StandardsArn"]: s for s in west.get_enabled_standards()["StandardsSubscriptions"]}
    check(set(subs) == {FSBP.format(r="us-west-2"), CIS12}, subs)
    check(subs[FSBP.format(r="us-west-2")]["StandardsSubscriptionArn"] ==
          f"arn:aws:securityhub:us-west-2:{MGMT}:subscription/aws-foundational-security-best-practices/v/1.0.0", subs)
    check(subs[CIS12]["StandardsSubscriptionArn"] ==
          f"arn:aws:securityhub:us-west-2:{MGMT}:subscription/cis-aws-foundations-benchmark/v/1.2.0", subs)
    only = west.get_enabled_standards(StandardsSubscriptionArns=[subs[CIS12]["StandardsSubscriptionArn"]])["StandardsSubscriptions"]
    check([s["StandardsArn"] for s in only] == [CIS12], only)
    west.disable_security_hub()
    error(west.get_enabled_standards, "InvalidAccessException", 401)
    # delegated admin, read from moto's own record; a member's hub and standards are its own
    check(sh.list_organization_admin_accounts()["AdminAccounts"] == [], "no org, no admin")
    member, creds = organization()
    check(sh.list_organization_admin_accounts()["AdminAccounts"] == [], "no admin yet")
    sh.enable_organization_admin_account(AdminAccountId=member)
    check(sh.list_organization_admin_accounts()["AdminAccounts"] == [{"AccountId": member, "Status": "ENABLED"}], "admin listed")
    sh_member = client("securityhub", creds=creds)
    error(sh_member.get_enabled_standards, "InvalidAccessException", 401)
    sh_member.enable_security_hub()
    arns = {s["StandardsSubscriptionArn"] for s in sh_member.get_enabled_standards()["StandardsSubscriptions"]}
    check(all(f":{member}:subscription/" in a for a in arns) and len(arns) == 2, arns)
    sh_member.update_organization_configuration(AutoEnable=True, AutoEnableStandards="DEFAULT")
    check(sh_member.describe_organization_configuration()["AutoEnable"] is True, "moto stores AutoEnable")


def check_guardduty():
    member, creds = organization()
    gd, gd_member = client("guardduty"), client("guardduty", creds=creds)
    gd.enable_organization_admin_account(AdminAccountId=member)  # in us-east-1 only
    det = gd_member.create_detector(Enable=True)["DetectorId"]
    cfg = gd_member.describe_organization_configuration(DetectorId=det)
    check(cfg["AutoEnableOrganizationMembers"] == "NONE" and cfg["AutoEnable"] is False
          and cfg["MemberAccountLimitReached"] is False, cfg)
    check({f["Name"] for f in cfg["Features"]} >= {"S3_DATA_EVENTS", "RUNTIME_MONITORING"}
          and all(f["AutoEnable"] == "NONE" for f in cfg["Features"]), cfg["Features"])
    gd_member.update_organization_configuration(
        DetectorId=det, AutoEnableOrganizationMembers="ALL",
        Features=[{"Name": "S3_DATA_EVENTS", "AutoEnable": "NEW"},
                  {"Name": "RUNTIME_MONITORING", "AutoEnable": "ALL",
                   "AdditionalConfiguration": [{"Name": "EKS_ADDON_MANAGEMENT", "AutoEnable": "ALL"}]}])
    cfg = gd_member.describe_organization_configuration(DetectorId=det)
    feats = {f["Name"]: f for f in cfg["Features"]}
    check(cfg["AutoEnableOrganizationMembers"] == "ALL" and cfg["AutoEnable"] is True, cfg)
    check(feats["S3_DATA_EVENTS"]["AutoEnable"] == "NEW" and feats["EKS_AUDIT_LOGS"]["AutoEnable"] == "NONE", feats)
    addons = {a["Name"]: a["AutoEnable"] for a in feats["RUNTIME_MONITORING"]["AdditionalConfiguration"]}
    check(feats["RUNTIME_MONITORING"]["AutoEnable"] == "ALL" and addons["EKS_ADDON_MANAGEMENT"] == "ALL"
          and addons["EC2_AGENT_MANAGEMENT"] == "NONE", feats)
    gd_member.update_organization_configuration(DetectorId=det, AutoEnable=False)  # deprecated form
    cfg = gd_member.describe_organization_configuration(DetectorId=det)
    check(cfg["AutoEnableOrganizationMembers"] == "NONE" and cfg["AutoEnable"] is False, cfg)
    error(gd_member.describe_organization_configuration, "BadRequestException", 400, DetectorId="0" * 32)
    own = gd.create_detector(Enable=True)["DetectorId"]
    e = error(gd.describe_organization_configuration, "BadRequestException", 400, DetectorId=own)
    check("not a GuardDuty delegated administrator" in e.response["Error"]["Message"], e.response)
    error(gd_member.describe_organization_configuration, "BadRequestException", 400, DetectorId=own)  # not its detector
    west = client("guardduty", "us-west-2", creds)
    det_west = west.create_detector(Enable=True)["DetectorId"]
    error(west.update_organization_configuration, "BadRequestException", 400,
          DetectorId=det_west, AutoEnableOrganizationMembers="ALL")  # admin designated per region
    check(gd_member.get_detector(DetectorId=det)["Status"] == "ENABLED", "moto's GuardDuty untouched")


def check_sns():
    sns = client("sns")
    topic = sns.create_topic(Name="security-alerts")["TopicArn"]
    r = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com")
    check(r["SubscriptionArn"] == "pending confirmation", r)
    subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    check([s["SubscriptionArn"] for s in subs] == ["PendingConfirmation"], subs)
    check([s["SubscriptionArn"] for s in sns.list_subscriptions()["Subscriptions"]] == ["PendingConfirmation"], "list_subscriptions")
    real = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com", ReturnSubscriptionArn=True)["SubscriptionArn"]
    check(real.startswith(topic + ":"), real)
    check(len(sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]) == 1, "re-subscribe does not duplicate")
    check(sns.get_subscription_attributes(SubscriptionArn=real)["Attributes"]["PendingConfirmation"] == "true", "pending attr")
    queue = client("sqs").create_queue(QueueName="alerts")["QueueUrl"]
    qarn = client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    check(sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn)["SubscriptionArn"].startswith(topic + ":"), "sqs unchanged")
    attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    check((attrs["SubscriptionsPending"], attrs["SubscriptionsConfirmed"]) == ("1", "1"), attrs)
    post("/_groundwork/sns/confirm", {"account": MGMT, "region": "us-east-1", "topicArn": topic, "endpoint": "a@example.com"})
    check(sns.get_subscription_attributes(SubscriptionArn=real)["Attributes"]["PendingConfirmation"] == "false", "confirmed")
    check(real in [s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]], "arn listed")
    attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    check((attrs["SubscriptionsPending"], attrs["SubscriptionsConfirmed"]) == ("0", "2"), attrs)
    check(sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com")["SubscriptionArn"] == real, "confirmed returns arn")
    # a member account, through assumed-role credentials, in another region
    member, creds = organization()
    sns_m = client("sns", "eu-west-1", creds)
    mtopic = sns_m.create_topic(Name="security-alerts")["TopicArn"]
    check(f":{member}:" in mtopic, mtopic)
    check(sns_m.subscribe(TopicArn=mtopic, Protocol="email-json", Endpoint="b@example.com")["SubscriptionArn"] == "pending confirmation", "member pending")
    post("/_groundwork/sns/confirm", {"account": member, "region": "eu-west-1", "topicArn": mtopic, "endpoint": "b@example.com"})
    check(sns_m.list_subscriptions_by_topic(TopicArn=mtopic)["Subscriptions"][0]["SubscriptionArn"].startswith(mtopic + ":"), "member confirmed")


def assume(account, role="AWSControlTowerExecution"):
    c = client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="selfcheck")["Credentials"]
    return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
            "aws_session_token": c["SessionToken"]}


def state():
    with urllib.request.urlopen(URL + "/_groundwork/state") as resp:
        return json.loads(resp.read())


def check_apply_calls():
    """Every call `apply` makes, as it makes them (plain moto plus the fixes in server.py)."""
    org = client("organizations")
    org.create_organization(FeatureSet="ALL")
    for principal in ("account.amazonaws.com", "iam.amazonaws.com"):  # iam: extension fix
        org.enable_aws_service_access(ServicePrincipal=principal)
    org.enable_aws_service_access(ServicePrincipal="account.amazonaws.com")  # again: no change
    enabled = [p["ServicePrincipal"] for p in org.list_aws_service_access_for_organization()["EnabledServicePrincipals"]]
    check(enabled == ["account.amazonaws.com", "iam.amazonaws.com"], enabled)
    error(org.enable_aws_service_access, "InvalidInputException", 400, ServicePrincipal="bogus.amazonaws.com")
    created = org.create_account(Email="audit@example.com", AccountName="Audit")["CreateAccountStatus"]
    check(created["State"] == "SUCCEEDED" and created["Id"].startswith("car-"), created)
    status = org.describe_create_account_status(CreateAccountRequestId=created["Id"])["CreateAccountStatus"]
    audit = status["AccountId"]
    check(status["State"] == "SUCCEEDED" and len(audit) == 12, status)
    # STS API reference (AssumeRole): a role that does not exist is AccessDenied; CreateAccount made
    # OrganizationAccountAccessRole, trusting the management account, with AdministratorAccess
    # (orgs_manage_accounts_create.html); Control Tower's AWSControlTowerExecution is not there yet.
    e = error(client("sts").assume_role, "AccessDenied", 403,
              RoleArn=f"arn:aws:iam::{audit}:role/AWSControlTowerExecution", RoleSessionName="selfcheck")
    check("sts:AssumeRole" in e.response["Error"]["Message"], e.response)
    creds = assume(audit, "OrganizationAccountAccessRole")
    check(client("sts", creds=creds).get_caller_identity()["Arn"] ==
          f"arn:aws:sts::{audit}:assumed-role/OrganizationAccountAccessRole/selfcheck", "OrganizationAccountAccessRole")
    policies = client("iam", creds=creds).list_attached_role_policies(RoleName="OrganizationAccountAccessRole")
    check([p["PolicyName"] for p in policies["AttachedPolicies"]] == ["AdministratorAccess"], policies)
    named = org.create_account(Email="named@example.com", AccountName="Named", RoleName="Admin")["CreateAccountStatus"]
    named_id = org.describe_create_account_status(CreateAccountRequestId=named["Id"])["CreateAccountStatus"]["AccountId"]
    assume(named_id, "Admin")  # the RoleName asked for, and no other
    error(client("sts").assume_role, "AccessDenied", 403,
          RoleArn=f"arn:aws:iam::{named_id}:role/OrganizationAccountAccessRole", RoleSessionName="selfcheck")

    # IAM service roles; AWS managed policies come from moto's bundled list (extension fix)
    iam = client("iam")
    error(iam.get_role, "NoSuchEntity", 404, RoleName="AWSControlTowerAdmin")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                                "Principal": {"Service": "controltower.amazonaws.com"}}]})
    role = iam.create_role(Path="/service-role/", RoleName="AWSControlTowerAdmin", AssumeRolePolicyDocument=trust)["Role"]
    check(role["Arn"] == f"arn:aws:iam::{MGMT}:role/service-role/AWSControlTowerAdmin", role)
    check(iam.get_role(RoleName="AWSControlTowerAdmin")["Role"]["Path"] == "/service-role/", "get_role")
    ct_policy = "arn:aws:iam::aws:policy/service-role/AWSControlTowerServiceRolePolicy"
    config_policy = "arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations"
    for arn in (ct_policy, config_policy, ct_policy):  # the repeat is a no-op, as on AWS
        iam.attach_role_policy(RoleName="AWSControlTowerAdmin", PolicyArn=arn)
    attached = iam.list_attached_role_policies(RoleName="AWSControlTowerAdmin")["AttachedPolicies"]
    check(sorted(p["PolicyArn"] for p in attached) == [config_policy, ct_policy], attached)
    check(iam.get_policy(PolicyArn=ct_policy)["Policy"]["AttachmentCount"] == 1, "attachment count")
    error(iam.attach_role_policy, "NoSuchEntity", 404, RoleName="AWSControlTowerAdmin",
          PolicyArn="arn:aws:iam::aws:policy/AWSControlTowerServiceRolePolicy")  # wrong path
    inline = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeAvailabilityZones","Resource":"*"}]}'
    iam.put_role_policy(RoleName="AWSControlTowerAdmin", PolicyName="AWSControlTowerAdminPolicy", PolicyDocument=inline)
    got = iam.get_role_policy(RoleName="AWSControlTowerAdmin", PolicyName="AWSControlTowerAdminPolicy")["PolicyDocument"]
    check(got == json.loads(inline), got)
    client("iam", creds=creds).create_role(RoleName="R", AssumeRolePolicyDocument=trust)
    client("iam", creds=creds).attach_role_policy(RoleName="R", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")

    # Control Tower create -> operation -> reset
    ct = client("controltower")
    iam.create_role(Path="/service-role/", RoleName="AWSControlTowerCloudTrailRole", AssumeRolePolicyDocument=trust)
    iam.create_role(Path="/service-role/", RoleName="AWSControlTowerStackSetRole", AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName="AWSControlTowerCloudTrailRole",
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AWSControlTowerCloudTrailRolePolicy")
    lz = ct.create_landing_zone(version="4.0", manifest={"governedRegions": ["us-east-1"],
                                                         "accessManagement": {"enabled": False}})
    post("/_groundwork/controltower/operations/complete", {"operationIdentifier": lz["operationIdentifier"]})
    check(ct.get_landing_zone_operation(operationIdentifier=lz["operationIdentifier"])["operationDetails"]["status"] == "SUCCEEDED", "create op")
    rst = ct.reset_landing_zone(landingZoneIdentifier=lz["arn"])["operationIdentifier"]
    op = ct.get_landing_zone_operation(operationIdentifier=rst)["operationDetails"]
    check(op["operationType"] == "RESET" and op["status"] in ("IN_PROGRESS", "SUCCEEDED"), op)
    post("/_groundwork/controltower/operations/complete", {"operationIdentifier": rst})

    # Account: alternate contacts, own and member
    acct = client("account")
    contact = {"AlternateContactType": "SECURITY", "EmailAddress": "sec@example.com", "Name": "Sec",
               "PhoneNumber": "+15555550100", "Title": "Security"}
    acct.put_alternate_contact(**contact)
    acct.put_alternate_contact(AccountId=audit, **contact)
    check(client("account", creds=creds).get_alternate_contact(AlternateContactType="SECURITY")["AlternateContact"] == contact, "member contact")

    # Identity Store: lookups, creates, and a duplicate membership is a conflict (extension fix)
    sso = client("sso-admin")
    inst = sso.list_instances()["Instances"][0]
    instance, store = inst["InstanceArn"], inst["IdentityStoreId"]
    ids = client("identitystore")
    by_name = {"UniqueAttribute": {"AttributePath": "userName", "AttributeValue": "ada"}}
    error(ids.get_user_id, "ResourceNotFoundException", 400, IdentityStoreId=store, AlternateIdentifier=by_name)
    user = ids.create_user(IdentityStoreId=store, UserName="ada", DisplayName="Ada Lovelace",
                           Name={"GivenName": "Ada", "FamilyName": "Lovelace"},
                           Emails=[{"Value": "ada@example.com", "Type": "work", "Primary": True}])["UserId"]
    check(ids.get_user_id(IdentityStoreId=store, AlternateIdentifier=by_name)["UserId"] == user, "get_user_id")
    by_group = {"UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": "Admins"}}
    error(ids.get_group_id, "ResourceNotFoundException", 400, IdentityStoreId=store, AlternateIdentifier=by_group)
    group = ids.create_group(IdentityStoreId=store, DisplayName="Admins")["GroupId"]
    check(ids.get_group_id(IdentityStoreId=store, AlternateIdentifier=by_group)["GroupId"] == group, "get_group_id")
    member = {"UserId": user}
    error(ids.get_group_membership_id, "ResourceNotFoundException", 400, IdentityStoreId=store, GroupId=group, MemberId=member)
    membership = ids.create_group_membership(IdentityStoreId=store, GroupId=group, MemberId=member)["MembershipId"]
    error(ids.create_group_membership, "ConflictException", 400, IdentityStoreId=store, GroupId=group, MemberId=member)
    check(ids.get_group_membership_id(IdentityStoreId=store, GroupId=group, MemberId=member)["MembershipId"] == membership, "membership id")
    listed = ids.list_group_memberships_for_member(IdentityStoreId=store, MemberId=member)["GroupMemberships"]
    check([(m["GroupId"], m["MembershipId"]) for m in listed] == [(group, membership)], listed)

    # IAM Identity Center: permission sets (unique names: extension fix) and assignments (no duplicates)
    check(sso.list_permission_sets(InstanceArn=instance)["PermissionSets"] == [], "no permission sets")
    ps = sso.create_permission_set(InstanceArn=instance, Name="AdministratorAccess", SessionDuration="PT8H")["PermissionSet"]
    arn = ps["PermissionSetArn"]
    check(arn.startswith(instance + "/ps-") and ps["SessionDuration"] == "PT8H", ps)
    error(sso.create_permission_set, "ConflictException", 400, InstanceArn=instance, Name="AdministratorAccess", SessionDuration="PT8H")
    check(sso.list_permission_sets(InstanceArn=instance)["PermissionSets"] == [arn], "one permission set")
    check(sso.describe_permission_set(InstanceArn=instance, PermissionSetArn=arn)["PermissionSet"]["Name"] == "AdministratorAccess", "describe")
    for name in ("AdministratorAccess", "ReadOnlyAccess"):
        sso.attach_managed_policy_to_permission_set(InstanceArn=instance, PermissionSetArn=arn,
                                                    ManagedPolicyArn=f"arn:aws:iam::aws:policy/{name}")
    policies = sso.list_managed_policies_in_permission_set(InstanceArn=instance, PermissionSetArn=arn)["AttachedManagedPolicies"]
    check([p["Name"] for p in policies] == ["AdministratorAccess", "ReadOnlyAccess"], policies)
    assignment = dict(InstanceArn=instance, TargetId=audit, TargetType="AWS_ACCOUNT", PermissionSetArn=arn,
                      PrincipalType="GROUP", PrincipalId=group)
    first = sso.create_account_assignment(**assignment)["AccountAssignmentCreationStatus"]
    check(first["Status"] == "SUCCEEDED", first)
    again = sso.create_account_assignment(**assignment)["AccountAssignmentCreationStatus"]
    check(again["Status"] == "SUCCEEDED", again)
    status = sso.describe_account_assignment_creation_status(
        InstanceArn=instance, AccountAssignmentCreationRequestId=first["RequestId"])["AccountAssignmentCreationStatus"]
    check(status["Status"] == "SUCCEEDED" and status["PrincipalId"] == group, status)
    listed = sso.list_account_assignments(InstanceArn=instance, AccountId=audit, PermissionSetArn=arn)["AccountAssignments"]
    check(listed == [{"AccountId": audit, "PermissionSetArn": arn, "PrincipalType": "GROUP", "PrincipalId": group}], listed)
    listed = sso.list_account_assignments_for_principal(InstanceArn=instance, PrincipalId=group, PrincipalType="GROUP")["AccountAssignments"]
    check([(a["AccountId"], a["PermissionSetArn"]) for a in listed] == [(audit, arn)], listed)

    # GuardDuty: Audit's detector (one per Region: extension fix), delegated admin, org auto-enable
    gd, gd_audit = client("guardduty"), client("guardduty", creds=creds)
    features = [{"Name": n, "Status": "DISABLED"} for n in ("S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "RUNTIME_MONITORING")]
    det = gd_audit.create_detector(Enable=True, Features=features)["DetectorId"]
    e = error(gd_audit.create_detector, "BadRequestException", 400, Enable=True)
    check("already exists" in e.response["Error"]["Message"], e.response)
    gd.enable_organization_admin_account(AdminAccountId=audit)
    gd.enable_organization_admin_account(AdminAccountId=audit)  # again: listed once
    check(gd.list_organization_admin_accounts()["AdminAccounts"] == [{"AdminAccountId": audit, "AdminStatus": "ENABLED"}], "gd admin")
    check(gd.list_detectors()["DetectorIds"] == [], "moto makes no detector for the management account")
    gd_audit.update_organization_configuration(DetectorId=det, AutoEnableOrganizationMembers="ALL",
                                               Features=[{"Name": "S3_DATA_EVENTS", "AutoEnable": "NONE"}])
    cfg = gd_audit.describe_organization_configuration(DetectorId=det)
    check(cfg["AutoEnableOrganizationMembers"] == "ALL", cfg)

    # Security Hub: Audit's hub (a second enable is a conflict: extension fix), FSBP, admin, org config
    sh, sh_audit = client("securityhub"), client("securityhub", creds=creds)
    sh_audit.enable_security_hub(EnableDefaultStandards=False, ControlFindingGenerator="SECURITY_CONTROL")
    import selfcheck_config
    selfcheck_config.record("us-east-1", creds)  # Control Tower's Config in Audit: FSBP can be READY
    error(sh_audit.enable_security_hub, "ResourceConflictException", 409, EnableDefaultStandards=False)
    check(sh_audit.describe_hub()["ControlFindingGenerator"] == "SECURITY_CONTROL", "hub")
    sh_audit.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": FSBP.format(r="us-east-1")}])
    check([s["StandardsArn"] for s in sh_audit.get_enabled_standards()["StandardsSubscriptions"]] == [FSBP.format(r="us-east-1")], "fsbp")
    sh.enable_organization_admin_account(AdminAccountId=audit)
    sh_audit.update_organization_configuration(AutoEnable=True, AutoEnableStandards="DEFAULT")
    cfg = sh_audit.describe_organization_configuration()
    check(cfg["AutoEnable"] is True and cfg["AutoEnableStandards"] == "DEFAULT", cfg)

    # SNS alert topic and EventBridge rule (plain moto, plus pending email subscriptions)
    sns = client("sns", creds=creds)
    topic = sns.create_topic(Name="groundwork-security-alerts")["TopicArn"]
    check(sns.create_topic(Name="groundwork-security-alerts")["TopicArn"] == topic, "create_topic is idempotent")
    check(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Owner"] == audit, "topic attributes")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "AllowEventBridge", "Effect": "Allow",
                         "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": topic}]},
                        separators=(",", ":"))
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=policy)
    check(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"] == policy, "compact policy round-trips")
    sub = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="sec@example.com", ReturnSubscriptionArn=True)["SubscriptionArn"]
    check(sub.startswith(topic + ":"), sub)
    subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    check([(s["Endpoint"], s["SubscriptionArn"]) for s in subs] == [("sec@example.com", "PendingConfirmation")], subs)
    ev = client("events", creds=creds)
    error(ev.describe_rule, "ResourceNotFoundException", 400, Name="groundwork-high-findings")
    pattern = '{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"],"detail":{"severity":[{"numeric":[">=",7]}]}}'
    rule = ev.put_rule(Name="groundwork-high-findings", EventPattern=pattern, State="ENABLED")["RuleArn"]
    check(rule == f"arn:aws:events:us-east-1:{audit}:rule/groundwork-high-findings", rule)
    described = ev.describe_rule(Name="groundwork-high-findings")
    check(described["State"] == "ENABLED" and json.loads(described["EventPattern"]) == json.loads(pattern), described)
    ev.put_targets(Rule="groundwork-high-findings", Targets=[{"Id": "groundwork-alerts", "Arn": topic}])
    check(ev.list_targets_by_rule(Rule="groundwork-high-findings")["Targets"] == [{"Id": "groundwork-alerts", "Arn": topic}], "targets")

    # /_groundwork/state shows what data.json cannot, and reads leave it unchanged
    before = state()
    check(before["organizations"][MGMT]["enabledServicePrincipals"] == [  # with what the landing zone's launch turned on
        "account.amazonaws.com", "cloudtrail.amazonaws.com", "config.amazonaws.com", "controltower.amazonaws.com",
        "iam.amazonaws.com", "sso.amazonaws.com"], before["organizations"])
    check(before["securityhub"]["hubs"][f"{audit}/us-east-1"]["standards"] == {FSBP.format(r="us-east-1"): "READY"}, before["securityhub"])
    check(before["guardduty"][f"{MGMT}/us-east-1"]["delegatedAdmins"] == [audit], before["guardduty"])
    check(before["guardduty"][f"{audit}/us-east-1"]["detectors"][det]["organizationConfiguration"]["autoEnableOrganizationMembers"] == "ALL", "gd org")
    check(len(before["identitystore"][f"{MGMT}/us-east-1/{store}"]["groupMemberships"]) == 1, before["identitystore"])
    check(before["controltower"]["landingZones"][MGMT]["status"] == "ACTIVE", before["controltower"])
    error(ids.get_user_id, "ResourceNotFoundException", 400, IdentityStoreId="d-0000000000", AlternateIdentifier=by_name)
    sh_audit.describe_organization_configuration()
    gd_audit.describe_organization_configuration(DetectorId=det)
    ct.get_landing_zone(landingZoneIdentifier=lz["arn"])
    client("guardduty", "eu-west-1", creds).list_detectors()
    check(state() == before, "reads leave /_groundwork/state unchanged")


def check_unsupported_and_reset():
    ct, gd = client("controltower"), client("guardduty")
    post("/_groundwork/controltower/landing-zone", {"account": MGMT, "region": "us-east-1"})
    for service, call in (("controltower", ct.list_landing_zones), ("guardduty", gd.list_detectors)):
        post("/_groundwork/unsupported", {"service": service})
        e = error(call, "500", 500)
        check(e.response["ResponseMetadata"]["HTTPHeaders"]["content-type"].startswith("text/html"), "HTML 500")
        post("/_groundwork/unsupported", {"service": None})
        call()
    post("/_groundwork/unsupported", {"service": "controltower"})
    # reset clears the extension's state, the switch, and moto's Security Hub org config (seeded org ids recur)
    for _ in range(2):
        post("/moto-api/reset")
        post("/moto-api/seed?a=7")
        check(ct.list_landing_zones()["landingZones"] == [], "reset clears Control Tower and the switch")
        member, _ = organization()
        sh = client("securityhub")
        check(sh.list_organization_admin_accounts()["AdminAccounts"] == [], "reset clears Security Hub org config")
        sh.enable_organization_admin_account(AdminAccountId=member)
    post("/moto-api/reset")
    check(client("iam").get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 0, "reset clears the IAM hook")


def get(path):
    with urllib.request.urlopen(URL + path) as resp:
        return json.loads(resp.read())


def check_account_contacts():
    """AccountId rules of Get/Put/DeleteAlternateContact (account_contacts.py)."""
    contact = {"AlternateContactType": "SECURITY", "Name": "Ada", "Title": "CTO",
               "EmailAddress": "sec@example.com", "PhoneNumber": "+15555550100"}
    acct = client("account")
    acct.put_alternate_contact(**contact)  # standalone, outside any organization: allowed
    check(acct.get_alternate_contact(AlternateContactType="SECURITY")["AlternateContact"]["Name"] == "Ada", "own")
    member, creds = organization()
    # Trusted access off: the management account may not use AccountId.
    e = error(acct.put_alternate_contact, "AccessDeniedException", 403, AccountId=member, **contact)
    check("must first enable trusted access" in e.response["Error"]["Message"], e.response)
    error(acct.get_alternate_contact, "AccessDeniedException", 403, AccountId=member, AlternateContactType="SECURITY")
    client("organizations").enable_aws_service_access(ServicePrincipal="account.amazonaws.com")
    # The management account naming itself: refused, it must use the standalone context.
    e = error(acct.put_alternate_contact, "AccessDeniedException", 403, AccountId=MGMT, **contact)
    check("standalone context" in e.response["Error"]["Message"], e.response)
    check(f"::{MGMT}:" in e.response["Error"]["Message"], e.response)
    # From inside the member, AccountId is refused, even naming the member itself.
    inside = client("account", creds=creds)
    for target in (member, MGMT):
        e = error(inside.put_alternate_contact, "AccessDeniedException", 403, AccountId=target, **contact)
        check(f"arn:aws:sts::{member}:assumed-role/" in e.response["Error"]["Message"], e.response)
    error(acct.put_alternate_contact, "AccessDeniedException", 403, AccountId="999999999999", **contact)
    error(acct.put_alternate_contact, "ValidationException", 400, AccountId="12", **contact)
    # Allowed: management -> member, stored in the member's account; member standalone.
    error(acct.get_alternate_contact, "ResourceNotFoundException", 400, AccountId=member, AlternateContactType="SECURITY")
    acct.put_alternate_contact(AccountId=member, **{**contact, "Name": "Grace"})
    check(inside.get_alternate_contact(AlternateContactType="SECURITY")["AlternateContact"]["Name"] == "Grace", "member's own")
    check(acct.get_alternate_contact(AlternateContactType="SECURITY")["AlternateContact"]["Name"] == "Ada", "mgmt untouched")
    acct.delete_alternate_contact(AccountId=member, AlternateContactType="SECURITY")
    error(inside.get_alternate_contact, "ResourceNotFoundException", 400, AlternateContactType="SECURITY")


def check_faults():
    """POST /_groundwork/faults: the next N calls of an operation fail with the given error."""
    ct = client("controltower")
    post("/_groundwork/faults", {"operation": "ListLandingZones", "count": 2, "status": 403,
                                 "code": "AccessDeniedException", "message": "no ListLandingZones for you"})
    for _ in range(2):
        e = error(ct.list_landing_zones, "AccessDeniedException", 403)
        check(e.response["Error"]["Message"] == "no ListLandingZones for you", e.response)
    check(ct.list_landing_zones()["landingZones"] == [], "fault used up after count calls")
    # Narrowed by region, no count: until cleared; a query-protocol service gets XML.
    post("/_groundwork/faults", {"operation": "ListLandingZones", "region": "eu-west-1",
                                 "status": 429, "code": "ThrottlingException", "message": "slow down"})
    check(ct.list_landing_zones()["landingZones"] == [], "other regions unaffected")
    for _ in range(3):
        error(client("controltower", "eu-west-1").list_landing_zones, "ThrottlingException", 429)
    post("/_groundwork/faults", {"operation": "GetAccountSummary", "service": "iam", "count": 1,
                                 "code": "Throttling", "status": 400, "message": "Rate exceeded"})
    e = error(client("iam").get_account_summary, "Throttling", 400)
    check(e.response["Error"]["Message"] == "Rate exceeded", e.response)
    log = get("/_groundwork/requests")["requests"]
    check(sum(r["operation"] == "ListLandingZones" for r in log) == 7, "failed calls are logged")
    post("/_groundwork/faults/clear")
    check(client("controltower", "eu-west-1").list_landing_zones()["landingZones"] == [], "cleared")
    post("/_groundwork/faults", {"operation": "ListLandingZones"})
    post("/moto-api/reset")
    check(ct.list_landing_zones()["landingZones"] == [], "reset clears faults")


def check_hold():
    """POST /_groundwork/hold (a test hook, not AWS): the nth request is carried out, then its answer
    waits until released; the ones before it are answered at once; reset releases a hold."""
    iam = client("iam")
    post("/_groundwork/hold", {"nth": 2})
    iam.get_account_summary()  # the first: not held
    done = threading.Event()
    worker = threading.Thread(target=lambda: (iam.create_role(RoleName="held", AssumeRolePolicyDocument="{}"),
                                              done.set()))
    worker.start()
    for _ in range(200):
        if get("/_groundwork/hold")["held"]:
            break
        time.sleep(0.05)
    held = get("/_groundwork/hold")
    check(held["held"] and held["held"]["operation"] == "CreateRole" and held["seen"] == 2, held)
    check(not done.is_set(), "the held request is not answered")
    # Carried out before it was held: another client already sees the role.
    check(client("iam").get_role(RoleName="held")["Role"]["RoleName"] == "held", "carried out")
    post("/_groundwork/hold/release")
    worker.join(30)
    check(done.is_set(), "answered once released")
    # Counting changes only: reads pass, the first change is held.
    post("/_groundwork/hold", {"nth": 1, "changes": True})
    iam.list_roles()
    iam.get_account_summary()
    check(get("/_groundwork/hold")["seen"] == 0, "reads are not counted")
    post("/moto-api/reset")
    check(get("/_groundwork/hold") == {"nth": None, "changes": False, "seen": 0, "held": None}, "reset forgets it")


def check_request_log():
    """GET /_groundwork/requests logs every AWS call: service, operation, account, region, times."""
    check(get("/_groundwork/requests") == {"requests": []}, "reset empties the log")
    member, creds = organization()  # CreateOrganization, CreateAccount, AssumeRole, GetCallerIdentity
    client("organizations").describe_organization()  # JSON protocol: X-Amz-Target
    client("iam").get_account_summary()  # query protocol: Action= in the form body
    client("guardduty", "eu-west-1", creds).list_detectors()  # REST: botocore route, member account
    client("securityhub", "us-west-2").describe_standards()  # REST, answered by the extension
    error(client("account").get_alternate_contact, "AccessDeniedException", 403,
          AlternateContactType="SECURITY", AccountId=member)  # REST with an error answer (no trusted access)
    client("controltower").list_landing_zones()
    post("/_groundwork/iam/account-summary", {"AccountMFAEnabled": 1})  # hooks are not logged
    state()
    urllib.request.urlopen(URL + "/moto-api/data.json").read()  # nor moto's own API
    log = get("/_groundwork/requests")["requests"]
    got = [(r["service"], r["operation"], r["account"], r["role_account"], r["region"]) for r in log]
    want = [("organizations", "CreateOrganization", MGMT, None, "us-east-1"),
            ("organizations", "CreateAccount", MGMT, None, "us-east-1"),
            ("sts", "AssumeRole", MGMT, member, "us-east-1"),
            ("sts", "GetCallerIdentity", member, None, "us-east-1"),
            ("organizations", "DescribeOrganization", MGMT, None, "us-east-1"),
            ("iam", "GetAccountSummary", MGMT, None, "us-east-1"),
            ("guardduty", "ListDetectors", member, None, "eu-west-1"),
            ("securityhub", "DescribeStandards", MGMT, None, "us-west-2"),
            ("account", "GetAlternateContact", MGMT, None, "us-east-1"),
            ("controltower", "ListLandingZones", MGMT, None, "us-east-1")]
    check(got == want, got)
    check(all(isinstance(r["start"], float) and r["start"] <= r["end"] for r in log), log)
    check([r["start"] for r in log] == sorted(r["start"] for r in log), "arrival order")
    check(all(a["end"] <= b["start"] for a, b in zip(log, log[1:])), "one after another: no overlap")
    check(get("/_groundwork/requests/peak") == {"peak": 1}, "sequential calls peak at 1")
    post("/_groundwork/requests/clear")
    check(get("/_groundwork/requests") == {"requests": []}, "clear empties the log")

    # Parallel calls from threads overlap on the server (it is threaded): peak > 1.
    threads, rounds = 8, 5
    clients = [client("iam") for _ in range(threads)]  # made here: client creation is not thread-safe
    barrier = threading.Barrier(threads)
    failures = []

    def work(iam):
        try:
            barrier.wait()
            for _ in range(rounds):
                iam.get_account_summary()
        except Exception as e:  # reported below: a thread's exception would vanish
            failures.append(e)

    workers = [threading.Thread(target=work, args=(c,)) for c in clients]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    check(not failures, failures)
    log = get("/_groundwork/requests")["requests"]
    check(len(log) == threads * rounds and {r["operation"] for r in log} == {"GetAccountSummary"}, log)
    peak = get("/_groundwork/requests/peak")["peak"]
    events = sorted([(r["start"], 1) for r in log] + [(r["end"], -1) for r in log])
    overlap = max(sum(d for _, d in events[:i + 1]) for i in range(len(events)))
    check(peak == overlap and 1 < peak <= threads, f"peak {peak}, from the log {overlap}")
    post("/moto-api/reset")
    check(get("/_groundwork/requests") == {"requests": []}, "reset clears the log")


def check_members():
    """GuardDuty and Security Hub members from the delegated administrator, as AWS documents them."""
    audit, creds = organization()
    org = client("organizations")
    others = [org.create_account(Email=f"w{n}@example.com", AccountName=f"Workload {n}")["CreateAccountStatus"]
              ["AccountId"] for n in range(25)]
    gd, gd_audit = client("guardduty"), client("guardduty", creds=creds)
    gd.enable_organization_admin_account(AdminAccountId=audit)
    det = gd_audit.create_detector(Enable=True)["DetectorId"]
    # ALL enrols nobody at once: AWS takes up to 24 hours (here: until the hook).
    gd_audit.update_organization_configuration(DetectorId=det, AutoEnableOrganizationMembers="ALL",
                                               Features=[{"Name": "S3_DATA_EVENTS", "AutoEnable": "ALL"}])
    check(gd_audit.list_members(DetectorId=det, OnlyAssociated="false")["Members"] == [], "ALL is not instant")
    e = error(gd_audit.update_organization_configuration, "BadRequestException", 400, DetectorId=det,
              Features=[{"Name": "RUNTIME_MONITORING", "AutoEnable": "NONE"},
                        {"Name": "EKS_RUNTIME_MONITORING", "AutoEnable": "NONE"}])
    # CreateMembers enrols one now, with a detector in it carrying the organization's plans.
    out = gd_audit.create_members(DetectorId=det, AccountDetails=[{"AccountId": others[0], "Email": "w0@example.com"},
                                                                  {"AccountId": audit, "Email": "a@example.com"}])
    check([u["AccountId"] for u in out["UnprocessedAccounts"]] == [audit], out)
    m = gd_audit.list_members(DetectorId=det)["Members"]
    check([(x["AccountId"], x["RelationshipStatus"]) for x in m] == [(others[0], "Enabled")], m)
    member_det = gd.list_detectors()  # the management account is not enrolled
    check(member_det["DetectorIds"] == [], member_det)
    post("/_groundwork/guardduty/enrol", {"account": audit, "region": "us-east-1"})
    pages, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        r = gd_audit.list_members(DetectorId=det, MaxResults=50, **kw)
        pages.append(r["Members"])
        token = r.get("NextToken")
        if not token:
            break
    listed = {x["AccountId"] for p in pages for x in p}
    check(len(pages) > 1 and listed == set(others) | {MGMT}, (len(pages), listed))
    det_mgmt = gd.list_detectors()["DetectorIds"]
    check(len(det_mgmt) == 1 and gd.get_detector(DetectorId=det_mgmt[0])["Status"] == "ENABLED", det_mgmt)
    # Security Hub: CreateMembers enables a hub with the default standards, never the management account's.
    sh, sh_audit = client("securityhub"), client("securityhub", creds=creds)
    sh_audit.enable_security_hub(EnableDefaultStandards=False)
    sh.enable_organization_admin_account(AdminAccountId=audit)
    out = sh_audit.create_members(AccountDetails=[{"AccountId": MGMT}, {"AccountId": others[1]}])
    check([u["AccountId"] for u in out["UnprocessedAccounts"]] == [MGMT], out)
    work = client("securityhub", creds=assume(others[1], "OrganizationAccountAccessRole"))
    subs = {s["StandardsArn"] for s in work.get_enabled_standards()["StandardsSubscriptions"]}
    check(subs == {FSBP.format(r="us-east-1"), CIS12}, subs)
    sh.enable_security_hub(EnableDefaultStandards=False)
    check(sh_audit.create_members(AccountDetails=[{"AccountId": MGMT}])["UnprocessedAccounts"] == [], "mgmt after its hub")
    check(sh.get_enabled_standards()["StandardsSubscriptions"] == [], "no standards added to an existing hub")
    listed = {m["AccountId"]: m["MemberStatus"] for m in sh_audit.list_members()["Members"]}
    check(listed == {MGMT: "Enabled", others[1]: "Enabled"}, listed)
    error(sh_audit.disable_security_hub, "InvalidInputException", 400)
    work.disable_security_hub()
    check([m["AccountId"] for m in sh_audit.list_members()["Members"]] == [MGMT], "disabling ends membership")
    left = {m["AccountId"]: m["MemberStatus"] for m in sh_audit.list_members(OnlyAssociated=False)["Members"]}
    check(left[others[1]] == "Removed", left)
    # An account that joins later: enrolled by GuardDuty's ALL, given a hub (no standards: NONE) and membership.
    sh_audit.update_organization_configuration(AutoEnable=True, AutoEnableStandards="NONE")
    late = org.create_account(Email="late@example.com", AccountName="Late")["CreateAccountStatus"]["AccountId"]
    members = {x["AccountId"] for page in gd_audit.get_paginator("list_members").paginate(DetectorId=det)
               for x in page["Members"]}
    check(late in members, "late enrolled")
    late_sh = client("securityhub", creds=assume(late, "OrganizationAccountAccessRole"))
    check(late_sh.get_enabled_standards()["StandardsSubscriptions"] == [], "a hub without default standards")
    # Every page: members come in pages of two, in no promised order.
    sh_members = lambda: {m["AccountId"] for page in sh_audit.get_paginator("list_members").paginate()
                          for m in page["Members"]}
    check(late in sh_members(), "late is a member")
    # One created slowly joins (and is enrolled) only once its creation has succeeded.
    post("/_groundwork/delays", {"account": 1})
    slow = org.create_account(Email="slow@example.com", AccountName="Slow")["CreateAccountStatus"]
    enrolled = lambda: {x["AccountId"] for page in gd_audit.get_paginator("list_members").paginate(DetectorId=det)
                        for x in page["Members"]}
    check(len(enrolled()) == len(members), "nobody new enrolled while the account is being created")
    time.sleep(1.2)
    slow_id = org.describe_create_account_status(CreateAccountRequestId=slow["Id"])["CreateAccountStatus"]["AccountId"]
    check(slow_id in enrolled(), "enrolled once it joined")
    check(slow_id in sh_members(), "a Security Hub member once it joined")


def check_test_event_pattern():
    events = client("events")
    pattern = json.dumps({"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
                          "detail": {"severity": [{"numeric": [">=", 7]}]}})

    def event(severity, account=MGMT, **extra):
        e = {"version": "0", "id": "1", "detail-type": "GuardDuty Finding", "source": "aws.guardduty",
             "account": account, "time": "2026-12-01T00:00:00Z", "region": "us-east-1", "resources": [],
             "detail": {"accountId": account, "severity": severity, "type": "Recon:EC2/PortProbeUnprotectedPort"}}
        e.update(extra)
        return json.dumps(e)

    check(events.test_event_pattern(EventPattern=pattern, Event=event(7))["Result"] is True, "7 matches >= 7")
    check(events.test_event_pattern(EventPattern=pattern, Event=event(6.9))["Result"] is False, "6.9 does not")
    narrow = json.dumps({"source": ["aws.guardduty"], "account": ["999999999999"]})
    check(events.test_event_pattern(EventPattern=narrow, Event=event(8))["Result"] is False, "account filter")
    either = json.dumps({"source": ["aws.guardduty"], "$or": [{"region": ["eu-west-1"]}, {"detail": {"severity": [8]}}]})
    check(events.test_event_pattern(EventPattern=either, Event=event(8))["Result"] is True, "$or branch")
    check(events.test_event_pattern(EventPattern=either, Event=event(7))["Result"] is False, "$or neither")
    error(lambda: events.test_event_pattern(EventPattern="{not json", Event=event(7)),
          "InvalidEventPatternException", 400)
    no_time = json.loads(event(7))
    del no_time["time"]
    error(lambda: events.test_event_pattern(EventPattern=pattern, Event=json.dumps(no_time)), "ValidationException", 400)


def check_sample_finding_travels():
    gd, events, sns, cw = client("guardduty"), client("events"), client("sns"), client("cloudwatch")
    detector = gd.create_detector(Enable=True)["DetectorId"]
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    rule_arn = events.put_rule(Name="gd", EventPattern=json.dumps(
        {"source": ["aws.guardduty"], "detail": {"severity": [{"numeric": [">=", 7]}]}}))["RuleArn"]
    events.put_targets(Rule="gd", Targets=[{"Id": "t", "Arn": topic}])
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com")

    def total(namespace, name, dim, value):
        now = datetime.datetime.now(datetime.timezone.utc)
        out = cw.get_metric_statistics(Namespace=namespace, MetricName=name, Dimensions=[{"Name": dim, "Value": value}],
                                       StartTime=now - datetime.timedelta(minutes=10),
                                       EndTime=now + datetime.timedelta(minutes=1), Period=60, Statistics=["Sum"])
        return sum(p["Sum"] for p in out["Datapoints"])

    high = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"
    # The default policy does not let EventBridge publish: matched, invoked, failed.
    gd.create_sample_findings(DetectorId=detector, FindingTypes=[high])
    check(total("AWS/Events", "MatchedEvents", "RuleName", "gd") == 1, "matched")
    check(total("AWS/Events", "FailedInvocations", "RuleName", "gd") == 1, "failed without a policy")
    check(total("AWS/SNS", "NumberOfMessagesPublished", "TopicName", "alerts") == 0, "nothing published")
    policy = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                             "Action": "sns:Publish", "Resource": topic,
                             "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}}]}
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(policy))
    gd.create_sample_findings(DetectorId=detector, FindingTypes=[high])
    check(total("AWS/SNS", "NumberOfMessagesPublished", "TopicName", "alerts") == 1, "published")
    check(total("AWS/SNS", "NumberOfNotificationsDelivered", "TopicName", "alerts") == 0, "pending gets nothing")
    post("/_groundwork/sns/confirm", {"account": MGMT, "region": "us-east-1", "topicArn": topic, "endpoint": "a@example.com"})
    gd.create_sample_findings(DetectorId=detector, FindingTypes=[high])
    check(total("AWS/SNS", "NumberOfNotificationsDelivered", "TopicName", "alerts") == 1, "confirmed gets it")
    # The metric has no protocol dimension: an SQS subscriber's delivery counts the same.
    queue = client("sqs").create_queue(QueueName="q")["QueueUrl"]
    queue_arn = client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    gd.create_sample_findings(DetectorId=detector, FindingTypes=[high])
    check(total("AWS/SNS", "NumberOfNotificationsDelivered", "TopicName", "alerts") == 3, "email and SQS both count")
    # StartTime is rounded down to the whole minute (API_GetMetricStatistics, StartTime): a window that
    # opens at 12:32:34 holds what happened at 12:32:10.
    minute = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).replace(second=0, microsecond=0)
    cw.put_metric_data(Namespace="Drill", MetricData=[{"MetricName": "M", "Value": 1.0, "Unit": "Count",
                                                      "Timestamp": minute + datetime.timedelta(seconds=10)}])
    seen = cw.get_metric_statistics(Namespace="Drill", MetricName="M", StartTime=minute + datetime.timedelta(seconds=34),
                                    EndTime=minute + datetime.timedelta(minutes=2), Period=60, Statistics=["Sum"])
    check(sum(p["Sum"] for p in seen["Datapoints"]) == 1.0, f"the start is rounded down to its minute: {seen}")
    # A low-severity finding does not match; an unknown detector is refused.
    gd.create_sample_findings(DetectorId=detector, FindingTypes=["Recon:EC2/PortProbeUnprotectedPort"])
    check(total("AWS/Events", "MatchedEvents", "RuleName", "gd") == 4, "low severity not matched")
    error(lambda: gd.create_sample_findings(DetectorId="nope", FindingTypes=[high]), "BadRequestException", 400)


def main():
    with urllib.request.urlopen(URL + "/_groundwork/health") as resp:
        check(resp.status == 200 and resp.read() == b"ok", "health")
    import selfcheck_controltower as ct  # after this module is loaded: it imports the helpers above
    import selfcheck_paging as paging
    import selfcheck_delays as delays
    import selfcheck_config as config
    import selfcheck_baselines as bl
    import selfcheck_controls as controls
    import selfcheck_identity_center as identity_center
    import selfcheck_s3 as s3
    import selfcheck_iam_users as iam_users
    import selfcheck_root_access as root_access
    import selfcheck_cost as cost
    import selfcheck_access_analyzer as access_analyzer
    import selfcheck_ebs as ebs
    import selfcheck_throttle as throttling
    checks = [bl.check_baselines_api, bl.check_baseline_versions, bl.check_enrolment, controls.check_controls_api,
              ct.check_controltower, ct.check_opt_in_home_and_regions, ct.check_identity_center_region,
              ct.check_org_trail,
              check_root_mfa, check_securityhub, check_guardduty, check_members, check_sns, check_apply_calls,
              check_request_log, check_unsupported_and_reset, check_account_contacts, check_faults,
              check_hold,
              check_test_event_pattern, check_sample_finding_travels,
              paging.check_paging_json, paging.check_paging_rest_and_query,
              delays.check_account_creation_delay, delays.check_standards_delay,
              identity_center.check_permission_set_pushes, identity_center.check_assignment_failure,
              identity_center.check_account_email_already_exists,
              config.check_standards_need_config, config.check_security_hub_settings_per_region,
              config.check_config_service_linked_role_name,
              s3.check_list_buckets, s3.check_account_public_access_block, s3.check_bucket_public_status,
              iam_users.check_credential_report,
              root_access.check_organization_features, root_access.check_assume_root_rules,
              root_access.check_root_sessions_act_by_task,
              cost.check_budget_subscribers, cost.check_anomaly_detection, cost.check_cost_explorer_only_in_us_east_1,
              access_analyzer.check_access_analyzer, ebs.check_ebs_defaults,
              throttling.check_each_service_throttles_as_documented, throttling.check_limits_are_per_account_and_region]
    failed = 0
    for fn in checks:
        post("/moto-api/reset")
        try:
            fn()
            print(f"ok   {fn.__name__}")
        except Exception as e:  # report every check, then fail
            failed += 1
            print(f"FAIL {fn.__name__}: {type(e).__name__}: {e}")
    post("/moto-api/reset")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
