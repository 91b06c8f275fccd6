"""Self-check of paging (paging.py), imported by selfcheck.py: every list answers in pages of
GROUNDWORK_EMULATOR_PAGE_SIZE items (2 unless the server was started otherwise), in each protocol."""
import os
import urllib.request

import paging
from selfcheck import URL, check, client, every, get, post

PAGE = int(os.environ.get("GROUNDWORK_EMULATOR_PAGE_SIZE") or 2)
ALLOW = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'


def pages(c, operation, key, **kwargs):
    return [len(p[key]) for p in c.get_paginator(operation).paginate(**kwargs)]


def check_paging_json():
    """JSON protocol (Organizations): NextToken, MaxResults, retries, the request log, reset."""
    if PAGE == 0:
        return
    org = client("organizations")
    org.create_organization(FeatureSet="ALL")
    for i in range(4):
        org.create_account(Email=f"p{i}@example.com", AccountName=f"Paged{i}")
    first = org.list_accounts()
    check(len(first["Accounts"]) == PAGE and first.get("NextToken"), first)
    second = org.list_accounts(NextToken=first["NextToken"])
    check(len(second["Accounts"]) == PAGE and second["NextToken"] != first["NextToken"], "a new token per page")
    again = org.list_accounts(NextToken=first["NextToken"])  # a retried page: the same page
    check(again["Accounts"] == second["Accounts"], "a token can be used again")
    names = [a["Name"] for a in every(org, "list_accounts", "Accounts")]
    check(len(names) == 5 and len(set(names)) == 5, names)  # the management account and four
    check(pages(org, "list_accounts", "Accounts") == [PAGE] * (5 // PAGE) + ([5 % PAGE] if 5 % PAGE else []),
          "pages of PAGE")
    one = pages(org, "list_accounts", "Accounts", PaginationConfig={"PageSize": 1})
    check(one == [1] * 5, f"a smaller MaxResults is respected: {one}")
    big = org.list_accounts(MaxResults=20)
    check(len(big["Accounts"]) == PAGE and big.get("NextToken"), "a larger MaxResults may get fewer, as on AWS")
    post("/_groundwork/requests/clear")
    every(org, "list_accounts", "Accounts")
    log = [r["operation"] for r in get("/_groundwork/requests")["requests"]]
    check(log == ["ListAccounts"] * len(pages(org, "list_accounts", "Accounts")), f"one logged call per page: {log}")
    token = org.list_accounts()["NextToken"]
    post("/moto-api/reset")
    try:  # after a reset the token means nothing
        org.list_accounts(NextToken=token)
        raise AssertionError("a token survived the reset")
    except Exception as e:  # moto's own refusal of a token it never gave (its shape varies)
        check("survived" not in str(e), e)


def check_paging_rest_and_query():
    """REST-JSON (GET query string, POST body) and query/XML (NextToken; Marker with IsTruncated)."""
    if PAGE == 0:
        return
    sh = client("securityhub")  # GET /standards?NextToken=... answered by the extension
    first = sh.describe_standards()
    check(len(first["Standards"]) == PAGE and first.get("NextToken"), first)
    check(len(every(sh, "describe_standards", "Standards")) == 3, "all three standards")
    account = client("account")  # POST /listRegions, the extension's own pages followed to the end
    regions = every(account, "list_regions", "Regions")
    check(len(regions) > 30 and len({r["RegionName"] for r in regions}) == len(regions), len(regions))
    # A long list comes in at most MAX_PAGES pages, each fuller than PAGE, never over MaxResults.
    first = account.list_regions(MaxResults=50)
    check(len(first["Regions"]) == -(-len(regions) // paging.MAX_PAGES) and first.get("NextToken"), "first page only")
    check(len(account.list_regions(MaxResults=3)["Regions"]) == 3, "no more than MaxResults")
    iam = client("iam")
    iam.create_role(RoleName="paged", AssumeRolePolicyDocument="{}")
    for name in ("ReadOnlyAccess", "SecurityAudit", "job-function/ViewOnlyAccess"):
        iam.attach_role_policy(RoleName="paged", PolicyArn=f"arn:aws:iam::aws:policy/{name}")
        iam.put_role_policy(RoleName="paged", PolicyName=name.split("/")[-1], PolicyDocument=ALLOW)
    first = iam.list_attached_role_policies(RoleName="paged")
    check(len(first["AttachedPolicies"]) == PAGE and first["IsTruncated"] and first.get("Marker"), first)
    check(len(every(iam, "list_attached_role_policies", "AttachedPolicies", RoleName="paged")) == 3, "attached")
    check(sorted(every(iam, "list_role_policies", "PolicyNames", RoleName="paged")) ==
          ["ReadOnlyAccess", "SecurityAudit", "ViewOnlyAccess"], "inline")
    last = iam.list_role_policies(RoleName="paged", MaxItems=3)
    check(len(last["PolicyNames"]) == min(PAGE, 3), last)
    sns = client("sns")
    topic = sns.create_topic(Name="paged")["TopicArn"]
    for i in range(3):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:us-east-1:123456789012:q{i}")
    first = sns.list_subscriptions_by_topic(TopicArn=topic)
    check(len(first["Subscriptions"]) == PAGE and first.get("NextToken"), first)
    check(len(every(sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=topic)) == 3, "subscriptions")
    # An error is passed through as it came.
    try:
        iam.list_attached_role_policies(RoleName="missing")
        raise AssertionError("a missing role was listed")
    except iam.exceptions.NoSuchEntityException:
        pass
    with urllib.request.urlopen(URL + "/_groundwork/health") as resp:
        check(resp.status == 200, "the server still answers")
