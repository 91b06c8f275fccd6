"""Self-check of the emulator's slow operations (delays.py): account creation and Security Hub
standards start IN_PROGRESS / PENDING and finish after the delay, and not before. Run by
selfcheck.py, whose helpers it uses; each check sets its delays through the hook (reset clears them).
"""
import time

from selfcheck import FSBP, MGMT, check, client, every, post


def check_account_creation_delay():
    org = client("organizations")
    org.create_organization(FeatureSet="ALL")
    check(post("/_groundwork/delays", {"account": 1.5})["account"] == 1.5, "the hook sets the delay")
    started = org.create_account(Email="log@example.com", AccountName="Log Archive")["CreateAccountStatus"]
    check(started["State"] == "IN_PROGRESS" and started["Id"].startswith("car-"), started)
    check("AccountId" not in started and "CompletedTimestamp" not in started, f"no account id yet: {started}")
    status = org.describe_create_account_status(CreateAccountRequestId=started["Id"])["CreateAccountStatus"]
    check(status["State"] == "IN_PROGRESS" and "AccountId" not in status, status)
    listed = every(org, "list_create_account_status", "CreateAccountStatuses", States=["IN_PROGRESS"])
    check([s["Id"] for s in listed] == [started["Id"]], listed)
    names = [a["Name"] for a in every(org, "list_accounts", "Accounts")]
    check("Log Archive" not in names, f"not listed while being created: {names}")
    root = org.list_roots()["Roots"][0]["Id"]
    children = every(org, "list_children", "Children", ParentId=root, ChildType="ACCOUNT")
    check(len(children) == 1, f"only the management account under the root: {children}")
    time.sleep(1.7)
    status = org.describe_create_account_status(CreateAccountRequestId=started["Id"])["CreateAccountStatus"]
    check(status["State"] == "SUCCEEDED" and status.get("AccountId"), status)
    accounts = {a["Name"]: a["Id"] for a in every(org, "list_accounts", "Accounts")}
    check(accounts.get("Log Archive") == status["AccountId"], f"listed once created: {accounts}")
    check(org.describe_account(AccountId=status["AccountId"])["Account"]["Status"] == "ACTIVE", "known once created")
    # Negative: never finishes by itself; the account stays unknown.
    post("/_groundwork/delays", {"account": -1})
    never = org.create_account(Email="audit@example.com", AccountName="Audit")["CreateAccountStatus"]
    time.sleep(0.3)
    check(org.describe_create_account_status(CreateAccountRequestId=never["Id"])["CreateAccountStatus"]["State"]
          == "IN_PROGRESS", "negative: never")
    check("Audit" not in [a["Name"] for a in every(org, "list_accounts", "Accounts")], "never listed")
    # Back to the environment (0 in the self-check's server): at once, as moto.
    post("/_groundwork/delays", {"account": None})
    now = org.create_account(Email="dev@example.com", AccountName="Dev")["CreateAccountStatus"]
    check(now["State"] == "SUCCEEDED" and now.get("AccountId"), now)
    try:
        post("/_groundwork/delays", {"landing-zone": 1})
        raise AssertionError("an unknown delay is refused")
    except Exception as e:  # urllib raises HTTPError for the 400
        check("400" in str(e), e)


def check_standards_delay():
    sh, region = client("securityhub"), "us-east-1"
    fsbp = FSBP.format(r=region)
    post("/_groundwork/delays", {"standards": 1.5})
    import selfcheck_config
    selfcheck_config.record(region)  # READY needs Config recording (selfcheck_config)
    sh.enable_security_hub(EnableDefaultStandards=False)
    sub = sh.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": fsbp}])["StandardsSubscriptions"][0]
    check(sub["StandardsStatus"] == "PENDING" and sub["StandardsControlsUpdatable"] == "NOT_READY_FOR_UPDATES", sub)
    seen = sh.get_enabled_standards()["StandardsSubscriptions"]
    check([s["StandardsStatus"] for s in seen] == ["PENDING"], seen)
    again = sh.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": fsbp}])["StandardsSubscriptions"]
    check(again[0]["StandardsSubscriptionArn"] == sub["StandardsSubscriptionArn"] and
          again[0]["StandardsStatus"] == "PENDING", f"enabling again neither duplicates nor hurries it: {again}")
    time.sleep(1.7)
    seen = sh.get_enabled_standards()["StandardsSubscriptions"]
    check([(s["StandardsStatus"], s["StandardsControlsUpdatable"]) for s in seen] == [("READY", "READY_FOR_UPDATES")],
          seen)
    # The default standards EnableSecurityHub turns on go through PENDING too.
    west = client("securityhub", "us-west-2")
    west.enable_security_hub()
    check({s["StandardsStatus"] for s in west.get_enabled_standards()["StandardsSubscriptions"]} == {"PENDING"},
          "default standards start PENDING")
    # Negative: PENDING until the status hook says otherwise.
    post("/_groundwork/delays", {"standards": -1})
    eu = client("securityhub", "eu-west-1")
    eu.enable_security_hub(EnableDefaultStandards=False)
    eu.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": FSBP.format(r="eu-west-1")}])
    time.sleep(0.3)
    check(eu.get_enabled_standards()["StandardsSubscriptions"][0]["StandardsStatus"] == "PENDING", "never by itself")
    post("/_groundwork/securityhub/standard-status", {"account": MGMT, "region": "eu-west-1",
                                                      "standardsArn": FSBP.format(r="eu-west-1"), "status": "READY"})
    check(eu.get_enabled_standards()["StandardsSubscriptions"][0]["StandardsStatus"] == "READY", "the hook finishes it")

