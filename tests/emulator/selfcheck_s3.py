"""Self-check of S3 Block Public Access and ListBuckets (s3_buckets.py), imported by selfcheck.py.

AWS pages cited: ListBuckets (API reference: MaxBuckets 1-1000, ContinuationToken, and the Bucket
type: "BucketRegion ... If the request contains at least one valid parameter, it is included in
the response"); S3 Control GetPublicAccessBlock / PutPublicAccessBlock (API_control_*: "Retrieves
the PublicAccessBlock configuration for an AWS account", NoSuchPublicAccessBlockConfiguration
"if you make a GetPublicAccessBlock request against an account that doesn't have a
PublicAccessBlockConfiguration set"); GetBucketPolicyStatus (IsPublic).
"""
import json
import os
from urllib.parse import urlsplit

from selfcheck import check, client, error, get, post

PAGE = int(os.environ.get("GROUNDWORK_EMULATOR_PAGE_SIZE") or 2)


def s3control(account):
    """S3 Control as `account`: the SDK puts the account id in front of the host, which an emulator
    on 127.0.0.1 cannot resolve, so it is taken off again (as groundwork's client does)."""
    c = client("s3control")

    def fix(request, **_):
        request.headers["x-moto-account-id"] = account
        parts = urlsplit(request.url)
        label, _, rest = parts.netloc.partition(".")
        if label.isdigit() and len(label) == 12:
            request.url = request.url.replace(parts.netloc, rest, 1)
    c.meta.events.register("before-sign", fix)
    return c


def check_list_buckets():
    s3 = client("s3")
    for name, region in [("b-one", "us-east-1"), ("b-two", "eu-west-1"), ("b-three", "us-east-1")]:
        conf = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=name, **conf)
    bare = s3.list_buckets()
    check(all("BucketRegion" not in b for b in bare["Buckets"]) and len(bare["Buckets"]) == 3,
          "no parameter: every bucket, no Region")
    first = s3.list_buckets(MaxBuckets=1000)
    if PAGE:
        check(len(first["Buckets"]) == PAGE and first.get("ContinuationToken"), first)
    seen = [b for p in s3.get_paginator("list_buckets").paginate(MaxBuckets=1000) for b in p["Buckets"]]
    check([(b["Name"], b["BucketRegion"]) for b in seen]
          == [("b-one", "us-east-1"), ("b-three", "us-east-1"), ("b-two", "eu-west-1")], seen)
    error(lambda: s3.list_buckets(MaxBuckets=1001), "InvalidArgument", 400)


def check_account_public_access_block():
    me, other = "123456789012", "210987654321"
    mine = s3control(me)
    error(lambda: mine.get_public_access_block(AccountId=me), "NoSuchPublicAccessBlockConfiguration", 404)
    mine.put_public_access_block(AccountId=me, PublicAccessBlockConfiguration={"BlockPublicAcls": True})
    log = [r["operation"] for r in get("/_groundwork/requests")["requests"]]
    check(log[-1] == "PutPublicAccessBlock", f"the request log names S3 Control's operation: {log}")
    post("/_groundwork/requests/clear")
    got = mine.get_public_access_block(AccountId=me)["PublicAccessBlockConfiguration"]
    check(got["BlockPublicAcls"] and not got["RestrictPublicBuckets"], got)
    # Each account has its own; an account cannot read or set another's.
    error(lambda: s3control(other).get_public_access_block(AccountId=other), "NoSuchPublicAccessBlockConfiguration", 404)
    error(lambda: mine.get_public_access_block(AccountId=other), "AccessDenied", 403)


def check_bucket_public_status():
    s3 = client("s3")
    s3.create_bucket(Bucket="open")
    error(lambda: s3.get_bucket_policy_status(Bucket="open"), "NoSuchBucketPolicy", 404)
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::open/*"}]}
    s3.put_bucket_policy(Bucket="open", Policy=json.dumps(policy))
    check(s3.get_bucket_policy_status(Bucket="open")["PolicyStatus"]["IsPublic"], "a Principal * policy is public")
    s3.put_bucket_acl(Bucket="open", ACL="public-read")
    uris = [g["Grantee"].get("URI") for g in s3.get_bucket_acl(Bucket="open")["Grants"]]
    check("http://acs.amazonaws.com/groups/global/AllUsers" in uris, uris)
    error(lambda: s3.get_public_access_block(Bucket="open"), "NoSuchPublicAccessBlockConfiguration", 404)
