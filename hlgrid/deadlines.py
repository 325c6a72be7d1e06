"""Deadline sources: the apps whose open deadlines are counted in working days.

A change of the working calendar (hlgrid.workdays) moves some of those deadlines. The ground
floor cannot read the apps above it, so each app registers a source in its AppConfig.ready():

    register_deadline_source("petitions", title=_("Petitions being handled"),
                             preview=..., apply=...)

- ``preview(*, old, new, city, sample)`` -> ``(count, [Move, ...])``: how many open deadlines of
  `city` (the CITY node whose calendar changes) would move from the calendar `old` to the
  calendar `new`, with up to `sample` of them;
- ``apply(*, actor, old, new, city)`` -> int: move them (through the app's own service, with the
  actor who changed the calendar), returning how many moved.

A city's calendar times only that city's work: a source touches no deadline of another city.

The calendar's service (grids.calendar) previews a change with every source, and applies the
change and every source in one transaction on confirmation.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from hlgrid.workdays import Calendar


@dataclass(frozen=True)
class Move:
    """One deadline that moves: what it is (a label and a link for the page), before and after."""

    label: str
    url: str
    before: datetime
    after: datetime


@dataclass(frozen=True)
class Effect:
    name: str
    title: str
    count: int
    sample: list[Move] = field(default_factory=list)


@dataclass(frozen=True)
class _Source:
    title: object
    preview: Callable[..., tuple[int, list[Move]]]
    apply: Callable[..., int]


_sources: dict[str, _Source] = {}


def register_deadline_source(
    name: str,
    *,
    title,
    preview: Callable[..., tuple[int, list[Move]]],
    apply: Callable[..., int],
) -> None:
    _sources[name] = _Source(title=title, preview=preview, apply=apply)


def registered_sources() -> list[str]:
    return list(_sources)


def preview_all(*, old: Calendar, new: Calendar, city, sample: int = 20) -> list[Effect]:
    effects = []
    for name, source in _sources.items():
        count, moves = source.preview(old=old, new=new, city=city, sample=sample)
        effects.append(Effect(name=name, title=str(source.title), count=count, sample=list(moves)[:sample]))
    return effects


def apply_all(*, actor, old: Calendar, new: Calendar, city) -> dict[str, int]:
    return {name: source.apply(actor=actor, old=old, new=new, city=city) for name, source in _sources.items()}
