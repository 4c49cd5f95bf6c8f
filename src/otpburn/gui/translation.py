"""Qt's translation marker and the window's words for remedies: light enough to load with the window.

(`gui/wording.py` holds the words for the burn's data and loads with the first of them.)
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from otpburn.errors import Remedy


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name Qt's lupdate looks for
    """Marks `text` for Qt's translation tools (pyside6-lupdate); it is translated where it is shown."""
    return text


# How the window words each remedy: by the controls a user sees, never by a command-line flag.
REMEDIES: dict[Remedy, str] = {
    Remedy.FORCE: QT_TRANSLATE_NOOP(
        "Remedies", "choose another name or folder"),
    Remedy.CUSTOMER_KEY: QT_TRANSLATE_NOOP(
        "Remedies", "type the token's customer key when asked"),
    Remedy.LAST_ATTEMPT: QT_TRANSLATE_NOOP(
        "Remedies", "tick \"I understand: the last attempt\" only with the right key for certain"),
    Remedy.CHOOSE_PROFILE: QT_TRANSLATE_NOOP(
        "Remedies", "choose a profile in step 3"),
    Remedy.NAME_USER: QT_TRANSLATE_NOOP(
        "Remedies", "fill in the user in step 6"),
    Remedy.PROGRESS_FILE: QT_TRANSLATE_NOOP(
        "Remedies", "choose another folder for the batch's progress file"),
    Remedy.PROBE_REPORT: QT_TRANSLATE_NOOP(
        "Remedies", "Save a report (reads only, no secrets) in the Token card and share it, so support for it can "
                    "be written"),
    Remedy.OVERWRITE_PROFILE: QT_TRANSLATE_NOOP(
        "Remedies", "pick a free profile, or tick \"Replace this profile\""),
    Remedy.CONFIRM_WIPE: QT_TRANSLATE_NOOP(
        "Remedies", "confirm the clock sync to go ahead"),
    Remedy.TOKEN_PASSWORD: QT_TRANSLATE_NOOP(
        "Remedies", "type the token's password when asked"),
    Remedy.SEED_FILE_PASSWORD: QT_TRANSLATE_NOOP(
        "Remedies", "type the file's password when asked"),
    Remedy.SEED_FILE_KEY: QT_TRANSLATE_NOOP(
        "Remedies", "type the file's key (hex) when asked"),
    Remedy.KEEPASS_KEY_FILE: QT_TRANSLATE_NOOP(
        "Remedies", "if it opens with a key file too, choose it when asked; one that opens with a YubiKey: export "
                    "it as XML from KeePassXC (Database → Export → XML file) and load that"),
    Remedy.DECRYPT_SEED_FILE: QT_TRANSLATE_NOOP(
        "Remedies", "decrypt it with gpg first, load the result, then delete it"),
    Remedy.PICK_ACCOUNT: QT_TRANSLATE_NOOP(
        "Remedies", "choose the account in the list"),
    Remedy.CHOOSE_READER: QT_TRANSLATE_NOOP(
        "Remedies", "choose the reader in step 2"),
    Remedy.LIST_READERS: QT_TRANSLATE_NOOP(
        "Remedies", "choose the reader in step 2"),
    Remedy.VIRTUAL_READER: QT_TRANSLATE_NOOP(
        "Remedies", "plug in an NFC reader, or choose the virtual token in step 2"),
    Remedy.START_PCSC: QT_TRANSLATE_NOOP(
        "Remedies", "start the smart-card service (Linux: pcscd; Windows: the 'Smart Card' service), or choose the "
        "virtual token in step 2"),
    Remedy.OTHER_SOURCE: QT_TRANSLATE_NOOP(
        "Remedies", "use Open image… or Paste instead"),
    Remedy.SCAN_AGAIN: QT_TRANSLATE_NOOP(
        "Remedies", "set a delay and scan again, or use Open image… or Paste"),
    Remedy.SYNC_CLOCK: QT_TRANSLATE_NOOP(
        "Remedies", "tick 'Sync token clock' in step 4 to set it"),
    Remedy.ALGORITHM: QT_TRANSLATE_NOOP(
        "Remedies", "change the algorithm in step 1 and burn again"),
    Remedy.PERIOD: QT_TRANSLATE_NOOP(
        "Remedies", "change the period in step 1 and burn again"),
    Remedy.ENCODING: QT_TRANSLATE_NOOP(
        "Remedies", "type the secret in the encoding it was written in and burn again"),
    Remedy.DELETE_CREDENTIAL: QT_TRANSLATE_NOOP(
        "Remedies", "delete a credential from the token first"),
    Remedy.FREE_READER: QT_TRANSLATE_NOOP(
        "Remedies", "close the program that holds the reader (often Yubico Authenticator, GnuPG's scdaemon or another"
        " token tool) and try again"),
    Remedy.REGISTRAR_SETTINGS: QT_TRANSLATE_NOOP(
        "Remedies", "fix the registrar file named in step 6 (docs/identity-systems.md shows each section)"),
    Remedy.REGISTRAR_SIGN_IN: QT_TRANSLATE_NOOP(
        "Remedies", "check the account and the secret the registrar file names"),
    Remedy.REGISTRAR_CA: QT_TRANSLATE_NOOP(
        "Remedies", "name the CA that signed it with ca-file in the registrar file"),
    Remedy.REPLACE_TOKEN: QT_TRANSLATE_NOOP(
        "Remedies", "remove that token in the identity system first, then press Enroll again"),
    Remedy.RESUME_REGISTRATION: QT_TRANSLATE_NOOP(
        "Remedies", "the token keeps its seed: press Enroll again once the server answers"),
    Remedy.TOKEN_CODE: QT_TRANSLATE_NOOP(
        "Remedies", "wait for the token's next code, type it and press Enroll again"),
}


def remedy_text(remedy: Remedy) -> str | None:
    text = REMEDIES.get(remedy)
    return QCoreApplication.translate("Remedies", text) if text else None
