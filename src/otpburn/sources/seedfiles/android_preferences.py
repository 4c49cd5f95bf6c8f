"""Android shared-preferences files (`<map>` of named `<string>`, `<int>`, ... elements), as apps' token stores
are kept and as backups of a phone hand them over: FreeOTP's and Authy's among them."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ElementTree

from otpburn.errors import InputError
from otpburn.sources.seedfiles.xml_safety import check_xml


def read_strings(path: str, data: bytes, app: str) -> dict[str, str]:
    """The file's string preferences by name (document order kept)."""
    check_xml(path, data, app)
    try:
        root = ElementTree.parse(io.BytesIO(data)).getroot()  # noqa: S314 (check_xml refused DOCTYPEs)
    except ElementTree.ParseError:
        raise InputError(f"{path}: a damaged {app} file") from None
    return {element.get("name", ""): element.text or "" for element in root if element.tag == "string"}
