"""Offline sync core (issue 3): envelopes, per-client ledgers, versions, cursors, conflicts.

Pure by design: it is handed the command registry and a database session by the backend and
imports nothing from Litestar, Strawberry or ``backend.graphql`` (backend → sync, never back).
The command layer it will drive is ``backend.domain.commands`` (``registry`` / ``execute``).
"""
