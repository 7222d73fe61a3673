"""Numbers, changes and times in the reader's locale, for the review grid and the query pages.

One Babel locale per page, looked up once: a full grid formats a few hundred numbers, and
whole numbers (nearly all of a return) take a fast path with the locale's own group symbol
(the grouping of English and Russian alike: threes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_datetime
from babel.numbers import format_decimal, get_group_symbol, get_minus_sign_symbol
from flask_babel import get_locale, get_timezone

from ...models import ReturnValue
from ...services.returns.grid import GridCell
from ...services.returns.workflow import display

DASH = "—"
WHOLE_LIMIT = 1e15  # the largest figure a return holds (amounts); whole numbers below it are exact


@dataclass(frozen=True)
class CellText:
    """A grid cell's figures as the reader reads them."""

    value: str  # as written, "" when blank
    previous: str  # the previous period's accepted value, "—" when none
    change: str  # absolute change, "—" when not computable
    change_pct: str  # change in %, "—" when not computable (also from a zero)
    accepted: str  # the return's accepted value, "—" when none


class Formatter:
    def __init__(self) -> None:
        self.locale = get_locale()
        self.timezone = get_timezone()
        self.group = get_group_symbol(locale=self.locale)
        self.minus = get_minus_sign_symbol(locale=self.locale)

    def number(self, value: float | None) -> str:
        if value is None:
            return DASH
        if float(value).is_integer() and abs(value) < WHOLE_LIMIT:
            text = f"{int(abs(value)):,}".replace(",", self.group)
            return f"{self.minus}{text}" if value < 0 else text
        return format_decimal(value, format="#,##0.###", locale=self.locale)

    def signed(self, value: float | None, decimals: str = "###") -> str:
        if value is None:
            return DASH
        if float(value).is_integer() and abs(value) < WHOLE_LIMIT:
            return ("+" if value > 0 else "") + self.number(value)
        return format_decimal(value, format=f"+#,##0.{decimals};-#,##0.{decimals}", locale=self.locale)

    def change(self, cell: GridCell) -> str:
        return self.signed(cell.change)

    def change_pct(self, cell: GridCell) -> str:
        if cell.change_pct is None:
            return DASH
        return f"{self.signed(round(cell.change_pct, 1), '#')}\u00a0%"

    def shown(self, value: ReturnValue | None) -> str:
        """A value as written, its number in the reader's locale: N/A, EST 120, CONF 12, 1,234."""
        if value is None:
            return ""
        if value.number is None or value.text is not None:
            return display(value)
        number = self.number(value.number)
        return f"{value.status} {number}" if value.status else number

    def cell(self, cell: GridCell) -> CellText:
        """Everything a grid cell shows, in one call per cell."""
        return CellText(
            self.shown(cell.value),
            self.shown(cell.previous) or DASH,
            self.change(cell),
            self.change_pct(cell),
            self.shown(cell.accepted_value) or DASH,
        )

    def when(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        return format_datetime(moment, format="medium", tzinfo=self.timezone, locale=self.locale)


def formatter() -> Formatter:
    return Formatter()
