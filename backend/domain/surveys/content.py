"""The canonical content of survey minutes, built from the server's state of a survey.

The PWA builds the same document from its local copy (``frontend/src/lib/minutes.ts``) so that
signatures can be made offline; ``minutes.create`` refuses when the two disagree.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from backend.domain.assets.models import Site
from backend.domain.people.models import User
from backend.domain.surveys.models import Minutes, Survey, SurveyPoint
from backend.domain.surveys.signing import TEMPLATE
from backend.domain.workorders.models import WorkOrder


def _name(session: Session, user_id: uuid.UUID) -> dict[str, str]:
    user = session.get(User, user_id)
    return {"id": str(user_id), "name": user.full_name if user else ""}


def _name_of(value: Any) -> Any:
    return value.name if value is not None else None


def point_order(point: SurveyPoint) -> tuple[int, str]:
    """The order points have in the minutes (and everywhere they are listed)."""
    return (point.position, str(point.id))


def points_of(session: Session, survey_id: uuid.UUID) -> list[SurveyPoint]:
    stmt = select(SurveyPoint).where(SurveyPoint.survey_id == survey_id)
    return sorted(session.exec(stmt).all(), key=point_order)


def next_revision(session: Session, survey_id: uuid.UUID) -> int:
    return len(session.exec(select(col(Minutes.id)).where(Minutes.survey_id == survey_id)).all()) + 1


def build_content(
    session: Session, survey: Survey, *, minutes_id: uuid.UUID, revision: int
) -> dict[str, Any]:
    """The document the three parties sign (field names and order: docs/surveys.md)."""
    wo = session.get(WorkOrder, survey.work_order_id)
    site = session.get(Site, survey.site_id)
    assert wo is not None  # foreign keys
    assert site is not None
    return {
        "template": TEMPLATE,
        "minutesId": str(minutes_id),
        "revision": revision,
        "supersedesId": str(survey.corrects_minutes_id) if survey.corrects_minutes_id else None,
        "workOrderNumber": wo.number,
        "site": {"code": site.code, "name": site.name, "district": site.district, "address": site.address},
        "request": {"reason": survey.reason, "requestingUnit": survey.requesting_unit},
        "surveyDate": survey.survey_date.isoformat() if survey.survey_date else None,
        "recording": {"location": _name_of(survey.recording_location), "note": survey.recording_note},
        "infrastructureNeeds": survey.infrastructure_needs,
        "cablingNeeds": survey.cabling_needs,
        "signs": {"count": survey.signs_needed, "note": survey.signs_note},
        "conclusion": _name_of(survey.conclusion),
        "conclusionNote": survey.conclusion_note,
        "points": [
            {
                "no": i,
                "id": str(p.id),
                "place": p.place,
                "areaType": p.area_type.name,
                "mounting": p.mounting.name,
                "viewDirection": p.view_direction,
                "photos": list(p.photos),
                "latE6": p.lat_e6,
                "lonE6": p.lon_e6,
            }
            for i, p in enumerate(points_of(session, survey.id), start=1)
        ],
        "parties": {
            "technician": _name(session, survey.technician_id),
            "security": _name(session, survey.security_id),
            "unitHead": _name(session, survey.unit_head_id),
        },
    }
