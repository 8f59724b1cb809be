"""Encryption at rest for stored secrets: MultiFernet over the configured keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

# cryptography is imported where a key is used: a server with one workspace and no
# XDEPT_SECRET_KEY never loads it (a few megabytes in every process).


class BadSecretKey(ValueError):
    """A configured key is not a Fernet key; the message says which one."""


class UndecryptableSecret(Exception):
    """No configured key opens this secret (the key that sealed it is gone)."""


def generate_key() -> str:
    """A new Fernet key, as text."""
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


class SecretBox:
    """Seals and opens secrets; the first key seals, every key opens."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise BadSecretKey("no key given: set XDEPT_SECRET_KEY (`xdept secret-key` prints one)")
        from cryptography.fernet import Fernet, MultiFernet

        fernets = []
        for number, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.encode("ascii")))
            except (ValueError, UnicodeEncodeError):
                # Never echo the key: it may be a real one with a typo.
                raise BadSecretKey(
                    f"key {number} of XDEPT_SECRET_KEY is not a Fernet key (32 url-safe "
                    "base64-encoded bytes, as `xdept secret-key` prints)"
                ) from None
        self._fernet: MultiFernet = MultiFernet(fernets)

    def seal(self, plain: str) -> str:
        """The secret encrypted under the first key."""
        return self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        """The secret, or UndecryptableSecret when no key opens it."""
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise UndecryptableSecret from None

    def reseal(self, sealed: str) -> str:
        """The same secret encrypted under the first key (key rotation)."""
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.rotate(sealed.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise UndecryptableSecret from None
