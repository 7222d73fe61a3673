"""The validation report: errors (block) and warnings (need a note), each with where."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import force_locale

from ...schemas.values import CellValue


@dataclass
class Issue:
    level: str  # "error" | "warning"
    rule: str  # R1…R13, or META / LAYOUT / FORMULA
    message: object  # a lazy string: rendered in the reader's language
    sheet: str | None = None
    cell: str | None = None  # A1-style, e.g. F12
    indicator: str | None = None
    column: str | None = None
    explained: bool = False  # a warning with a note on its row

    @property
    def ref(self) -> str | None:
        if self.sheet and self.cell:
            return f"'{self.sheet}'!{self.cell}"
        return self.sheet

    def as_dict(self, locale: str | None = None) -> dict:
        def render():
            return str(self.message)

        if locale:
            with force_locale(locale):
                text = render()
        else:
            text = render()
        return {
            "level": self.level,
            "rule": self.rule,
            "sheet": self.sheet,
            "cell": self.cell,
            "ref": self.ref,
            "indicator": self.indicator,
            "column": self.column,
            "message": text,
            "explained": self.explained,
        }

    def stored(self) -> dict:
        """Kept with a version: the message in both languages."""
        data = self.as_dict("en")
        data["message"] = {"en": data["message"], "ru": self.as_dict("ru")["message"]}
        return data


@dataclass
class ParsedCell:
    value: CellValue
    sheet: str
    cell: str
    note: str | None = None


@dataclass
class ValidationReport:
    template_version: int | None = None
    country: str | None = None
    period: str | None = None
    cells: dict[tuple[str, str], ParsedCell] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    # (code, column) -> (sheet, cell) of every input cell; cells that could not be read.
    positions: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    failed: set[tuple[str, str]] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)
    completeness: float = 0.0

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)
