"""Numbers in text otpburn did not write: ASCII digits only, and never more than a field can hold."""

import pytest

from otpburn.untrusted import ascii_digits, ascii_number

# What str.isdigit() takes beyond 0-9: superscripts and circled digits (int() refuses them), Arabic-Indic and
# full-width digits (int() reads them).
OTHER_DIGITS = ["²", "①", "١٢", "１２", "3²"]


@pytest.mark.parametrize("text", OTHER_DIGITS + ["", " 12", "+1", "-1", "1_000", "1.0", "0x10"])
def test_only_ascii_digits_are_digits(text):
    assert not ascii_digits(text)
    assert ascii_number(text, 20) is None


def test_a_number_is_read_up_to_its_digits():
    assert ascii_digits("0123") and ascii_number("0123", 4) == 123
    assert ascii_number("12345", 4) is None
    assert ascii_number("1" * 20, 20) == 11111111111111111111  # a 64-bit counter's digits


def test_more_digits_than_int_reads_are_refused_not_raised():
    # Python refuses to read more than 4300 digits (ValueError); a field never needs them, so the bound comes first.
    assert ascii_number("1" * 5000, 20) is None


@pytest.mark.parametrize("spec", ["²", "١", "1" * 5000])
def test_a_reader_number_in_other_digits_is_a_name_to_look_for(spec):
    from otpburn.provisioning.access.readers import choose
    from otpburn.transport.errors import NoReaderError
    from otpburn.transport.readers import ReaderInfo

    readers = [ReaderInfo("Reader A", True), ReaderInfo("Reader B", True)]
    with pytest.raises(NoReaderError, match="no reader matches"):
        choose(readers, spec)


def test_a_reader_name_typed_long_is_cut_short_in_the_message():
    from otpburn.provisioning.access.readers import choose
    from otpburn.transport.errors import NoReaderError
    from otpburn.transport.readers import ReaderInfo

    with pytest.raises(NoReaderError) as refused:
        choose([ReaderInfo("Reader A", True), ReaderInfo("Reader B", True)], "x" * 5000)
    assert str(refused.value) == f"no reader matches '{'x' * 79}…'; connected: Reader A, Reader B"


@pytest.mark.parametrize("value", ["²", "١٢"])
def test_a_retry_after_in_other_digits_is_waited_out_as_no_answer(value):
    from otpburn.registrars.http import retry_after_seconds

    assert retry_after_seconds(value, 2) == retry_after_seconds(None, 2)
    assert retry_after_seconds(None, 2, reset=value) == retry_after_seconds(None, 2)
