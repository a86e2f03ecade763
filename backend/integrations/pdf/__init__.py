"""Documents: the survey minutes as a PDF, and the institution's seal on it.

- ``minutes_pdf.py``: ``render_minutes_pdf`` — the A4 Turkish minutes (WeasyPrint), laid out by
  ``templates/minutes.html`` and ``templates/minutes.css``.
- ``seal.py``: ``load_seal_identity``, ``seal_pdf`` (PAdES B-B, pyHanko) and ``verify_pdf``.

Nothing is re-exported here, so importing one module does not import the other's libraries.
"""
