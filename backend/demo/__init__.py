"""Demo data that looks like the real unit's: İzmir districts, ~200 cameras, work in every state,
last night's sweep, and one joint survey signed and sealed.

- ``data`` — the data itself: people, sites, equipment, findings, work orders, surveys.
- ``loader`` — ``load_demo`` (into an empty database only, never in production mode) and
  ``create_user``: everything goes through the domain commands, so the demo also exercises the
  rules.
- ``survey`` — the sealed survey walked through its commands, with drawn photo and signatures.
"""
