"""Account Management Regions (ListRegions, GetRegionOptStatus), which moto lacks.

Every Region of the `aws` partition (from botocore's endpoint data, as AWS lists them all) is
either enabled by default (launched before March 2019) or opt-in, DISABLED until the account
enables it. The opt-in state is kept per account; a test hook sets it (AWS's EnableRegion takes
minutes to hours, and groundwork never enables a Region itself). Lists page, as AWS does.
"""
import botocore.loaders

from wire import ApiError

# Regions every account has (AWS: "Regions introduced before March 20, 2019").
DEFAULT_ENABLED = {
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-south-1", "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-west-1",
    "eu-west-2", "eu-west-3", "eu-north-1", "sa-east-1",
}
STATUSES = ("ENABLED", "ENABLING", "DISABLING", "DISABLED", "ENABLED_BY_DEFAULT")
OPT_IN = {}  # (account, region) -> status, for opt-in Regions whose status a hook changed
_ALL = []


def all_regions():
    if not _ALL:
        endpoints = botocore.loaders.create_loader().load_data("endpoints")
        aws = next(p for p in endpoints["partitions"] if p["partition"] == "aws")
        _ALL.extend(sorted(aws["regions"]))
    return _ALL


def status(account, region):
    """The Region's opt status for the account, or None when it is not a Region at all."""
    if region not in all_regions():
        return None
    if region in DEFAULT_ENABLED:
        return "ENABLED_BY_DEFAULT"
    return OPT_IN.get((account, region), "DISABLED")


def is_opt_in(region):
    return region in all_regions() and region not in DEFAULT_ENABLED


def usable(account, region):
    return status(account, region) in ("ENABLED", "ENABLED_BY_DEFAULT")


def validation(message):
    return ApiError(400, "ValidationException", {"message": message})


def _own_account(account, body):
    # groundwork asks about its own account; AWS refuses a management account naming itself.
    target = body.get("AccountId")
    if target is not None and target == account:
        raise validation("The member account ID can't be the same as the management account ID.")
    if target is not None:
        raise ApiError(403, "AccessDeniedException", {"message": "The emulator models only the caller's own Regions."})


def list_regions(account, region, body):
    _own_account(account, body)
    wanted = body.get("RegionOptStatusContains") or list(STATUSES)
    if any(s not in STATUSES for s in wanted):
        raise validation("RegionOptStatusContains has a value that is not a Region opt status.")
    size = body.get("MaxResults") or 20
    if not isinstance(size, int) or not 1 <= size <= 50:
        raise validation("MaxResults must be between 1 and 50.")
    rows = [{"RegionName": r, "RegionOptStatus": status(account, r)} for r in all_regions()
            if status(account, r) in wanted]
    start = int(body.get("NextToken") or 0)
    page = rows[start:start + size]
    out = {"Regions": page}
    if start + size < len(rows):
        out["NextToken"] = str(start + size)
    return out


def get_region_opt_status(account, region, body):
    _own_account(account, body)
    name = body.get("RegionName")
    if status(account, name) is None:
        raise validation(f"{name} is not a valid Region name.")
    return {"RegionName": name, "RegionOptStatus": status(account, name)}


def hook_region_opt(b):
    from wire import DEFAULT_ACCOUNT, json_response
    account, name, new = b.get("account", DEFAULT_ACCOUNT), b.get("region"), b.get("status", "ENABLED")
    if not is_opt_in(name) or new not in ("ENABLED", "ENABLING", "DISABLING", "DISABLED"):
        return json_response({"error": "an opt-in Region and ENABLED|ENABLING|DISABLING|DISABLED"}, 400)
    OPT_IN[(account, name)] = new
    return json_response({"RegionName": name, "RegionOptStatus": new})


def reset():
    OPT_IN.clear()


ROUTES = {
    ("account", "POST", "/listRegions"): list_regions,
    ("account", "POST", "/getRegionOptStatus"): get_region_opt_status,
}
HOOKS = {"/_groundwork/account/region-opt": hook_region_opt}
