"""Self-check of EBS encryption by default (moto's) and GetEbsDefaultKmsKeyId (ebs_defaults.py). Run
by selfcheck.py, whose helpers it uses.

AWS's documentation modelled:
- Get/EnableEbsEncryptionByDefault, per account and Region:
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableEbsEncryptionByDefault.html
- GetEbsDefaultKmsKeyId answers the default key, the AWS managed aws/ebs unless another was chosen:
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetEbsDefaultKmsKeyId.html
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyEbsDefaultKmsKeyId.html
"""
from selfcheck import MGMT, check, client, organization


def check_ebs_defaults():
    member, creds = organization()
    ec2, other = client("ec2"), client("ec2", region="eu-west-1")
    check(ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is False, "off by default")
    check(ec2.get_ebs_default_kms_key_id()["KmsKeyId"] == f"arn:aws:kms:us-east-1:{MGMT}:alias/aws/ebs",
          "the AWS managed key until another is chosen")
    check(ec2.enable_ebs_encryption_by_default()["EbsEncryptionByDefault"] is True, "enable answers true")
    check(ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is True, "on")
    check(other.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is False, "per Region")
    inside = client("ec2", creds=creds)
    check(inside.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is False, "per account")
    check(inside.get_ebs_default_kms_key_id()["KmsKeyId"] == f"arn:aws:kms:us-east-1:{member}:alias/aws/ebs",
          "each account's own key")
    key = client("kms", creds=creds).create_key()["KeyMetadata"]["Arn"]
    inside.modify_ebs_default_kms_key_id(KmsKeyId=key)
    check(inside.get_ebs_default_kms_key_id()["KmsKeyId"] == key, "a chosen key is the default")
