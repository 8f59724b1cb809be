"""One clear line for a database that is down, missing or misnamed (never its password)."""

from __future__ import annotations

import re

from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
)

# What the drivers say, and what a person should do about it.
_REASONS: tuple[tuple[str, str], ...] = (
    ("connection refused", "connection refused (is the server running, on that host and port?)"),
    ("could not translate host name", "unknown host name"),
    ("name or service not known", "unknown host name"),
    ("timeout expired", "no answer in time (is the host reachable?)"),
    ("password authentication failed", "password authentication failed"),
    ("no password supplied", "the server wants a password and the URL has none"),
    ("role .* does not exist", "no such user on the server"),
    ("database .* does not exist", "no such database on the server"),
    ("unable to open database file", "cannot open the file (does its folder exist, writable?)"),
    ("file is not a database", "the file is not an SQLite database"),
    ("readonly database", "the file is read-only for this user"),
    ("database is locked", "the file stayed locked by another process"),
)


class DatabaseFailure(Exception):
    """The database could not be used; the message is the one line to show."""


def display_url(url: str) -> str:
    """The URL with its password left out, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", url)


def describe_database_error(exc: BaseException, url: str) -> str | None:
    """One line naming the database and what is wrong, or None if `exc` is not about it."""
    where = display_url(url)
    if isinstance(exc, NoSuchModuleError) or (
        isinstance(exc, ArgumentError) and "parse" in str(exc).lower()
    ):
        return (
            f"DATABASE_URL {where!r} is not a database URL xdept can use: give "
            "sqlite:///path/to/xdept.db or postgresql://user:password@host:5432/name"
        )
    if isinstance(exc, ModuleNotFoundError):
        if url.startswith("postgres"):
            return (
                f"DATABASE_URL {where} needs the PostgreSQL driver: pip install 'xdept[postgres]'"
            )
        if not url.startswith("sqlite"):
            return f"DATABASE_URL {where}: xdept runs on SQLite or PostgreSQL only"
    if isinstance(exc, OperationalError | InterfaceError | DatabaseError):
        detail = str(exc.orig) if exc.orig is not None else str(exc)
        reason = _known_reason(detail)
        # Other database errors (a constraint, bad SQL) are bugs: their traceback helps.
        if reason is not None or isinstance(exc, OperationalError | InterfaceError):
            return f"cannot use the database {where}: {reason or _first_line(detail, url)}"
    return None


def _known_reason(detail: str) -> str | None:
    lowered = detail.lower()
    for pattern, reason in _REASONS:
        if re.search(pattern, lowered):
            return reason
    return None


def _first_line(detail: str, url: str) -> str:
    first = next((line.strip() for line in detail.splitlines() if line.strip()), "unknown error")
    password = _password(url)
    return first.replace(password, "***") if password else first


def _password(url: str) -> str | None:
    try:
        return make_url(url).password
    except ArgumentError:
        return None
