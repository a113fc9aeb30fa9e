"""The one error campaigns raise: a line for the person who asked."""

from __future__ import annotations

from ofcrm_tui.errors import OfcrmError


class CampaignError(OfcrmError):
    """A campaign that cannot be saved, launched or changed as asked; one line."""
