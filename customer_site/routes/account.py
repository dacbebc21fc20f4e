"""Sign up, e-mail confirmation, log in/out, forgotten and changed passwords, contact details."""

from __future__ import annotations

import bottle
from bottle import request

from customer_site.web import (
    clear_session_cookie,
    forget_next,
    form_values,
    go,
    login_required,
    no_store,
    page,
    remember_next,
    remembered_next,
    render,
    safe_next,
    with_next,
)
from shop import accounts
from shop.auth import Actor
from shop.errors import ValidationError


def client_address() -> str | None:
    # REMOTE_ADDR only: waitress rewrites it from X-Forwarded-For when (and only when) the proxy is trusted.
    return request.environ.get("REMOTE_ADDR")


def email_page(actor: Actor, **values: object) -> str:
    """The change-of-address form, with the current address and any change still waiting for its link."""
    pending = accounts.pending_email_change(actor)
    return render(
        "account_email",
        title="Change e-mail address",
        current=accounts.get_account(actor).email,
        pending=pending.new_email if pending else None,
        **values,
    )


def install(app: bottle.Bottle) -> None:
    @app.get("/signup")
    def signup_form() -> str:
        target = safe_next(request.query.getunicode("next"))
        if page().actor:
            go(target)
        return render("signup", title="Create an account", next=target)

    @app.post("/signup")
    def signup() -> str:
        form = form_values("name", "email", "phone", "password", "next")
        target = safe_next(form["next"])
        try:
            accounts.sign_up(form["name"], form["email"], form["phone"], form["password"])
        except ValidationError as exc:
            form["password"] = ""
            return render("signup", title="Create an account", form=form, errors=exc.fields, next=target)
        remember_next(target)
        go(with_next("/login", target), "signed_up")
        return ""

    @app.get("/verify")
    def verify_form() -> str:
        no_store()
        asked = request.query.getunicode("next")
        return render("verify", title="Confirm your e-mail", token=request.query.getunicode("token", default=""),
                      next=safe_next(asked) if asked else remembered_next())  # fmt: skip

    @app.post("/verify")
    def verify() -> str:
        no_store()
        token = request.forms.getunicode("token", default="")
        target = safe_next(request.forms.getunicode("next"))
        try:
            accounts.verify_email(token)
        except ValidationError as exc:
            return render("verify", title="Confirm your e-mail", token="", errors=exc.fields, next=target)
        forget_next()
        go(with_next("/login", target), "verified")
        return ""

    @app.get("/login")
    def login_form() -> str:
        if page().actor:
            go(safe_next(request.query.getunicode("next")))
        return render("login", title="Log in", next=safe_next(request.query.getunicode("next")))

    @app.post("/login")
    def login() -> str:
        form = form_values("email", "password", "next")
        current = page()
        try:
            session = accounts.log_in(form["email"], form["password"], client_address(), current.token)
        except ValidationError as exc:
            return render(
                "login",
                title="Log in",
                form={"email": form["email"]},
                errors=exc.fields,
                next=safe_next(form["next"]),
            )
        current.use(session)
        go(safe_next(form["next"]))
        return ""

    @app.post("/logout")
    def logout() -> str:
        accounts.end_session(page().token)
        clear_session_cookie()
        go("/", "logged_out")
        return ""

    @app.get("/forgot")
    def forgot_form() -> str:
        return render("forgot", title="Forgotten password")

    @app.post("/forgot")
    def forgot() -> str:
        form = form_values("email")
        try:
            accounts.request_password_reset(form["email"])
        except ValidationError as exc:
            return render("forgot", title="Forgotten password", form=form, errors=exc.fields)
        go("/login", "reset_sent")
        return ""

    @app.get("/reset")
    def reset_form() -> str:
        no_store()
        token = request.query.getunicode("token", default="")
        try:
            accounts.check_reset_token(token)
        except ValidationError as exc:
            return render("reset", title="Choose a new password", token="", errors=exc.fields)
        return render("reset", title="Choose a new password", token=token)

    @app.post("/reset")
    def reset() -> str:
        no_store()
        token = request.forms.getunicode("token", default="")
        password = request.forms.getunicode("password", default="")
        try:
            accounts.reset_password(token, password)
        except ValidationError as exc:
            keep = "" if "token" in exc.fields else token
            return render("reset", title="Choose a new password", token=keep, errors=exc.fields)
        go("/login", "password_reset")
        return ""

    @app.get("/account")
    @login_required
    def account_home(actor: Actor) -> str:
        no_store()
        profile = accounts.get_profile(actor)
        return render("account", title="My account", profile=profile, cars=accounts.my_cars(actor))

    @app.get("/account/profile")
    @login_required
    def profile_form(actor: Actor) -> str:
        no_store()
        profile = accounts.get_profile(actor)
        contact = accounts.get_preferences(actor)
        form = {
            "name": profile.name,
            "phone": profile.phone_display or "",
            "address": profile.address,
            "channel": contact.channel,
            "reminders": "on" if contact.reminders else "",
        }
        return render("profile", title="Contact details", form=form, email=profile.email)

    @app.post("/account/profile")
    @login_required
    def profile_save(actor: Actor) -> str:
        no_store()
        form = form_values("name", "phone", "address", "channel", "reminders")
        try:
            accounts.update_profile(
                actor, form["name"], form["phone"], form["address"], form["channel"] or None, form["reminders"] == "on"
            )
        except ValidationError as exc:
            email = accounts.get_account(actor).email
            return render("profile", title="Contact details", form=form, errors=exc.fields, email=email)
        go("/account", "profile_saved")
        return ""

    @app.get("/account/email")
    @login_required
    def email_form(actor: Actor) -> str:
        no_store()
        return email_page(actor)

    @app.post("/account/email")
    @login_required
    def email_change(actor: Actor) -> str:
        no_store()
        form = form_values("email", "password")
        try:
            accounts.request_email_change(actor, form["email"], form["password"])
        except ValidationError as exc:
            return email_page(actor, form={"email": form["email"]}, errors=exc.fields)
        go("/account/email", "email_link_sent")
        return ""

    @app.get("/account/email/confirm")
    def email_confirm_form() -> str:
        no_store()
        token = request.query.getunicode("token", default="")
        try:
            new_email = accounts.check_email_change_token(token)
        except ValidationError as exc:
            return render("account_email_confirm", title="Confirm your new e-mail", token="", errors=exc.fields)
        return render("account_email_confirm", title="Confirm your new e-mail", token=token, new_email=new_email)

    @app.post("/account/email/confirm")
    def email_confirm() -> str:
        no_store()
        token = request.forms.getunicode("token", default="")
        try:
            accounts.confirm_email_change(token)
        except ValidationError as exc:
            return render("account_email_confirm", title="Confirm your new e-mail", token="", errors=exc.fields)
        go("/account" if page().actor else "/login", "email_changed")
        return ""

    @app.get("/account/password")
    @login_required
    def password_form(actor: Actor) -> str:
        no_store()
        return render("password", title="Change password")

    @app.post("/account/password")
    @login_required
    def password_change(actor: Actor) -> str:
        no_store()
        form = form_values("current_password", "new_password")
        try:
            session = accounts.change_password(actor, form["current_password"], form["new_password"])
        except ValidationError as exc:
            return render("password", title="Change password", errors=exc.fields)
        page().use(session)
        go("/account", "password_changed")
        return ""
