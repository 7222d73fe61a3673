"""One marshmallow field per unit of the return: a raw spreadsheet cell in, a
`CellValue` (number, text, status code) out, or a ValidationError with the reason."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields

from ..services.returns.layout import NO, STATUS_CODES, YES

CODE_WITH_REST = re.compile(r"^(N/AV|N/A|NIL|EST|CONF)\s*[:\-]?\s*(.+)$", re.IGNORECASE)
MAX_TEXT = 2000  # characters in a cell of unit "text" (as a note: layout.MAX_NOTE)
NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?([eE][+-]?\d{1,4})?$")


@dataclass(frozen=True)
class CellValue:
    number: float | None = None
    text: str | None = None
    status: str | None = None

    @property
    def blank(self) -> bool:
        return self.number is None and self.text is None and self.status is None


BLANK = CellValue()


def _to_number(text: str) -> float | None:
    compact = text.replace("\u00a0", "").replace(" ", "").replace("\u202f", "")
    if not NUMBER.match(compact):
        return None
    return float(compact.replace(",", "."))


class CellValueField(fields.Field[CellValue]):
    """Deserialises a raw cell of the given unit; numbers above `maximum` (the indicator's
    bound from the template, TemplateIndicator.maximum()) are refused."""

    def __init__(self, unit: str, maximum: float | None = None, **kwargs):
        super().__init__(**kwargs)
        self.unit = unit
        self.maximum = maximum

    def _deserialize(self, value, attr, data, **kwargs) -> CellValue:
        if value is None or (isinstance(value, str) and not value.strip()):
            return BLANK
        if isinstance(value, bool):
            if self.unit == "boolean":
                return CellValue(number=1.0 if value else 0.0)
            raise ValidationError(str(_l("A yes/no value is not a number.")))
        if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
            raise ValidationError(str(_l("The cell holds a date or time, not a number.")))
        if isinstance(value, (int, float)):
            return self._check_number(float(value), status=None)
        return self._from_text(str(value).strip())

    def _from_text(self, text: str) -> CellValue:
        upper = text.upper()
        if upper in STATUS_CODES:
            if upper == "EST":
                raise ValidationError(str(_l("EST needs its number in the same cell, e.g. EST 120.")), rule="R13")
            return CellValue(status=upper)
        match = CODE_WITH_REST.match(text)
        if match:
            code, rest = match.group(1).upper(), match.group(2)
            number = _to_number(rest)
            if code in ("EST", "CONF") and number is not None:
                return self._check_number(number, status=code)
            raise ValidationError(
                str(
                    _l(
                        "A status code and a number in the same cell: write either the number or the code "
                        "(only EST and CONF take a number, e.g. EST 120, CONF 12)."
                    )
                ),
                rule="R13",
            )
        if self.unit == "boolean":
            if text.lower() in YES:
                return CellValue(number=1.0)
            if text.lower() in NO:
                return CellValue(number=0.0)
            raise ValidationError(str(_l("Answer yes or no, or give a status code (N/A, N/AV).")))
        if self.unit == "text":
            if len(text) > MAX_TEXT:
                raise ValidationError(
                    str(
                        _l(
                            "The text has %(n)s characters; a cell takes at most %(max)s.",
                            n=f"{len(text):,}",
                            max=f"{MAX_TEXT:,}",
                        )
                    )
                )
            return CellValue(text=text)
        number = _to_number(text)
        if number is None:
            raise ValidationError(
                str(_l("“%(text)s” is not a number or a status code (N/A, N/AV, NIL, EST, CONF).", text=text[:40]))
            )
        return self._check_number(number, status=None)

    def _check_number(self, number: float, status: str | None) -> CellValue:
        if math.isnan(number) or math.isinf(number):
            raise ValidationError(str(_l("The cell does not hold a usable number.")))
        unit = self.unit
        if unit == "boolean":
            if number in (0.0, 1.0):
                return CellValue(number=number, status=status)
            raise ValidationError(str(_l("Answer yes or no, or give a status code (N/A, N/AV).")))
        if unit == "text":
            return CellValue(text=f"{number:g}", status=status)
        if number < 0:
            raise ValidationError(str(_l("%(n)s is negative; the value must be 0 or more.", n=f"{number:g}")))
        if unit == "count" and not number.is_integer():
            raise ValidationError(str(_l("%(n)s is not a whole number; counts are whole numbers.", n=f"{number:g}")))
        if unit == "percent" and number > 100:
            raise ValidationError(str(_l("%(n)s is more than 100; a percentage is from 0 to 100.", n=f"{number:g}")))
        if self.maximum is not None and number > self.maximum:
            raise ValidationError(
                str(
                    _l(
                        "%(n)s is more than %(max)s, the largest value this indicator takes.",
                        n=f"{number:g}",
                        max=f"{self.maximum:,.16g}",
                    )
                )
            )
        return CellValue(number=number, status=status)
