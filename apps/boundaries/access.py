"""Whose boundary data is it: the division codes the jurisdiction checks use for lines, markers and
joint inspections (the generic `division_codes` sees only foreign keys, and a line's two parties
are a many-to-many).

- A line belongs to both its parties: staff whose jurisdiction covers either may change it. A
  township clerk's jurisdiction (9 digits) covers no county, so county lines stay out of reach.
- A marker belongs to its side division when it stands on one side (double/triple markers),
  otherwise to its line's parties.
- A campaign (with its records, findings and follow-ups) belongs to both parties of the inspection.
"""
from __future__ import annotations

from typing import Any

from apps.accounts.jurisdiction import require_codes
from apps.accounts.principal import Principal, Role
from apps.accounts.reads import require_read

from .models import (BoundaryLine, BoundaryMarker, FollowUpItem, InspectionCampaign, MarkerInspection,
                     SegmentFinding)


def line_codes(line: BoundaryLine) -> list[str]:
    return [d.code for d in line.divisions.all() if d.code]


def marker_codes(marker: BoundaryMarker) -> list[str]:
    if marker.side_division_id is not None and marker.side_division.code:
        return [marker.side_division.code]
    return line_codes(marker.line)


def campaign_codes(campaign: InspectionCampaign) -> list[str]:
    return [d.code for d in (campaign.party_a, campaign.party_b) if d is not None and d.code]


def codes_of(record: Any) -> list[str]:
    """The division codes of any boundary record (lines, markers, campaigns and their parts)."""
    if isinstance(record, BoundaryLine):
        return line_codes(record)
    if isinstance(record, BoundaryMarker):
        return marker_codes(record)
    if isinstance(record, InspectionCampaign):
        return campaign_codes(record)
    if isinstance(record, (MarkerInspection, SegmentFinding, FollowUpItem)):
        return campaign_codes(record.campaign)
    raise TypeError(f"not a boundary record: {type(record).__name__}")


def _what(record: Any) -> str:
    if isinstance(record, BoundaryLine):
        return f"界线 {record.name}（{record.code}）"
    if isinstance(record, BoundaryMarker):
        return f"界桩 {record.number}"
    campaign = record if isinstance(record, InspectionCampaign) else record.campaign
    return f"联检“{campaign.title}”"


def require_change(record: Any) -> None:
    """Refuse (403) unless an editor whose jurisdiction covers the record's codes is acting."""
    require_codes(codes_of(record), _what(record))


def require_view(record: Any) -> None:
    """Refuse (403) non-public boundary data (campaigns, histories) outside the jurisdiction."""
    require_read(codes_of(record), _what(record))


def can_change(principal: Principal, record: Any) -> bool:
    return principal.at_least(Role.EDITOR) and principal.covers(codes_of(record))
