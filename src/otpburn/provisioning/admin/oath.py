"""An OATH applet's administration: deleting a credential (logged)."""

from __future__ import annotations

from otpburn.errors import InputError
from otpburn.provisioning.access.session import TokenOnReader
from otpburn.provisioning.records import audit
from otpburn.tokens.ykoath import YkoathSession


class NoSuchCredentialError(InputError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no credential named {name!r} on this applet")


def delete_credential(token: TokenOnReader, session: YkoathSession, name: str, front_end: str = "cli") -> None:
    """Delete the credential `name` (unlocking the applet with its credentials first)."""
    session.unlock()
    if name not in {credential.name for credential in session.list()}:
        raise NoSuchCredentialError(name)
    session.delete(name)
    audit.record("delete", "ok", reader=token.reader.name, family=session.info.family, model=session.info.model,
                 serial=session.info.serial, extra={"credential": name, "front_end": front_end})
