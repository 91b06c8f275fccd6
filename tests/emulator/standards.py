"""Security Hub CSPM standards take time to enable, as on AWS.

AWS's StandardsStatus for a subscription is PENDING while "the standard is in the process of being
enabled", then READY ("the standard is enabled"); BatchEnableStandards answers with the
subscription as it is at that moment, and GetEnabledStandards reports PENDING until AWS is done
(StandardsControlsUpdatable NOT_READY_FOR_UPDATES meanwhile). This holds for standards enabled by
BatchEnableStandards and for the default standards EnableSecurityHub turns on.

How long enabling takes is delays.seconds("standards") (GROUNDWORK_EMULATOR_STANDARDS_DELAY_SECONDS,
default 0: READY at once; negative: PENDING until POST /_groundwork/securityhub/standard-status
says otherwise). The subscriptions themselves live in server.py's SH_SUBS.
"""
import threading
import time

import delays

_LOCK = threading.Lock()
_READY_AT = {}  # StandardsSubscriptionArn -> monotonic time it is READY


def start(sub, set_status):
    """A new subscription: READY now, or PENDING until the delay has passed."""
    ready = delays.ready_at("standards")
    if ready <= time.monotonic():
        set_status(sub, "READY", None)
        return
    set_status(sub, "PENDING", None)
    with _LOCK:
        _READY_AT[sub["StandardsSubscriptionArn"]] = ready


def settle(sub, set_status):
    """Brings a PENDING subscription to READY once its time has come."""
    with _LOCK:
        ready = _READY_AT.get(sub["StandardsSubscriptionArn"])
        if ready is None or time.monotonic() < ready:
            return
        del _READY_AT[sub["StandardsSubscriptionArn"]]
    set_status(sub, "READY", None)


def forget(sub):
    """The status was set by hand (the test hook) or the subscription is gone: no timer changes it."""
    with _LOCK:
        _READY_AT.pop(sub["StandardsSubscriptionArn"], None)


def reset():
    with _LOCK:
        _READY_AT.clear()
