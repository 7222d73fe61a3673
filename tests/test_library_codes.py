"""The library's codes (models, CHECK constraints) and their labels (pages, forms, facets) are
two tables; every code must have its label and no label may name a code that cannot be stored."""

import pytest

from portal.blueprints.library import labels
from portal.models import library


@pytest.mark.parametrize(
    "codes, names",
    [
        (library.THEMES, labels.THEME_LABELS),
        (library.TARGET_GROUPS, labels.TARGET_LABELS),
        (library.ACTORS, labels.ACTOR_LABELS),
        (library.WORKFLOW, labels.STATE_LABELS),
        (library.VISIBILITY, labels.VISIBILITY_LABELS),
        (library.LANGUAGES, labels.LANGUAGE_LABELS),
        (library.PLAN_STATUSES, labels.PLAN_STATUS_LABELS),
        (library.PHASES, labels.PHASE_LABELS),
        (library.MEASURE_STATUSES, labels.MEASURE_STATUS_LABELS),
    ],
    ids=[
        "themes",
        "targets",
        "actors",
        "states",
        "visibility",
        "languages",
        "plan_statuses",
        "phases",
        "measure_statuses",
    ],
)
def test_every_code_has_its_label_in_the_same_order(codes, names):
    assert tuple(names) == tuple(codes)
