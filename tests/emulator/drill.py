"""GuardDuty CreateSampleFindings, carried along the alert path as AWS would carry it.

moto 5.2.5 has no CreateSampleFindings (404) and its PutEvents fails on SNS targets (HTTP 500), so
a sample finding could never travel. Modelled from AWS's documentation:

* GuardDuty API reference, CreateSampleFindings: `POST /detector/{detectorId}/findings/create`
  with `findingTypes`; answers 200 `{}`; a detector this account does not own is a
  BadRequestException. Sample findings are ordinary findings (title prefixed "[SAMPLE]") and are
  published to EventBridge like any other new finding, as a "GuardDuty Finding" event on the
  default bus of the detector's account and Region (`account` the bus owner, `detail.accountId`
  the account the finding is about).
* EventBridge: every ENABLED rule of that bus whose pattern matches (moto's own matcher) counts a
  MatchedEvents datapoint (namespace AWS/Events, dimension RuleName) and, per target, Invocations,
  or FailedInvocations when the target refuses. An SNS target must be in the rule's Region; the
  topic's policy must allow events.amazonaws.com sns:Publish on it for this rule (no Deny), and a
  topic encrypted with the AWS managed key alias/aws/sns refuses EventBridge. A target that is
  the same account's default bus in another Region forwards the event there (its `region` is
  unchanged), through the target's role, which must exist.
* SNS: a published message counts NumberOfMessagesPublished (AWS/SNS, dimension TopicName) and is
  delivered only to confirmed subscriptions: NumberOfNotificationsDelivered counts every confirmed
  subscription it reached, of any protocol ("the number of messages successfully delivered from
  your Amazon SNS topics to subscribing endpoints"; its dimensions are TopicName, Application,
  Platform, Country, SMSType and PhoneNumber, none per protocol: SNS developer guide, "Monitoring
  Amazon SNS topics using CloudWatch", https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html).
  A pending subscription gets nothing (and is not counted as failed).

Datapoints go into moto's own CloudWatch backend, so GetMetricStatistics / GetMetricData answer
them as CloudWatch would (they are written at once: AWS takes about a minute).
"""

import datetime
import fnmatch
import json
import re
import uuid

from moto.cloudwatch.models import cloudwatch_backends
from moto.events.models import events_backends
from moto.guardduty.models import guardduty_backends
from moto.iam.models import iam_backends
from moto.sns.models import sns_backends

SAMPLE_PATH = re.compile(r"^/detector/([^/]+)/findings/create/?$")
# Severity of the finding types the drill uses (GuardDuty finding type reference); others Medium.
SEVERITY = {
    "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS": 8.0,
    "AttackSequence:IAM/CompromisedCredentials": 9.0,
    "Recon:EC2/PortProbeUnprotectedPort": 2.0,
}
DELIVERIES = []  # what each sample finding did, in order (GET /_groundwork/state shows it)
_API_ERROR = {"cls": None}


def install(api_error):
    """Called by server.py: the error type its dispatcher turns into AWS error answers."""
    _API_ERROR["cls"] = api_error


def route(service, method, path):
    """(handler, args) for a request this module answers, else (None, ())."""
    if service == "guardduty" and method == "POST":
        m = SAMPLE_PATH.match(path)
        if m:
            return create_sample_findings, (m.group(1),)
    return None, ()


def reset():
    DELIVERIES.clear()


def bad_request(message):
    # GuardDuty's BadRequestException body: {message, type}, as server.py's gd_bad_request.
    return _API_ERROR["cls"](400, "BadRequestException",
                             {"message": message, "type": "InvalidInputException", "__type": "InvalidInputException"})


def create_sample_findings(account, region, body, detector_id):
    detectors = guardduty_backends[account][region].detectors
    if detector_id not in detectors:
        raise bad_request("The request is rejected because the input detectorId is not owned by the current account.")
    # AWS: no findingTypes means one sample of every supported type; the emulator knows these few.
    types = body.get("findingTypes") or list(SEVERITY)
    for finding_type in types:
        event = finding_event(account, region, detector_id, finding_type)
        deliver(account, region, event, hops=1)
    return {}


def finding_event(account, region, detector_id, finding_type):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    fid = uuid.uuid4().hex
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "GuardDuty Finding", "source": "aws.guardduty",
        "account": account, "time": now, "region": region, "resources": [],
        "detail": {
            "schemaVersion": "2.0", "accountId": account, "region": region, "partition": "aws", "id": fid,
            "arn": f"arn:aws:guardduty:{region}:{account}:detector/{detector_id}/finding/{fid}",
            "type": finding_type, "severity": SEVERITY.get(finding_type, 5.0),
            "title": f"[SAMPLE] {finding_type}", "createdAt": now, "updatedAt": now,
            "resource": {"resourceType": "AccessKey"},
            "service": {"serviceName": "guardduty", "detectorId": detector_id, "archived": False, "count": 1,
                        "additionalInfo": {"sample": True}},
        },
    }


def metric(account, region, namespace, name, dimension, value, count=1.0):
    if count <= 0:
        return
    cloudwatch_backends[account][region].put_metric_data(namespace, [{
        "MetricName": name, "Value": float(count), "Unit": "Count",
        "Dimensions": [{"Name": dimension, "Value": value}]}])


def deliver(account, region, event, hops):
    """One event on the default bus of `account`/`region`, through every matching rule."""
    bus = events_backends[account][region].event_buses.get("default")
    if bus is None:
        return
    for rule in list(bus.rules.values()):
        if rule.state != "ENABLED" or not rule.event_pattern.matches_event(event):
            continue
        metric(account, region, "AWS/Events", "MatchedEvents", "RuleName", rule.name, 1)
        for target in list(rule.targets):
            ok, why = invoke(account, region, rule, target, event, hops)
            # Every attempt is an invocation; one the target refused is also a failed invocation.
            metric(account, region, "AWS/Events", "Invocations", "RuleName", rule.name, 1)
            if not ok:
                metric(account, region, "AWS/Events", "FailedInvocations", "RuleName", rule.name, 1)
            DELIVERIES.append({"account": account, "region": region, "rule": rule.name,
                               "target": target.get("Arn"), "delivered": ok, "why": why,
                               "findingType": event["detail"]["type"]})


def invoke(account, region, rule, target, event, hops):
    arn = target.get("Arn", "")
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[2] == "sns":
        return publish(account, region, rule, parts, event)
    bus = re.match(r"^arn:aws:events:([^:]+):(\d{12}):event-bus/default$", arn)
    if bus and hops > 0 and bus.group(2) == account and bus.group(1) != region:
        role = (target.get("RoleArn") or "").rsplit("/", 1)[-1]
        try:
            iam_backends[account]["global"].get_role(role)
        except Exception:  # NoSuchEntity, or no role named at all
            return False, "no role EventBridge can assume for another Region's bus"
        deliver(account, bus.group(1), event, hops - 1)
        return True, "forwarded"
    return True, "not an alert target"


def publish(account, region, rule, parts, event):
    _, _, _, topic_region, topic_account, _ = parts
    if topic_region != region:
        return False, "an SNS target must be in the rule's Region"
    topic = sns_backends[topic_account][topic_region].topics.get(":".join(parts))
    if topic is None:
        return False, "no such topic"
    key = getattr(topic, "kms_master_key_id", "") or ""
    if key == "alias/aws/sns" or key.endswith(":alias/aws/sns"):
        return False, "the AWS managed key alias/aws/sns cannot be used by EventBridge"
    if not may_publish(topic.policy, topic.arn, rule.arn, account):
        return False, "the topic policy does not allow events.amazonaws.com to publish for this rule"
    topic.publish(json.dumps(event))
    metric(topic_account, topic_region, "AWS/SNS", "NumberOfMessagesPublished", "TopicName", topic.name, 1)
    confirmed = [s for s in list(topic.sns_backend.subscriptions.values())
                 if s.topic is topic and s.attributes.get("PendingConfirmation") is not True]
    metric(topic_account, topic_region, "AWS/SNS", "NumberOfNotificationsDelivered", "TopicName", topic.name,
           len(confirmed))
    emails = sum(1 for s in confirmed if s.protocol in ("email", "email-json"))
    return True, f"delivered to {len(confirmed)} confirmed subscription(s), {emails} of them email"


def _list(v):
    return v if isinstance(v, list) else [v]


def may_publish(policy, topic_arn, rule_arn, account):
    try:
        statements = _list(json.loads(policy).get("Statement", []))
    except (ValueError, AttributeError):
        return False
    context = {"aws:sourcearn": rule_arn, "aws:sourceaccount": account}

    def applies(s):
        p = s.get("Principal")
        principal = p == "*" or (isinstance(p, dict) and (
            "events.amazonaws.com" in _list(p.get("Service", [])) or "*" in _list(p.get("Service", []))
            or "*" in _list(p.get("AWS", []))))
        action = any(fnmatch.fnmatch("sns:publish", a.lower()) for a in _list(s.get("Action", [])))
        resource = any(fnmatch.fnmatchcase(topic_arn, r) for r in _list(s.get("Resource", [])))
        if not (principal and action and resource):
            return False
        for op, keys in (s.get("Condition") or {}).items():
            for key, values in keys.items():
                actual = context.get(key.lower())
                if actual is None:
                    return False  # a key EventBridge's request does not carry: the statement is skipped
                like = op.startswith(("StringLike", "ArnLike"))
                hit = any(fnmatch.fnmatchcase(actual, v) if like else actual == v for v in _list(values))
                if op.startswith(("StringNot", "ArnNot")):
                    hit = not any(fnmatch.fnmatchcase(actual, v) for v in _list(values))
                if not hit:
                    return False
        return True

    if any(s.get("Effect") == "Deny" and applies(s) for s in statements):
        return False
    return any(s.get("Effect") == "Allow" and applies(s) for s in statements)
