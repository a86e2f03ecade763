"""``saha probe``: the on-site ONVIF probe on a technician's laptop.

Where the server cannot reach a camera (directive 15(1): remote first, then on site), the
technician runs the same diagnosis from the camera network: devices are taken only from the
inventory (cached for offline work), diagnosed with ``backend.integrations.onvif.diagnose``,
queued durably and pushed through the sync protocol as ``diagnostics.record`` envelopes with
``source: PROBE`` — the same command the server's own diagnoses use.

- ``client`` — HTTP to the server: sign-in, inventory, tus uploads, ``syncPush``.
- ``queue`` — the durable outbox (SQLite, gap-free seq, snapshots by SHA-256).
- ``run`` — the command's flow and exit codes.
"""
