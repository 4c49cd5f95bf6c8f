import pytest

from otpburn.errors import InputError
from otpburn.otp import encode_base32
from otpburn.sources import random_params, random_secret


def test_default_is_20_bytes_32_base32_chars():
    secret = random_secret()
    assert len(secret) == 20 and len(encode_base32(secret)) == 32


def test_secrets_differ():
    assert len({random_secret() for _ in range(50)}) == 50


@pytest.mark.parametrize("length", [0, 9, 65])
def test_length_bounds(length):
    with pytest.raises(InputError):
        random_secret(length)


def test_random_params_fields():
    params = random_params(32, issuer="Acme", account="bob", algorithm="SHA256")
    assert len(params.secret) == 32 and params.algorithm.value == "SHA256"
