"""Every list answers in small pages, as AWS does; moto answers everything at once.

AWS pages every list call (NextToken / nextToken / Marker with IsTruncated) and may return fewer
items than MaxResults asks for, so a client that reads only the first page misses the rest on
AWS. moto (and this extension) give one page of up to 100 or more, so that bug never shows.

This layer sits in front of moto and the extension for every operation botocore knows a
paginator for (paginators-1.json: input/output token, limit key, result key), in the JSON,
REST-JSON and query (XML) protocols:
  * a request without a token is answered as usual (following moto's own tokens, if any, until
    the list is complete); the whole answer is kept under a new opaque token and its first page
    is returned, with the token when more remains;
  * a request with one of our tokens is served from what was kept, page after page;
  * the page holds GROUNDWORK_EMULATOR_PAGE_SIZE items (default 2; 0 turns paging off, e.g. for
    scripts/bench.py), or more when that would take over MAX_PAGES pages (a long list, such as
    the 30-odd Regions, still comes in several pages, not seventeen), and never more than the
    client's MaxResults / MaxItems / Limit.
Errors and operations without a paginator pass through untouched. A token that is not ours goes
to moto, which refuses it as AWS would refuse an unknown token. Tokens are forgotten on reset.
"""
import copy
import io
import json
import os
import secrets
import threading
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from collections import OrderedDict

import botocore.exceptions
import moto.core.loaders

PAGE_SIZE = int(os.environ.get("GROUNDWORK_EMULATOR_PAGE_SIZE") or 2)
# SigV4 service names whose botocore model is named otherwise.
MODEL_NAMES = {"sso": ["sso-admin"], "access-analyzer": ["accessanalyzer"]}
MAX_KEPT = 10000  # answers kept under a token; the oldest go first
MAX_FOLLOWS = 1000  # moto's own pages followed for one complete answer
MAX_PAGES = 4  # a list longer than PAGE_SIZE * MAX_PAGES comes in MAX_PAGES fuller pages

# moto's loader (botocore's, plus moto's own model files): server.py hands this one instance to
# moto and uses it itself, so each model is decoded once per emulator. Loads go one at a time:
# botocore merges a model's "extras" into the cached dict it hands out, and two threads loading the
# same model at once would each merge into it while a third reads it (an HTTP 500 now and then).
_LOADER = moto.core.loaders.create_loader()
_LOAD_LOCK = threading.RLock()


def _one_at_a_time(load):
    def locked(*args, **kwargs):
        with _LOAD_LOCK:
            return load(*args, **kwargs)
    return locked


_LOADER.load_service_model = _one_at_a_time(_LOADER.load_service_model)
_LOADER.list_available_services = _one_at_a_time(_LOADER.list_available_services)
_SPECS = {}  # (service, operation) -> Spec or None
_SPECS_LOCK = threading.Lock()
_KEPT = OrderedDict()  # token -> (who, operation, Kept, offset of the page it asks for)
_KEPT_LOCK = threading.Lock()


class Spec:
    """Where one operation's token, limit and items are on the wire."""

    def __init__(self, protocol, pager, model, op):
        self.protocol = protocol
        self.more = pager.get("more_results")  # IAM's IsTruncated
        self.keep = pager.get("non_aggregate_keys") or []
        shapes = model["shapes"]
        inp = shapes[op["input"]["shape"]]["members"] if "input" in op else {}
        out = shapes[op["output"]["shape"]]["members"] if "output" in op else {}
        wire = lambda members, name: (members.get(name) or {}).get("locationName", name)
        self.token_in = wire(inp, pager["input_token"])
        self.token_in_query = (inp.get(pager["input_token"]) or {}).get("location") == "querystring"
        self.limit = wire(inp, pager["limit_key"]) if pager.get("limit_key") else None
        self.limit_in_query = (inp.get(pager.get("limit_key")) or {}).get("location") == "querystring"
        self.token_out = wire(out, pager["output_token"])
        self.items = wire(out, pager["result_key"])


def spec(service, operation):
    """The Spec of a pageable operation, else None (cached)."""
    key = (service, operation)
    with _SPECS_LOCK:
        if key not in _SPECS:
            _SPECS[key] = _find_spec(service, operation)
        return _SPECS[key]


def _find_spec(service, operation):
    if not service:
        return None
    for name in [service, *MODEL_NAMES.get(service, [])]:
        try:
            model = _LOADER.load_service_model(name, "service-2")
            pagers = _LOADER.load_service_model(name, "paginators-1")["pagination"]
        except botocore.exceptions.DataNotFoundError:
            continue
        meta = model["metadata"]
        if (meta.get("signingName") or meta["endpointPrefix"]) != service:
            continue
        pager, op = pagers.get(operation), model["operations"].get(operation)
        simple = pager and all(isinstance(pager.get(k), str) and "." not in pager[k]
                               for k in ("input_token", "output_token", "result_key"))
        if simple and op and meta["protocol"] in ("json", "rest-json", "query"):
            return Spec(meta["protocol"], pager, model, op)
    return None


# --------------------------------------------------------------------------- requests
class Call:
    """One request's parameters as the protocol carries them, and copies with other values."""

    def __init__(self, sp, req, environ):
        self.sp, self.environ = sp, environ
        self.body = req.get_data()  # werkzeug knows when a body ends (length, chunks, none)
        self._rewind(environ, self.body)  # moto reads the body again
        self.query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        self.form = urllib.parse.parse_qs(self.body.decode("utf-8", "replace")) if sp.protocol == "query" else {}
        try:
            self.json = json.loads(self.body) if sp.protocol != "query" and self.body else {}
        except ValueError:
            self.json = None  # malformed: not ours to judge, moto answers it

    @staticmethod
    def _rewind(environ, body):
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("wsgi.input_terminated", None)

    def get(self, name, in_query):
        if in_query or (self.sp.protocol == "query" and name in self.query):
            return (self.query.get(name) or [None])[0]
        if self.sp.protocol == "query":
            return (self.form.get(name) or [None])[0]
        return (self.json or {}).get(name)

    def token(self):
        return self.get(self.sp.token_in, self.sp.token_in_query)

    def limit(self):
        try:
            return int(self.get(self.sp.limit, self.sp.limit_in_query)) if self.sp.limit else None
        except (TypeError, ValueError):
            return None

    def with_token(self, token):
        """A copy of the request environ asking for moto's page `token`."""
        environ, body = dict(self.environ), self.body
        name = self.sp.token_in
        if self.sp.token_in_query or (self.sp.protocol == "query" and not self.form):  # GET ?Action=...
            query = {**self.query, name: [token]}
            environ["QUERY_STRING"] = urllib.parse.urlencode(query, doseq=True)
        elif self.sp.protocol == "query":
            body = urllib.parse.urlencode({**self.form, name: [token]}, doseq=True).encode()
        else:
            body = json.dumps({**(self.json or {}), name: token}).encode()
        self._rewind(environ, body)
        return environ


# --------------------------------------------------------------------------- answers
class JsonDoc:
    def __init__(self, body, sp):
        self.doc, self.sp = json.loads(body), sp

    def items(self):
        return list(self.doc.get(self.sp.items) or [])

    def token(self):
        return self.doc.get(self.sp.token_out)

    def page(self, items, token):
        doc = dict(self.doc)
        doc[self.sp.items] = items
        doc.pop(self.sp.token_out, None)
        if token:
            doc[self.sp.token_out] = token
        return json.dumps(doc).encode()


class XmlDoc:
    """A query-protocol answer: <OpResponse><OpResult>...<Items><member/>...</Items></OpResult>."""

    def __init__(self, body, sp):
        self.root, self.sp = ET.fromstring(body), sp
        self.ns = self.root.tag[1:].partition("}")[0] if self.root.tag.startswith("{") else ""
        self.result = next(c for c in self.root if c.tag.endswith("Result"))

    def _q(self, name):
        return f"{{{self.ns}}}{name}" if self.ns else name

    def items(self):
        holder = self.result.find(self._q(self.sp.items))
        return list(holder) if holder is not None else []

    def token(self):
        if self.sp.more and (self.result.findtext(self._q(self.sp.more)) or "").strip() != "true":
            return None
        return (self.result.findtext(self._q(self.sp.token_out)) or "").strip() or None

    def page(self, items, token):
        root = copy.deepcopy(self.root)
        result = next(c for c in root if c.tag.endswith("Result"))
        holder = result.find(self._q(self.sp.items))
        if holder is None:
            holder = ET.SubElement(result, self._q(self.sp.items))
        for child in list(holder):
            holder.remove(child)
        holder.extend(copy.deepcopy(items))
        for name in (self.sp.token_out, self.sp.more):
            for old in result.findall(self._q(name)) if name else ():
                result.remove(old)
        if token:
            ET.SubElement(result, self._q(self.sp.token_out)).text = token
        if self.sp.more:
            ET.SubElement(result, self._q(self.sp.more)).text = "true" if token else "false"
        return ET.tostring(root, encoding="utf-8", default_namespace=self.ns or None)


class Kept:
    """A complete answer, as the first page's status and headers came."""

    def __init__(self, doc, items, status, headers):
        self.doc, self.items, self.status, self.headers = doc, items, status, headers


# --------------------------------------------------------------------------- the layer
def serve(dispatch, req, environ, start_response, who, operation):
    """Answers one AWS request, paging it if it is a list; `dispatch` answers unpaged."""
    service = who[2] if who else None
    sp = spec(service, operation) if PAGE_SIZE > 0 else None
    if sp is None:
        return dispatch(req, environ, start_response, who)
    call = Call(sp, req, environ)
    if call.json is None:
        return dispatch(req, environ, start_response, who)
    limit = call.limit()
    token = call.token()
    if token:
        with _KEPT_LOCK:
            entry = _KEPT.get(token)
        if entry is None or entry[0] != who or entry[1] != operation:
            return dispatch(req, environ, start_response, who)  # not ours: moto's answer
        return _page(*entry, limit, start_response)
    kept = _complete(dispatch, environ, who, sp, call)
    if isinstance(kept, tuple):  # not a success: passed through as it came
        status, headers, body = kept
        start_response(status, headers)
        return [body]
    return _page(who, operation, kept, 0, limit, start_response)


def _page(who, operation, kept, start, limit, start_response):
    """A page of `kept` from `start`, with a fresh token (AWS's differ page to page) for the rest
    if any remains. A token stays good: a client retrying a page gets the same page."""
    size = max(PAGE_SIZE, -(-len(kept.items) // MAX_PAGES))
    if limit and limit > 0:
        size = min(size, limit)
    token = None
    if start + size < len(kept.items):
        token = "gw" + secrets.token_urlsafe(24)
        with _KEPT_LOCK:
            _KEPT[token] = (who, operation, kept, start + size)
            while len(_KEPT) > MAX_KEPT:
                _KEPT.popitem(last=False)
    body = kept.doc.page(kept.items[start:start + size], token)
    headers = [(k, v) for k, v in kept.headers if k.lower() not in ("content-length", "x-amzn-requestid")]
    start_response(kept.status, headers + [("Content-Length", str(len(body))),
                                           ("x-amzn-RequestId", str(uuid.uuid4()))])
    return [body]


def _run(dispatch, environ, who):
    """One inner call of moto/the extension: (status, headers, body)."""
    from werkzeug.wrappers import Request

    got = {}

    def start(status, headers, exc_info=None):
        got["status"], got["headers"] = status, headers
        return lambda data: None

    out = dispatch(Request(environ), environ, start, who)
    try:
        body = b"".join(out)
    finally:
        if hasattr(out, "close"):
            out.close()
    return got["status"], got["headers"], body


def _complete(dispatch, environ, who, sp, call):
    """The whole list as a Kept, following moto's own tokens; else the (status, headers, body)
    of an answer that is not a success."""
    status, headers, body = _run(dispatch, environ, who)
    if not status.startswith("200"):
        return status, headers, body
    try:
        doc = (XmlDoc if sp.protocol == "query" else JsonDoc)(body, sp)
    except (ValueError, ET.ParseError, StopIteration):  # not the list shape we know: as it came
        return status, headers, body
    items, token = doc.items(), doc.token()
    for _ in range(MAX_FOLLOWS):
        if not token:
            break
        more_status, more_headers, more_body = _run(dispatch, call.with_token(token), who)
        if not more_status.startswith("200"):
            return more_status, more_headers, more_body
        more = type(doc)(more_body, sp)
        items, token = items + more.items(), more.token()
    return Kept(doc, items, status, headers)


def reset():
    with _KEPT_LOCK:
        _KEPT.clear()
