"""Running reader, capture and network work off the UI thread, with results back on it."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

_running: set[Task] = set()  # the Python side of tasks whose results are not delivered yet

Report = Callable[[object], None]  # a task's way to send progress (text, or a flow event) to the UI thread
Work = Callable[[Report], Any]  # what runs in the pool; its result goes to `on_done`
Receiver = Callable[[Any], None]  # a UI-thread callback: the result, a TaskFailure, or a progress value


class TaskFailure:
    """An exception from a task, with the traceback the window shows on request (never a secret)."""

    def __init__(self, error: Exception, details: str) -> None:
        self.error, self.details = error, details


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)
    message = Signal(object)  # progress from the task: text, or a flow event


class Task(QRunnable):
    """`function(report)` in the thread pool; `report(value)` sends progress (an event) to the UI thread."""

    def __init__(self, function: Work, on_done: Receiver | None = None, on_error: Receiver | None = None,
                 on_message: Receiver | None = None) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python keeps it until its result reached the UI thread
        self.function = function
        self.cancelled = False
        self.signals = _Signals()
        self.signals.done.connect(lambda result: self._finish(on_done, result))
        self.signals.failed.connect(lambda exc: self._finish(on_error, exc))
        if on_message:
            self.signals.message.connect(on_message)

    def cancel(self) -> None:
        """Drop the result when it comes: the user gave up waiting (the work itself runs to its bounded end)."""
        self.cancelled = True

    def _finish(self, callback: Receiver | None, value: object) -> None:
        _running.discard(self)
        if callback and not self.cancelled and _receiver_alive(callback):
            callback(value)

    def run(self) -> None:
        try:
            result = self.function(self.signals.message.emit)
        except Exception as exc:  # handed to the UI thread, which shows it in plain words
            self.signals.failed.emit(TaskFailure(exc, traceback.format_exc()))
        else:
            self.signals.done.emit(result)


def _receiver_alive(callback: Receiver) -> bool:
    """False for a method of a widget Qt has deleted meanwhile (a window closed while its reader list loaded)."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


def start(function: Work, on_done: Receiver | None = None, on_error: Receiver | None = None,
          on_message: Receiver | None = None) -> Task:
    task = Task(function, on_done, on_error, on_message)
    _running.add(task)
    QThreadPool.globalInstance().start(task)
    return task


def wait_all(msecs: int = 10_000) -> bool:
    return QThreadPool.globalInstance().waitForDone(msecs)
