"""The check table: every check in the order a diagnosis runs them, and which function runs it.

A check is ``async def check(run: Run) -> Outcome`` in the module of its family. To add one: a
member of :class:`~backend.integrations.onvif.diagnose.model.Check`, its function, its line
here (in running order), and its Turkish label in ``backend.shared.checks``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backend.integrations.onvif.diagnose import clock, identity, image, media, reach, recording
from backend.integrations.onvif.diagnose.model import Check, Outcome

if TYPE_CHECKING:
    from backend.integrations.onvif.diagnose.run import Run

CheckFunction = Callable[["Run"], Awaitable[Outcome]]


@dataclass(frozen=True)
class Step:
    check: Check
    run: CheckFunction
    recorder_only: bool = False  # recordings: only recorders keep them


TABLE: tuple[Step, ...] = (
    Step(Check.TCP, reach.tcp),
    Step(Check.ONVIF, reach.onvif),
    Step(Check.AUTH, identity.auth),
    Step(Check.DEVICE_INFO, identity.device_info),
    Step(Check.FIRMWARE, identity.firmware),
    Step(Check.CLOCK, clock.clock),
    Step(Check.NETWORK, media.network),
    Step(Check.PROFILES, media.profiles),
    Step(Check.STREAM_URI, media.stream_uri),
    Step(Check.SNAPSHOT, image.snapshot),
    Step(Check.IMAGE_HEALTH, image.image_health),
    Step(Check.PTZ, media.ptz),
    Step(Check.RETENTION, recording.retention, recorder_only=True),
    Step(Check.RECORDING_ACTIVE, recording.recording_active, recorder_only=True),
)
# A failure of one of these stops the diagnosis (the rest are skipped, saying why): nothing
# after them can work without a connection, an ONVIF answer and accepted credentials.
GATES: tuple[Check, ...] = (Check.TCP, Check.ONVIF, Check.AUTH)

CHECKS: dict[Check, CheckFunction] = {step.check: step.run for step in TABLE}
CAMERA_CHECKS: tuple[Check, ...] = tuple(step.check for step in TABLE if not step.recorder_only)
RECORDER_CHECKS: tuple[Check, ...] = tuple(step.check for step in TABLE)
