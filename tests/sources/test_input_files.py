"""Files and streams a user gives: read whole up to a bound, refused past it, and never with the bound set aside
in memory first."""

from __future__ import annotations

import io
import sys
import tracemalloc

import pytest

from otpburn.errors import InputError
from otpburn.files import read_at_most, read_input_file
from otpburn.sources import seedfiles


def test_a_file_of_exactly_the_bound_is_read_and_one_byte_more_is_refused(tmp_path):
    path = tmp_path / "seeds.csv"
    path.write_bytes(b"x" * 2048)
    assert read_input_file(path, "a seed file", 2048) == b"x" * 2048
    with pytest.raises(InputError, match="seeds.csv is larger than 1 KiB; that is not a seed file$"):
        read_input_file(path, "a seed file", 2047)


@pytest.mark.parametrize("size", [0, 1, 5, (1 << 16) - 1, 1 << 16, (1 << 16) + 1, (1 << 20) + 1, 3 << 20])
def test_a_stream_is_read_in_blocks_up_to_one_byte_past_the_bound(size):
    data = bytes(range(256)) * (size // 256) + b"\x07" * (size % 256)
    assert read_at_most(io.BytesIO(data), 3 << 20) == data
    assert read_at_most(io.BytesIO(data), 1 << 20) == data[:(1 << 20) + 1]
    # A regular file that grew after its size was taken is read on to the bound.
    assert read_at_most(io.BytesIO(data), 3 << 20, expected=size // 2) == data


def test_reading_a_small_file_does_not_set_the_bound_aside(tmp_path):
    path = tmp_path / "seeds.csv"
    path.write_bytes(b"serial,secret\n" * 100)
    tracemalloc.start()
    try:
        read_input_file(path, "a seed file", 128 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 256 << 10  # one read(128 MiB + 1) would first allocate all of it


def test_standard_input_past_the_bound_is_one_line(monkeypatch):
    line = b"86596220000001,JBSWY3DPEHPK3PXP\n"
    monkeypatch.setattr(seedfiles, "MAX_FILE_BYTES", 1 << 20)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(line * ((1 << 20) // len(line) + 1))))
    with pytest.raises(InputError, match="^standard input holds more than 1 MiB; that is not a seed file$"):
        seedfiles.read_seed_file("-")
