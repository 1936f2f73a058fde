"""The running record of a rescue: every repair and diagnostic, in order of first sight."""

from __future__ import annotations

from ficarchive.work import Diagnostic, Repair


class RescueLog:
    """Collects repairs (changes to the text, counted) and diagnostics (removals, guesses).

    Each pipeline stage takes the log and appends to it; nothing is ever taken out.
    Repairs of the same kind with the same before/after are merged and counted.
    """

    def __init__(self) -> None:
        self._repairs: dict[tuple[str, str, str], int] = {}
        self._diagnostics: list[Diagnostic] = []

    def repair(self, kind: str, before: str, after: str, count: int = 1) -> None:
        if count <= 0 or before == after:
            return
        key = (kind, before, after)
        self._repairs[key] = self._repairs.get(key, 0) + count

    def note(self, kind: str, message: str, text: str | None = None) -> None:
        self._diagnostics.append(Diagnostic(kind, message, text))

    @property
    def repairs(self) -> tuple[Repair, ...]:
        return tuple(Repair(k, b, a, n) for (k, b, a), n in self._repairs.items())

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return tuple(self._diagnostics)
