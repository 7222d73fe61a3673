"""Numbers, changes and times in the reader's locale, for the review grid and the query pages.

One Babel locale per page (looked up once, not per cell): a full grid formats ~2,000 numbers."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime
from babel.numbers import format_decimal
from flask_babel import get_locale, get_timezone

from ...models import ReturnValue
from ...services.returns.grid import GridCell
from ...services.returns.workflow import display

DASH = "—"


class Formatter:
    def __init__(self) -> None:
        self.locale = get_locale()
        self.timezone = get_timezone()

    def number(self, value: float | None) -> str:
        if value is None:
            return DASH
        return format_decimal(value, format="#,##0.###", locale=self.locale)

    def signed(self, value: float | None, pattern: str = "+#,##0.###;-#,##0.###") -> str:
        if value is None:
            return DASH
        if value == 0:
            return format_decimal(0, locale=self.locale)
        return format_decimal(value, format=pattern, locale=self.locale)

    def change(self, cell: GridCell) -> str:
        return self.signed(cell.change)

    def change_pct(self, cell: GridCell) -> str:
        if cell.change_pct is None:
            return DASH
        return f"{self.signed(cell.change_pct, '+#,##0.#;-#,##0.#')}\u00a0%"

    def shown(self, value: ReturnValue | None) -> str:
        """A value as written, its number in the reader's locale: N/A, EST 120, CONF 12, 1,234."""
        if value is None:
            return ""
        if value.number is None or value.text is not None:
            return display(value)
        number = self.number(value.number)
        return f"{value.status} {number}" if value.status else number

    def when(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        return format_datetime(moment, format="medium", tzinfo=self.timezone, locale=self.locale)


def formatter() -> Formatter:
    return Formatter()
