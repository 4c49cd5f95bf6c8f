import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from otpburn.errors import InputError
from otpburn.otp import (
    SecretEncoding,
    decode_base32,
    decode_hex,
    decode_secret,
    detect_encoding,
    encode_base32,
    encode_hex,
    mask_secret,
)

HELLO = bytes.fromhex("48656C6C6F21DEADBEEF")


@pytest.mark.parametrize(
    "text",
    ["JBSWY3DPEHPK3PXP", "jbswy3dpehpk3pxp", "JBSW Y3DP EHPK 3PXP", "jbsw-y3dp-ehpk-3pxp", "JBSWY3DPEHPK3PXP======",
     "  JBSWY3DPEHPK3PXP\n"],
)
def test_base32_tolerates_what_people_paste(text):
    assert decode_base32(text) == HELLO


def test_base32_without_padding_all_lengths():
    for length in range(1, 40):
        data = bytes(range(length))
        assert decode_base32(encode_base32(data)) == data


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("JBSW1Y3DP", "character '1' at position 5"),
        ("JBSWY3DP!", "character '!' at position 9"),
        ("JBS", "do not form whole bytes"),
        ("JB=SW", "padding '=' at position 3"),
        ("", "empty"),
        ("  -  ", "empty"),
        ("JBSW\u00e9", "position 5"),
    ],
)
def test_base32_errors_name_the_problem(text, fragment):
    with pytest.raises(InputError) as info:
        decode_base32(text)
    assert fragment in info.value.message


def test_base32_error_hints_at_hex():
    with pytest.raises(InputError, match="hex secret"):
        decode_base32("JBSWY3D0")


@pytest.mark.parametrize("text", ["48656c6c6f21deadbeef", "0x48656C6C6F21DEADBEEF", "48:65:6C:6C:6F:21:DE:AD:BE:EF",
                                  "4865 6C6C 6F21 DEAD BEEF"])
def test_hex_forms(text):
    assert decode_hex(text) == HELLO


@pytest.mark.parametrize("text,fragment",
                         [("ABC", "3 hex digits"), ("AG", "character 'G' at position 2"), ("0x", "empty")])
def test_hex_errors(text, fragment):
    with pytest.raises(InputError) as info:
        decode_hex(text)
    assert fragment in info.value.message


def test_detection_rule():
    assert detect_encoding("3132333435363738393031323334353637383930") == (SecretEncoding.HEX, False)
    assert detect_encoding("JBSWY3DPEHPK3PXP") == (SecretEncoding.BASE32, False)
    assert detect_encoding("0xABCDEF") == (SecretEncoding.HEX, False)
    # Only A-F and 2-7, 16 chars: valid as both -> base32, flagged ambiguous.
    assert detect_encoding("ABCDEF2345674567") == (SecretEncoding.BASE32, True)
    # Only A-F/2-7 but odd length: hex impossible, so not ambiguous.
    assert detect_encoding("ABCDEF234567456") == (SecretEncoding.BASE32, False)
    # A stray 1 among base32 letters is a base32 typo, reported as such.
    with pytest.raises(InputError, match="character '1' at position 3.*not valid hex either"):
        decode_secret("JB1WY3DPEHPK3PXP")


def test_decode_secret_forced_encoding():
    assert decode_secret("ABCDEF2345674567", "hex").secret == bytes.fromhex("ABCDEF2345674567")
    assert decode_secret("ABCDEF2345674567", "base32").encoding is SecretEncoding.BASE32
    decoded = decode_secret("3132333435363738393031323334353637383930")
    assert decoded.secret == b"12345678901234567890"
    assert "31323" not in repr(decoded)


def test_mask_reveals_only_length():
    assert mask_secret(HELLO) == "•••••••• (10 bytes)"


@given(st.binary(min_size=1, max_size=128))
def test_base32_round_trip(data):
    encoded = encode_base32(data)
    assert decode_base32(encoded) == data
    assert decode_base32(encoded.lower()) == data
    assert decode_secret(encoded, "base32").secret == data


@given(st.binary(min_size=1, max_size=128))
def test_hex_round_trip(data):
    assert decode_hex(encode_hex(data)) == data
    assert decode_secret(encode_hex(data), "hex").secret == data


@given(st.binary(min_size=1, max_size=64), st.sampled_from([" ", "-"]), st.integers(1, 8))
def test_base32_grouped_round_trip(data, separator, group):
    encoded = encode_base32(data)
    grouped = separator.join(encoded[i : i + group] for i in range(0, len(encoded), group))
    assert decode_base32(grouped) == data


@settings(max_examples=300, derandomize=True)
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=120))
def test_base32_fast_path_decodes_as_the_standard_library_does(text):
    """Every base32 text, trailing bits and lower case included: the same bytes as base64.b32decode, or the same
    refusal for a length that holds no whole bytes."""
    import base64

    remainder = len(text) % 8
    if remainder not in (0, 2, 4, 5, 7):
        with pytest.raises(InputError, match="do not form whole bytes"):
            decode_base32(text)
        return
    assert decode_base32(text) == base64.b32decode(text.upper() + "=" * (-len(text) % 8))


@given(st.binary(max_size=200))
def test_base32_length_is_the_length_of_the_encoding(data):
    from otpburn.otp.codec import base32_length

    assert base32_length(data) == len(encode_base32(data))



@given(st.text(alphabet="0123456789abcdefABCDEFxX :-g\n\t\v\x1c\u0660\uff10\u00b2", max_size=60)
       | st.binary(max_size=30).map(bytes.hex))
@example("")
@example("00\v\v")  # bytes.fromhex skips the vertical tab (any ASCII space); the loop names it
@example("0a 1b ")
def test_hex_fast_path_gives_what_the_character_loop_gives(text):
    """Plain hex goes through bytes.fromhex: the same bytes as the loop that words problems, which every other
    text goes through (spaces fromhex skips, digits of other scripts and the empty text included)."""
    from otpburn.otp.codec import _decode_hex_by_character

    assert _outcome(decode_hex, text) == _outcome(_decode_hex_by_character, text)


def _outcome(decode, text: str) -> object:
    """The bytes `decode` gives for `text`, or the words of its refusal."""
    try:
        return decode(text)
    except InputError as refused:
        return refused.message


@settings(max_examples=500, derandomize=True)
@given(st.one_of(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcdefghijklmnopqrstuvwxyz=", max_size=40),
    st.text(alphabet="AZaz27=018_+- \t\n\u00e9\u212a\uff21", max_size=24),  # int()'s own extras: _ + - and spaces
    st.text(max_size=24)))
def test_base32_fast_path_gives_what_the_character_loop_gives(text):
    """Plain base32 goes through bytes.translate and int(): the same bytes as the loop that words problems, or the
    same refusal, for any text (int() itself would take underscores, signs, spaces and non-ASCII digits)."""
    from otpburn.otp.codec import _decode_base32_by_character

    assert _outcome(decode_base32, text) == _outcome(_decode_base32_by_character, text)
