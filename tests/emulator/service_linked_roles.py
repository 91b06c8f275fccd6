"""Service-linked roles carry the names AWS gives them.

moto names a service-linked role "AWSServiceRoleFor" + the service's prefix as written, so
`iam:CreateServiceLinkedRole(AWSServiceName=config.amazonaws.com)` made `AWSServiceRoleForconfig`,
a role no client looks for: a second run could not see the role the first one made and asked AWS to
create it again. AWS names it `AWSServiceRoleForConfig` (AWS Config developer guide, "Using
Service-Linked Roles for AWS Config",
https://docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles.html), and a
second create is EntityAlreadyExists (IAM API reference, CreateServiceLinkedRole). moto's own table
of such names gets the spellings groundwork relies on.
"""
from moto.iam import models as iam_models

# service prefix -> the name part AWS documents for its service-linked role
NAMES = {"config": "Config"}

iam_models.SERVICE_NAME_CONVERSION.update(NAMES)
