"""Self-check of centralized root access (root_access.py), each rule from AWS's pages:
  * IAM API reference, API_ListOrganizationsFeatures.html and
    API_EnableOrganizationsRootCredentialsManagement.html / ...RootSessions.html: the answer's
    OrganizationId and EnabledFeatures, and the 400 errors OrganizationNotFound,
    AccountNotManagementOrDelegatedAdministrator, ServiceAccessNotEnabled;
  * STS API reference, API_AssumeRoot.html: only the management account or IAM's delegated
    administrator, a member account as TargetPrincipal, DurationSeconds up to 900, a root-task policy;
    IAM user guide, id_root-user-privileged-task.html (RootSessions must be enabled first);
  * IAM user guide, security-iam-awsmanpol.html (root-task policies): the session may call only what
    its task policy allows, so an audit session reads and may not delete.
Run by selfcheck.py, whose helpers it uses.
"""
from selfcheck import MGMT, check, client, error, organization, post

AUDIT = {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}
DELETE = {"arn": "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"}


def session(member, task, seconds=900):
    c = client("sts").assume_root(TargetPrincipal=member, TaskPolicyArn=task, DurationSeconds=seconds)["Credentials"]
    return client("iam", creds={"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
                                "aws_session_token": c["SessionToken"]})


def check_organization_features():
    iam = client("iam")
    error(iam.list_organizations_features, "OrganizationNotFound", 400)
    member, creds = organization()
    error(iam.list_organizations_features, "ServiceAccessNotEnabled", 400)
    error(iam.enable_organizations_root_credentials_management, "ServiceAccessNotEnabled", 400)
    client("organizations").enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    listed = iam.list_organizations_features()
    check(listed["OrganizationId"].startswith("o-") and listed["EnabledFeatures"] == [], listed)
    error(client("iam", creds=creds).enable_organizations_root_sessions,
          "AccountNotManagementOrDelegatedAdministrator", 400)
    iam.enable_organizations_root_credentials_management()
    out = iam.enable_organizations_root_sessions()
    check(out["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"], out)
    check(iam.list_organizations_features()["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"],
          "listed once enabled")


def check_assume_root_rules():
    member, creds = organization()
    sts = client("sts")
    client("organizations").enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    error(sts.assume_root, "AccessDenied", 403, TargetPrincipal=member, TaskPolicyArn=AUDIT)  # RootSessions off
    client("iam").enable_organizations_root_sessions()
    error(sts.assume_root, "ValidationError", 400, TargetPrincipal=member, TaskPolicyArn=AUDIT, DurationSeconds=901)
    error(sts.assume_root, "ValidationError", 400, TargetPrincipal=member,
          TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/AdministratorAccess"})
    error(sts.assume_root, "AccessDenied", 403, TargetPrincipal=MGMT, TaskPolicyArn=AUDIT)  # never the management
    error(sts.assume_root, "AccessDenied", 403, TargetPrincipal="999999999999", TaskPolicyArn=AUDIT)  # outside
    error(client("sts", creds=creds).assume_root, "AccessDenied", 403, TargetPrincipal=member, TaskPolicyArn=AUDIT)
    check(session(member, AUDIT, seconds=60).get_account_summary()["SummaryMap"] is not None, "a member, <= 900 s")


def check_root_sessions_act_by_task():
    member, _ = organization()
    client("organizations").enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    client("iam").enable_organizations_root_sessions()
    seeded = post("/_groundwork/root/credentials", {"account": member, "password": True, "accessKeys": 1, "mfa": 1})
    audit = session(member, AUDIT)
    check(audit.get_login_profile()["LoginProfile"]["CreateDate"], "the root has a password")
    keys = [k["AccessKeyId"] for k in audit.list_access_keys()["AccessKeyMetadata"]]
    check(keys == seeded["accessKeys"], keys)
    check([d["SerialNumber"] for d in audit.list_mfa_devices()["MFADevices"]] == seeded["mfa"], "mfa listed")
    check(audit.list_signing_certificates()["Certificates"] == [], "no certificates")
    check(audit.get_account_summary()["SummaryMap"]["AccountAccessKeysPresent"] == 1, "the summary follows")
    error(audit.delete_access_key, "AccessDenied", 403, AccessKeyId=keys[0])  # an audit session may not delete
    error(audit.list_users, "AccessDenied", 403)
    delete = session(member, DELETE, seconds=300)
    delete.delete_access_key(AccessKeyId=keys[0])
    delete.delete_login_profile()
    delete.deactivate_mfa_device(SerialNumber=seeded["mfa"][0])
    error(delete.delete_access_key, "NoSuchEntity", 404, AccessKeyId=keys[0])
    error(audit.get_login_profile, "NoSuchEntity", 404)
    check(audit.list_access_keys()["AccessKeyMetadata"] == [], "deleted")
    check(client("iam").get_account_summary()["SummaryMap"]["AccountAccessKeysPresent"] == 0,
          "the management account's own summary is untouched")
