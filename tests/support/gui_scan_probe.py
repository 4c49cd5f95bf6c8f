"""Run in a subprocess on an X display: open the window, press "Scan screen", print what was found."""

import json
import os
import sys
import tempfile

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication


def main() -> None:
    app = QApplication(sys.argv)
    from otpburn.gui.window import MainWindow

    settings = QSettings(os.path.join(tempfile.mkdtemp(), "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.resize(900, 600)
    window.move(0, 0)
    window.show()
    loop = QEventLoop()
    window.seed.seed_changed.connect(lambda params: loop.quit())
    QTimer.singleShot(500, window.seed.scan_button.click)
    QTimer.singleShot(20_000, loop.quit)
    loop.exec()
    params = window.seed.params
    print(json.dumps({"issuer": params.issuer if params else None, "account": params.account if params else None,
                      "status": window.seed.status.text()}))
    window.close()
    app.quit()


if __name__ == "__main__":
    main()
