"""Self-check of asynchronous work that can fail, as on AWS: IAM Identity Center's permission set
pushes start IN_PROGRESS and end SUCCEEDED or FAILED, readable by request id and listed by status;
account assignments can fail, and a failed one is never listed (provisioning.py); CreateAccount with
an email another account has ends FAILED (account_creation.py). Run by selfcheck.py, whose helpers
it uses.

AWS's documentation modelled:
- ProvisionPermissionSet answers a PermissionSetProvisioningStatus (Status IN_PROGRESS | FAILED |
  SUCCEEDED, RequestId, PermissionSetArn, FailureReason, CreatedDate):
  https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ProvisionPermissionSet.html and
  https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PermissionSetProvisioningStatus.html
- DescribePermissionSetProvisioningStatus by ProvisionPermissionSetRequestId:
  https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_DescribePermissionSetProvisioningStatus.html
- ListPermissionSetProvisioningStatus (CreatedDate, RequestId, Status; Filter.Status):
  https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListPermissionSetProvisioningStatus.html
- CreateAccountAssignment's AccountAssignmentOperationStatus can be FAILED with a FailureReason:
  https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_AccountAssignmentOperationStatus.html
"""
import time

from selfcheck import check, client, error, every, post


def _instance():
    client("organizations").create_organization(FeatureSet="ALL")
    sso = client("sso-admin")
    instance = sso.list_instances()["Instances"][0]["InstanceArn"]
    ps = sso.create_permission_set(InstanceArn=instance, Name="AdministratorAccess", SessionDuration="PT8H")
    return sso, instance, ps["PermissionSet"]["PermissionSetArn"]


def check_permission_set_pushes():
    sso, instance, arn = _instance()
    push = dict(InstanceArn=instance, PermissionSetArn=arn, TargetType="ALL_PROVISIONED_ACCOUNTS")
    post("/_groundwork/delays", {"provision": 1.5})
    started = sso.provision_permission_set(**push)["PermissionSetProvisioningStatus"]
    check(started["Status"] == "IN_PROGRESS" and started["PermissionSetArn"] == arn and started["RequestId"], started)
    rid = started["RequestId"]
    seen = sso.describe_permission_set_provisioning_status(
        InstanceArn=instance, ProvisionPermissionSetRequestId=rid)["PermissionSetProvisioningStatus"]
    check(seen["Status"] == "IN_PROGRESS" and seen["RequestId"] == rid, seen)
    listed = every(sso, "list_permission_set_provisioning_status", "PermissionSetsProvisioningStatus",
                   InstanceArn=instance)
    check([(p["RequestId"], p["Status"]) for p in listed] == [(rid, "IN_PROGRESS")], listed)
    check(set(listed[0]) == {"CreatedDate", "RequestId", "Status"}, f"the list holds only the metadata: {listed}")
    time.sleep(1.7)
    seen = sso.describe_permission_set_provisioning_status(
        InstanceArn=instance, ProvisionPermissionSetRequestId=rid)["PermissionSetProvisioningStatus"]
    check(seen["Status"] == "SUCCEEDED" and "FailureReason" not in seen, seen)

    # A push that fails: FAILED with its reason once it ends, and found by the status filter.
    post("/_groundwork/delays", {"provision": 0})
    post("/_groundwork/identitycenter/fail", {"what": "provision", "reason": "Account 999 is suspended"})
    failed = sso.provision_permission_set(**push)["PermissionSetProvisioningStatus"]
    check(failed["Status"] == "FAILED" and failed["FailureReason"] == "Account 999 is suspended", failed)
    only_failed = every(sso, "list_permission_set_provisioning_status", "PermissionSetsProvisioningStatus",
                        InstanceArn=instance, Filter={"Status": "FAILED"})
    check([p["RequestId"] for p in only_failed] == [failed["RequestId"]], only_failed)
    again = sso.provision_permission_set(**push)["PermissionSetProvisioningStatus"]
    check(again["Status"] == "SUCCEEDED", f"only the next push fails: {again}")
    error(sso.describe_permission_set_provisioning_status, "ResourceNotFoundException", 400,
          InstanceArn=instance, ProvisionPermissionSetRequestId="00000000-0000-0000-0000-000000000000")


def check_assignment_failure():
    sso, instance, arn = _instance()
    org = client("organizations")
    audit = org.create_account(Email="audit@example.com", AccountName="Audit")["CreateAccountStatus"]["AccountId"]
    store = sso.list_instances()["Instances"][0]["IdentityStoreId"]
    group = client("identitystore").create_group(IdentityStoreId=store, DisplayName="Administrators")["GroupId"]
    assignment = dict(InstanceArn=instance, TargetId=audit, TargetType="AWS_ACCOUNT", PermissionSetArn=arn,
                      PrincipalType="GROUP", PrincipalId=group)
    post("/_groundwork/identitycenter/fail", {"what": "assignment", "reason": "Received a 409 status error"})
    failed = sso.create_account_assignment(**assignment)["AccountAssignmentCreationStatus"]
    check(failed["Status"] == "FAILED" and failed["FailureReason"] == "Received a 409 status error", failed)
    seen = sso.describe_account_assignment_creation_status(
        InstanceArn=instance, AccountAssignmentCreationRequestId=failed["RequestId"])["AccountAssignmentCreationStatus"]
    check(seen["Status"] == "FAILED" and seen["FailureReason"] == "Received a 409 status error", seen)
    listed = sso.list_account_assignments(InstanceArn=instance, AccountId=audit, PermissionSetArn=arn)
    check(listed["AccountAssignments"] == [], f"a failed assignment does not exist: {listed}")
    retried = sso.create_account_assignment(**assignment)["AccountAssignmentCreationStatus"]
    check(retried["Status"] == "SUCCEEDED" and retried["RequestId"] != failed["RequestId"], retried)
    listed = sso.list_account_assignments(InstanceArn=instance, AccountId=audit, PermissionSetArn=arn)
    check(len(listed["AccountAssignments"]) == 1, listed)


def check_account_email_already_exists():
    """CreateAccount with an email another account already has ends FAILED, EMAIL_ALREADY_EXISTS
    (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccountStatus.html),
    after the creation delay, and creates nothing."""
    org = client("organizations")
    org.create_organization(FeatureSet="ALL")
    first = org.create_account(Email="log@example.com", AccountName="Log Archive")["CreateAccountStatus"]
    check(first["State"] == "SUCCEEDED", first)
    post("/_groundwork/delays", {"account": 1.0})
    again = org.create_account(Email="LOG@example.com", AccountName="Audit")["CreateAccountStatus"]
    check(again["State"] == "IN_PROGRESS" and "FailureReason" not in again, f"asynchronous, as any creation: {again}")
    time.sleep(1.2)
    seen = org.describe_create_account_status(CreateAccountRequestId=again["Id"])["CreateAccountStatus"]
    check(seen["State"] == "FAILED" and seen["FailureReason"] == "EMAIL_ALREADY_EXISTS" and "AccountId" not in seen,
          seen)
    failed = every(org, "list_create_account_status", "CreateAccountStatuses", States=["FAILED"])
    check([s["Id"] for s in failed] == [again["Id"]], failed)
    names = sorted(a["Name"] for a in every(org, "list_accounts", "Accounts"))
    check("Audit" not in names, f"nothing created: {names}")
