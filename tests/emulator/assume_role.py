"""STS AssumeRole of a role that does not exist is refused, as on AWS.

moto's STS hands out credentials for any role ARN ("the role does not need to exist"), which let a
client assume roles AWS would refuse (AWSControlTowerExecution in an account Control Tower never
enrolled, say). AWS answers AccessDenied (HTTP 403): "User: <caller> is not authorized to perform:
sts:AssumeRole on resource: <role ARN>" (STS API reference, AssumeRole, Errors; IAM user guide,
troubleshoot_roles "I can't assume a role"). The trust policy itself is not evaluated here.
Organizations' CreateAccount makes OrganizationAccountAccessRole (or the RoleName asked for) in the
new account, trusting the management account, as AWS does (moto already creates it; we attach
AdministratorAccess, which AWS gives it: orgs_manage_accounts_create.html).
"""
from moto.iam.models import iam_backends
from moto.organizations.models import FakeAccount

import account_creation

ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"


def refuse(caller_account, form):
    """The fault-shaped error for an AssumeRole of a role that does not exist, else None."""
    role_arn = (form.get("RoleArn") or [""])[0]
    parts = role_arn.split(":", 5)
    if len(parts) < 6 or not parts[5].startswith("role/"):
        return None  # malformed: moto answers its own validation error
    account, name = parts[4], parts[5].rsplit("/", 1)[1]
    roles = iam_backends[account]["global"].roles.values()
    if any(r.name == name for r in roles):
        return None
    return {"status": 403, "code": "AccessDenied",
            "message": f"User: arn:aws:iam::{caller_account}:root is not authorized to perform: "
                       f"sts:AssumeRole on resource: {role_arn}"}


_moto_account_init = FakeAccount.__init__


def _account_init(self, organization, **kwargs):
    _moto_account_init(self, organization, **kwargs)
    self.access_role = kwargs.get("RoleName", "OrganizationAccountAccessRole")  # moto keeps only the role


def _joined(backend, account):
    """The new account's access role gets AdministratorAccess, as on AWS (moto makes it bare)."""
    name = getattr(account, "access_role", None)
    if name:
        iam_backends[account.id]["global"].attach_role_policy(ADMIN_POLICY, name)


FakeAccount.__init__ = _account_init
account_creation.JOINED.append(_joined)
