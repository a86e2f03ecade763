"""ONVIF adapters: talking to the unit's cameras and recorders (NVRs) over the network.

- ``diagnose`` — one device, end to end: reachability, credentials, identity and firmware
  against the approved baseline, clock drift, network, media profiles, stream and snapshot,
  image health against a reference, PTZ, and for recorders retention (directive 9) and
  whether recording is advancing (directive 12(1)). Remote first, as directive 15(1) asks.
- ``recording`` — recorder retention through the ONVIF search service (Profile G).
- ``discovery`` — finding devices on a network segment (WS-Discovery probe).
- ``record`` — a diagnosis as the arguments of the ``diagnostics.record`` command.

Running diagnoses on the server (credentials, concurrency, sweeps) is an application service:
``backend.services.diagnostics``.

Adapters only: no GraphQL and no database access in the ONVIF client code; the domain
(``backend.domain.diagnostics``) decides what a result means for work orders and records.
"""
