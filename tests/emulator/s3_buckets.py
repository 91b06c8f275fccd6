"""S3 ListBuckets as AWS answers it today (moto 5.2.5 neither pages nor names Regions).

AWS (ListBuckets API reference; the `Bucket` type): `BucketRegion` is in each bucket "if the request
contains at least one valid parameter" (max-buckets, continuation-token, prefix, bucket-region);
`MaxBuckets` is 1 to 1000; a request with a parameter but no `max-buckets` gets pages of 10,000;
when more buckets follow, the answer carries a `ContinuationToken` for the next request. Buckets
are listed by name. As every list of this emulator does (paging.py), a page holds at most
GROUNDWORK_EMULATOR_PAGE_SIZE buckets (default 2; 0: no limit), so a client that reads one page
only is caught with three buckets.
"""
import base64
import os

from moto.core.responses import ActionResult
from moto.s3.exceptions import InvalidArgumentError
from moto.s3.responses import S3Response

PAGE_SIZE = int(os.environ.get("GROUNDWORK_EMULATOR_PAGE_SIZE") or 2)
PARAMETERS = ("max-buckets", "continuation-token", "prefix", "bucket-region")


def _token(name):
    return base64.urlsafe_b64encode(name.encode()).decode()


def _after(token):
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except ValueError:
        raise InvalidArgumentError("The continuation token provided is incorrect", "continuation-token", token)


def all_buckets(self):
    self.data["Action"] = "ListAllMyBuckets"
    self._authenticate_and_authorize_s3_action()
    given = {p: self._get_param(p) for p in PARAMETERS if self._get_param(p) is not None}
    prefix, region = given.get("prefix"), given.get("bucket-region")
    buckets = sorted(self.backend.list_buckets(prefix=prefix, bucket_region=region, max_buckets=None),
                     key=lambda b: b.name)
    page, token = buckets, None
    if given:
        try:
            limit = int(given.get("max-buckets", 10000))
        except ValueError:
            limit = 0
        if "max-buckets" in given and not 1 <= limit <= 1000:
            raise InvalidArgumentError("Argument max-buckets must be an integer between 1 and 1000",
                                       "max-buckets", given["max-buckets"])
        if "continuation-token" in given:
            start = _after(given["continuation-token"])
            buckets = [b for b in buckets if b.name >= start]
        size = min(limit, PAGE_SIZE) if PAGE_SIZE > 0 else limit
        page = buckets[:size]
        if len(buckets) > size:
            token = _token(buckets[size].name)
    listed = []
    for b in page:
        item = {"Name": b.name, "CreationDate": b.creation_date_ISO8601}
        if given:
            item["BucketRegion"] = b.region_name
        listed.append(item)
    result = {"Owner": {"ID": "bcaf1ffd86f41161ca5fb16fd081034f", "DisplayName": "webfile"}, "Buckets": listed}
    if token:
        result["ContinuationToken"] = token
    if prefix is not None:
        result["Prefix"] = prefix
    self.data["Action"] = "ListBuckets"
    return self.serialized(ActionResult(result))


S3Response.all_buckets = all_buckets
