"""Administration: user accounts and the audit trail (administrators only)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...forms import ROLE_LABELS, ConfirmForm, NewPasswordForm, save_form
from ...i18n import current_language
from ...models import Role, User
from ...security import roles_required
from ...services import audit, reference
from ...services.accounts import users as user_service
from .blueprint import bp
from .forms import NewUserForm, UserForm

AUDIT_PAGE_SIZE = 50


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page of this blueprint is for administrators only."""


@bp.route("/users")
def users():
    role = request.args.get("role") or None
    if role is not None and role not in ROLE_LABELS:
        abort(400)
    return render_template(
        "admin/users.html",
        users=user_service.list_users(role),
        role=role,
        role_labels=ROLE_LABELS,
        confirm_form=ConfirmForm(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm()
    form.set_country_choices(reference.countries(), current_language())
    if form.validate_on_submit() and save_form(
        form,
        lambda: user_service.create_user(
            email=form.email.data,
            name=form.name.data,
            role=form.role.data,
            password=form.new_password.data,
            country_code=form.country.data or None,
            language=form.language.data,
            actor=current_user,
            ip_address=request.remote_addr,
        ),
        lambda user: _("User %(email)s created.", email=user.email),
    ):
        return redirect(url_for("admin.users"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    form.set_country_choices(reference.countries(), current_language())
    if request.method == "GET":
        form.country.data = user.country.iso2 if user.country else ""
    if (
        form.validate_on_submit()
        and save_form(
            form,
            lambda: user_service.update_user(
                user,
                name=form.name.data,
                role=form.role.data,
                country_code=form.country.data or None,
                language=form.language.data,
                active=form.active.data,
                actor=current_user,
                ip_address=request.remote_addr,
            ),
            lambda changes: (
                (_("User %(email)s updated.", email=user.email), "success")
                if changes
                else (_("Nothing changed."), "info")
            ),
        )
        is not None
    ):
        return redirect(url_for("admin.users"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        reset_form=NewPasswordForm(formdata=None),
        confirm_form=ConfirmForm(),
    ), status


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = NewPasswordForm()
    if form.validate_on_submit():
        user_service.set_password(user, form.new_password.data, actor=current_user, ip_address=request.remote_addr)
        db.session.commit()
        flash(_("The password of %(email)s has been reset.", email=user.email), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    edit_form = UserForm(obj=user)
    edit_form.set_country_choices(reference.countries(), current_language())
    edit_form.country.data = user.country.iso2 if user.country else ""
    return render_template(
        "admin/user_form.html",
        form=edit_form,
        user=user,
        reset_form=form,
        confirm_form=ConfirmForm(),
    ), 400


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def deactivate_user(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    changed = user_service.deactivate(user, actor=current_user, ip_address=request.remote_addr)
    db.session.commit()
    if changed:
        flash(_("%(email)s has been deactivated.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.route("/audit")
def audit_log():
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(400)
    events = audit.page(page, AUDIT_PAGE_SIZE)
    return render_template(
        "admin/audit.html",
        events=events.items,
        page=page,
        has_next=events.has_next,
        total=events.total,
    )
