"""How long AWS's slow operations take in the emulator, and a hook that changes it while it runs.

Each delay is read from its environment variable at every call, unless POST /_groundwork/delays
set it (seconds; 0: at once, as moto; negative: never, until a test says otherwise; null: back
to the environment):

    POST /_groundwork/delays  {"account": 2, "standards": 1.5, "assignment": 0}

account     GROUNDWORK_EMULATOR_ACCOUNT_DELAY_SECONDS     Organizations CreateAccount (account_creation.py)
standards   GROUNDWORK_EMULATOR_STANDARDS_DELAY_SECONDS   Security Hub standards subscriptions (standards.py)
assignment  GROUNDWORK_EMULATOR_ASSIGNMENT_DELAY_SECONDS  Identity Center account assignments (provisioning.py)
baseline    GROUNDWORK_EMULATOR_BASELINE_DELAY_SECONDS    Control Tower baseline operations and automatic
                                                          enrolment of a moved account (baselines.py, enrolment.py)
provision   GROUNDWORK_EMULATOR_PROVISION_DELAY_SECONDS   Identity Center permission set pushes (provisioning.py)
control     GROUNDWORK_EMULATOR_CONTROL_DELAY_SECONDS     Control Tower EnableControl operations (controls.py)
analyzer    GROUNDWORK_EMULATOR_ANALYZER_DELAY_SECONDS    IAM Access Analyzer analyzers CREATING -> ACTIVE (access_analyzer.py)

All default to 0, so tests that do not ask for a delay see moto's instant answers; the sandbox and
the tests of polls set them. POST /moto-api/reset forgets what the hook set.
"""
import math
import os
import threading
import time

ENV = {"account": "GROUNDWORK_EMULATOR_ACCOUNT_DELAY_SECONDS",
       "standards": "GROUNDWORK_EMULATOR_STANDARDS_DELAY_SECONDS",
       "assignment": "GROUNDWORK_EMULATOR_ASSIGNMENT_DELAY_SECONDS",
       "baseline": "GROUNDWORK_EMULATOR_BASELINE_DELAY_SECONDS",
       "provision": "GROUNDWORK_EMULATOR_PROVISION_DELAY_SECONDS",
       "control": "GROUNDWORK_EMULATOR_CONTROL_DELAY_SECONDS",

       "analyzer": "GROUNDWORK_EMULATOR_ANALYZER_DELAY_SECONDS"}
_SET = {}  # name -> seconds set by the hook
_LOCK = threading.Lock()


def seconds(name):
    """The delay of one kind of operation, in seconds (negative: never)."""
    with _LOCK:
        if name in _SET:
            return _SET[name]
    return float(os.environ.get(ENV[name]) or 0)


def ready_at(name):
    """The monotonic time an operation of this kind started now is finished (inf: never)."""
    wait = seconds(name)
    return math.inf if wait < 0 else time.monotonic() + wait


def hook(body):
    """POST /_groundwork/delays: sets (or, with null, unsets) the named delays; returns them all."""
    unknown = set(body) - set(ENV)
    if unknown:
        raise ValueError(f"unknown delays {sorted(unknown)}; known: {sorted(ENV)}")
    with _LOCK:
        for name, value in body.items():
            if value is None:
                _SET.pop(name, None)
            else:
                _SET[name] = float(value)
    return {name: seconds(name) for name in ENV}


def reset():
    with _LOCK:
        _SET.clear()
