"""What every page shares: the session cookie, CSRF, rendering, errors and security headers.

The portal keeps no state of its own: the session lives in the database (`shop.accounts`), the
browser holds only a random token in a plain HttpOnly cookie. Bottle's ``secret=`` cookies are
never used (they unpickle their content).
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode
from zoneinfo import ZoneInfo

import bottle
from bottle import HTTPError, HTTPResponse, redirect, request, response

from shop import accounts, amounts, schedule_cache
from shop.auth import Actor
from shop.errors import Forbidden, NotFound

log = logging.getLogger("customer_site")

HERE = Path(__file__).resolve().parent
VIEWS = str(HERE / "views")
LOOKUP = [VIEWS]  # one list for the process: Bottle caches compiled templates by id(lookup)
STATIC = HERE / "static"
SESSION_COOKIE = "garage_session"
MAX_BODY = 256 * 1024  # forms only; nothing is uploaded

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = [
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
]

# Messages a redirect may ask the next page to show (?done=KEY): never text from the URL itself.
NOTICES = {
    "signed_up": "Thank you! We have sent you an e-mail with a link to confirm your address.",
    "verified": "Your e-mail address is confirmed. You can log in now.",
    "logged_out": "You are logged out.",
    "reset_sent": "If an account uses that address, we have sent it a link to choose a new password.",
    "password_reset": "Your new password is set. Please log in.",
    "password_changed": "Your password is changed. Other devices have been logged out.",
    "profile_saved": "Your contact details are saved.",
    "email_link_sent": "We have sent a link to your new address. Open it to finish the change.",
    "email_changed": "Your e-mail address is changed. Use the new one to log in from now on.",
    "car_added": "Your car is added.",
    "car_saved": "Your car is saved.",
    "car_restored": "You had removed this car: it is back in your account, with its history and the details you gave.",
    "car_removed": "The car is removed from your account. Add it again with the same VIN or plate to bring it back.",
    "booked": "Your appointment is booked. A confirmation is on its way by e-mail.",
    "rescheduled": "Your appointment is moved.",
    "cancelled": "Your appointment is cancelled.",
    "quote_requested": "Your request is sent. The shop will prepare a quote.",
    "quote_answered": "Thank you, your answer is sent to the shop.",
    "reviewed": "Thank you for your review!",
    "session_expired": "Please log in to continue.",
}


class Page:
    """Per-request state: the session (loaded once) and whether a new cookie must be sent."""

    def __init__(self) -> None:
        self.token = session_cookie(request.environ.get("HTTP_COOKIE", ""))
        self.session = accounts.load_session(self.token)
        if self.session is None:
            self.token = None

    @property
    def actor(self) -> Actor | None:
        return self.session.actor if self.session else None

    def ensure_session(self) -> accounts.Session:
        if self.session is None:
            self.use(accounts.start_session())
        assert self.session is not None
        return self.session

    def use(self, session: accounts.Session) -> None:
        """Adopt a session just made (log-in, anonymous start, password change) and set its cookie."""
        self.session = session
        self.token = session.token
        set_session_cookie(session.token or "")

    def csrf(self) -> str:
        return self.ensure_session().csrf_token


def session_cookie(header: str) -> str | None:
    """Our cookie's value from a Cookie header (every request needs it; SimpleCookie parses them all)."""
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name == SESSION_COOKIE:
            return value.strip('"') or None
    return None


def query_value(name: str, default: str = "") -> str:
    """A query parameter as text. ASCII (every id, date and month the booking pages read) is taken as
    it is; anything else goes through Bottle's UTF-8 re-decoding."""
    raw = request.query.get(name)
    if raw is None:
        return default
    return raw if raw.isascii() else request.query.getunicode(name, default=default) or default


def page() -> Page:
    current = request.environ.get("portal.page")
    if current is None:
        current = request.environ["portal.page"] = Page()
    return current


def is_https() -> bool:
    return bool(request.app.config.get("portal.https")) or request.urlparts.scheme == "https"


def set_session_cookie(token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, path="/", httponly=True, samesite="Lax", secure=is_https())


def clear_session_cookie() -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax", secure=is_https())


def check_csrf() -> None:
    """Every state-changing request carries the session's CSRF token, or gets 403."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    submitted = request.forms.get("csrf_token")
    if not accounts.csrf_ok(page().session, submitted):
        raise HTTPError(403, "The form has expired or did not come from this site. Please go back and try again.")


def login_required(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        actor = page().actor
        if actor is None:
            target = request.fullpath + (f"?{request.query_string}" if request.query_string else "")
            if request.method != "GET":
                target = "/"
            redirect(f"/login?next={quote(target)}&done=session_expired", 303)
        return fn(actor, *args, **kwargs)

    return wrapper


def safe_next(value: str | None) -> str:
    """Only same-site paths may be a redirect target after log-in."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or "\n" in value:
        return "/account"
    return value


def with_next(path: str, target: str | None) -> str:
    """PATH carrying a safe `next` along (log-in, sign-up, e-mail confirmation), so a visitor who signs up
    instead of logging in still ends where they were going; PATH alone when there is nowhere but My account."""
    target = safe_next(target)
    return path if target == "/account" else f"{path}?next={quote(target, safe='/')}"


# Where a visitor who signed up was going, for the e-mailed confirmation link opened in another tab of the
# same browser (the link itself carries only its token). A plain cookie: it only ever names a path of this
# site, read back through `safe_next`, so a forged one can redirect nowhere else.
NEXT_COOKIE = "garage_next"
NEXT_COOKIE_AGE = 48 * 3600  # as long as the confirmation link works


def remember_next(target: str) -> None:
    """Keep a safe TARGET for the confirmation page; nothing to keep when it is My account."""
    target = safe_next(target)
    if target != "/account":
        response.set_cookie(NEXT_COOKIE, quote(target, safe=""), path="/verify", max_age=NEXT_COOKIE_AGE,
                            httponly=True, samesite="Lax", secure=is_https())  # fmt: skip


def remembered_next() -> str:
    """The target `remember_next` kept in this browser, or My account."""
    return safe_next(unquote(request.get_cookie(NEXT_COOKIE) or ""))


def forget_next() -> None:
    response.delete_cookie(NEXT_COOKIE, path="/verify", httponly=True, samesite="Lax", secure=is_https())


# Pages that send a customer off to add a car first, and want them back afterwards (`car_back`).
CAR_BACK_PAGES = ("/book", "/quotes/new")


def car_back(value: str | None) -> str:
    """Where "add your car first" returns to once the car is saved: only the booking and quote-request
    pages (with their query), never anywhere else; "" when VALUE is not one of them."""
    if not value or safe_next(value) != value:
        return ""
    path = value.split("?", 1)[0]
    return value if path in CAR_BACK_PAGES else ""


def add_car_url() -> str:
    """The "add a car" link of the booking or quote-request page being shown: it comes back to that page
    (its query kept, so a day and time picked on the public times page survive) with the new car chosen."""
    path = request.path if request.path in CAR_BACK_PAGES else "/book" if request.path.startswith("/book") else ""
    if not path:
        return "/cars/new"
    query = [(k, v) for k, v in request.query.allitems() if k not in ("done", "car") and v.isascii()]
    back = path + ("?" + urlencode(query) if query else "")
    return "/cars/new?" + urlencode({"back": back})


def go(path: str, done: str | None = None) -> None:
    """Redirect after a successful POST (303 so a reload does not resubmit)."""
    if done:
        path += ("&" if "?" in path else "?") + f"done={done}"
    redirect(path, 303)


def per_request(key: str, make: Callable[[], Any]) -> Any:
    """A value computed once per request (settings read by many template helpers)."""
    cache = request.environ.setdefault("portal.cache", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def config_version() -> int:
    """The shop's settings/catalogue counter, read once per request (`shop.schedule_cache`).

    A signed-in (or anonymous) session brings it along from its own query; only a request without
    a session asks the database for it separately.
    """
    return per_request("config_version", _config_version)


def _config_version() -> int:
    session = page().session
    if session is not None and session.config_version is not None:
        return session.config_version
    return schedule_cache.config_version()


SHOP_KEYS = (
    "shop.name",
    "shop.phone",
    "shop.address",
    "shop.currency",
    "shop.timezone",
    "schedule.advance_days",
    "tax.rate",
)


def shop_settings() -> dict[str, str]:
    """The settings every page shows, kept in memory until the shop changes a setting."""
    return schedule_cache.get_settings(*SHOP_KEYS, version=config_version())


def vat_rate() -> str:
    """The tax rate as customers read it ("19", "7.5")."""
    rate = Decimal(shop_settings()["tax.rate"])
    return f"{rate.normalize():f}"


def gross(net: Decimal) -> Decimal:
    """A catalogue or booked price as the customer pays it: prices are kept net, consumers are shown them with tax."""
    return amounts.with_tax(net, Decimal(shop_settings()["tax.rate"]))


def money(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    currency = shop_settings()["shop.currency"]
    symbol = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF "}.get(currency, currency + " ")
    text = f"{amount:,.2f}"
    return f"{text} {symbol.strip()}" if currency == "EUR" else f"{symbol}{text}"


def shop_zone() -> Any:
    return per_request("timezone", lambda: ZoneInfo(shop_settings()["shop.timezone"]))


def local(value: datetime | None, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(shop_zone()).strftime(fmt)


def day(value: date, fmt: str = "%A %d %B %Y") -> str:
    return value.strftime(fmt)


def duration(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def call_us() -> str:
    """HTML for "call us on <phone link>" (escaped here), or "call the shop" when no phone is set: every
    "you cannot do this online" message ends with how to reach a person."""
    phone = shop_settings()["shop.phone"].strip()
    if not phone:
        return "call the shop"
    number = bottle.html_escape(phone.replace(" ", ""))
    return f'call us on <a href="tel:{number}">{bottle.html_escape(phone)}</a>'


@functools.cache
def static_version(name: str) -> str:
    """A short hash of a static file's content (read once per process): it changes when the file does."""
    path = (STATIC / name).resolve()
    if STATIC.resolve() not in path.parents or not path.is_file():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """`/static/NAME?v=HASH`: a new file gets a new URL, so browsers may keep each URL for a year."""
    return f"/static/{name}?v={static_version(name)}"


def render(name: str, **values: Any) -> str:
    """Render views/NAME.tpl with the values every page needs."""
    current = page()
    shop = shop_settings()
    notice = NOTICES.get(request.query.get("done", ""))
    values.setdefault("errors", {})
    values.setdefault("form", {})
    values.setdefault("title", shop["shop.name"])
    return bottle.template(
        name,
        template_lookup=LOOKUP,
        me=current.session.account if current.session else None,
        csrf=current.csrf,
        shop=shop,
        notice=notice,
        path=request.path,
        money=money,
        gross=gross,
        vat_rate=vat_rate,
        local=local,
        day=day,
        duration=duration,
        static_url=static_url,
        call_us=call_us,
        add_car=add_car_url,
        with_next=with_next,
        **values,
    )


def error_page(status: int, title: str, message: str) -> str:
    response.status = status
    try:
        return render("error", title=title, message=message, status=status)
    except Exception:  # the error page must not fail (e.g. database down)
        log.exception("error page failed")
        return f"<!doctype html><html lang=en><title>{title}</title><h1>{title}</h1><p>{message}</p>"


class ShopErrorsPlugin:
    """NotFound and Forbidden from `shop` are a 404 page: a customer never learns what others have."""

    name = "shop_errors"
    api = 2

    def apply(self, callback: Callable[..., Any], route: Any) -> Callable[..., Any]:
        @functools.wraps(callback)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return callback(*args, **kwargs)
            except (NotFound, Forbidden):  # another customer's object does not exist for this one
                raise HTTPError(404, "Not found") from None

        return wrapper


def install_error_pages(app: bottle.Bottle) -> None:
    @app.error(400)
    def bad_request(err: HTTPError) -> str:
        return error_page(400, "Bad request", "The request could not be understood.")

    @app.error(403)
    def forbidden(err: HTTPError) -> str:
        body = err.body if isinstance(err.body, str) and err.body != "Forbidden" else None
        return error_page(403, "Not allowed", body or "You may not do this.")

    @app.error(404)
    def not_found(err: HTTPError) -> str:
        return error_page(404, "Page not found", "There is nothing here. It may have moved or never existed.")

    @app.error(405)
    def not_allowed(err: HTTPError) -> str:
        return error_page(405, "Not allowed", "This page cannot be used that way.")

    @app.error(413)
    def too_large(err: HTTPError) -> str:
        return error_page(413, "Too much data", "The form sent too much data.")

    @app.error(500)
    def server_error(err: HTTPError) -> str:
        if err.exception is not None:
            log.error("portal error on %s %s\n%s", request.method, request.path, err.traceback or err.exception)
        return error_page(500, "Something went wrong", "Sorry, that did not work. Please try again in a moment.")


class Middleware:
    """Outermost layer: security headers on every response and a cap on request bodies."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY or environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
            body = b"<!doctype html><html lang=en><title>Too much data</title><h1>Too much data</h1></html>"
            start_response(
                "413 Payload Too Large",
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))), *SECURITY_HEADERS],
            )
            return [body]

        def with_headers(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            names = {name.lower() for name, _ in headers}
            extra = [(n, v) for n, v in SECURITY_HEADERS if n.lower() not in names]
            if environ.get("portal.private") and "cache-control" not in names:
                extra.append(("Cache-Control", "no-store"))
            return start_response(status, headers + extra, exc_info)

        return self.app(environ, with_headers)


def form_values(*names: str) -> dict[str, str]:
    """The named form fields as text (missing ones empty), for re-showing a refused form."""
    return {name: request.forms.getunicode(name, default="") or "" for name in names}


def no_store() -> None:
    request.environ["portal.private"] = True


__all__ = [
    "HTTPError",
    "HTTPResponse",
    "Page",
    "check_csrf",
    "form_values",
    "go",
    "login_required",
    "page",
    "render",
]
