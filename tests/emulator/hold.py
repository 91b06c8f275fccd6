"""Test hook: hold one AWS request after the emulator has carried it out and before its answer is
written, until the test releases it. A test can then kill a client at an exact point of its work,
chosen by counting requests (tests/it/common/kill.rs), instead of after a guessed time that depends
on the machine's speed. Not an AWS behaviour: a stopwatch for tests, as faults.py is.

    POST /_groundwork/hold          {"nth": 7}   the 7th AWS request from now is held (from 1)
    POST /_groundwork/hold          {"nth": 2, "changes": true}   the 2nd request that changes
                                    something (reads, AssumeRole, AssumeRoot, TestEventPattern and GenerateCredentialReport not counted)
    GET  /_groundwork/hold                       {"nth": 7, "seen": 5, "held": null | {"operation": ...}}
    POST /_groundwork/hold/release  {}           lets a held request go; cancels a hold not reached

The held request is in the request log, with no end yet. A hold never lasts longer than
MAX_SECONDS (so a test that dies never hangs the server), and POST /moto-api/reset releases it.
"""
import threading

MAX_SECONDS = 300

_LOCK = threading.Lock()
_STATE = {"nth": None, "changes": False, "seen": 0, "held": None, "release": threading.Event()}
# Reads change nothing: what tests/it/common/kill.rs leaves out when it compares calls with intents.
READ_PREFIXES = ("List", "Get", "Describe")
# GenerateCredentialReport only (re)makes the report a check reads; AssumeRoot opens a session.
READS = ("AssumeRole", "AssumeRoot", "TestEventPattern", "GenerateCredentialReport")


def is_read(operation):
    return operation.startswith(READ_PREFIXES) or operation in READS


def hook(body):
    """POST /_groundwork/hold: counts requests from now and holds the nth."""
    nth = body.get("nth")
    if not isinstance(nth, int) or nth < 1:
        raise ValueError("nth must be a positive integer")
    release()
    with _LOCK:
        _STATE.update(nth=nth, changes=bool(body.get("changes")), seen=0, held=None, release=threading.Event())
    return state()


def state():
    with _LOCK:
        return {"nth": _STATE["nth"], "changes": _STATE["changes"], "seen": _STATE["seen"], "held": _STATE["held"]}


def release(_body=None):
    """POST /_groundwork/hold/release (and reset): lets the held request go, forgets the hold."""
    with _LOCK:
        _STATE["release"].set()
        _STATE.update(nth=None, changes=False, seen=0, held=None)
    return {"released": True}


def after(entry):
    """Called once per AWS request once it has been carried out, before its answer is written:
    blocks the request the hook names until it is released."""
    with _LOCK:
        if _STATE["nth"] is None or (_STATE["changes"] and is_read(entry.get("operation") or "")):
            return
        _STATE["seen"] += 1
        if _STATE["seen"] != _STATE["nth"]:
            return
        _STATE["held"] = {k: entry.get(k) for k in ("service", "operation", "account", "region")}
        event = _STATE["release"]
    event.wait(MAX_SECONDS)
