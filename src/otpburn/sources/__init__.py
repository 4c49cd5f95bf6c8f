"""Where seeds come from: otpauth URIs, Google exports, the payload classifier, random seeds.

Image, screen and clipboard sources import heavy libraries and live in their own
modules (`otpburn.sources.qr`, ...) so that importing this package stays cheap.
"""

from otpburn.sources.classify import ADVICE, SEED_KINDS, Payload, PayloadKind, classify
from otpburn.sources.migration import MigrationBatch, MigrationEntry, is_migration, parse_migration
from otpburn.sources.otpauth import format_uri, is_otpauth, parse_uri
from otpburn.sources.random_seed import random_params, random_secret

__all__ = [
    "ADVICE",
    "MigrationBatch",
    "MigrationEntry",
    "Payload",
    "PayloadKind",
    "SEED_KINDS",
    "classify",
    "format_uri",
    "is_migration",
    "is_otpauth",
    "parse_migration",
    "parse_uri",
    "random_params",
    "random_secret",
]
