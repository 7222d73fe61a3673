"""Meeting briefs: the secretariat composes and compiles; everyone signed in reads editions."""

from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...errors import abort_with, found_or_404
from ...extensions import db
from ...forms import ConfirmForm, choices, save_form
from ...i18n import current_language
from ...models import Meeting
from ...security import roles_required
from ...services import reference
from ...services.library import items as library_items
from ...services.meetings import brief_output
from ...services.meetings import briefs as brief_service
from ...services.returns import periods as period_service
from ...services.returns.template_versions import latest_template
from ...services.xlsx import XLSX_MIMETYPE
from ..compare.views import chart_file
from .blueprint import bp
from .forms import SECTION_PARTS, SECTIONS, BriefForm, section_field
from .views import STAFF


def _brief_or_404(brief_id: int):
    return found_or_404(brief_service.readable_brief, brief_id, current_user.role in STAFF)


def _edition(brief):
    number = request.args.get("edition", type=int)
    edition = brief.latest if number is None else next((e for e in brief.editions if e.number == number), None)
    if number is not None and edition is None:
        abort_with(404, _("This brief has no edition %(n)d.", n=number))
    _readable(edition)
    return edition


def _readable(*editions):
    brief_service.check_readable(editions, current_user.role in STAFF)


def _brief_form(brief=None):
    form = BriefForm(formdata=None if request.method == "GET" else request.form)
    locale = current_language()
    form.period.choices = choices([(p.label, p.label) for p in period_service.list_periods()])
    template = latest_template()
    assert template is not None  # `flask seed` loads the templates before anything runs
    form.indicators.choices = choices([(i.code, f"{i.code} — {i.label(locale)[:70]}") for i in template.indicators])
    form.countries.choices = choices([(c.iso2, c.name(locale)) for c in reference.countries_by_region()])
    form.library.choices = choices(
        [(f"{i.kind}:{i.id}", f"{i.country.iso2} · {i.title[:80]}") for i in library_items.published()]
    )
    if brief is not None and request.method == "GET":
        form.library.data = brief.library_refs
        form.title.data, form.title_ru.data, form.period.data = brief.title, brief.title_ru, brief.period.label
        form.indicators.data, form.countries.data, form.charts.data = brief.indicators, brief.countries, brief.charts
        for n, section in enumerate(brief.sections[:SECTIONS], start=1):
            for part in SECTION_PARTS:
                getattr(form, section_field(part, n)).data = section.get(part) or ""
    elif request.method == "GET":
        form.charts.data = ["bar", "line"]
    return form


@bp.route("/<int:meeting_id>/briefs/new", methods=["GET", "POST"])
@bp.route("/briefs/<int:brief_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_brief(meeting_id: int | None = None, brief_id: int | None = None):
    brief = _brief_or_404(brief_id) if brief_id else None
    meeting = brief.meeting if brief else db.get_or_404(Meeting, meeting_id)
    form = _brief_form(brief)
    if request.method == "POST" and form.validate():
        saved = save_form(
            form,
            lambda: brief_service.save_brief(
                brief,
                meeting,
                title=form.title.data,
                title_ru=form.title_ru.data,
                period=form.period.data,
                indicators=form.indicators.data,
                countries=form.countries.data or [],
                charts=form.charts.data or [],
                sections=form.section_data(),
                actor=current_user,
                library_refs=form.library.data or [],
            ),
            _("Brief saved. Compile it to freeze an edition."),
        )
        if saved is not None:
            return redirect(url_for("meetings.brief", brief_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return (
        render_template("meetings/brief_form.html", form=form, meeting=meeting, brief=brief, sections=SECTIONS),
        status,
    )


@bp.route("/briefs/<int:brief_id>/compile", methods=["POST"])
@roles_required(*STAFF)
def compile_brief(brief_id: int):
    brief = _brief_or_404(brief_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    edition = brief_service.compile_brief(brief, current_user)
    db.session.commit()
    flash(_("Edition %(n)d compiled.", n=edition.number), "success")
    return redirect(url_for("meetings.brief", brief_id=brief.id, edition=edition.number))


def _context(brief, edition):
    locale = current_language()
    return {
        "brief": brief,
        "edition": edition,
        "snap": edition.snapshot if edition else None,
        "names": brief_output.names(edition.snapshot, locale) if edition else {},
        "locale": locale,
        "confirm_form": ConfirmForm(),
        "staff": current_user.role in STAFF,
    }


@bp.route("/briefs/<int:brief_id>")
@login_required
def brief(brief_id: int):
    brief = _brief_or_404(brief_id)
    return render_template("meetings/brief.html", chart_links=True, **_context(brief, _edition(brief)))


@bp.route("/briefs/<int:brief_id>/chart.<any(svg, png):fmt>")
@login_required
def brief_chart(brief_id: int, fmt: str):
    """One chart of an edition (`code`, `kind`) in the reader's language, as SVG or PNG: the
    chart frozen in the edition, the same the page and the PDF show."""
    brief = _brief_or_404(brief_id)
    edition = _edition(brief) or abort(404)
    code, kind = request.args.get("code", ""), request.args.get("kind", "")
    svg = brief_output.chart(edition.snapshot, code, kind, current_language())
    if svg is None:
        abort_with(404, _("This edition has no %(kind)s chart of %(code)s.", kind=kind, code=code))
    return chart_file(svg, f"PRR-brief-{brief.id}-edition-{edition.number}-{code}-{kind}", fmt)


@bp.route("/briefs/<int:brief_id>/print")
@login_required
def brief_print(brief_id: int):
    brief = _brief_or_404(brief_id)
    edition = _edition(brief) or abort(404)
    return render_template("meetings/brief_print.html", **_context(brief, edition))


@bp.route("/briefs/<int:brief_id>.pdf")
@login_required
def brief_pdf(brief_id: int):
    brief = _brief_or_404(brief_id)
    edition = _edition(brief) or abort(404)
    pdf = brief_output.edition_pdf(brief, edition, current_language())
    return send_file(
        BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"PRR-brief-{brief.id}-edition-{edition.number}-{current_language()}.pdf",
    )


@bp.route("/briefs/<int:brief_id>.xlsx")
@login_required
def brief_xlsx(brief_id: int):
    brief = _brief_or_404(brief_id)
    edition = _edition(brief) or abort(404)
    return send_file(
        BytesIO(brief_output.to_xlsx(edition.snapshot, current_language())),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"PRR-brief-{brief.id}-edition-{edition.number}.xlsx",
    )


@bp.route("/briefs/<int:brief_id>/diff")
@login_required
def brief_diff(brief_id: int):
    brief = _brief_or_404(brief_id)
    numbers = {e.number: e for e in brief.editions}
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    if a not in numbers or b not in numbers:
        abort_with(400, _("Choose two editions of this brief to compare."))
    _readable(numbers[a], numbers[b])
    return render_template(
        "meetings/brief_diff.html",
        brief=brief,
        a=numbers[a],
        b=numbers[b],
        changes=brief_service.diff_editions(numbers[a], numbers[b]),
    )
