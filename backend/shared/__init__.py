"""What the server and the on-site probe (``backend.probe``) both need, and nothing else.

The probe runs on a technician's laptop without the server's settings, database or domain: it
may import this package and the ONVIF client (``backend.integrations.onvif``), never the server's
layers (an import contract in ``pyproject.toml`` checks it). Modules here import only the
standard library.

- ``addresses`` — the address ranges no camera or recorder lives in (loopback, link-local, …),
  checked by the server's inventory rules and by the ONVIF client before every connection.
- ``checks`` — the names of the diagnosis checks and their Turkish labels.
"""
