"""AWS throttles, so the emulator does too: from the same table groundwork paces its calls by
(assets/rates.toml: per service `default = {rate, burst}`, per-operation overrides, `global`).

Each (service, operation, account, Region) has a token bucket, as AWS documents its limits
("per account per Region"; per account alone for a `global` service such as Organizations, IAM or
Account Management): it holds `burst` tokens and refills `rate` tokens a second; a request takes
one, and a request that finds none is answered with that service's throttling error and status in
its own protocol (JSON services `__type` + `x-amzn-ErrorType`, query services an XML
`ErrorResponse`, EC2 its `Response/Errors`, S3 Control `Error`, CloudWatch's CBOR), without being
carried out. The account is the one moto acts in for the request: the signer's (an AssumeRole is
charged to the account that calls it, as AWS charges it).

    GROUNDWORK_EMULATOR_THROTTLE=1        on (default off: most tests seed faster than AWS allows)
    GROUNDWORK_EMULATOR_THROTTLE_SCALE=x  every rate and burst times x (default 1)
    GROUNDWORK_EMULATOR_RATES=path        another table (default: rates.toml beside this file, else
                                          the checkout's assets/rates.toml)
    POST /_groundwork/throttle {"enabled": true, "scale": 1}   switches it at run time (a test seeds
                                          unthrottled, then turns it on); answers the state
    GET  /_groundwork/throttle            {"enabled", "scale", "counts": [{"service", "operation",
                                          "account", "region", "rate", "burst", "allowed",
                                          "throttled"}, ...]}

Throttled requests stay in the request log with `"throttled": true`. `POST /moto-api/reset`
empties the buckets and counts and goes back to the environment's setting.
"""
import json
import os
import threading
import time
import tomllib
import uuid
from xml.sax.saxutils import escape

from werkzeug.wrappers import Response

import cloudwatch_cbor

_HERE = os.path.dirname(os.path.abspath(__file__))
# SigV4 names whose IAM action prefix (the table's key) differs.
PREFIX_OF_SIGNING_NAME = {"monitoring": "cloudwatch"}
MESSAGE = "Rate exceeded"

_LOCK = threading.Lock()
_BUCKETS = {}  # (service, operation, account, region or "") -> [tokens, monotonic time]
_COUNTS = {}  # same key -> {"allowed": n, "throttled": n}


def _env_state():
    on = (os.environ.get("GROUNDWORK_EMULATOR_THROTTLE") or "0").lower() in ("1", "on", "true", "yes")
    return {"enabled": on, "scale": float(os.environ.get("GROUNDWORK_EMULATOR_THROTTLE_SCALE") or 1)}


_STATE = _env_state()


def _load():
    path = os.environ.get("GROUNDWORK_EMULATOR_RATES")
    for candidate in ([path] if path else []) + [os.path.join(_HERE, "rates.toml"),
                                                  os.path.join(_HERE, "..", "..", "assets", "rates.toml")]:
        if os.path.exists(candidate):
            with open(candidate, "rb") as f:
                return tomllib.load(f).get("services", {})
    return {}


SERVICES = _load()


def limit(service, operation):
    """(rate, burst, global, error, status) for a call, or None when the table has no such service."""
    s = SERVICES.get(PREFIX_OF_SIGNING_NAME.get(service, service))
    if s is None:
        return None
    r = (s.get("operations") or {}).get(operation) or s["default"]
    return float(r["rate"]), int(r["burst"]), bool(s.get("global")), s["error"], int(s["status"])


def take(service, operation, account, region):
    """Takes a token for this request; returns None when it may go on, else the error to answer."""
    if not service or not _STATE["enabled"]:
        return None
    found = limit(service, operation)
    if found is None:
        return None
    rate, burst, is_global, code, status = found
    scale = _STATE["scale"]
    rate, burst = rate * scale, max(1.0, burst * scale)
    key = (PREFIX_OF_SIGNING_NAME.get(service, service), operation, account, "" if is_global else region)
    now = time.monotonic()
    with _LOCK:
        bucket = _BUCKETS.setdefault(key, [burst, now])
        bucket[0] = min(burst, bucket[0] + (now - bucket[1]) * rate)
        bucket[1] = now
        counts = _COUNTS.setdefault(key, {"allowed": 0, "throttled": 0})
        counts.update(rate=rate, burst=burst)  # what was enforced, for a test to check the log against
        if bucket[0] >= 1.0:
            bucket[0] -= 1.0
            counts["allowed"] += 1
            return None
        counts["throttled"] += 1
    return {"status": status, "code": code, "message": MESSAGE}


def response(error, req, service):
    """The throttling error in the protocol the request spoke."""
    request_id = str(uuid.uuid4())
    code, message, status = escape(error["code"]), escape(error["message"]), error["status"]
    headers = {"x-amzn-RequestId": request_id}
    if cloudwatch_cbor.handles(service, req.path):
        return cloudwatch_cbor.error(status, error["code"], error["message"])
    if service == "ec2":
        body = (f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
                f"<RequestID>{request_id}</RequestID></Response>")
        return Response(body, status, headers=headers, content_type="text/xml")
    if service == "s3":  # S3 Control: REST-XML without the ErrorResponse wrapper
        body = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
        return Response(body, status, headers=headers, content_type="application/xml")
    query = req.mimetype == "application/x-www-form-urlencoded" or "Action" in req.args
    if query and not req.headers.get("X-Amz-Target"):
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
                f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>")
        return Response(body, status, headers=headers, content_type="text/xml")
    headers["x-amzn-ErrorType"] = error["code"]
    body = {"__type": error["code"], "message": error["message"], "Message": error["message"]}
    return Response(json.dumps(body), status, headers=headers, content_type="application/json")


def hook(body):
    """POST /_groundwork/throttle: turns throttling on or off and sets the scale."""
    with _LOCK:
        if "enabled" in body:
            _STATE["enabled"] = bool(body["enabled"])
        if body.get("scale") is not None:
            scale = float(body["scale"])
            if scale <= 0:
                raise ValueError("scale must be positive")
            _STATE["scale"] = scale
            _BUCKETS.clear()  # refilled at the new size
    return state()


def state():
    with _LOCK:
        counts = [{"service": k[0], "operation": k[1], "account": k[2], "region": k[3] or None, **v}
                  for k, v in sorted(_COUNTS.items())]
        return {"enabled": _STATE["enabled"], "scale": _STATE["scale"], "counts": counts}


def reset():
    with _LOCK:
        _BUCKETS.clear()
        _COUNTS.clear()
        _STATE.update(_env_state())
