"""Security Hub CSPM standards take time to enable, as on AWS.

AWS's StandardsStatus for a subscription is PENDING while "the standard is in the process of being
enabled", then READY ("the standard is enabled"); BatchEnableStandards answers with the
subscription as it is at that moment, and GetEnabledStandards reports PENDING until AWS is done
(StandardsControlsUpdatable NOT_READY_FOR_UPDATES meanwhile). This holds for standards enabled by
BatchEnableStandards and for the default standards EnableSecurityHub turns on.

Once enabled, a standard's controls run on AWS Config rules: where no configuration recorder records
in the account and Region, AWS reports the subscription INCOMPLETE with StandardsStatusReason
NO_AVAILABLE_CONFIGURATION_RECORDER (API_StandardsStatusReason; Security Hub user guide, "Enabling and
configuring AWS Config for Security Hub CSPM": "To receive control findings in Security Hub CSPM, you
must enable AWS Config for your account"), and READY again once one records. `shown` applies this at
every answer, reading moto's own Config backend, so a recorder made through plain moto calls, the
member role or Control Tower's side effects counts alike. A status set by the hook is shown as set.

How long enabling takes is delays.seconds("standards") (GROUNDWORK_EMULATOR_STANDARDS_DELAY_SECONDS,
default 0: READY at once; negative: PENDING until POST /_groundwork/securityhub/standard-status
says otherwise). The subscriptions themselves live in server.py's SH_SUBS.
"""
import threading
import time

from moto.config.models import config_backends

import delays

_LOCK = threading.Lock()
_READY_AT = {}  # StandardsSubscriptionArn -> monotonic time it is READY
_BY_HAND = set()  # StandardsSubscriptionArn whose status the hook set
NO_RECORDER = "NO_AVAILABLE_CONFIGURATION_RECORDER"


def recording(account, region):
    """Whether a configuration recorder records in the account and Region (moto's Config backend)."""
    backend = config_backends[account][region]
    return any(r.status.recording for r in backend.recorders.values())


def shown(sub, account, region):
    """The subscription as AWS answers it: an enabled standard without a recording Config recorder is
    INCOMPLETE (NO_AVAILABLE_CONFIGURATION_RECORDER), READY again once one records."""
    if sub.get("StandardsStatus") != "READY" or sub["StandardsSubscriptionArn"] in _BY_HAND:
        return sub
    if recording(account, region):
        return sub
    return dict(sub, StandardsStatus="INCOMPLETE", StandardsControlsUpdatable="NOT_READY_FOR_UPDATES",
                StandardsStatusReason={"StatusReasonCode": NO_RECORDER})


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
    """The subscription is gone: no timer changes it."""
    with _LOCK:
        _READY_AT.pop(sub["StandardsSubscriptionArn"], None)
        _BY_HAND.discard(sub["StandardsSubscriptionArn"])


def by_hand(sub):
    """The status was set by the test hook: no timer and no Config recorder changes it."""
    with _LOCK:
        _READY_AT.pop(sub["StandardsSubscriptionArn"], None)
        _BY_HAND.add(sub["StandardsSubscriptionArn"])


def reset():
    with _LOCK:
        _READY_AT.clear()
        _BY_HAND.clear()
