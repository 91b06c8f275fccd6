"""CloudTrail organization trails, with AWS's preconditions (moto creates one for anyone).

AWS (CreateTrail / UpdateTrail, `IsOrganizationTrail`; CloudTrail User Guide, "Prepare for
creating a trail for your organization"): an organization trail can be created, or a trail made
one, only
  * by an account in an organization (else OrganizationsNotInUseException),
  * that is the organization's management account (NotOrganizationMasterAccountException; a
    CloudTrail delegated administrator may too, which this emulator does not model),
  * when the organization has all features (OrganizationNotInAllFeaturesModeException),
  * and trusted access for cloudtrail.amazonaws.com is on (CloudTrailAccessNotEnabledException).
Each refusal is a 400 in CloudTrail's JSON error shape. A call that passes goes on to moto.
"""
from account_contacts import management_of

TRUSTED = "cloudtrail.amazonaws.com"
OPERATIONS = ("CreateTrail", "UpdateTrail")


def _error(code, message):
    return 400, code, {"__type": code, "message": message}


def check(account, operation, body):
    """None when AWS would let the call through to moto; else (status, code, body)."""
    if operation not in OPERATIONS or body.get("IsOrganizationTrail") is not True:
        return None
    mgmt, org = management_of(account)
    if org is None:
        return _error("OrganizationsNotInUseException",
                      "This account is not part of an organization in AWS Organizations.")
    if mgmt != account:
        return _error("NotOrganizationMasterAccountException",
                      "The request to create or update an organization trail must be made from the "
                      "management account of the organization.")
    if org.org.feature_set != "ALL":
        return _error("OrganizationNotInAllFeaturesModeException",
                      "This operation requires that all features are enabled in AWS Organizations.")
    if not any(s["ServicePrincipal"] == TRUSTED for s in org.services):
        return _error("CloudTrailAccessNotEnabledException",
                      "Trusted access has not been enabled between CloudTrail and AWS Organizations.")
    return None
