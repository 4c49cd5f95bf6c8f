"""The profiles of a multi-profile token (Token2 Molto2) as a grid: pick one, or the next free one."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from otpburn.untrusted import tame

if TYPE_CHECKING:
    from otpburn.otp import OtpParams
    from otpburn.tokens.molto2 import Profile

COLUMNS = 5  # wide enough cells for a 12-character title


class ProfileGrid(QWidget):
    """Shown while a Molto2 is connected. `chosen` carries the profile number (or None)."""

    chosen = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, COLUMNS)
        self.table.setAccessibleName(self.tr("Profiles of the token"))
        self.table.setAccessibleDescription(self.tr("One cell per profile: its number and title; ● marks a profile "
                                                    "holding a "
                                            "seed. Choose the profile to burn."))
        self.table.horizontalHeader().setVisible(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setMinimumHeight(180)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.next_free = QPushButton(self.tr("&Next free profile"))
        self.next_free.setAccessibleDescription(self.tr("Select the first profile that holds no seed"))
        self.choice = QLabel(self.tr("No profile chosen."))
        self.choice.setWordWrap(True)
        row.addWidget(self.next_free)
        row.addWidget(self.choice, 1)
        layout.addLayout(row)
        self.profiles: list[Profile] = []
        self.table.itemSelectionChanged.connect(self._selected)
        self.next_free.clicked.connect(self.choose_next_free)

    def show_profiles(self, profiles: list[Profile]) -> None:
        self.profiles = profiles
        self.table.clearContents()
        self.table.setRowCount((len(profiles) + COLUMNS - 1) // COLUMNS)
        for profile in profiles:
            mark = "● " if profile.occupied else ""
            title = tame(profile.title, 24)  # the device's text: one printable line
            item = QTableWidgetItem(f"{mark}{profile.number}\n{title}")
            settings = (f"{profile.algorithm.value if profile.algorithm else '?'}, {profile.digits} digits, "
                        f"{profile.period} s")
            # Escaped: Qt renders a tool tip that looks like HTML as HTML.
            item.setToolTip(html.escape(f"Profile {profile.number}: " + (
                f"holds a seed ({settings})" if profile.occupied else "empty") + (
                f", title '{title}'" if title else "")))
            self.table.setItem(profile.number // COLUMNS, profile.number % COLUMNS, item)
        self.table.resizeRowsToContents()
        # Every profile shown at once: the window's page is the one scroll area (no scroll bar inside a scroll bar).
        frame = 2 * self.table.frameWidth()
        self.table.setFixedHeight(sum(self.table.rowHeight(row) for row in range(self.table.rowCount())) + frame)
        used = sum(p.occupied for p in profiles)
        self.summary.setText(self.tr("{0} of {1} profiles hold a seed (●). Choose the profile to burn; titles and "
                                     "occupancy are readable without the customer key.").format(used, len(profiles)))
        self.choose_next_free()

    def mark_burned(self, number: int, title: str, params: OtpParams) -> None:
        """Show a profile as burned (its read-back confirmed it) and move on to the next free one."""
        from otpburn.tokens.molto2 import Profile

        self.profiles = [Profile(number, True, title, params.algorithm, params.period, params.digits)
                         if p.number == number else p for p in self.profiles]
        self.show_profiles(self.profiles)

    def choose_next_free(self) -> None:
        free = next((p for p in self.profiles if not p.occupied), None)
        if free is None:
            self.table.clearSelection()
            self.choice.setText(self.tr("Every profile holds a seed: choose one to replace."))
            self.chosen.emit(None)
            return
        self.table.setCurrentCell(free.number // COLUMNS, free.number % COLUMNS)

    @property
    def selected(self) -> Profile | None:
        items = self.table.selectedItems()
        if not items:
            return None
        number = items[0].row() * COLUMNS + items[0].column()
        return self.profiles[number] if number < len(self.profiles) else None

    def _selected(self) -> None:
        profile = self.selected
        if profile is None:
            self.choice.setText(self.tr("No profile chosen."))
        elif profile.occupied:
            title = f" ({tame(profile.title, 24)})" if profile.title else ""
            self.choice.setText(self.tr("Profile {0}{1} holds a seed: burning replaces it (tick \"Replace this "
                                        "profile\" in step 4).").format(profile.number, title))
        else:
            self.choice.setText(self.tr("Profile {0} is free.").format(profile.number))
        self.chosen.emit(profile)
