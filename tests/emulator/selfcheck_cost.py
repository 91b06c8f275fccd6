"""Self-check of cost.py: Budgets' subscribers (API_budgets_DescribeSubscribersForNotification),
Cost Anomaly Detection (API_CreateAnomalyMonitor, API_AnomalyMonitor, API_CreateAnomalySubscription,
API_AnomalySubscription: "email (for DAILY and WEEKLY frequencies) or SNS (for IMMEDIATE)") and
Cost Explorer's single endpoint in us-east-1 (Cost Explorer API reference, "Service Endpoint":
https://ce.us-east-1.amazonaws.com). Run by selfcheck.py, whose helpers it uses.
"""
from selfcheck import MGMT, check, client, error, every

NOTE = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80.0,
        "ThresholdType": "PERCENTAGE"}


IMPACT = {"Dimensions": {"Key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE", "Values": ["10"],
                          "MatchOptions": ["GREATER_THAN_OR_EQUAL"]}}


def check_budget_subscribers():
    b = client("budgets")
    b.create_budget(AccountId=MGMT, Budget={"BudgetName": "b", "BudgetLimit": {"Amount": "100", "Unit": "USD"},
                                            "TimeUnit": "MONTHLY", "BudgetType": "COST"},
                    NotificationsWithSubscribers=[{"Notification": NOTE, "Subscribers": [
                        {"SubscriptionType": "EMAIL", "Address": "a@example.com"},
                        {"SubscriptionType": "EMAIL", "Address": "b@example.com"},
                        {"SubscriptionType": "SNS", "Address": "arn:aws:sns:us-east-1:" + MGMT + ":t"}]}])
    notes = every(b, "describe_notifications_for_budget", "Notifications", AccountId=MGMT, BudgetName="b")
    check(len(notes) == 1 and notes[0]["NotificationType"] == "ACTUAL", notes)
    subs = every(b, "describe_subscribers_for_notification", "Subscribers", AccountId=MGMT, BudgetName="b",
                 Notification=notes[0])
    check({s["Address"] for s in subs if s["SubscriptionType"] == "EMAIL"} == {"a@example.com", "b@example.com"}
          and len(subs) == 3, subs)
    other = dict(NOTE, NotificationType="FORECASTED", Threshold=100.0)
    error(b.describe_subscribers_for_notification, "NotFoundException", 400, AccountId=MGMT, BudgetName="b",
          Notification=other)
    error(b.describe_subscribers_for_notification, "NotFoundException", 400, AccountId=MGMT, BudgetName="none",
          Notification=NOTE)


def check_anomaly_detection():
    ce = client("ce")
    check(every(ce, "get_anomaly_monitors", "AnomalyMonitors") == [], "no monitor in a new account")
    error(ce.create_anomaly_monitor, "ValidationException", 400,
          AnomalyMonitor={"MonitorName": "m", "MonitorType": "DIMENSIONAL"})
    arn = ce.create_anomaly_monitor(AnomalyMonitor={"MonitorName": "m", "MonitorType": "DIMENSIONAL",
                                                    "MonitorDimension": "SERVICE"})["MonitorArn"]
    check(arn.startswith(f"arn:aws:ce::{MGMT}:anomalymonitor/"), arn)
    for i in range(3):  # more than one page
        ce.create_anomaly_monitor(AnomalyMonitor={"MonitorName": f"c{i}", "MonitorType": "CUSTOM",
                                                  "MonitorSpecification": {"Dimensions": {
                                                      "Key": "LINKED_ACCOUNT", "Values": [MGMT]}}})
    monitors = every(ce, "get_anomaly_monitors", "AnomalyMonitors")
    check(len(monitors) == 4 and monitors[0]["MonitorDimension"] == "SERVICE", monitors)
    email = [{"Type": "EMAIL", "Address": "a@example.com"}]
    error(ce.create_anomaly_subscription, "ValidationException", 400, AnomalySubscription={
        "SubscriptionName": "s", "MonitorArnList": [arn], "Subscribers": email, "Frequency": "IMMEDIATE",
        "ThresholdExpression": IMPACT})
    error(ce.create_anomaly_subscription, "UnknownMonitorException", 400, AnomalySubscription={
        "SubscriptionName": "s", "MonitorArnList": [arn + "x"], "Subscribers": email, "Frequency": "DAILY",
        "ThresholdExpression": IMPACT})
    sub = ce.create_anomaly_subscription(AnomalySubscription={
        "SubscriptionName": "s", "MonitorArnList": [arn], "Subscribers": email, "Frequency": "DAILY",
        "ThresholdExpression": IMPACT})["SubscriptionArn"]
    subs = every(ce, "get_anomaly_subscriptions", "AnomalySubscriptions")
    check([s["SubscriptionArn"] for s in subs] == [sub] and subs[0]["Subscribers"][0]["Status"] == "CONFIRMED", subs)
    check(every(ce, "get_anomaly_subscriptions", "AnomalySubscriptions", MonitorArn=monitors[1]["MonitorArn"]) == [],
          "filtered by monitor")


def check_cost_explorer_only_in_us_east_1():
    ce = client("ce", region="eu-west-1")
    error(ce.get_anomaly_monitors, "InvalidSignatureException", 400)
    error(ce.get_cost_and_usage, "InvalidSignatureException", 400, TimePeriod={"Start": "2026-01-01",
                                                                               "End": "2026-02-01"},
          Granularity="MONTHLY", Metrics=["UnblendedCost"])
    out = client("ce").get_cost_and_usage(TimePeriod={"Start": "2026-01-01", "End": "2026-02-01"},
                                          Granularity="MONTHLY", Metrics=["UnblendedCost"])
    check("ResultsByTime" in out, out)
