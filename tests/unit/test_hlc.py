"""Hybrid logical clock stamps (SPEC.md §4.3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.hlc import Clock, ClockFlag, InvalidStamp, Placement, Stamp, event_time

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_stamps_round_trip_and_sort_as_text_in_time_order() -> None:
    clock = Clock("dev1")
    stamps = [clock.now(T0), clock.now(T0), clock.now(T0 + timedelta(milliseconds=1))]
    texts = [s.format() for s in stamps]
    assert [Stamp.parse(t) for t in texts] == stamps
    assert texts == sorted(texts)
    assert stamps[1].counter == 1


@given(st.lists(st.integers(min_value=-10_000, max_value=10_000), min_size=1, max_size=50))
def test_a_clock_never_goes_back_even_when_the_wall_clock_jumps(jumps: list[int]) -> None:
    clock = Clock("dev1")
    last = None
    for offset in jumps:
        stamp = clock.now(T0 + timedelta(milliseconds=offset))
        assert last is None or stamp > last
        last = stamp


def test_receiving_a_later_stamp_moves_the_clock_past_it() -> None:
    clock = Clock("dev1")
    remote = Stamp(int((T0 + timedelta(seconds=5)).timestamp() * 1000), 7, "dev2")
    merged = clock.receive(remote, T0)
    assert merged > remote
    assert clock.now(T0) > merged


def test_stamps_too_far_ahead_are_placed_at_the_receive_time() -> None:
    ahead = Clock("d").now(T0 + timedelta(minutes=6))
    assert event_time(ahead, T0) == Placement(T0, ClockFlag.ahead)
    slightly = Clock("d").now(T0 + timedelta(minutes=4))
    assert event_time(slightly, T0) == Placement(T0, None)  # not later than when the server got it
    past = Clock("d").now(T0 - timedelta(hours=72))
    assert event_time(past, T0) == Placement(past.time, None)


def test_stamps_below_the_floor_are_placed_at_the_floor_and_flagged() -> None:
    floor = T0 - timedelta(hours=1)
    reset = Clock("d").now(datetime(1970, 1, 2, tzinfo=UTC))  # a phone that rebooted to 1970
    assert event_time(reset, T0, floor=floor) == Placement(floor, ClockFlag.behind)
    fine = Clock("d").now(T0 - timedelta(minutes=30))
    assert event_time(fine, T0, floor=floor) == Placement(fine.time, None)
    assert not event_time(reset, T0, floor=floor).trusted


@pytest.mark.parametrize("text", ["", "12-0000-d", "1764489600000-zz00-d", "1764489600000-0000-", "x" * 200])
def test_malformed_stamps_are_refused(text: str) -> None:
    with pytest.raises(InvalidStamp):
        Stamp.parse(text)
