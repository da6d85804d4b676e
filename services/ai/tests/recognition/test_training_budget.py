"""A time budget only ever shortens the fixed number of epochs, at the pace measured so far."""

from __future__ import annotations

import pytest

pytest.importorskip("torch", reason="training needs the vision extra (make test installs it)")

from fitjourney_ai.recognition.training import epochs_within


def test_the_requested_epochs_when_they_fit() -> None:
    # 40 min budget, 2 min gone, 30 s an epoch: 2,280 s / 31.5 s = 72 more epochs; 30 were asked for.
    assert epochs_within(2400, 120, 30, done=1, wanted=30) == 30


def test_fewer_epochs_when_the_pace_is_slow() -> None:
    # 2,400 - 600 = 1,800 s left at 300 s (+5 %) an epoch: 5 more after the 1 done.
    assert epochs_within(2400, 600, 300, done=1, wanted=30) == 6


def test_never_fewer_than_done_and_at_least_two() -> None:
    assert epochs_within(2400, 2500, 300, done=1, wanted=30) == 2
    assert epochs_within(2400, 2500, 300, done=7, wanted=30) == 7
    assert epochs_within(60, 10, 300, done=0, wanted=1) == 1
