"""Sign in and out, own account (password, language, sign out everywhere), password reset
by e-mail, and the language switcher."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user

from ...errors import abort_with
from ...extensions import db
from ...forms import ConfirmForm, LanguageForm, NewPasswordForm
from ...security import safe_next
from ...services.accounts import auth as auth_service
from ...services.accounts import password_reset
from ...services.accounts import users as user_service
from ...services.errors import ServiceError
from .blueprint import bp
from .forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, PreferencesForm


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
    refresh()  # the language chosen for this request was the anonymous visitor's: now the user's
    flash(_("Welcome, %(name)s.", name=user.name), "success")
    return redirect(safe_next(form.next.data) or url_for("dashboard.index"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Signing out ends every session of the user (see services.accounts.auth.sign_out)."""
    auth_service.sign_out(current_user, request.remote_addr)
    db.session.commit()
    logout_user()
    session.pop("lang", None)
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form has expired or did not come from this portal. Reload the page and try again."))
    auth_service.sign_out(current_user, request.remote_addr, everywhere=True)
    db.session.commit()
    logout_user()
    flash(_("You have been signed out on every computer and every API token has ended."), "info")
    return redirect(url_for("auth.login"))


def _had_remember_cookie() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


@bp.route("/account", methods=["GET"])
@login_required
def account():
    return _render_account(
        ChangePasswordForm(), PreferencesForm(language=current_user.language, email_notices=current_user.email_notices)
    )


def _render_account(password_form, preferences_form, status=200):
    return render_template(
        "auth/account.html",
        password_form=password_form,
        preferences_form=preferences_form,
        everywhere_form=ConfirmForm(),
    ), status


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    prefs = PreferencesForm(formdata=None, language=current_user.language, email_notices=current_user.email_notices)
    if not form.validate_on_submit():
        return _render_account(form, prefs, 400)
    try:
        user_service.change_own_password(
            current_user,
            form.current_password.data,
            form.new_password.data,
            ip_address=request.remote_addr,
        )
    except ServiceError as error:
        db.session.rollback()
        getattr(form, error.field or "current_password").errors.append(str(error.message))
        return _render_account(form, prefs, 400)
    db.session.commit()
    # Every other session has ended with the old password; this one goes on.
    login_user(current_user._get_current_object(), remember=_had_remember_cookie())
    flash(_("Your password has been changed. You have been signed out everywhere else."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/preferences", methods=["POST"])
@login_required
def preferences():
    form = PreferencesForm()
    if not form.validate_on_submit():
        return _render_account(ChangePasswordForm(formdata=None), form, 400)
    user_service.set_preferences(current_user, language=form.language.data, email_notices=form.email_notices.data)
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


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("auth/forgot.html", form=form), status
    try:
        password_reset.request_reset(form.email.data, request.remote_addr)
    except password_reset.ResetThrottled as refused:
        db.session.commit()  # the audit record
        return render_template("auth/forgot.html", form=form, error=refused.message), refused.status
    db.session.commit()
    # The same answer whether or not the address has an account.
    flash(
        _(
            "If %(email)s belongs to an account, a message with a link to choose a new password "
            "is on its way. The link works once, for one hour.",
            email=form.email.data,
        ),
        "info",
    )
    return redirect(url_for("auth.login"), 303)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = NewPasswordForm()
    if password_reset.user_for_token(token) is None:
        return render_template("auth/reset.html", form=None, error=str(password_reset.INVALID)), 400
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("auth/reset.html", form=form, token=token), status
    try:
        password_reset.reset_password(token, form.new_password.data, request.remote_addr)
    except ServiceError as error:
        db.session.rollback()
        if error.field and hasattr(form, error.field):
            getattr(form, error.field).errors.append(error.message)
            return render_template("auth/reset.html", form=form, token=token), error.status
        return render_template("auth/reset.html", form=None, error=error.message), error.status
    db.session.commit()
    if current_user.is_authenticated:
        logout_user()
    flash(_("Your new password is set, and every earlier session has ended. Sign in with it."), "success")
    return redirect(url_for("auth.login"), 303)
