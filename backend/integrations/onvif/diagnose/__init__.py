"""Diagnose one ONVIF device — a camera or a recorder — and say in plain Turkish what is wrong.

Remote first (directive 15(1)): the server, or the on-site probe on a technician's laptop, runs
:func:`diagnose` against one address. The checks run in a fixed order; each yields a
:class:`CheckResult` with a verdict, a message a technician can act on, JSON-able evidence and
its duration. A check that an earlier failure makes impossible is ``SKIPPED`` with the reason
(no TCP connection → nothing else is tried; credentials refused → only the clock, if the device
told it without a password). An unexpected exception inside one check becomes ``FAIL`` for that
check, with the exception class in the evidence; :func:`diagnose` itself does not raise for
device problems.

What is checked, and why:

* ``tcp``, ``onvif`` — reachability; ``authless GetSystemDateAndTime`` also gives the clock.
* ``auth`` — confirmed with ``GetDeviceInformation`` (``update_xaddrs`` alone succeeds with a
  wrong password on many devices); a device that also answers *without* a password is a warning.
* ``device_info``, ``firmware`` — identity, and the firmware against the approved baseline.
* ``clock`` — drift against the server: footage with a wrong clock loses evidential value.
* ``network``, ``profiles``, ``stream_uri``, ``snapshot``, ``image_health``, ``ptz``.
* recorders only: ``retention`` (directive 9: at least 20 days) and ``recording_active``
  (directive 12(1): the weekly "is it recording" check).

Every network call is bounded by :class:`Limits`. Nothing is shared between calls but the parsed
WSDLs (once per process, see :func:`warm_up`): each diagnosis owns its ONVIF client and HTTP
sessions and closes them, so many can run at once (the caller limits how many).

Where things are: ``model`` (checks, verdicts, target, limits, results), ``checks`` (the check
table: order and function of every check), one module per family of checks (``reach``,
``identity``, ``clock``, ``media``, ``image``, ``recording``), ``run`` (one diagnosis: state,
gates, timeouts, how an outcome is recorded), ``wsdl`` (parsing the WSDLs once), ``text``
(Turkish numbers and spans, addresses).

The password is never put into evidence, messages, ``repr`` or JSON; URLs are reported without
credentials, and the device is never allowed to steer requests to another host (service
addresses and snapshot URLs are pinned to the target's address).
"""

from backend.integrations.onvif.diagnose.checks import CAMERA_CHECKS, RECORDER_CHECKS
from backend.integrations.onvif.diagnose.model import (
    Check,
    CheckResult,
    Diagnosis,
    Limits,
    Target,
    Thresholds,
    Verdict,
)
from backend.integrations.onvif.diagnose.run import diagnose
from backend.integrations.onvif.diagnose.wsdl import warm_up

__all__ = [
    "CAMERA_CHECKS",
    "RECORDER_CHECKS",
    "Check",
    "CheckResult",
    "Diagnosis",
    "Limits",
    "Target",
    "Thresholds",
    "Verdict",
    "diagnose",
    "warm_up",
]
