"""Self-check of Control Tower controls and the Control Catalog (controls.py), imported by selfcheck.py.

Each behaviour cites the AWS page it models:
  [list]     https://docs.aws.amazon.com/controlcatalog/latest/APIReference/API_ListControls.html
  [summary]  https://docs.aws.amazon.com/controlcatalog/latest/APIReference/API_ControlSummary.html
  [ids]      https://docs.aws.amazon.com/controltower/latest/controlreference/control-identifiers.html
  [strong]   https://docs.aws.amazon.com/controltower/latest/userguide/strongly-recommended-controls.html
  [enable]   https://docs.aws.amazon.com/controltower/latest/APIReference/API_EnableControl.html
  [op]       https://docs.aws.amazon.com/controltower/latest/APIReference/API_GetControlOperation.html
  [enabled]  https://docs.aws.amazon.com/controltower/latest/APIReference/API_ListEnabledControls.html
  [v4]       https://docs.aws.amazon.com/controltower/latest/userguide/key-changes-lz-v4.html
"""
from selfcheck import MGMT, assume, check, client, error, every, post
from selfcheck_baselines import ct_arn, landing_zone, setup, wait


def check_controls_api():
    cat = client("controlcatalog")
    # [list][summary] paged; global ARNs; the legacy names are aliases
    listed = every(cat, "list_controls", "Controls")
    check(len(cat.list_controls()["Controls"]) < len(listed), "ListControls pages")
    by_alias = {a: c for c in listed for a in c.get("Aliases", [])}
    root = by_alias["AWS-GR_RESTRICT_ROOT_USER"]
    check(root["Arn"].startswith("arn:aws:controlcatalog:::control/") and root["Behavior"] == "PREVENTIVE", root)
    check(by_alias["AWS-GR_S3_BUCKET_PUBLIC_READ_PROHIBITED"]["Behavior"] == "DETECTIVE", "detective")
    ct = client("controltower")
    audit, log, work, org, root_id, sec, wl = setup()
    enable = dict(controlIdentifier=root["Arn"], targetIdentifier=wl["Arn"])
    # [enable] only from the management account
    error(client("controltower", creds=assume(audit, "OrganizationAccountAccessRole")).enable_control,
          "AccessDeniedException", 403, **enable)
    landing_zone(log, audit, access=False)
    # [v4] the OU must be registered first
    error(ct.enable_control, "ValidationException", 400, **enable)
    reg = ct.enable_baseline(baselineIdentifier=ct_arn(), baselineVersion="5.0", targetIdentifier=wl["Arn"])
    check(wait(ct, reg["operationIdentifier"])["status"] == "SUCCEEDED", "registered")
    # [enable] an unknown control is ResourceNotFoundException
    error(ct.enable_control, "ResourceNotFoundException", 404,
          controlIdentifier="arn:aws:controlcatalog:::control/nope", targetIdentifier=wl["Arn"])
    # [enable][op] asynchronous: IN_PROGRESS until the delay, UNDER_CHANGE meanwhile; a second call conflicts
    post("/_groundwork/delays", {"control": -1})
    out = ct.enable_control(**enable)
    op = ct.get_control_operation(operationIdentifier=out["operationIdentifier"])["controlOperation"]
    check(op["status"] == "IN_PROGRESS" and op["operationType"] == "ENABLE_CONTROL", op)
    mine = every(ct, "list_enabled_controls", "enabledControls", targetIdentifier=wl["Arn"])
    check([(c["controlIdentifier"], c["statusSummary"]["status"]) for c in mine] == [(root["Arn"], "UNDER_CHANGE")], mine)
    error(ct.enable_control, "ConflictException", 409, **enable)
    post("/_groundwork/controltower/control-operations/complete", {"operationIdentifier": out["operationIdentifier"]})
    post("/_groundwork/delays", {"control": 0})
    op = ct.get_control_operation(operationIdentifier=out["operationIdentifier"])["controlOperation"]
    check(op["status"] == "SUCCEEDED" and "endTime" in op, op)
    # already enabled: refused, not enabled twice
    error(ct.enable_control, "ConflictException", 409, **enable)
    # [ids] the legacy Regional identifier of another control works too
    legacy = ct.enable_control(controlIdentifier="arn:aws:controltower:us-east-1::control/AWS-GR_RESTRICTED_SSH",
                               targetIdentifier=wl["Arn"])
    check(ct.get_control_operation(operationIdentifier=legacy["operationIdentifier"])["controlOperation"]["status"]
          == "SUCCEEDED", "delay 0")
    # [enabled] paged, per target
    listed = every(ct, "list_enabled_controls", "enabledControls", targetIdentifier=wl["Arn"])
    check(len(listed) == 2 and all(c["statusSummary"]["status"] == "SUCCEEDED" for c in listed), listed)
    check(ct.list_enabled_controls(targetIdentifier=sec["Arn"])["enabledControls"] == [], "per target")
    # the hook takes a control out of the catalog
    post("/_groundwork/controlcatalog/remove", {"alias": "AWS-GR_RESTRICTED_SSH"})
    check("AWS-GR_RESTRICTED_SSH" not in {a for c in every(cat, "list_controls", "Controls") for a in c["Aliases"]},
          "removed")
    check(MGMT, "management account")
