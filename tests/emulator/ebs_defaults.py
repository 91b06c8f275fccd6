"""EC2 GetEbsDefaultKmsKeyId, which moto lacks (it has Get/Enable/DisableEbsEncryptionByDefault and
ModifyEbsDefaultKmsKeyId).

From AWS's documentation (cited by selfcheck_ebs.py):
  * API_GetEbsDefaultKmsKeyId.html: answers `kmsKeyId`, the default KMS key for EBS encryption by
    default of the account in this Region.
  * API_ModifyEbsDefaultKmsKeyId.html: "AWS creates a unique AWS managed KMS key in each Region for
    use with encryption by default"; a customer managed key set with ModifyEbsDefaultKmsKeyId is used
    instead. Unset, the answer names the AWS managed key by its alias ARN
    (arn:aws:kms:<Region>:<account>:alias/aws/ebs), as the AWS CLI's example shows.
The answer is EC2's query-protocol XML. The key set with moto's ModifyEbsDefaultKmsKeyId is read from
moto's own EC2 backend, so the two stay one state.
"""
import uuid

from werkzeug.wrappers import Response

from moto.ec2.models import ec2_backends

NS = "http://ec2.amazonaws.com/doc/2016-11-15/"


def handles(service, operation):
    return service == "ec2" and operation == "GetEbsDefaultKmsKeyId"


def default_key(account, region):
    chosen = getattr(ec2_backends[account][region], "default_kms_key_id", "")
    return chosen or f"arn:aws:kms:{region}:{account}:alias/aws/ebs"


def respond(account, region):
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<GetEbsDefaultKmsKeyIdResponse xmlns="{NS}">'
            f"<requestId>{uuid.uuid4()}</requestId><kmsKeyId>{default_key(account, region)}</kmsKeyId>"
            "</GetEbsDefaultKmsKeyIdResponse>")
    return Response(body, 200, content_type="text/xml;charset=UTF-8")
