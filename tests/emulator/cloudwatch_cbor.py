"""CloudWatch over the Smithy RPC v2 CBOR protocol, which the AWS SDK for Rust uses for CloudWatch.

moto 5.2.5 serves CloudWatch only on `POST /` (query and JSON protocols, which boto3 uses); the
Rust SDK sends `POST /service/GraniteServiceVersion20100801/operation/{Operation}` with a CBOR body
(`smithy-protocol: rpc-v2-cbor`) and reads a CBOR answer, so every call 404s. This module decodes
the request, asks moto's own CloudWatch backend, and encodes the answer as the protocol defines it
(Smithy "RPC v2 CBOR" protocol: timestamps are CBOR tag 1 epoch seconds; errors carry `__type`).
Only the operation groundwork calls is served (GetMetricStatistics); any other is an
UnknownOperationException, as a service that lacks it would answer.

GetMetricStatistics's StartTime is rounded as CloudWatch documents it (API reference,
GetMetricStatistics, StartTime: "Start time less than 15 days ago - Round down to the nearest whole
minute"; between 15 and 63 days, to 5 minutes; older, to the hour), in every protocol: moto took it
to the second, so a reader whose window starts mid-minute never saw what the earlier part of that
minute held, as it does on AWS.
"""

import datetime
import struct

from werkzeug.wrappers import Response

from moto.cloudwatch.models import CloudWatchBackend, cloudwatch_backends

PREFIX = "/service/GraniteServiceVersion20100801/operation/"


def handles(service, path):
    return service == "monitoring" and path.startswith(PREFIX)


def respond(req, account, region):
    operation = req.path[len(PREFIX):].strip("/")
    try:
        body = decode(req.get_data()) if req.get_data() else {}
    except (ValueError, IndexError, struct.error):
        return error(400, "SerializationException", "the request body is not valid CBOR")
    if operation != "GetMetricStatistics":
        return error(400, "UnknownOperationException", f"{operation} is not served by this emulator")
    if not body.get("Statistics"):
        return error(400, "InvalidParameterCombination", "Must specify either Statistics or ExtendedStatistics")
    start, end = when(body.get("StartTime")), when(body.get("EndTime"))
    if start is None or end is None or start >= end:
        return error(400, "InvalidParameterValue", "The parameter StartTime must be less than the parameter EndTime.")
    stats = cloudwatch_backends[account][region].get_metric_statistics(
        body.get("Namespace"), body.get("MetricName"), start, end, int(body.get("Period", 60)),
        body["Statistics"], dimensions=body.get("Dimensions") or [], unit=body.get("Unit"))
    points = []
    for s in stats:
        point = {"Timestamp": s.timestamp}
        for name in body["Statistics"]:
            value = s.get_statistics_for_type(name)
            if value is not None:
                point[name] = float(value)
        if s.unit:
            point["Unit"] = s.unit
        points.append(point)
    return answer(200, {"Label": body.get("MetricName"), "Datapoints": points})


def when(v):
    """A request timestamp as moto keeps them: naive UTC."""
    if isinstance(v, (int, float)):
        v = datetime.datetime.fromtimestamp(v, datetime.timezone.utc)
    if isinstance(v, datetime.datetime):
        return v.astimezone(datetime.timezone.utc).replace(tzinfo=None) if v.tzinfo else v
    return None


def error(status, code, message):
    return answer(status, {"__type": code, "message": message})


def answer(status, value):
    return Response(encode(value), status, headers={"smithy-protocol": "rpc-v2-cbor"},
                    content_type="application/cbor")


# --------------------------------------------------------------------------- CBOR (RFC 8949)
def decode(data):
    value, _ = _item(data, 0)
    return value


def _length(data, i, info):
    if info < 24:
        return info, i
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None:
        return None, i  # indefinite
    return int.from_bytes(data[i:i + size], "big"), i + size


def _item(data, i):
    head = data[i]
    major, info, i = head >> 5, head & 31, i + 1
    if major == 7:
        if info == 20:
            return False, i
        if info == 21:
            return True, i
        if info in (22, 23):
            return None, i
        if info == 25:
            return _half(data[i:i + 2]), i + 2
        if info == 26:
            return struct.unpack(">f", data[i:i + 4])[0], i + 4
        if info == 27:
            return struct.unpack(">d", data[i:i + 8])[0], i + 8
        raise ValueError("unsupported simple value")
    n, i = _length(data, i, info)
    if major == 0:
        return n, i
    if major == 1:
        return -1 - n, i
    if major in (2, 3):
        if n is None:  # indefinite string: chunks until break
            parts = []
            while data[i] != 0xFF:
                part, i = _item(data, i)
                parts.append(part)
            joined = b"".join(p if isinstance(p, bytes) else p.encode() for p in parts)
            return (joined if major == 2 else joined.decode()), i + 1
        raw = bytes(data[i:i + n])
        return (raw if major == 2 else raw.decode()), i + n
    if major == 4:
        items = []
        while (n is None and data[i] != 0xFF) or (n is not None and len(items) < n):
            item, i = _item(data, i)
            items.append(item)
        return items, (i + 1 if n is None else i)
    if major == 5:
        out = {}
        while (n is None and data[i] != 0xFF) or (n is not None and len(out) < n):
            key, i = _item(data, i)
            out[key], i = _item(data, i)
        return out, (i + 1 if n is None else i)
    if major == 6:
        value, i = _item(data, i)
        if n == 1:  # epoch-based date/time
            return datetime.datetime.fromtimestamp(value, datetime.timezone.utc), i
        return value, i
    raise ValueError("unsupported major type")


def _half(b):
    h = int.from_bytes(b, "big")
    sign, exp, frac = (-1) ** (h >> 15), (h >> 10) & 31, h & 1023
    if exp == 0:
        return sign * frac * 2 ** -24
    if exp == 31:
        return sign * float("inf") if frac == 0 else float("nan")
    return sign * (1 + frac / 1024) * 2 ** (exp - 15)


def _head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError("too large")


def encode(v):
    if v is None:
        return b"\xf6"
    if v is True:
        return b"\xf5"
    if v is False:
        return b"\xf4"
    if isinstance(v, int):
        return _head(0, v) if v >= 0 else _head(1, -1 - v)
    if isinstance(v, float):
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return b"\xc1" + encode(v.timestamp())
    if isinstance(v, str):
        raw = v.encode()
        return _head(3, len(raw)) + raw
    if isinstance(v, bytes):
        return _head(2, len(v)) + v
    if isinstance(v, (list, tuple)):
        return _head(4, len(v)) + b"".join(encode(x) for x in v)
    if isinstance(v, dict):
        return _head(5, len(v)) + b"".join(encode(k) + encode(x) for k, x in v.items())
    raise TypeError(f"cannot encode {type(v).__name__}")


def rounded_start(start, now=None):
    """StartTime as CloudWatch rounds it (naive UTC in, naive UTC out)."""
    now = now or datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    age = now - start
    start = start.replace(second=0, microsecond=0)
    if age > datetime.timedelta(days=63):
        return start.replace(minute=0)
    if age > datetime.timedelta(days=15):
        return start.replace(minute=start.minute - start.minute % 5)
    return start


_moto_get_metric_statistics = CloudWatchBackend.get_metric_statistics


def _get_metric_statistics(self, namespace, metric_name, start_time, end_time, period, stats, dimensions,
                           unit=None):
    naive = start_time.astimezone(datetime.timezone.utc).replace(tzinfo=None) if start_time.tzinfo else start_time
    start = rounded_start(naive)
    if start_time.tzinfo:
        start = start.replace(tzinfo=datetime.timezone.utc).astimezone(start_time.tzinfo)
    return _moto_get_metric_statistics(self, namespace, metric_name, start, end_time, period, stats, dimensions, unit)


CloudWatchBackend.get_metric_statistics = _get_metric_statistics
