"""Self-check of Control Tower baselines (baselines.py), imported by selfcheck.py.

Each behaviour cites the AWS page it models:
  [types]    https://docs.aws.amazon.com/controltower/latest/userguide/types-of-baselines.html
  [compat]   https://docs.aws.amazon.com/controltower/latest/userguide/table-of-baselines.html
  [examples] https://docs.aws.amazon.com/controltower/latest/userguide/baseline-api-examples.html
  [api]      https://docs.aws.amazon.com/controltower/latest/APIReference/API_EnableBaseline.html
"""
import time

from selfcheck import MGMT, assume, check, client, error, every, organization, post

CT_ID, IC_ID = "17BSJV3IGJ2QSGA2", "LN25R72TTG6IGPTQ"  # [examples]


def ct_arn(region="us-east-1"):
    return f"arn:aws:controltower:{region}::baseline/{CT_ID}"


def landing_zone(log, audit, version="4.0", access=True, launch=False):
    manifest = {"governedRegions": ["us-east-1", "us-west-2"],
                "centralizedLogging": {"enabled": True, "accountId": log},
                "config": {"enabled": True, "accountId": audit},
                "securityRoles": {"enabled": True, "accountId": audit},
                "accessManagement": {"enabled": access}, "backup": {"enabled": False}}
    return post("/_groundwork/controltower/landing-zone",
                {"version": version, "manifest": manifest, "launch": launch})["arn"]


def setup():
    """An organization with Audit, Log Archive (in Security) and a Workloads OU holding one account."""
    audit, _ = organization()
    org = client("organizations")
    log = org.create_account(Email="log@example.com", AccountName="Log Archive")["CreateAccountStatus"]["AccountId"]
    work = org.create_account(Email="w@example.com", AccountName="Workload")["CreateAccountStatus"]["AccountId"]
    root = org.list_roots()["Roots"][0]["Id"]
    sec = org.create_organizational_unit(ParentId=root, Name="Security")["OrganizationalUnit"]
    wl = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]
    for acc in (audit, log):
        org.move_account(AccountId=acc, SourceParentId=root, DestinationParentId=sec["Id"])
    org.move_account(AccountId=work, SourceParentId=root, DestinationParentId=wl["Id"])
    return audit, log, work, org, root, sec, wl


def wait(ct, op_id):
    """Reads the operation until it has ended (delay 0 in the self-check: at the first read)."""
    for _ in range(50):
        op = ct.get_baseline_operation(operationIdentifier=op_id)["baselineOperation"]
        if op["status"] != "IN_PROGRESS":
            return op
    raise AssertionError(f"operation {op_id} never ended")


def check_baselines_api():
    ct = client("controltower")
    # [types][examples] the catalog, per Region, ARNs of the documented form; paged like every list
    listed = every(ct, "list_baselines", "baselines")
    names = {b["name"]: b["arn"] for b in listed}
    check(names["AWSControlTowerBaseline"] == ct_arn() and names["IdentityCenterBaseline"].endswith(IC_ID), names)
    check(len(ct.list_baselines()["baselines"]) < len(listed), "ListBaselines pages")
    west = {b["name"]: b["arn"] for b in every(client("controltower", "us-west-2"), "list_baselines", "baselines")}
    check(west["AWSControlTowerBaseline"] == ct_arn("us-west-2"), west)
    check(ct.get_baseline(baselineIdentifier=ct_arn())["name"] == "AWSControlTowerBaseline", "GetBaseline")
    error(ct.get_baseline, "ResourceNotFoundException", 404, baselineIdentifier=ct_arn().replace(CT_ID, "NOPE0000NOPE0000"))

    audit, log, work, org, root, sec, wl = setup()
    org_id = org.describe_organization()["Organization"]["Id"]
    ou_arn = wl["Arn"]
    check(ou_arn == f"arn:aws:organizations::{MGMT}:ou/{org_id}/{wl['Id']}", ou_arn)
    enable = dict(baselineIdentifier=ct_arn(), baselineVersion="5.0", targetIdentifier=ou_arn)
    # no landing zone: refused
    error(ct.enable_baseline, "ValidationException", 400, **enable)
    lz = landing_zone(log, audit)
    # [examples] the landing zone's IdentityCenterBaseline is listed; its ARN is the parameter's value
    ic = ct.list_enabled_baselines(filter={"baselineIdentifiers": [names["IdentityCenterBaseline"]]})["enabledBaselines"]
    check(len(ic) == 1 and ic[0]["statusSummary"]["status"] == "SUCCEEDED" and ic[0]["targetIdentifier"] == lz, ic)
    ic_param = [{"key": "IdentityCenterEnabledBaselineArn", "value": ic[0]["arn"]}]
    # [api] only OUs are targets: an account ARN and the root are refused
    acc_arn = f"arn:aws:organizations::{MGMT}:account/{org_id}/{work}"
    error(ct.enable_baseline, "ValidationException", 400, **{**enable, "targetIdentifier": acc_arn}, parameters=ic_param)
    error(ct.enable_baseline, "ValidationException", 400, parameters=ic_param,
          **{**enable, "targetIdentifier": f"arn:aws:organizations::{MGMT}:root/{org_id}/{root}"})
    # [compat] the version must fit landing zone 4.0 (5.0); 4.0 fits only 3.2/3.3
    e = error(ct.enable_baseline, "ValidationException", 400, **{**enable, "baselineVersion": "4.0"}, parameters=ic_param)
    check("5.0" in e.response["Error"]["Message"], e.response["Error"]["Message"])
    # [examples] Identity Center access on: the IdentityCenterEnabledBaselineArn parameter is required
    error(ct.enable_baseline, "ValidationException", 400, **enable)
    # [types] only OU-level baselines can be enabled with EnableBaseline
    error(ct.enable_baseline, "ValidationException", 400, parameters=ic_param,
          **{**enable, "baselineIdentifier": names["IdentityCenterBaseline"], "baselineVersion": "1.0"})
    # a nested OU under an unregistered parent is refused
    nested = org.create_organizational_unit(ParentId=wl["Id"], Name="Team")["OrganizationalUnit"]
    error(ct.enable_baseline, "ValidationException", 400, parameters=ic_param,
          **{**enable, "targetIdentifier": nested["Arn"]})
    # [api] asynchronous: IN_PROGRESS while the delay runs; a second operation on the target conflicts
    post("/_groundwork/delays", {"baseline": -1})
    out = ct.enable_baseline(**enable, parameters=ic_param)
    check(out["arn"].startswith(f"arn:aws:controltower:us-east-1:{MGMT}:enabledbaseline/"), out)
    op = ct.get_baseline_operation(operationIdentifier=out["operationIdentifier"])["baselineOperation"]
    check(op["status"] == "IN_PROGRESS" and op["operationType"] == "ENABLE_BASELINE" and "endTime" not in op, op)
    got = ct.get_enabled_baseline(enabledBaselineIdentifier=out["arn"])["enabledBaselineDetails"]
    check(got["statusSummary"]["status"] == "UNDER_CHANGE" and got["baselineVersion"] == "5.0"
          and got["parameters"] == ic_param and got["targetIdentifier"] == ou_arn, got)
    error(ct.enable_baseline, "ConflictException", 409, **enable, parameters=ic_param)
    post("/_groundwork/controltower/baseline-operations/complete", {"operationIdentifier": out["operationIdentifier"]})
    post("/_groundwork/delays", {"baseline": 0})
    op = wait(ct, out["operationIdentifier"])
    check(op["status"] == "SUCCEEDED" and op["endTime"] >= op["startTime"], op)
    # an OU already baselined is refused
    error(ct.enable_baseline, "ValidationException", 400, **enable, parameters=ic_param)
    # ListEnabledBaselines: filters on targets and baselines, statusSummary and version
    mine = every(ct, "list_enabled_baselines", "enabledBaselines", filter={"targetIdentifiers": [ou_arn]})
    check([(b["arn"], b["baselineVersion"], b["statusSummary"]["status"]) for b in mine]
          == [(out["arn"], "5.0", "SUCCEEDED")], mine)
    every_one = every(ct, "list_enabled_baselines", "enabledBaselines", includeChildren=True)
    check({b["arn"] for b in every_one} == {out["arn"], ic[0]["arn"]}, every_one)
    check(ct.list_enabled_baselines(filter={"baselineIdentifiers": [ct_arn()]})["enabledBaselines"][0]["arn"]
          == out["arn"], "filter on baseline")
    check(client("controltower", "us-west-2").list_enabled_baselines()["enabledBaselines"] == [], "regional")
    error(ct.get_enabled_baseline, "ResourceNotFoundException", 404,
          enabledBaselineIdentifier=out["arn"][:-4] + "NOPE")
    # now the nested OU's parent is registered; a FAILED operation leaves the enabled baseline FAILED
    post("/_groundwork/delays", {"baseline": -1})
    team = ct.enable_baseline(**{**enable, "targetIdentifier": nested["Arn"]}, parameters=ic_param)
    post("/_groundwork/controltower/baseline-operations/complete",
         {"operationIdentifier": team["operationIdentifier"], "status": "FAILED", "statusMessage": "boom"})
    op = wait(ct, team["operationIdentifier"])
    check(op["status"] == "FAILED" and op["statusMessage"] == "boom", op)
    check(ct.get_enabled_baseline(enabledBaselineIdentifier=team["arn"])["enabledBaselineDetails"]["statusSummary"]
          ["status"] == "FAILED", "failed baseline")
    error(ct.get_baseline_operation, "ResourceNotFoundException", 404,
          operationIdentifier="00000000-0000-4000-8000-000000000000")


def check_baseline_versions():
    """[compat] landing zone 3.3 takes AWSControlTowerBaseline 4.0, and no parameter without Identity Center."""
    ct = client("controltower")
    audit, log, work, org, root, sec, wl = setup()
    landing_zone(log, audit, version="3.3", access=False)
    error(ct.enable_baseline, "ValidationException", 400, baselineIdentifier=ct_arn(), baselineVersion="5.0",
          targetIdentifier=wl["Arn"])
    out = ct.enable_baseline(baselineIdentifier=ct_arn(), baselineVersion="4.0", targetIdentifier=wl["Arn"])
    check(wait(ct, out["operationIdentifier"])["status"] == "SUCCEEDED", "4.0 on landing zone 3.3")


def recorders(account, region="us-east-1"):
    return client("config", region, assume(account, "OrganizationAccountAccessRole")).describe_configuration_recorders()[
        "ConfigurationRecorders"]


def check_enrolment():
    """[types] AWSControlTowerBaseline sets up its resources in the OU's member accounts once it
    SUCCEEDS (Config recorder in every governed Region, AWSControlTowerExecution); an account moved in
    later is enrolled automatically; an account's own Config recorder makes enrolment fail."""
    ct = client("controltower")
    audit, log, work, org, root, sec, wl = setup()
    lz = landing_zone(log, audit, access=False, launch=True)
    check(recorders(work) == [], "nothing before the baseline")
    post("/_groundwork/delays", {"baseline": -1})
    out = ct.enable_baseline(baselineIdentifier=ct_arn(), baselineVersion="5.0", targetIdentifier=wl["Arn"])
    check(recorders(work) == [], "nothing while the operation runs")
    error(client("sts").assume_role, "AccessDenied", 403,
          RoleArn=f"arn:aws:iam::{work}:role/AWSControlTowerExecution", RoleSessionName="selfcheck")
    post("/_groundwork/controltower/baseline-operations/complete", {"operationIdentifier": out["operationIdentifier"]})
    for region in ("us-east-1", "us-west-2"):
        rec = recorders(work, region)
        check([r["name"] for r in rec] == ["aws-controltower-BaselineConfigRecorder"] and rec[0]["recordingGroup"]
              ["allSupported"], rec)
        creds = assume(work)  # AWSControlTowerExecution now exists, trusting the management account
        cfg = client("config", region, creds)
        check(cfg.describe_configuration_recorder_status()["ConfigurationRecordersStatus"][0]["recording"], region)
        check(cfg.describe_delivery_channels()["DeliveryChannels"][0]["s3BucketName"]
              == f"aws-controltower-config-logs-{audit}-us-east-1", region)
    check(recorders(work, "eu-west-1") == [], "only governed Regions")
    policies = client("iam", creds=assume(work)).list_attached_role_policies(RoleName="AWSControlTowerExecution")
    check([p["PolicyName"] for p in policies["AttachedPolicies"]] == ["AdministratorAccess"], policies)
    check(lz and client("config").describe_configuration_recorders()["ConfigurationRecorders"] == [], "mgmt never")
    # automatic enrolment: an account moved into the registered OU, after the baseline delay
    post("/_groundwork/delays", {"baseline": 3})
    late = org.create_account(Email="late@example.com", AccountName="Late")["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=late, SourceParentId=root, DestinationParentId=wl["Id"])
    check(recorders(late) == [], "not yet: enrolment takes the baseline delay")
    deadline = time.monotonic() + 30
    while not recorders(late):
        check(time.monotonic() < deadline, "enrolled once the delay has passed")
        time.sleep(0.2)
    post("/_groundwork/delays", {"baseline": 0})
    # an account with its own recorder fails the enrolment of its OU
    own = org.create_account(Email="own@example.com", AccountName="Own")["CreateAccountStatus"]["AccountId"]
    mine = client("config", creds=assume(own, "OrganizationAccountAccessRole"))
    mine.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": f"arn:aws:iam::{own}:role/x"})
    other = org.create_organizational_unit(ParentId=root, Name="Other")["OrganizationalUnit"]
    org.move_account(AccountId=own, SourceParentId=root, DestinationParentId=other["Id"])
    failed = ct.enable_baseline(baselineIdentifier=ct_arn(), baselineVersion="5.0", targetIdentifier=other["Arn"])
    op = wait(ct, failed["operationIdentifier"])
    check(op["status"] == "FAILED" and own in op["statusMessage"] and "default" in op["statusMessage"], op)
    check([r["name"] for r in recorders(own)] == ["default"], "the account's own recorder is kept")
