"""Test hook: make the next calls of a named AWS operation fail with a given AWS error.

    POST /_groundwork/faults  {"operation": "ListLandingZones", "service": "controltower",
                               "account": "123456789012", "region": "us-east-1", "count": 1,
                               "status": 403, "code": "AccessDeniedException",
                               "message": "User: ... is not authorized to perform: ..."}

`operation` is required and matched exactly (the name the request log shows). `service`,
`account` and `region` narrow the match when given. `count` calls fail, then the fault is gone;
without `count` every matching call fails until `POST /_groundwork/faults/clear` or
`POST /moto-api/reset`. `status` defaults to 400 and `code` to "AccessDeniedException" with 403.
The error is shaped as the request's protocol expects it: a JSON body with `__type`, `message`
and `Message` plus the `x-amzn-ErrorType` header for JSON and REST-JSON services, an XML
`ErrorResponse` for query services (IAM, STS, SNS). Failed calls are still in the request log.
Faults are for what moto cannot produce (AccessDenied on JSON services, throttling): never a
shortcut around behaviour the emulator models.
"""
import json
import threading
import uuid
from xml.sax.saxutils import escape

from werkzeug.wrappers import Response

_LOCK = threading.Lock()
_FAULTS = []  # dicts: operation, service, account, region, remaining (None = until cleared), error


def add(body):
    """Registers a fault from the hook's JSON body; returns what was registered."""
    operation = body.get("operation")
    if not isinstance(operation, str) or not operation:
        raise ValueError("operation is required")
    code = body.get("code", "AccessDeniedException")
    status = int(body.get("status", 403 if code == "AccessDeniedException" else 400))
    count = body.get("count")
    if count is not None and (not isinstance(count, int) or count < 1):
        raise ValueError("count must be a positive integer")
    fault = {"operation": operation, "service": body.get("service"), "account": body.get("account"),
             "region": body.get("region"), "remaining": count,
             "error": {"status": status, "code": code, "message": body.get("message", f"{code} (injected)")}}
    with _LOCK:
        _FAULTS.append(fault)
    return {k: v for k, v in fault.items()}


def clear():
    with _LOCK:
        _FAULTS.clear()


def take(service, operation, account, region):
    """The error for this call if a fault matches it (using one of its count), else None."""
    with _LOCK:
        for fault in _FAULTS:
            if fault["operation"] != operation:
                continue
            if any(fault[k] is not None and fault[k] != v
                   for k, v in (("service", service), ("account", account), ("region", region))):
                continue
            if fault["remaining"] is not None:
                fault["remaining"] -= 1
                if fault["remaining"] == 0:
                    _FAULTS.remove(fault)
            return fault["error"]
    return None


def response(error, req):
    """The error as the request's protocol expects it."""
    headers = {"x-amzn-RequestId": str(uuid.uuid4())}
    query = req.mimetype == "application/x-www-form-urlencoded" or "Action" in req.args
    if query and not req.headers.get("X-Amz-Target"):
        body = (f'<ErrorResponse><Error><Type>Sender</Type><Code>{escape(error["code"])}</Code>'
                f'<Message>{escape(error["message"])}</Message></Error>'
                f'<RequestId>{headers["x-amzn-RequestId"]}</RequestId></ErrorResponse>')
        return Response(body, error["status"], headers=headers, content_type="text/xml")
    headers["x-amzn-ErrorType"] = error["code"]
    body = {"__type": error["code"], "message": error["message"], "Message": error["message"]}
    return Response(json.dumps(body), error["status"], headers=headers, content_type="application/json")
