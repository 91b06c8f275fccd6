"""Self-check of Control Tower (landing zone 4.0), Account Regions and organization trails, imported by selfcheck.py."""
import json
import time

from selfcheck import CT_DELAY, MGMT, assume, check, client, error, every, organization, post

VERSION_REFUSED = "Your AWS Control Tower landing zone version must be latest available version."
CLOUDTRAIL_POLICY = "arn:aws:iam::aws:policy/service-role/AWSControlTowerCloudTrailRolePolicy"
TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}'


def manifest_4(log, audit, regions=("us-east-1", "us-west-2")):
    days = {"loggingBucket": {"retentionDays": 365}, "accessLoggingBucket": {"retentionDays": 3650}}
    return {"governedRegions": list(regions),
            "centralizedLogging": {"enabled": True, "accountId": log, "configurations": days},
            "config": {"enabled": True, "accountId": audit, "configurations": days},
            "securityRoles": {"enabled": True, "accountId": audit},
            "accessManagement": {"enabled": True}, "backup": {"enabled": False}}


def manifest_33(log, audit):
    return {"governedRegions": ["us-east-1"],
            "organizationStructure": {"security": {"name": "Security"}, "sandbox": {"name": "Sandbox"}},
            "centralizedLogging": {"accountId": log, "enabled": True}, "securityRoles": {"accountId": audit},
            "accessManagement": {"enabled": True}}


def service_roles():
    """The two other roles CreateLandingZone needs (the CloudTrail one is made by the caller)."""
    iam = client("iam")
    for name, service in (("AWSControlTowerAdmin", "controltower"), ("AWSControlTowerStackSetRole", "cloudformation")):
        iam.create_role(RoleName=name, Path="/service-role/", AssumeRolePolicyDocument=TRUST.replace("cloudtrail", service))


def refused(ct, fragment, **kwargs):
    e = error(ct.create_landing_zone, "ValidationException", 400, **kwargs)
    check(fragment in e.response["Error"]["Message"], f"{fragment!r} not in {e.response['Error']['Message']!r}")


def prerequisites():
    """An org with Log Archive and Audit, both in a Security OU under the root, and the CloudTrail role."""
    audit, creds = organization()
    org = client("organizations")
    log = org.create_account(Email="log@example.com", AccountName="Log Archive")["CreateAccountStatus"]["AccountId"]
    root = org.list_roots()["Roots"][0]["Id"]
    return log, audit, creds, org, root


def check_controltower():
    ct, ct_west = client("controltower"), client("controltower", "us-west-2")
    check(ct.list_landing_zones()["landingZones"] == [], "no landing zone at first")
    error(ct.get_landing_zone, "ResourceNotFoundException", 404,
          landingZoneIdentifier=f"arn:aws:controltower:us-east-1:{MGMT}:landingzone/NOPE0000NOPE0000")
    error(ct.get_landing_zone_operation, "ResourceNotFoundException", 404,
          operationIdentifier="00000000-0000-4000-8000-000000000000")
    log, audit, creds, org, root = prerequisites()
    good = manifest_4(log, audit)
    # Only the latest version: 3.3 (today's docs example) is refused with AWS's own words.
    refused(ct, VERSION_REFUSED, version="3.3", manifest=manifest_33(log, audit))
    refused(ct, VERSION_REFUSED, version="3.3", manifest=good)
    # The 3.3 manifest is refused at 4.0 too; so is each break of the 4.0 schema.
    refused(ct, "organizationStructure", version="4.0", manifest=manifest_33(log, audit))
    for key, change, words in (
            ("config", lambda m: m["config"].pop("enabled"), "config.enabled is required"),
            ("securityRoles", lambda m: m["securityRoles"].pop("accountId"), "securityRoles.accountId is required"),
            ("config", lambda m: m["config"].update(enabled=False), "securityRoles can be enabled only when config"),
            ("backup", lambda m: m["backup"].update(enabled=True), "backup.configurations.backupAdmin"),
            ("extra", lambda m: m["centralizedLogging"].update(bucket="x"), "unknown property 'bucket'"),
            ("regions", lambda m: m.update(governedRegions=["mars-north-9"]), "mars-north-9"),
            ("no-region", lambda m: m.update(governedRegions=["us-east-1", "xx-north-9"]), "xx-north-9 is not an AWS Region"),
            ("opt-in", lambda m: m.update(governedRegions=["us-east-1", "af-south-1"]), "af-south-1 is not enabled")):
        bad = manifest_4(log, audit)
        change(bad)
        refused(ct, words, version="4.0", manifest=bad)
    # 4.0 prerequisites: accounts under the root are refused, then a Security OU holding both is fine
    refused(ct, "same organizational unit", version="4.0", manifest=good)
    ou = org.create_organizational_unit(ParentId=root, Name="Security")["OrganizationalUnit"]["Id"]
    org.move_account(AccountId=log, SourceParentId=root, DestinationParentId=ou)
    refused(ct, "same organizational unit", version="4.0", manifest=good)
    nested = org.create_organizational_unit(ParentId=ou, Name="Nested")["OrganizationalUnit"]["Id"]
    org.move_account(AccountId=audit, SourceParentId=root, DestinationParentId=nested)
    refused(ct, "same organizational unit", version="4.0", manifest=good)
    org.move_account(AccountId=audit, SourceParentId=nested, DestinationParentId=ou)
    refused(ct, "AWSControlTowerCloudTrailRole does not exist", version="4.0", manifest=good)
    iam = client("iam")
    iam.create_role(RoleName="AWSControlTowerCloudTrailRole", Path="/service-role/", AssumeRolePolicyDocument=TRUST)
    refused(ct, "AWSControlTowerCloudTrailRole does not exist or have sufficient", version="4.0", manifest=good)
    iam.attach_role_policy(RoleName="AWSControlTowerCloudTrailRole", PolicyArn=CLOUDTRAIL_POLICY)
    refused(ct, "AWSControlTowerAdmin does not exist", version="4.0", manifest=good)
    service_roles()
    check(ct.list_landing_zones()["landingZones"] == [], "nothing was created by a refusal")

    created = ct.create_landing_zone(version="4.0", manifest=good)
    arn, op_id = created["arn"], created["operationIdentifier"]
    check(arn.startswith(f"arn:aws:controltower:us-east-1:{MGMT}:landingzone/"), arn)
    lz = ct.get_landing_zone(landingZoneIdentifier=arn)["landingZone"]
    check(lz["manifest"] == good and lz["version"] == "4.0" and lz["latestAvailableVersion"] == "4.0", lz)
    if CT_DELAY < 0 or CT_DELAY >= 1:  # not yet auto-completed
        check(lz["status"] == "PROCESSING", lz)
        check(ct.get_landing_zone_operation(operationIdentifier=op_id)["operationDetails"]["status"] == "IN_PROGRESS", "op in progress")
    e = error(ct.create_landing_zone, "ConflictException", 409, version="4.0", manifest=good)
    check(e.response["Error"]["Message"], "conflict has a message")
    error(ct_west.create_landing_zone, "ConflictException", 409, version="4.0", manifest=good)
    check(ct_west.list_landing_zones()["landingZones"] == [{"arn": arn}], "listed from another region")
    error(ct_west.get_landing_zone, "ResourceNotFoundException", 404, landingZoneIdentifier=arn)
    if CT_DELAY >= 0:  # auto-completion after the delay
        deadline = time.time() + CT_DELAY + 5
        while ct.get_landing_zone_operation(operationIdentifier=op_id)["operationDetails"]["status"] == "IN_PROGRESS":
            check(time.time() < deadline, "operation completes after the delay")
            time.sleep(0.2)
    else:
        post("/_groundwork/controltower/operations/complete", {"operationIdentifier": op_id, "status": "SUCCEEDED"})
    op = ct.get_landing_zone_operation(operationIdentifier=op_id)["operationDetails"]
    check(op["status"] == "SUCCEEDED" and op["operationType"] == "CREATE" and op["endTime"] >= op["startTime"], op)
    lz = ct.get_landing_zone(landingZoneIdentifier=arn)["landingZone"]
    check(lz["status"] == "ACTIVE" and lz["driftStatus"] == {"status": "IN_SYNC"}, lz)
    check_launch_left(org, log, audit)
    # update: older version refused, invalid manifest refused; then conflict while running, FAILED via hook
    error(ct.update_landing_zone, "ValidationException", 400, landingZoneIdentifier=arn, version="3.3", manifest=good)
    error(ct.update_landing_zone, "ValidationException", 400, landingZoneIdentifier=arn, version="4.0",
          manifest=manifest_33(log, audit))
    smaller = manifest_4(log, audit, ("us-east-1",))
    upd = ct.update_landing_zone(landingZoneIdentifier=arn, version="4.0", manifest=smaller)["operationIdentifier"]
    if CT_DELAY < 0 or CT_DELAY >= 1:  # still running: a second operation conflicts
        error(ct.reset_landing_zone, "ConflictException", 409, landingZoneIdentifier=arn)
    post("/_groundwork/controltower/operations/complete", {"operationIdentifier": upd, "status": "FAILED", "statusMessage": "boom"})
    op = ct.get_landing_zone_operation(operationIdentifier=upd)["operationDetails"]
    check(op["status"] == "FAILED" and op["statusMessage"] == "boom" and op["operationType"] == "UPDATE", op)
    lz = ct.get_landing_zone(landingZoneIdentifier=arn)["landingZone"]
    check(lz["status"] == "FAILED" and lz["manifest"] == smaller, lz)
    rst = ct.reset_landing_zone(landingZoneIdentifier=arn)["operationIdentifier"]
    post("/_groundwork/controltower/operations/complete", {"operationIdentifier": rst, "status": "SUCCEEDED"})
    check(ct.get_landing_zone(landingZoneIdentifier=arn)["landingZone"]["status"] == "ACTIVE", "active after reset")
    ops = every(ct, "list_landing_zone_operations", "landingZoneOperations")
    check({o["operationIdentifier"] for o in ops} == {op_id, upd, rst}, ops)
    failed = ct.list_landing_zone_operations(filter={"statuses": ["FAILED"]})["landingZoneOperations"]
    check([o["operationIdentifier"] for o in failed] == [upd], failed)
    check(ct_west.list_landing_zone_operations()["landingZoneOperations"] == [], "operations are regional")
    check(ct.list_enabled_controls(targetIdentifier="arn:aws:organizations::123456789012:ou/o-x/ou-x")["enabledControls"] == [], "no controls")
    # hook: a drifted 3.2 landing zone in a member account, isolated from the management account
    ct_member = client("controltower", "eu-west-1", creds)
    check(ct_member.list_landing_zones()["landingZones"] == [], "member has none")
    hooked = post("/_groundwork/controltower/landing-zone", {"account": audit, "region": "eu-west-1", "status": "ACTIVE",
                                                           "drift": "DRIFTED", "version": "3.2",
                                                           "manifest": {"governedRegions": ["eu-west-1"]}})["arn"]
    lz = ct_member.get_landing_zone(landingZoneIdentifier=hooked)["landingZone"]
    check(lz["driftStatus"]["status"] == "DRIFTED" and lz["version"] == "3.2" and lz["latestAvailableVersion"] == "4.0", lz)
    check(ct.list_landing_zones()["landingZones"] == [{"arn": arn}], "management account unchanged")


def check_launch_left(org, log, audit):
    """What the 4.0 launch leaves (enrolment.py; key-changes-lz-v4.html, lz-api-launch.html): trusted
    access for Config, CloudTrail and Identity Center; AWSControlTowerExecution in the integration
    accounts; Config recording in them in every governed Region, delivering to the Config bucket in the
    Config account, which is Config's delegated administrator. The management account records nothing."""
    trusted = {s["ServicePrincipal"] for s in every(org, "list_aws_service_access_for_organization",
                                                     "EnabledServicePrincipals")}
    check({"config.amazonaws.com", "cloudtrail.amazonaws.com", "sso.amazonaws.com"} <= trusted, trusted)
    admins = org.list_delegated_administrators(ServicePrincipal="config.amazonaws.com")["DelegatedAdministrators"]
    check([a["Id"] for a in admins] == [audit], admins)
    bucket = f"aws-controltower-config-logs-{audit}-us-east-1"
    for account in (log, audit):
        creds = assume(account)  # AWSControlTowerExecution exists now: AssumeRole works
        trust = client("iam", creds=creds).get_role(RoleName="AWSControlTowerExecution")["Role"]
        check(MGMT in json.dumps(trust["AssumeRolePolicyDocument"]), trust)
        for region in ("us-east-1", "us-west-2"):
            cfg = client("config", region, creds)
            rec = cfg.describe_configuration_recorders()["ConfigurationRecorders"]
            check(len(rec) == 1 and rec[0]["recordingGroup"]["allSupported"], rec)
            status = cfg.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
            check(status[0]["recording"] is True, status)
            channel = cfg.describe_delivery_channels()["DeliveryChannels"]
            check([c["s3BucketName"] for c in channel] == [bucket], channel)
    check(bucket in {b["Name"] for b in client("s3", creds=assume(audit)).list_buckets()["Buckets"]}, "Config bucket")
    check(client("config").describe_configuration_recorders()["ConfigurationRecorders"] == [],
          "the management account is never enrolled")


def check_opt_in_home_and_regions():
    account = client("account")
    pages, token = [], None
    while True:
        out = account.list_regions(MaxResults=10, **({"NextToken": token} if token else {}))
        pages.append(out["Regions"])
        token = out.get("NextToken")
        if not token:
            break
    check(len(pages) > 1 and all(len(p) <= 10 for p in pages), "ListRegions pages")
    rows = {r["RegionName"]: r["RegionOptStatus"] for p in pages for r in p}
    check(rows["us-east-1"] == "ENABLED_BY_DEFAULT" and rows["af-south-1"] == "DISABLED", rows)
    error(account.get_region_opt_status, "ValidationException", 400, RegionName="mars-north-9")
    post("/_groundwork/account/region-opt", {"account": MGMT, "region": "af-south-1", "status": "ENABLED"})
    check(account.get_region_opt_status(RegionName="af-south-1")["RegionOptStatus"] == "ENABLED", "enabled by hook")
    enabled = account.list_regions(RegionOptStatusContains=["ENABLED"])["Regions"]
    check(enabled == [{"RegionName": "af-south-1", "RegionOptStatus": "ENABLED"}], enabled)
    # A landing zone at home in an opt-in Region is listed only from that Region.
    arn = post("/_groundwork/controltower/landing-zone", {"account": MGMT, "region": "af-south-1"})["arn"]
    check(client("controltower", "af-south-1").list_landing_zones()["landingZones"] == [{"arn": arn}], "home lists it")
    check(client("controltower").list_landing_zones()["landingZones"] == [], "elsewhere it is not listed")


def check_identity_center_region():
    check(client("sso-admin", "eu-west-1").list_instances()["Instances"] != [], "moto: an instance everywhere")
    post("/_groundwork/identitycenter/instance-region", {"account": MGMT, "region": "eu-west-1"})
    check(client("sso-admin", "us-east-1").list_instances()["Instances"] == [], "none outside its Region")
    check(len(client("sso-admin", "eu-west-1").list_instances()["Instances"]) == 1, "one in its Region")


def check_org_trail():
    """Organization trails need the management account, all features and trusted access for
    CloudTrail (org_trail.py); a trail that meets them is moto's, logging once started."""
    ct = client("cloudtrail")
    client("s3").create_bucket(Bucket="org-trail-logs")
    error(ct.create_trail, "OrganizationsNotInUseException", 400, Name="org", S3BucketName="org-trail-logs",
          IsOrganizationTrail=True)
    member, creds = organization()
    error(ct.create_trail, "CloudTrailAccessNotEnabledException", 400, Name="org", S3BucketName="org-trail-logs",
          IsOrganizationTrail=True)
    mct = client("cloudtrail", creds=creds)
    client("s3", creds=creds).create_bucket(Bucket="member-trail-logs")
    error(mct.create_trail, "NotOrganizationMasterAccountException", 400, Name="org",
          S3BucketName="member-trail-logs", IsOrganizationTrail=True)
    mct.create_trail(Name="own", S3BucketName="member-trail-logs")  # an account trail needs none of it
    client("organizations").enable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
    ct.create_trail(Name="org", S3BucketName="org-trail-logs", IsOrganizationTrail=True, IsMultiRegionTrail=True)
    ct.start_logging(Name="org")
    trails = client("cloudtrail", region="eu-west-1").describe_trails(includeShadowTrails=True)["trailList"]
    org = [t for t in trails if t["Name"] == "org"]
    check(len(org) == 1 and org[0]["IsOrganizationTrail"] and org[0]["HomeRegion"] == "us-east-1", f"{trails}")
    status = client("cloudtrail", region="eu-west-1").get_trail_status(Name=org[0]["TrailARN"])
    check(status["IsLogging"] is True, f"{status}")
