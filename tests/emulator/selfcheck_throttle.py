"""Self-check of throttling (throttle.py): for each service groundwork calls, a burst above the
documented limit gets that service's own throttling error and status, the documented steady rate
does not, and the limit is per account and Region (per account alone for a global service).
Run by selfcheck.py, whose helpers it uses; each check turns throttling on through the hook (reset
turns it back to the environment's setting, off in the self-check's server).

The numbers come from assets/rates.toml, each service citing its page there:
  Security Hub  https://docs.aws.amazon.com/securityhub/1.0/APIReference/Welcome.html
                (BatchEnableStandards 1/s burst 1; every other operation 10/s burst 30)
  Account Mgmt  https://docs.aws.amazon.com/accounts/latest/reference/quotas.html
                (GetAlternateContact 10/s burst 15, per account)
  EC2           https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
                (non-mutating actions: bucket 100, refill 20/s; RequestLimitExceeded)
and the conservative values the table gives where AWS documents none.
"""
import time

import throttle
from botocore.exceptions import ClientError

from selfcheck import MGMT, check, client, organization, post

# service (boto3 name), SigV4 name, operation, a call of it (its own error, if any, is not a throttle)
CALLS = [
    ("securityhub", "securityhub", "DescribeHub", lambda c: c.describe_hub()),
    ("organizations", "organizations", "DescribeOrganization", lambda c: c.describe_organization()),
    ("sts", "sts", "GetCallerIdentity", lambda c: c.get_caller_identity()),
    ("account", "account", "GetAlternateContact", lambda c: c.get_alternate_contact(AlternateContactType="SECURITY")),
    ("iam", "iam", "GetAccountSummary", lambda c: c.get_account_summary()),
    ("controltower", "controltower", "ListLandingZones", lambda c: c.list_landing_zones()),
    ("sso-admin", "sso", "ListInstances", lambda c: c.list_instances()),
    ("identitystore", "identitystore", "ListUsers", lambda c: c.list_users(IdentityStoreId="d-1234567890")),
    ("guardduty", "guardduty", "ListDetectors", lambda c: c.list_detectors()),
    ("events", "events", "ListRules", lambda c: c.list_rules()),
    ("sns", "sns", "ListTopics", lambda c: c.list_topics()),
    ("config", "config", "DescribeConfigurationRecorders", lambda c: c.describe_configuration_recorders()),
    ("cloudtrail", "cloudtrail", "DescribeTrails", lambda c: c.describe_trails()),
    ("cloudwatch", "monitoring", "ListMetrics", lambda c: c.list_metrics()),
    ("ec2", "ec2", "GetEbsEncryptionByDefault", lambda c: c.get_ebs_encryption_by_default()),
    ("accessanalyzer", "access-analyzer", "ListAnalyzers", lambda c: c.list_analyzers()),
    ("controlcatalog", "controlcatalog", "ListControls", lambda c: c.list_controls()),
    ("budgets", "budgets", "DescribeBudgets", lambda c: c.describe_budgets(AccountId=MGMT)),
    ("ce", "ce", "GetCostAndUsage", lambda c: c.get_cost_and_usage(
        TimePeriod={"Start": "2026-01-01", "End": "2026-02-01"}, Granularity="MONTHLY", Metrics=["UnblendedCost"])),
]


def outcome(fn, c):
    """(error code, HTTP status) of a call, (None, 200) when it succeeded."""
    try:
        fn(c)
        return None, 200
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]


def burst_until_throttled(fn, c, code, limit):
    """Calls as fast as possible until the first throttled answer; returns (allowed, seconds, error)."""
    start, allowed = time.monotonic(), 0
    while allowed <= limit:
        got = outcome(fn, c)
        if got[0] == code:
            return allowed, time.monotonic() - start, got
        allowed += 1
    raise AssertionError(f"{allowed} calls in {time.monotonic() - start:.2f}s and none throttled")


def check_each_service_throttles_as_documented():
    for boto_name, signing, operation, fn in CALLS:
        rate, burst, _, code, status = throttle.limit(signing, operation)
        # One client here makes some 30 calls a second: a faster limit (CloudWatch 50/s, EC2's bucket
        # of 100) is scaled down to what it can exceed, the same for rate and burst.
        scale = min(1.0, 10.0 / rate, 30.0 / burst)
        post("/_groundwork/throttle", {"enabled": True, "scale": scale})
        rate, burst = rate * scale, max(1.0, burst * scale)
        c = client(boto_name)
        allowed, seconds, got = burst_until_throttled(fn, c, code, burst + int(rate * 30) + 5)
        # A full bucket lets `burst` through at once, plus what refilled while they ran.
        check(burst <= allowed <= burst + rate * seconds + 1,
              f"{signing}:{operation}: {allowed} allowed in {seconds:.2f}s (rate {rate}, burst {burst})")
        check(got == (code, status), f"{signing}:{operation}: throttled as {got}, expected {(code, status)}")
        # The steady rate is never throttled: one call every 1/rate seconds (a little slower).
        for _ in range(2):
            time.sleep(1.05 / rate)
            again = outcome(fn, c)
            check(again[0] != code, f"{signing}:{operation}: throttled at the steady rate: {again}")


def check_limits_are_per_account_and_region():
    post("/_groundwork/throttle", {"enabled": False})
    member, creds = organization()
    post("/_groundwork/throttle", {"enabled": True})
    batch = lambda c: c.batch_enable_standards(StandardsSubscriptionRequests=[  # noqa: E731
        {"StandardsArn": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"}])
    east, west, other = client("securityhub"), client("securityhub", "eu-west-1"), client("securityhub", creds=creds)
    check(outcome(batch, east)[0] != "TooManyRequestsException", "the first BatchEnableStandards goes through")
    check(outcome(batch, east) == ("TooManyRequestsException", 429), "a second within the second is throttled")
    check(outcome(batch, west)[0] != "TooManyRequestsException", "another Region has its own bucket")
    check(outcome(batch, other)[0] != "TooManyRequestsException", "another account has its own bucket")
    # Account Management is global: its Regions share one bucket per account.
    get = lambda c: c.get_alternate_contact(AlternateContactType="BILLING")  # noqa: E731
    rate, burst, is_global, code, _ = throttle.limit("account", "GetAlternateContact")
    check(is_global, "account is global in the table")
    regions = [client("account", r) for r in ("us-east-1", "eu-west-1", "ap-south-1")]
    seen, n = None, 0
    while seen != code and n <= burst + 10:
        seen = outcome(get, regions[n % 3])[0]
        n += 1
    check(seen == code and n - 1 <= burst + rate * 1, f"one bucket across Regions: throttled after {n - 1}")
    state = post("/_groundwork/throttle", {})
    row = [r for r in state["counts"] if r["operation"] == "GetAlternateContact"]
    check(len(row) == 1 and row[0]["region"] is None and row[0]["throttled"] == 1, row)
    sh = [r for r in state["counts"] if r["operation"] == "BatchEnableStandards"]
    check(sorted((r["account"], r["region"], r["throttled"]) for r in sh) ==
          sorted([(MGMT, "us-east-1", 1), (MGMT, "eu-west-1", 0), (member, "us-east-1", 0)]), sh)
    # Throttled requests are in the request log, marked.
    from selfcheck import URL
    import json
    import urllib.request
    with urllib.request.urlopen(URL + "/_groundwork/requests") as resp:
        log = json.loads(resp.read())["requests"]
    check(sum(1 for r in log if r.get("throttled")) == 2, "two throttled answers logged")
    # Off again: nothing is throttled.
    post("/_groundwork/throttle", {"enabled": False})
    check(all(outcome(batch, east)[0] != "TooManyRequestsException" for _ in range(3)), "off: never throttled")
