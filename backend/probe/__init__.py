"""``saha probe``: the on-site ONVIF probe on a technician's laptop.

Where the server cannot reach a camera (directive 15(1): remote first, then on site), the
technician runs the same diagnosis from the camera network: devices are taken only from the
inventory (cached for offline work), diagnosed with ``backend.integrations.onvif.diagnose``,
queued durably and pushed through the sync protocol as ``diagnostics.record`` envelopes with
``source: PROBE`` — the same command the server's own diagnoses use.

- ``client`` — HTTP to the server: sign-in, inventory, tus uploads, ``syncPush``.
- ``queue`` — the durable outbox (SQLite, gap-free seq, snapshots by SHA-256).
- ``cli`` — the command: arguments, the flow (inventory, diagnose, push) and exit codes.
- ``inventory`` — the sites, devices and baselines it may diagnose, cached for offline days.
- ``targets`` — which devices (discovery, ``--address``) and diagnosing them a few at a time.
- ``report`` — a result on the terminal and as a queued ``diagnostics.record`` envelope.
- ``push`` — snapshots by tus, then ``syncPush`` in seq order.

It imports ``backend.shared`` and the ONVIF client only, never the server's layers (an import
contract in ``pyproject.toml``).
"""
