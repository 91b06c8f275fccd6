"""AWS wire-format helpers shared by server.py and the service modules beside it."""
import datetime
import json
import uuid

from werkzeug.wrappers import Response

DEFAULT_ACCOUNT = "123456789012"


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(t):
    """Smithy date-time (RFC 3339, UTC, millisecond precision)."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def json_response(obj, status=200, headers=None):
    headers = {"x-amzn-RequestId": str(uuid.uuid4()), **(headers or {})}
    return Response(json.dumps(obj), status, headers=headers, content_type="application/json")


class ApiError(Exception):
    """An AWS rest-json error: status, x-amzn-ErrorType header and the model's body."""

    def __init__(self, status, code, body):
        super().__init__(code)
        self.status, self.code, self.body = status, code, body

    def response(self):
        return json_response(self.body, self.status, {"x-amzn-ErrorType": self.code})
