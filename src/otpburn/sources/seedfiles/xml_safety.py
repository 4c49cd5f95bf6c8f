"""What every XML seed file goes through before a parser builds anything from it.

Seed files come from vendors, servers and strangers: no DOCTYPE or entity (no billion laughs, no
external files), no absurd nesting for the recursive parsers above expat, and a declared text
encoding Python can read.
"""

from __future__ import annotations

import xml.parsers.expat

from otpburn.errors import InputError

MAX_XML_DEPTH = 64  # PSKC, the deepest seed-file format, is about 8 elements deep
_SNIFF_BYTES = 64 * 1024


class _TooDeepError(Exception):
    pass


class _HasDoctypeError(Exception):
    pass


class _FoundRootError(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def check_xml(path: str, data: bytes, kind: str) -> None:
    """Refuse a DOCTYPE, entities and absurd nesting in a `kind` ("PSKC") file before it is parsed.

    expat parses iteratively, so even 150 000 nested elements only cost a counter here.
    """
    depth = 0

    def start(name: str, attributes: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise _TooDeepError

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    def doctype(*args: object) -> None:
        raise _HasDoctypeError

    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype  # wherever it hides (after long comments, say)
    parser.EntityDeclHandler = doctype
    try:
        parser.Parse(data, True)
    except _HasDoctypeError:
        raise InputError(f"{path}: {kind} files never need a DOCTYPE or entities; this one has them and was not "
                         "read") from None
    except _TooDeepError:
        raise InputError(f"{path}: its XML is nested more than {MAX_XML_DEPTH} levels deep; not a {kind} file") \
            from None
    except xml.parsers.expat.ExpatError as exc:
        raise InputError(f"{path}: not a valid {kind} file ({xml.parsers.expat.errors.messages.get(exc.code, exc)}, "
                         f"line {exc.lineno})") from None
    except (LookupError, ValueError, UnicodeError):  # an XML declaration naming an encoding Python lacks
        raise InputError(f"{path}: not a valid {kind} file (its XML declares a text encoding that cannot be read)") \
            from None


def root_name(data: bytes) -> str:
    """The local name of the document's first element ("" when the start of the file shows none).

    Only the first 64 KiB are looked at, and the DOCTYPE guard applies here too."""

    def start(name: str, attributes: object) -> None:
        raise _FoundRootError(name.rsplit("}", 1)[-1].rsplit(":", 1)[-1])

    def doctype(*args: object) -> None:
        raise _HasDoctypeError

    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        parser.Parse(data[:_SNIFF_BYTES], False)
    except _FoundRootError as found:
        return found.name
    except (_HasDoctypeError, xml.parsers.expat.ExpatError, LookupError, ValueError, UnicodeError):
        pass  # the full check names it
    return ""
