"""Sign in and out, own account (password, language), and the language switcher."""
from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ...extensions import db
from ...errors import abort_with
from ...forms import LanguageForm
from ...security import safe_next
from ...services import auth as auth_service
from ...services import users as user_service
from ...services.errors import ServiceError
from . import bp
from .forms import ChangePasswordForm, LoginForm, PreferencesForm


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("auth/login.html", form=form), status
    try:
        user = auth_service.authenticate(form.email.data, form.password.data, request.remote_addr)
    except auth_service.LoginRefused as refused:
        db.session.commit()  # keep the failure count and the audit record
        return render_template("auth/login.html", form=form, error=refused.message), refused.status
    db.session.commit()
    login_user(user, remember=form.remember.data)
    flash(_("Welcome, %(name)s.", name=user.name), "success")
    return redirect(safe_next(form.next.data) or url_for("dashboard.index"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    auth_service.record_logout(current_user, request.remote_addr)
    db.session.commit()
    logout_user()
    session.pop("lang", None)
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET"])
@login_required
def account():
    return _render_account(ChangePasswordForm(), PreferencesForm(language=current_user.language, email_notices=current_user.email_notices))


def _render_account(password_form, preferences_form, status=200):
    return render_template(
        "auth/account.html", password_form=password_form, preferences_form=preferences_form
    ), status


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    prefs = PreferencesForm(formdata=None, language=current_user.language,
                            email_notices=current_user.email_notices)
    if not form.validate_on_submit():
        return _render_account(form, prefs, 400)
    try:
        user_service.change_own_password(
            current_user, form.current_password.data, form.new_password.data,
            ip_address=request.remote_addr,
        )
    except ServiceError as error:
        db.session.rollback()
        getattr(form, error.field or "current_password").errors.append(str(error.message))
        return _render_account(form, prefs, 400)
    db.session.commit()
    flash(_("Your password has been changed."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/preferences", methods=["POST"])
@login_required
def preferences():
    form = PreferencesForm()
    if not form.validate_on_submit():
        return _render_account(ChangePasswordForm(formdata=None), form, 400)
    user_service.set_language(current_user, form.language.data)
    current_user.email_notices = bool(form.email_notices.data)
    db.session.commit()
    session["lang"] = form.language.data
    flash(_("Your preferences have been saved."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/language", methods=["POST"])
def set_language():
    """The language switcher in the page header (anyone, signed in or not)."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort_with(400, _("Unknown language: choose English or Russian."))
    session["lang"] = form.language.data
    if current_user.is_authenticated:
        user_service.set_language(current_user, form.language.data)
        db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("dashboard.index")), 303
