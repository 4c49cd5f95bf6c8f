"""Step 1, the seed: scan the screen, open an image, paste, load a seed file, random, or type it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from otpburn.errors import InputError, OtpburnError, Remedy
from otpburn.gui import worker
from otpburn.gui.common import StatusLabel, StepBox, show_error
from otpburn.gui.worker import Report, TaskFailure

if TYPE_CHECKING:
    from PIL.Image import Image
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    from otpburn.otp import OtpParams
    from otpburn.sources.scan import ScanResult
    from otpburn.sources.seedfiles.model import SeedFile

# The OTP code and the seed sources (classification, QR decoding, seed files) load when first used, not
# when the window opens. The algorithms as the combo box offers them: otpburn.otp.Algorithm's values
# (a test keeps them equal).
ALGORITHMS = ("SHA1", "SHA256", "SHA512")
# What is typed is read once the typing pauses (or at Enter), never keystroke by keystroke: a half-typed
# secret is a valid but wrong one.
TYPING_PAUSE_MS = 700
# The shortest secret taken from the keyboard: 80 bits (16 base32 characters), the least services issue.
MIN_TYPED_SECRET_BYTES = 10


class SeedPanel(StepBox):
    seed_changed = Signal(object)  # OtpParams or None
    capture_requested = Signal(bool)  # True: hide the window for a capture; False: show it again

    def __init__(self) -> None:
        super().__init__(1, QCoreApplication.translate("SeedPanel", "Seed"))
        self.params: OtpParams | None = None
        self.choices: list[OtpParams] = []
        self.revealed = False
        self._thumbnail: Image | None = None
        self._reading: worker.Task | None = None  # a seed file being read
        self._reading_path = ""

        buttons = QHBoxLayout()
        self.scan_button = QPushButton(self.tr("Scan &screen"))
        self.image_button = QPushButton(self.tr("Open &image…"))
        self.paste_button = QPushButton(self.tr("&Paste"))
        self.file_button = QPushButton(self.tr("Seed &file…"))
        self.random_button = QPushButton(self.tr("&Random"))
        # While a seed file is read (an encrypted one runs a key derivation first): give up waiting for it.
        self.cancel_button = QPushButton(self.tr("&Cancel reading"))
        self.cancel_button.setVisible(False)
        for button in (self.scan_button, self.image_button, self.paste_button, self.file_button, self.random_button,
                       self.cancel_button):
            buttons.addWidget(button)
        self.delay = QSpinBox()
        self.delay.setRange(0, 30)
        self.delay.setSuffix(" s")
        self.delay.setToolTip(self.tr("Countdown before the screen is captured"))
        self.delay.setAccessibleName(self.tr("Delay before the screen scan"))
        self.delay.setAccessibleDescription(self.tr("Seconds to wait before capturing, to bring up the QR code"))
        buttons.addWidget(QLabel(self.tr("delay")))
        buttons.addWidget(self.delay)
        self.body.addLayout(buttons)

        manual = QHBoxLayout()
        self.manual = QLineEdit()
        self.manual.setPlaceholderText(self.tr("…or type or paste the secret (base32 or hex) or an otpauth:// link"))
        self.manual.setEchoMode(QLineEdit.EchoMode.Password)
        self.manual.setAccessibleName(self.tr("Secret or otpauth link"))
        manual.addWidget(self.manual, 1)
        self.body.addLayout(manual)
        self.encoding = QLabel("")  # under the field, wrapped: a long message never widens the card
        self.encoding.setWordWrap(True)
        self.body.addWidget(self.encoding)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._typing.timeout.connect(self.parse_typed)

        self.account_choice = QComboBox()
        self.account_choice.setVisible(False)
        self.account_choice.setAccessibleName(self.tr("Account"))
        self.body.addWidget(self.account_choice)

        details = QHBoxLayout()
        form = QFormLayout()
        self.issuer = QLineEdit()
        self.account = QLineEdit()
        self.algorithm = QComboBox()
        self.algorithm.addItems(ALGORITHMS)
        self.digits = QSpinBox()
        self.digits.setRange(6, 8)
        self.period = QSpinBox()
        self.period.setRange(1, 3600)
        self.period.setValue(30)
        self.period.setSuffix(" s")
        self.secret_view = QLabel("–")
        self.show_button = QPushButton(self.tr("Show"))
        self.show_button.setCheckable(True)
        secret_row = QHBoxLayout()
        secret_row.addWidget(self.secret_view, 1)
        secret_row.addWidget(self.show_button)
        secret_widget = QWidget()
        secret_widget.setLayout(secret_row)
        secret_row.setContentsMargins(0, 0, 0, 0)
        # What the codes are computed with comes from the seed (an otpauth link says it): shown as one line,
        # changed only on request.
        self.settings_summary = QLabel("–")
        self.settings_toggle = QPushButton(self.tr("Change…"))
        self.settings_toggle.setCheckable(True)
        self.settings_toggle.setAccessibleName(self.tr("Change the algorithm, digits and period"))
        settings_row = QHBoxLayout()
        settings_row.setContentsMargins(0, 0, 0, 0)
        settings_row.addWidget(self.settings_summary, 1)
        settings_row.addWidget(self.settings_toggle)
        settings_widget = QWidget()
        settings_widget.setLayout(settings_row)
        form.addRow(self.tr("Issuer"), self.issuer)
        form.addRow(self.tr("Account"), self.account)
        form.addRow(self.tr("Codes"), settings_widget)
        form.addRow(self.tr("Algorithm"), self.algorithm)
        form.addRow(self.tr("Digits"), self.digits)
        form.addRow(self.tr("Period"), self.period)
        form.addRow(self.tr("Secret"), secret_widget)
        self.form = form
        self._fold_settings(False)
        details.addLayout(form, 1)
        self.thumbnail = QLabel()
        self.thumbnail.setFixedSize(168, 168)
        self.thumbnail.setToolTip(self.tr("Where the QR code was found (blurred until you press Show)"))
        details.addWidget(self.thumbnail)
        self.body.addLayout(details)
        self.status = StatusLabel(self.tr("Scan the QR code the website shows, or choose another way to give the "
                                          "seed."))
        self.body.addWidget(self.status)

        self.scan_button.clicked.connect(self.scan_screen)
        self.image_button.clicked.connect(self.choose_image)
        self.paste_button.clicked.connect(self.paste)
        self.file_button.clicked.connect(self.choose_seed_file)
        self.cancel_button.clicked.connect(self.cancel_reading)
        self.random_button.clicked.connect(self.random)
        self.manual.textChanged.connect(self.manual_changed)
        self.manual.returnPressed.connect(self.parse_typed)
        self.show_button.toggled.connect(self.reveal)
        self.settings_toggle.toggled.connect(self._fold_settings)
        self.account_choice.currentIndexChanged.connect(self._choose)
        self.issuer.editingFinished.connect(self._edited)
        self.account.editingFinished.connect(self._edited)
        self.algorithm.currentIndexChanged.connect(self._edited)
        self.digits.valueChanged.connect(self._edited)
        self.period.valueChanged.connect(self._edited)
        self.setAcceptDrops(True)

    # --- sources ---------------------------------------------------------------------
    def scan_screen(self) -> None:
        from otpburn.sources.scan import scan_screen

        self.status.show_status(self.tr("Capturing every monitor…"))
        self.capture_requested.emit(True)
        delay = self.delay.value()
        # Give the window manager a moment to hide us before the grab.
        QTimer.singleShot(400, self, lambda: worker.start(lambda report: scan_screen(delay), self._scanned,
                                                    self._capture_failed))

    def _capture_failed(self, exc: TaskFailure) -> None:
        self.capture_requested.emit(False)
        show_error(self.status, exc)

    def choose_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a screenshot or photo of the QR code"), "",
                                              self.tr("Images (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.tif *.tiff)"))
        if path:
            self.load_image(path)

    def load_image(self, path: str) -> None:
        from otpburn.sources.scan import scan_images

        self.status.show_status(self.tr("Scanning {0}…").format(path))
        worker.start(lambda report: scan_images([path]), self._scanned, self._failed)

    def paste(self) -> None:
        clipboard = QGuiApplication.clipboard()
        image = clipboard.image()
        if not image.isNull():
            self._decode_qimage(image)
            return
        text = clipboard.text()
        if text.strip():
            self.use_text(text, "the clipboard")
        else:
            self.status.show_status(self.tr("The clipboard holds neither an image nor text."), "warn")

    def _decode_qimage(self, image: QImage) -> None:
        import numpy as np

        from otpburn.sources.qr import decode
        from otpburn.sources.scan import NoCodeFoundError, ScanResult

        gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
        width, height, stride = gray.width(), gray.height(), gray.bytesPerLine()
        pixels = np.frombuffer(gray.constBits(), dtype=np.uint8, count=stride * height).reshape(height, stride)
        array = np.ascontiguousarray(pixels[:, :width])

        def run(report: Report) -> ScanResult:
            result = ScanResult()
            result.add(decode(array), "the pasted image", array)
            if not result.codes:
                raise NoCodeFoundError("the pasted image holds no QR code that could be read")
            return result

        worker.start(run, self._scanned, self._failed)

    def choose_seed_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Load a seed file"), "",
            self.tr("Seed files and app exports (*.csv *.txt *.xml *.pskc *.json *.2fas *.aes *.authpro *.bin "
                    "*.zip *.pdf *.db *.db3 *.sqlite *.kdbx);;All files (*)"))  # .pdf: Feitian's zipped seeds
        if path:
            self.load_seed_file(path)

    def load_seed_file(self, path: str, password: str | None = None, key: bytes | None = None,
                       key_file: bytes | None = None) -> None:
        """Read a seed file off the UI thread (a large file or a slow key derivation must not freeze
        the window); an encrypted one comes back asking for its password, key or key file, asked here."""
        from otpburn.sources.seedfiles import read_seed_file

        self.status.show_status(self.tr("Reading {0}…").format(path))
        given_password = (lambda: password) if password is not None else None
        given_key = (lambda: key) if key is not None else None
        given_key_file = (lambda: key_file) if key_file is not None else None
        self._reading = worker.start(
            lambda report: read_seed_file(path, given_password, key=given_key, key_file=given_key_file),
            lambda records: self._seed_file_read(path, records),
            lambda failure: self._seed_file_failed(path, failure, password, key, key_file))
        self._reading_path = path
        self.cancel_button.setVisible(True)

    def cancel_reading(self) -> None:
        if self._reading is not None:
            self._reading.cancel()
            self.status.show_status(self.tr("Stopped waiting for {0}: nothing was taken from it.").format(
                self._reading_path), "warn")
        self._reading = None
        self.cancel_button.setVisible(False)

    def _seed_file_read(self, path: str, contents: SeedFile) -> None:
        self._reading = None
        self.cancel_button.setVisible(False)
        records = contents.records
        labels = [f"{r.place}: {r.serial or 'no serial'} {r.params.label}".strip() for r in records]
        found = f"{len(records)} seed{'s' if len(records) != 1 else ''} in {path}"
        self._offer([r.params for r in records], labels, found)
        left_out = [*contents.problems, *contents.notes]
        if left_out:  # the seeds are offered; what could not be used is said beside them
            shown = "; ".join(left_out[:3]) + (f" (and {len(left_out) - 3} more)" if len(left_out) > 3 else "")
            self.status.show_status(self.tr("{0}. Left out or worth knowing: {1}").format(found, shown), "warn")

    def _seed_file_failed(self, path: str, failure: TaskFailure, password: str | None, key: bytes | None,
                          key_file: bytes | None) -> None:
        self._reading = None
        self.cancel_button.setVisible(False)
        error = getattr(failure, "error", failure)
        remedy = error.remedy if isinstance(error, OtpburnError) else None
        try:
            if remedy is Remedy.SEED_FILE_PASSWORD and password is None:
                self.load_seed_file(path, self._ask_password(), key)
                return
            if remedy is Remedy.SEED_FILE_KEY and key is None:
                self.load_seed_file(path, password, self._ask_key())
                return
            if remedy is Remedy.KEEPASS_KEY_FILE and key_file is None:
                chosen = self._ask_key_file()
                if chosen is not None:  # otherwise the failure is shown as it is
                    self.load_seed_file(path, password, key, chosen)
                    return
        except InputError as exc:
            show_error(self.status, exc)
            return
        show_error(self.status, failure)

    def _ask_password(self) -> str:
        from PySide6.QtWidgets import QInputDialog

        text, ok = QInputDialog.getText(self, self.tr("Encrypted seed file"), self.tr("Password of the seed file"),
                                        QLineEdit.EchoMode.Password)
        if not ok:
            raise InputError("no password given for the encrypted seed file")
        return text

    def _ask_key_file(self) -> bytes | None:
        """A KeePass database that did not open with the password alone: its key file, if it has one."""
        from otpburn.files import read_input_file
        from otpburn.sources.seedfiles.keepass_kdbx import MAX_KEY_FILE_BYTES

        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose the database's key file, if it has one"), "",
            self.tr("Key files (*.keyx *.key);;All files (*)"))
        return read_input_file(path, "a key file", MAX_KEY_FILE_BYTES) if path else None

    def _ask_key(self) -> bytes:
        from PySide6.QtWidgets import QInputDialog

        from otpburn.sources.seedfiles.pskc_files import parse_preshared_key

        text, ok = QInputDialog.getText(self, self.tr("Key-encrypted seed file"),
                                        self.tr("Pre-shared key of the seed file (hex, 32, 48 or 64 digits)"),
                                        QLineEdit.EchoMode.Password)
        if not ok:
            raise InputError("no key given for the encrypted seed file")
        return parse_preshared_key(text.encode())

    def random(self) -> None:
        from otpburn.sources.random_seed import random_params

        self._offer([random_params(issuer=self.issuer.text(), account=self.account.text())], [],
                    "a new random 20-byte seed: give it to the service as its secret (press Show to read it)")

    def manual_changed(self, text: str) -> None:
        """While typing, nothing is offered: the seed of before goes (the field is replacing it), and the text is
        read at the pause."""
        self._typing.stop()
        if self.params is not None:
            self._set(None)
        if not text.strip():
            self.encoding.setText("")
            return
        self.encoding.setText(self.tr("…read when you pause or press Enter"))
        self._typing.start()

    def parse_typed(self) -> None:
        self._typing.stop()
        text = self.manual.text()
        if not text.strip():
            return
        self.use_text(text, "what you typed", quiet_errors=True)

    def _incomplete(self, secret: bytes, encoding: str) -> bool:
        """A typed secret too short to be a whole one: said so, and not offered."""
        if len(secret) >= MIN_TYPED_SECRET_BYTES:
            return False
        self._set(None)
        self.encoding.setText(self.tr("incomplete: {0} bytes of {1} so far; a secret has at least {2} (16 base32 "
                                      "characters)").format(len(secret), encoding, MIN_TYPED_SECRET_BYTES))
        self.status.show_status(self.tr("Finish typing the secret, or paste it whole."), "warn")
        return True

    def use_text(self, text: str, origin: str, quiet_errors: bool = False) -> None:
        from otpburn.otp import OtpParams, decode_secret
        from otpburn.sources.classify import PayloadKind, classify

        payload = classify(text)
        if payload.is_seed:
            labels = [a.label or "(no name)" for a in payload.accounts]
            note = ""
            if payload.kind.value.startswith("secret"):
                decoded = decode_secret(text.strip())
                if quiet_errors and self._incomplete(decoded.secret, decoded.encoding.value):
                    return
                note = f"{decoded.encoding.value}, {len(decoded.secret)} bytes"
                if decoded.ambiguous:
                    note += " (also valid hex: check which one the service meant)"
                self.encoding.setText(note)
            skipped = f"; {len(payload.unusable)} account(s) cannot go on a token" if payload.unusable else ""
            self._offer(list(payload.accounts), labels, f"{payload.description} from {origin}{skipped}")
            return
        if quiet_errors and payload.kind in (PayloadKind.UNKNOWN, PayloadKind.WORDS, PayloadKind.EMPTY):
            try:
                decoded = decode_secret(text.strip())
            except InputError as exc:
                self._set(None)
                self.encoding.setText(exc.message)
                return
            if self._incomplete(decoded.secret, decoded.encoding.value):
                return
            self.encoding.setText(self.tr("{0}, {1} bytes").format(decoded.encoding.value, len(decoded.secret)))
            self._offer([OtpParams(secret=decoded.secret)], [], f"a secret from {origin}")
            return
        self._set(None)
        self.status.show_status(self.tr("{0}: {1}").format(payload.description, payload.problem or payload.advice),
                                "stop" if payload.problem else "warn")

    def _scanned(self, result: ScanResult) -> None:
        from otpburn.sources.classify import classify

        self.capture_requested.emit(False)
        seeds: list[OtpParams] = []
        labels: list[str] = []
        notes: list[str] = []
        first_thumbnail = None
        for code, origin_path, thumbnail in zip(result.codes, result.origins, result.thumbnails, strict=False):
            where = Path(origin_path).name or origin_path  # a file's name, not the folders it sits in
            payload = classify(code.text)
            if payload.is_seed:
                seeds.extend(payload.accounts)
                labels.extend(f"{a.label or '(no name)'} ({where})" for a in payload.accounts)
                first_thumbnail = first_thumbnail or thumbnail
            else:
                notes.append(f"{payload.description} ({where}): {payload.problem or payload.advice}")
        if not seeds:
            self._set(None)
            self.status.show_status(" ".join(notes) or "No seed found.", "warn")
            return
        place = result.codes[0].monitor
        origin = f"monitor {place}" if place else Path(result.origins[0]).name or result.origins[0]
        self._offer(seeds, labels, f"found on {origin}" + (f" (also: {'; '.join(notes)})" if notes else ""),
                    first_thumbnail)

    def _failed(self, exc: TaskFailure) -> None:
        show_error(self.status, exc)

    # --- state -----------------------------------------------------------------------
    def _offer(self, seeds: list[OtpParams], labels: list[str], message: str, thumbnail: Image | None = None) -> None:
        self._thumbnail = thumbnail
        self.choices = seeds
        self.account_choice.blockSignals(True)
        self.account_choice.clear()
        if len(seeds) > 1:
            self.account_choice.addItems(labels)
        self.account_choice.blockSignals(False)
        self.account_choice.setVisible(len(seeds) > 1)
        self.status.show_status(message.capitalize() + (f" — choose one of {len(seeds)} accounts" if len(seeds) > 1
                                                        else ""), "ok")
        self._set(seeds[0])

    def clear(self) -> None:
        """Forget the seed: every field, the typed text, the choices and the picture (for the next token)."""
        self.choices, self._thumbnail = [], None
        self.account_choice.blockSignals(True)
        self.account_choice.clear()
        self.account_choice.blockSignals(False)
        self.account_choice.setVisible(False)
        self.manual.blockSignals(True)
        self.manual.clear()
        self.manual.blockSignals(False)
        for field in (self.issuer, self.account):
            field.blockSignals(True)
            field.clear()
            field.blockSignals(False)
        self.reveal(False)
        self.status.show_status(self.tr("Scan the QR code the website shows, or choose another way to give the seed."))
        self._set(None)

    def _choose(self, index: int) -> None:
        if 0 <= index < len(self.choices):
            self._set(self.choices[index])

    def _set(self, params: OtpParams | None) -> None:
        self.params = params
        for widget in (self.issuer, self.account, self.algorithm, self.digits, self.period):
            widget.blockSignals(True)
        if params is not None:
            self.issuer.setText(params.issuer)
            self.account.setText(params.account)
            self.algorithm.setCurrentText(params.algorithm.value)
            self.digits.setValue(min(max(params.digits, 6), 8))
            self.period.setValue(params.period)
        for widget in (self.issuer, self.account, self.algorithm, self.digits, self.period):
            widget.blockSignals(False)
        self._show_settings()
        self._show_secret()
        self._show_thumbnail()
        self.seed_changed.emit(params)

    def _fold_settings(self, shown: bool) -> None:
        for widget in (self.algorithm, self.digits, self.period):
            self.form.setRowVisible(widget, shown)
        self.settings_toggle.setText(self.tr("Done") if shown else self.tr("Change…"))

    def _show_settings(self) -> None:
        params = self.params
        if params is None:
            self.settings_summary.setText("–")
            return
        timing = (self.tr("{0} s").format(params.period) if params.type.value == "totp"
                  else self.tr("counter {0}").format(params.counter))
        self.settings_summary.setText(self.tr("{0} {1}, {2} digits, {3}").format(
            params.type.value.upper(), params.algorithm.value, params.digits, timing))

    def _edited(self, *_changed: object) -> None:
        if self.params is None:
            return
        try:
            self.params = self.params.replace(issuer=self.issuer.text().strip(), account=self.account.text().strip(),
                                              algorithm=self.algorithm.currentText(), digits=self.digits.value(),
                                              period=self.period.value())
        except InputError as exc:
            self.status.show_status(exc.message, "stop")
            return
        self._show_settings()
        self.seed_changed.emit(self.params)

    def reveal(self, shown: bool) -> None:
        self.revealed = shown
        self.show_button.setText("Hide" if shown else "Show")
        self.manual.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self._show_secret()
        self._show_thumbnail()

    def _show_secret(self) -> None:
        if self.params is None:
            self.secret_view.setText("–")
        elif self.revealed:
            from otpburn.otp import encode_base32

            secret = encode_base32(self.params.secret)
            self.secret_view.setText(" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)))
        else:
            from otpburn.otp import mask_secret

            self.secret_view.setText(mask_secret(self.params.secret))

    def _show_thumbnail(self) -> None:
        if self._thumbnail is None or self.params is None:
            self.thumbnail.clear()
            return
        from PIL import ImageFilter

        picture = self._thumbnail if self.revealed else self._thumbnail.filter(ImageFilter.BoxBlur(4))
        picture = picture.convert("RGBA")
        image = QImage(picture.tobytes(), picture.width, picture.height, QImage.Format.Format_RGBA8888).copy()
        self.thumbnail.setPixmap(QPixmap.fromImage(image))

    # --- drag and drop of image files ------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() or event.mimeData().hasText():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        data = event.mimeData()
        if data.hasUrls() and data.urls()[0].isLocalFile():
            self.load_image(data.urls()[0].toLocalFile())
        elif data.hasText():
            self.use_text(data.text(), "the dropped text")
