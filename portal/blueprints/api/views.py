"""JSON API, version 1. Errors are JSON too (see portal.errors)."""

from flask import jsonify
from flask_login import current_user, login_required

from ...services import dashboard
from .blueprint import bp


@bp.route("/countries")
def countries():
    """The council's reference data: regions with their member and partner countries."""
    return jsonify(
        regions=[
            {
                "code": region.code,
                "name": {"en": region.name_en, "ru": region.name_ru},
                "countries": [
                    {
                        "iso2": c.iso2,
                        "iso3": c.iso3,
                        "name": {"en": c.name_en, "ru": c.name_ru},
                        "membership": c.membership,
                    }
                    for c in region.countries
                ],
            }
            for region in dashboard.regions_with_countries()
        ]
    )


@bp.route("/me")
@login_required
def me():
    user = current_user
    return jsonify(
        email=user.email,
        name=user.name,
        role=user.role,
        language=user.language,
        country=user.country.iso2 if user.country else None,
    )
