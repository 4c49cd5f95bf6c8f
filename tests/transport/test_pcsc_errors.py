"""PC/SC return codes become messages a user can act on (codes from pyscard's constants)."""

import pytest

scard = pytest.importorskip("smartcard.scard", reason="pyscard is part of the test extras")

from otpburn.cli.wording import exit_code_for  # noqa: E402
from otpburn.errors import ReaderError  # noqa: E402
from otpburn.transport import pcsc  # noqa: E402
from otpburn.transport.errors import CardRemovedError, NoReaderError, NoServiceError, ReaderBusyError  # noqa: E402


@pytest.mark.parametrize(
    "code,error,fragment",
    [
        (scard.SCARD_E_NO_SERVICE, NoServiceError, "PC/SC service is not running"),
        (scard.SCARD_E_NO_READERS_AVAILABLE, NoReaderError, "no smart-card reader"),
        (scard.SCARD_E_UNKNOWN_READER, NoReaderError, "unplugged"),
        (scard.SCARD_E_READER_UNAVAILABLE, NoReaderError, "unplugged"),
        (scard.SCARD_W_REMOVED_CARD, CardRemovedError, "left the reader"),
        (scard.SCARD_E_NO_SMARTCARD, CardRemovedError, "left the reader"),
        (scard.SCARD_E_SHARING_VIOLATION, ReaderBusyError, "another program"),
        (scard.SCARD_F_COMM_ERROR, CardRemovedError, "keep the token still"),
        (scard.SCARD_E_INVALID_PARAMETER, ReaderError, "PC/SC error"),
    ],
)
def test_codes_map_to_messages(code, error, fragment):
    with pytest.raises(error) as info:
        pcsc.raise_for(code, "Reader 00 00", "talking to the token")
    assert fragment in str(info.value)
    assert exit_code_for(info.value) == 3


def test_success_is_silent():
    pcsc.raise_for(scard.SCARD_S_SUCCESS)
