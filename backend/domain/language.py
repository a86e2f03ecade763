"""The language a request is answered in: Turkish unless it asks for English.

One rule for every transport (GraphQL, the upload and document routes, refusals before GraphQL
runs): the first language of ``Accept-Language`` decides, and only English is offered besides
Turkish (the error catalogue's two languages, ``backend.domain.errors``).
"""

from __future__ import annotations

from backend.domain.errors import Lang


def pick_lang(accept_language: str | None) -> Lang:
    first = (accept_language or "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "tr"
