"""Build hook: the wheel carries compiled message catalogues (.mo), which are build products and
not committed. Everything else about the package is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithCatalogues(build_py):
    """`build_py`, then each copied messages.po compiled next to itself, as `pybabel compile` does
    (fuzzy entries left out), so `pip install .` needs no separate compile step."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the checkout (`make translations`)
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted(Path(self.build_lib, "portal", "translations").glob("*/LC_MESSAGES/messages.po")):
            with po.open("rb") as source:
                catalogue = read_po(source, locale=po.parent.parent.name)
            with po.with_suffix(".mo").open("wb") as target:
                write_mo(target, catalogue, use_fuzzy=False)


setup(cmdclass={"build_py": BuildPyWithCatalogues})
