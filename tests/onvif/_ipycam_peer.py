"""Run ipycam 1.3.0 as the diagnostics tests' peer (started by ``conftest.py`` as a subprocess).

ipycam's CLI wants a capture source and always starts WS-Discovery, so this launcher builds the
camera itself: a fixed synthetic test pattern (no timestamp overlay, so snapshots are stable), the
HTTP/ONVIF server bound to one address only, known credentials, and — with ``--no-discovery`` —
no multicast Hello (used when the peer cannot be put in a private network namespace).
Prints ``READY <port>`` on stdout once ONVIF answers; stops cleanly on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any


def _test_pattern(width: int, height: int) -> Any:
    """Sharp, well-lit, structured frame: gradient, checkerboard, shapes and text."""
    import cv2
    import numpy as np

    x = np.linspace(40, 215, width, dtype=np.float32)
    y = np.linspace(0, 60, height, dtype=np.float32)[:, None]
    base = (x[None, :] + y).clip(0, 255).astype(np.uint8)
    frame = np.dstack([base, np.flipud(base), np.fliplr(base)]).copy()
    cell = max(8, width // 32)
    for row in range(0, height // 3, cell):
        for col in range(0, width, cell):
            if (row // cell + col // cell) % 2 == 0:
                frame[row : row + cell, col : col + cell] = (235, 235, 235)
    cv2.circle(frame, (width // 3, 2 * height // 3), height // 6, (20, 40, 200), -1)
    cv2.rectangle(frame, (width // 2, height // 2), (width - 40, height - 40), (30, 160, 30), 6)
    cv2.putText(frame, "SAHA ONVIF PEER", (40, height - 60), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (0, 0, 0), 5)
    return frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rtsp-port", type=int, default=8554)
    parser.add_argument("--username", default="")
    parser.add_argument("--password", default="")
    parser.add_argument("--manufacturer", default="PythonCam")
    parser.add_argument("--model", default="VirtualCam-1")
    parser.add_argument("--serial", default="PY-000001")
    parser.add_argument("--firmware", default="")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=10)
    parser.add_argument("--no-discovery", action="store_true")
    args = parser.parse_args(argv)

    import ipycam.camera as camera_mod
    from ipycam import CameraConfig, IPCamera

    bind = args.bind

    class _BoundServer(camera_mod.ReusableThreadingTCPServer):  # type: ignore[misc, name-defined]
        # ipycam binds ('', port), i.e. every interface; a test peer with known credentials must not.
        # socketserver's listen backlog of 5 drops SYNs under concurrent clients (1 s retransmits).
        request_queue_size = 128

        def __init__(self, address: tuple[str, int], handler: Any) -> None:
            super().__init__((bind, address[1]), handler)

    camera_mod.ReusableThreadingTCPServer = _BoundServer  # type: ignore[misc]
    if args.no_discovery:

        class _NoDiscovery:
            def __init__(self, *_: Any) -> None:
                pass

            def start(self) -> None:
                pass

            def stop(self) -> None:
                pass

        camera_mod.WSDiscoveryServer = _NoDiscovery  # type: ignore[misc, assignment]

    config = CameraConfig(
        name="Saha test peer",
        manufacturer=args.manufacturer,
        model=args.model,
        serial_number=args.serial,
        local_ip=bind,
        onvif_port=args.port,
        rtsp_port=args.rtsp_port,
        username=args.username,
        password=args.password,
        main_width=args.width,
        main_height=args.height,
        main_fps=args.fps,
        show_timestamp=False,
    )
    if args.firmware:
        config.firmware_version = args.firmware
    camera = IPCamera(config)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if not camera.start():
        print("FAILED to start", file=sys.stderr, flush=True)
        return 1
    frame = _test_pattern(args.width, args.height)
    camera.stream(frame)
    print(f"READY {args.port}", flush=True)
    try:
        while not stop.wait(0.5):
            camera.stream(frame)  # keep the camera "live"; the picture itself never changes
    finally:
        camera.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
