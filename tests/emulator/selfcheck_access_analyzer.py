"""Self-check of IAM Access Analyzer (access_analyzer.py), which moto lacks. Run by selfcheck.py,
whose helpers it uses.

AWS's documentation modelled:
- CreateAnalyzer (PUT /analyzer; name pattern; ConflictException; answer {arn}):
  https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CreateAnalyzer.html
- Only the management account or the delegated administrator creates analyzers with the organization
  as zone of trust; through the API, trusted access first, then RegisterDelegatedAdministrator:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-delegated-administrator-add.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-settings.html
- Status ACTIVE | CREATING | DISABLED | FAILED, statusReason:
  https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_AnalyzerSummary.html
- ListAnalyzers (GET /analyzer?type=, paged), GetAnalyzer (ResourceNotFoundException), ListFindings
  (POST /finding, filter on status):
  https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ListAnalyzers.html
  https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_GetAnalyzer.html
  https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ListFindings.html
"""
import time

from selfcheck import check, client, error, every, organization, post

PRINCIPAL = "access-analyzer.amazonaws.com"


def check_access_analyzer():
    member, creds = organization()
    mgmt_aa, member_aa = client("accessanalyzer"), client("accessanalyzer", creds=creds)
    org = client("organizations")
    # The organization's zone of trust: refused without trusted access, and to a plain member.
    error(mgmt_aa.create_analyzer, "AccessDeniedException", 403, analyzerName="org", type="ORGANIZATION")
    org.enable_aws_service_access(ServicePrincipal=PRINCIPAL)
    error(member_aa.create_analyzer, "AccessDeniedException", 403, analyzerName="org", type="ORGANIZATION")
    # An analyzer of the member's own account needs nothing of the organization.
    member_aa.create_analyzer(analyzerName="mine", type="ACCOUNT")
    org.register_delegated_administrator(AccountId=member, ServicePrincipal=PRINCIPAL)
    post("/_groundwork/delays", {"analyzer": 1.0})
    arn = member_aa.create_analyzer(analyzerName="org", type="ORGANIZATION")["arn"]
    check(arn.endswith(f":{member}:analyzer/org") and ":access-analyzer:us-east-1:" in arn, arn)
    got = member_aa.get_analyzer(analyzerName="org")["analyzer"]
    check(got["status"] == "CREATING" and got["type"] == "ORGANIZATION", got)
    # Names are unique per account and Region, whatever the type.
    error(member_aa.create_analyzer, "ConflictException", 409, analyzerName="mine", type="ORGANIZATION")
    error(member_aa.create_analyzer, "ValidationException", 400, analyzerName="9bad", type="ACCOUNT")
    error(member_aa.get_analyzer, "ResourceNotFoundException", 404, analyzerName="nope")
    time.sleep(1.2)
    check(member_aa.get_analyzer(analyzerName="org")["analyzer"]["status"] == "ACTIVE", "CREATING, then ACTIVE")
    # Lists page, filter by type, and are per account and Region.
    member_aa.create_analyzer(analyzerName="third", type="ACCOUNT_UNUSED_ACCESS")
    every_one = every(member_aa, "list_analyzers", "analyzers")
    check(sorted(a["name"] for a in every_one) == ["mine", "org", "third"], every_one)
    orgs = every(member_aa, "list_analyzers", "analyzers", type="ORGANIZATION")
    check([a["name"] for a in orgs] == ["org"], orgs)
    check(every(client("accessanalyzer", region="eu-west-1", creds=creds), "list_analyzers", "analyzers") == [],
          "another Region has none")
    check(every(mgmt_aa, "list_analyzers", "analyzers") == [], "another account has none")
    # Findings: the status filter, every page, only the caller's analyzer.
    for n, status in enumerate(["ACTIVE", "ACTIVE", "ARCHIVED", "ACTIVE"]):
        post("/_groundwork/accessanalyzer/finding", {"account": member, "region": "us-east-1",
                                                     "analyzerName": "org", "status": status,
                                                     "resource": f"arn:aws:s3:::bucket-{n}"})
    active = every(member_aa, "list_findings", "findings", analyzerArn=arn, filter={"status": {"eq": ["ACTIVE"]}})
    check(len(active) == 3, active)
    check(len(every(member_aa, "list_findings", "findings", analyzerArn=arn)) == 4, "no filter: all")
    error(mgmt_aa.list_findings, "ResourceNotFoundException", 404, analyzerArn=arn)
    # A status set by hand, with AWS's reason.
    post("/_groundwork/accessanalyzer/status", {"account": member, "region": "us-east-1", "analyzerName": "org",
                                                "status": "DISABLED", "reason": "DELEGATED_ADMINISTRATOR_DEREGISTERED"})
    got = member_aa.get_analyzer(analyzerName="org")["analyzer"]
    check(got["status"] == "DISABLED" and got["statusReason"]["code"] == "DELEGATED_ADMINISTRATOR_DEREGISTERED", got)
    # The management account may create one too.
    mgmt_aa.create_analyzer(analyzerName="org", type="ORGANIZATION")
