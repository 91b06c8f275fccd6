"""Self-checks: IAM credential reports and access keys' last use (credential_report.py).

AWS, IAM user guide, "Getting credential reports for your AWS account"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/credential-reports.html): one report per four
hours (a newer request within four hours gets the existing report); the root user's row is
`<root_account>`; the columns (user … cert_2_last_rotated) and `N/A` for a key never used.
AWS, API_GenerateCredentialReport: State STARTED | INPROGRESS | COMPLETE; the CLI's example answers
STARTED "No report exists. Starting a new report generation task".
AWS, API_GetCredentialReport: ReportNotPresent (410), ReportInProgress (404); Content, ReportFormat
text/csv, GeneratedTime.
AWS, API_GetAccessKeyLastUsed: LastUsedDate absent and ServiceName / Region `N/A` for a key never used.
"""
import csv
import io

from selfcheck import check, client, error, post

COLUMNS = ["user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
           "password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
           "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
           "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
           "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active",
           "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"]


def rows(iam):
    content = iam.get_credential_report()["Content"].decode()
    return list(csv.DictReader(io.StringIO(content)))


def check_credential_report():
    iam = client("iam")
    error(iam.get_credential_report, "ReportNotPresent", 410)
    iam.create_user(UserName="ada")
    iam.create_login_profile(UserName="ada", Password="Secret-pass-123!")
    key = iam.create_access_key(UserName="ada")["AccessKey"]["AccessKeyId"]
    check(iam.generate_credential_report()["State"] == "STARTED", "first generate: STARTED")
    error(iam.get_credential_report, "ReportInProgress", 404)
    check(iam.generate_credential_report()["State"] == "COMPLETE", "second generate: COMPLETE")
    got = iam.get_credential_report()
    check(got["ReportFormat"] == "text/csv" and got["GeneratedTime"].year >= 2025, "real GeneratedTime")
    report = rows(iam)
    check(list(report[0].keys()) == COLUMNS, "the documented columns, in order")
    check(report[0]["user"] == "<root_account>" and report[0]["password_enabled"] == "not_supported", "root row first")
    ada = report[1]
    check(ada["password_enabled"] == "true" and ada["access_key_1_active"] == "true", "ada's password and key")
    check(ada["access_key_1_last_used_date"] == "N/A" and ada["access_key_1_last_used_service"] == "N/A", "never used")
    # A snapshot: what changes within four hours is not in the report until a new one is made.
    iam.create_user(UserName="grace")
    check(iam.generate_credential_report()["State"] == "COMPLETE", "within four hours: the same report")
    check([r["user"] for r in rows(iam)] == ["<root_account>", "ada"], "snapshot kept")
    post("/_groundwork/iam/credential-report", {"ageHours": 5})
    check(iam.generate_credential_report()["State"] == "STARTED", "after four hours: a new report")
    iam.generate_credential_report()
    check([r["user"] for r in rows(iam)] == ["<root_account>", "ada", "grace"], "new snapshot")
    # A key's last use, set in the past by the hook.
    never = iam.get_access_key_last_used(AccessKeyId=key)["AccessKeyLastUsed"]
    check("LastUsedDate" not in never and never["ServiceName"] == "N/A", "never used: N/A")
    post("/_groundwork/iam/access-key-last-used", {"accessKeyId": key, "daysAgo": 120, "service": "s3"})
    used = iam.get_access_key_last_used(AccessKeyId=key)["AccessKeyLastUsed"]
    check(used["ServiceName"] == "s3" and used["Region"] == "us-east-1", "service and Region of the last use")
    post("/_groundwork/iam/credential-report", {"ageHours": 5})
    iam.generate_credential_report(), iam.generate_credential_report()
    ada = rows(iam)[1]
    check(ada["access_key_1_last_used_service"] == "s3" and ada["access_key_1_last_used_date"] != "N/A", "in the report")
