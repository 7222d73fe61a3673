"""docs/ carries the return's specification, written from the template definitions: these
tests fail when docs/ no longer says what portal/seed/templates/*.yaml defines."""

from pathlib import Path

import pytest
import yaml

from portal.services.returns.spec import describe_rule, render_files
from portal.services.returns.template_versions import RULE_KINDS
from portal.services.seed import SEED_DIR

DOCS = Path(__file__).resolve().parents[1] / "docs"
TEMPLATES = SEED_DIR / "templates"


def test_docs_match_the_template_definitions():
    wanted = render_files(TEMPLATES)
    assert wanted, "no template definitions found"
    have = {p.name for p in DOCS.glob("prr-return*.md")}
    assert have == set(wanted), "docs/ and seed/templates/ differ: run `flask --app wsgi returns spec`"
    for name, text in wanted.items():
        assert (DOCS / name).read_text(encoding="utf-8") == text, (
            f"docs/{name} is out of date with its template: run `flask --app wsgi returns spec`"
        )


def test_the_spec_names_everything_the_template_defines():
    """Read the YAML on its own (not through the generator) and find each part in the output."""
    for path in sorted(TEMPLATES.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = render_files(TEMPLATES)[path.with_suffix(".md").name]
        for code in raw["status_codes"]:
            assert f"| `{code}` |" in text
        for name, columns in raw["breakdowns"].items():
            assert f"| `{name}` | {', '.join(columns)} |" in text
        for section in raw["sections"]:
            assert f"### {section['name_en']} ({section['name_ru']})" in text
            for ind in section["indicators"]:
                assert f"| {ind['code']} | {ind['label_en']} |" in text
                assert ind["label_ru"] in text and ind.get("definition_en", "") in text
        for rule in raw["rules"]:
            assert f"| {rule['id']} | " in text


@pytest.mark.parametrize("kind", RULE_KINDS)
def test_every_rule_kind_the_loader_accepts_has_words(kind):
    rule = {
        "id": "X",
        "kind": kind,
        "level": "error",
        "left": ["A.Total"],
        "right": ["B.Total"],
        "pairs": [[["A"], ["B"]]],
        "chain": ["A", "B"],
        "blank": ["A"],
        "when": "B.Total",
    }
    assert describe_rule(rule)


def test_an_unknown_rule_kind_is_refused():
    with pytest.raises(ValueError, match="no description"):
        describe_rule({"id": "X", "kind": "new_kind", "level": "error"})


def test_cli_writes_the_spec_and_checks_it(runner, tmp_path):
    out = tmp_path / "docs"
    stale = runner.invoke(args=["returns", "spec", "--out", str(out), "--check"])
    assert stale.exit_code == 1 and "Out of date" in stale.output and not out.exists()
    written = runner.invoke(args=["returns", "spec", "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == render_files(TEMPLATES)
    assert runner.invoke(args=["returns", "spec", "--out", str(out), "--check"]).exit_code == 0
    (out / "prr-return-v1.md").write_text("edited by hand\n", encoding="utf-8")
    assert runner.invoke(args=["returns", "spec", "--out", str(out), "--check"]).exit_code == 1
