"""AWS Budgets' subscriber read and Cost Anomaly Detection, which moto 5.2.5 lacks; Cost Explorer's
us-east-1-only endpoint.

- Budgets `DescribeSubscribersForNotification` (AWS Billing and Cost Management API reference,
  https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_DescribeSubscribersForNotification.html):
  the subscribers stored with a budget's notification by moto's CreateBudget/CreateNotification.
  A notification the budget does not have, or a budget that does not exist, is NotFoundException.
- Cost Anomaly Detection (API_CreateAnomalyMonitor, API_GetAnomalyMonitors,
  API_CreateAnomalySubscription, API_GetAnomalySubscriptions, API_AnomalyMonitor,
  API_AnomalySubscription): monitors and subscriptions per account. `DIMENSIONAL` monitors need a
  `MonitorDimension` ("an AWS managed monitor"), `CUSTOM` ones a `MonitorSpecification`. A
  subscription names monitors that exist (UnknownMonitorException otherwise); "Notifications are
  sent either over email (for DAILY and WEEKLY frequencies) or SNS (for IMMEDIATE frequency)", so an
  IMMEDIATE subscription with an EMAIL subscriber is a ValidationException. A subscriber's `Status`
  is CONFIRMED unless set. A subscription has `ThresholdExpression` or the deprecated `Threshold`.
- Cost Explorer's API has one endpoint, https://ce.us-east-1.amazonaws.com (API reference, "Service
  Endpoint"): a Cost Explorer request signed for any other Region is refused as AWS refuses a
  credential scoped to the wrong Region (InvalidSignatureException, 400). That covers moto's own
  GetCostAndUsage too.
Lists page through paging.py, like every list.
"""
import uuid

from wire import ApiError

CE_REGION = "us-east-1"
MONITORS = {}  # account -> {arn: monitor}
SUBSCRIPTIONS = {}  # account -> {arn: subscription}


def reset():
    MONITORS.clear()
    SUBSCRIPTIONS.clear()


def _error(status, code, message):
    """A JSON 1.1 error: the code in `__type` (what JSON-protocol clients read) and the header."""
    return ApiError(status, code, {"__type": code, "Message": message})


def refuse_region(service, region):
    """The error for a Cost Explorer request signed outside us-east-1, else None."""
    if service == "ce" and region != CE_REGION:
        return _error(400, "InvalidSignatureException",
                      f"Credential should be scoped to a valid region, not '{region}'.")
    return None


def _validation(message):
    return _error(400, "ValidationException", message)


# ----------------------------------------------------------------------------- Budgets
def _budgets():
    from moto.budgets.models import budgets_backends
    return budgets_backends


def describe_subscribers_for_notification(account, region, body):
    backend = _budgets()[account]["aws"]
    budget = backend.budgets[body.get("AccountId") or account].get(body.get("BudgetName"))
    if budget is None:
        raise _error(400, "NotFoundException", f"Unable to get budget: {body.get('BudgetName')}")
    wanted = body.get("Notification") or {}
    keys = ("NotificationType", "ComparisonOperator", "Threshold")
    for n in budget.notifications:
        same = all(str(n.details.get(k)) == str(wanted.get(k)) or
                   (k == "Threshold" and float(n.details.get(k, 0)) == float(wanted.get(k, -1)))
                   for k in keys)
        if same and (n.details.get("ThresholdType") or "PERCENTAGE") == (wanted.get("ThresholdType") or "PERCENTAGE"):
            return {"Subscribers": list(n.subscribers or [])}
    raise _error(400, "NotFoundException", "Unable to find the notification.")


# ----------------------------------------------------------------------------- anomaly detection
def create_anomaly_monitor(account, region, body):
    m = dict(body.get("AnomalyMonitor") or {})
    kind = m.get("MonitorType")
    if kind not in ("DIMENSIONAL", "CUSTOM") or "MonitorName" not in m:
        raise _validation("AnomalyMonitor needs MonitorName and MonitorType DIMENSIONAL or CUSTOM.")
    if kind == "DIMENSIONAL" and not m.get("MonitorDimension"):
        raise _validation("A DIMENSIONAL monitor needs a MonitorDimension.")
    if kind == "CUSTOM" and not m.get("MonitorSpecification"):
        raise _validation("A CUSTOM monitor needs a MonitorSpecification.")
    arn = f"arn:aws:ce::{account}:anomalymonitor/{uuid.uuid4()}"
    m.update({"MonitorArn": arn, "CreationDate": "2026-01-01"})
    MONITORS.setdefault(account, {})[arn] = m
    return {"MonitorArn": arn}


def get_anomaly_monitors(account, region, body):
    mine = MONITORS.get(account, {})
    wanted = body.get("MonitorArnList") or list(mine)
    missing = [a for a in wanted if a not in mine]
    if missing:
        raise _error(400, "UnknownMonitorException", f"Unknown monitor: {missing[0]}")
    return {"AnomalyMonitors": [mine[a] for a in wanted]}


def create_anomaly_subscription(account, region, body):
    s = dict(body.get("AnomalySubscription") or {})
    if not s.get("SubscriptionName") or not s.get("Subscribers") or not s.get("MonitorArnList"):
        raise _validation("AnomalySubscription needs SubscriptionName, MonitorArnList and Subscribers.")
    if s.get("Frequency") not in ("DAILY", "IMMEDIATE", "WEEKLY"):
        raise _validation("Frequency must be DAILY, IMMEDIATE or WEEKLY.")
    if ("Threshold" in s) == ("ThresholdExpression" in s):
        raise _validation("Give exactly one of Threshold and ThresholdExpression.")
    for arn in s["MonitorArnList"]:
        if arn not in MONITORS.get(account, {}):
            raise _error(400, "UnknownMonitorException", f"Unknown monitor: {arn}")
    for sub in s["Subscribers"]:
        if sub.get("Type") not in ("EMAIL", "SNS"):
            raise _validation("A subscriber's Type must be EMAIL or SNS.")
        if s["Frequency"] == "IMMEDIATE" and sub["Type"] == "EMAIL":
            raise _validation("IMMEDIATE notifications are sent over SNS only.")
    s["Subscribers"] = [{"Status": "CONFIRMED", **sub} for sub in s["Subscribers"]]
    arn = f"arn:aws:ce::{account}:anomalysubscription/{uuid.uuid4()}"
    s.update({"SubscriptionArn": arn, "AccountId": account})
    SUBSCRIPTIONS.setdefault(account, {})[arn] = s
    return {"SubscriptionArn": arn}


def get_anomaly_subscriptions(account, region, body):
    subs = list(SUBSCRIPTIONS.get(account, {}).values())
    if body.get("SubscriptionArnList"):
        subs = [s for s in subs if s["SubscriptionArn"] in body["SubscriptionArnList"]]
    if body.get("MonitorArn"):
        subs = [s for s in subs if body["MonitorArn"] in s["MonitorArnList"]]
    return {"AnomalySubscriptions": subs}


HANDLERS = {
    ("budgets", "DescribeSubscribersForNotification"): describe_subscribers_for_notification,
    ("ce", "CreateAnomalyMonitor"): create_anomaly_monitor,
    ("ce", "GetAnomalyMonitors"): get_anomaly_monitors,
    ("ce", "CreateAnomalySubscription"): create_anomaly_subscription,
    ("ce", "GetAnomalySubscriptions"): get_anomaly_subscriptions,
}


def route(service, target):
    """(handler, ()) for a JSON request this module answers (by its X-Amz-Target), else (None, ())."""
    operation = (target or "").rsplit(".", 1)[-1]
    return HANDLERS.get((service, operation)), ()
