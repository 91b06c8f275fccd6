"""EventBridge TestEventPattern, answered by moto's own event-pattern matcher.

moto 5.2.5 stubs TestEventPattern (HTTP 200, empty body: the Rust SDK reads `Result` as false).
AWS's API reference: the request carries `EventPattern` and `Event` (both JSON strings); the
event must follow the AWS event format and these fields are mandatory: id, account, source,
time, region, resources, detail-type. A pattern EventBridge would refuse is an
InvalidEventPatternException; the answer is `{"Result": true|false}`.

The matching itself is moto's (`EventPattern.load(...).matches_event`, the same code moto's
PutEvents uses to route events to rules), so the answer is computed, not canned.
"""

import json

from moto.events.exceptions import InvalidEventPatternException, ValidationException
from moto.events.models import EventPattern
from moto.events.responses import EventsHandler

# AWS's TestEventPattern reference: the fields an event must have.
MANDATORY_EVENT_FIELDS = ("id", "account", "source", "time", "region", "resources", "detail-type")


def _test_event_pattern(self):
    raw_pattern = self._get_param("EventPattern")
    raw_event = self._get_param("Event")
    if raw_pattern is None or raw_event is None:
        missing = "EventPattern" if raw_pattern is None else "Event"
        raise ValidationException(f"1 validation error detected: Value null at '{missing}' failed to satisfy "
                                  "constraint: Member must not be null")
    pattern = EventPattern.load(raw_pattern)  # InvalidEventPatternException, as AWS
    try:
        event = json.loads(raw_event)
    except ValueError:
        raise ValidationException("Parameter Event is not valid.")
    if not isinstance(event, dict) or any(f not in event for f in MANDATORY_EVENT_FIELDS):
        raise ValidationException("Parameter Event is not valid.")
    return json.dumps({"Result": bool(pattern.matches_event(event))}), self.response_headers


EventsHandler.test_event_pattern = _test_event_pattern
