"""Page limits shared by every list query."""

from __future__ import annotations

from backend.domain.errors import DomainError, ErrorCode

MAX_PAGE = 200


def check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            field="limit",
            params={"detail": f"limit 1–{MAX_PAGE}, offset ≥ 0"},
        )
