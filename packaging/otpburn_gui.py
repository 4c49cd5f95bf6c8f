"""The bundle's `otpburn-gui` executable: the desktop app (no console window on Windows; the application of
the macOS .app)."""

from otpburn.gui.launch import main

if __name__ == "__main__":
    main()
