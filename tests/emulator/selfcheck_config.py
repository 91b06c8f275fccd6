"""Self-checks: Security Hub CSPM standards need AWS Config recording (standards.py).

AWS, API_StandardsStatusReason: StatusReasonCode NO_AVAILABLE_CONFIGURATION_RECORDER |
MAXIMUM_NUMBER_OF_CONFIG_RULES_EXCEEDED | INTERNAL_ERROR
(https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_StandardsStatusReason.html).
AWS, Security Hub user guide, "Enabling and configuring AWS Config for Security Hub CSPM": "To receive
control findings in Security Hub CSPM, you must enable AWS Config for your account. You must also turn
on resource recording for the types of resources that enabled controls evaluate."
(https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-setup-prereqs.html).
AWS Config, StartConfigurationRecorder: a recorder starts only with a delivery channel
(NoAvailableDeliveryChannelException).
"""
from botocore.exceptions import ClientError

from selfcheck import FSBP, MGMT, check, client, error, organization, post

NO_RECORDER = {"StatusReasonCode": "NO_AVAILABLE_CONFIGURATION_RECORDER"}


def record(region="us-east-1", creds=None, start=True):
    """A customer managed recorder of every supported type, a delivery channel, and (if `start`) recording."""
    cfg = client("config", region, creds)
    cfg.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": False}})
    cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "aws-controltower-logs-example"})
    if start:
        cfg.start_configuration_recorder(ConfigurationRecorderName="default")
    return cfg


def fsbp_of(sh, region):
    return next(s for s in sh.get_enabled_standards()["StandardsSubscriptions"] if s["StandardsArn"] == FSBP.format(r=region))


def check_standards_need_config():
    region = "us-east-1"
    sh = client("securityhub", region)
    sh.enable_security_hub(EnableDefaultStandards=False)
    sub = sh.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": FSBP.format(r=region)}])["StandardsSubscriptions"][0]
    check(sub["StandardsStatus"] == "INCOMPLETE" and sub["StandardsStatusReason"] == NO_RECORDER, sub)
    seen = fsbp_of(sh, region)
    check(seen["StandardsStatus"] == "INCOMPLETE" and seen["StandardsStatusReason"] == NO_RECORDER
          and seen["StandardsControlsUpdatable"] == "NOT_READY_FOR_UPDATES", seen)
    # A recorder that does not record yet is no help; and it cannot start without a delivery channel.
    cfg = client("config", region)
    cfg.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": "arn:aws:iam::123456789012:role/x",
                                                          "recordingGroup": {"allSupported": True}})
    error(cfg.start_configuration_recorder, "NoAvailableDeliveryChannelException", 400, ConfigurationRecorderName="default")
    check(fsbp_of(sh, region)["StandardsStatus"] == "INCOMPLETE", "a stopped recorder records nothing")
    cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "aws-controltower-logs-example"})
    cfg.start_configuration_recorder(ConfigurationRecorderName="default")
    seen = fsbp_of(sh, region)
    check(seen["StandardsStatus"] == "READY" and "StandardsStatusReason" not in seen
          and seen["StandardsControlsUpdatable"] == "READY_FOR_UPDATES", seen)
    # Per account and Region: another Region without a recorder stays INCOMPLETE.
    west = client("securityhub", "us-west-2")
    west.enable_security_hub()
    check(fsbp_of(west, "us-west-2")["StandardsStatus"] == "INCOMPLETE", "another Region has no recorder")
    cfg.stop_configuration_recorder(ConfigurationRecorderName="default")
    check(fsbp_of(sh, region)["StandardsStatus"] == "INCOMPLETE", "stopping the recorder")
    # A member's recorder, made through its role, counts for the member only.
    member, creds = organization()
    record(region, creds)
    mine = client("securityhub", region, creds)
    mine.enable_security_hub()
    check(fsbp_of(mine, region)["StandardsStatus"] == "READY", "the member records")
    check(fsbp_of(sh, region)["StandardsStatus"] == "INCOMPLETE", f"not the management account {MGMT}")
    # A status the hook set stays as set, recorder or not.
    post("/_groundwork/securityhub/standard-status", {"account": member, "region": region,
                                                      "standardsArn": FSBP.format(r=region), "status": "FAILED",
                                                      "reason": "INTERNAL_ERROR"})
    check(fsbp_of(mine, region)["StandardsStatus"] == "FAILED", "the hook's status")


def check_security_hub_settings_per_region():
    """AWS, Security Hub CSPM API Reference (Welcome): a settings change "is applied only to that Region.
    To make the same change in other Regions, call the same API operation in each Region"
    (https://docs.aws.amazon.com/securityhub/1.0/APIReference/Welcome.html)."""
    member, creds = organization()
    east, west = client("securityhub", "us-east-1"), client("securityhub", "eu-west-1")
    east.enable_organization_admin_account(AdminAccountId=member)
    check(east.list_organization_admin_accounts()["AdminAccounts"] == [{"AccountId": member, "Status": "ENABLED"}],
          "administrator in us-east-1")
    check(west.list_organization_admin_accounts()["AdminAccounts"] == [], "no administrator in eu-west-1")
    admin_east, admin_west = client("securityhub", "us-east-1", creds), client("securityhub", "eu-west-1", creds)
    admin_east.enable_security_hub(EnableDefaultStandards=False)
    admin_west.enable_security_hub(EnableDefaultStandards=False)
    admin_east.update_organization_configuration(AutoEnable=True, AutoEnableStandards="NONE")
    check(admin_east.describe_organization_configuration()["AutoEnable"] is True, "AutoEnable in us-east-1")
    # Not the administrator in eu-west-1: members cannot be added there.
    error(admin_west.create_members, "AccessDeniedException", 403, AccountDetails=[{"AccountId": MGMT}])
    west.enable_organization_admin_account(AdminAccountId=member)
    check(admin_west.describe_organization_configuration()["AutoEnable"] is False, "AutoEnable is per Region")
    # An account that joins gets a hub only where AutoEnable is on.
    org = client("organizations")
    late = org.create_account(Email="late@example.com", AccountName="Late")["CreateAccountStatus"]["AccountId"]
    listed = lambda c: {m["AccountId"] for m in c.list_members()["Members"]}
    check(late in listed(admin_east) and late not in listed(admin_west), "auto-enabled in us-east-1 only")


def check_config_service_linked_role_name():
    """AWS names Config's service-linked role AWSServiceRoleForConfig, and a second create is refused
    (https://docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles.html;
    IAM API reference, CreateServiceLinkedRole, EntityAlreadyExists)."""
    iam = client("iam", "us-east-1")
    made = iam.create_service_linked_role(AWSServiceName="config.amazonaws.com")["Role"]
    check(made["RoleName"] == "AWSServiceRoleForConfig", f"Config's service-linked role is named as AWS names it: {made['RoleName']}")
    check(made["Path"] == "/aws-service-role/config.amazonaws.com/", f"at AWS's path: {made['Path']}")
    check(iam.get_role(RoleName="AWSServiceRoleForConfig")["Role"]["Arn"] == made["Arn"], "GetRole finds it by that name")
    try:  # moto answers HTTP 400 where AWS documents 409; clients read the code
        iam.create_service_linked_role(AWSServiceName="config.amazonaws.com")
        raise AssertionError("a second CreateServiceLinkedRole for Config succeeded")
    except ClientError as e:
        check(e.response["Error"]["Code"] == "EntityAlreadyExists", f"a second create is refused: {e}")
