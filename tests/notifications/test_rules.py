"""The reminder plan (notifications/rules.py): worked cases, edges and boundaries, as tables.

A due date on Thursday 10 June 2027; the default policy reminds 30, 7 and 1 days before, on the day, then weekly
while overdue, at most 12 times."""

from datetime import UTC, date, datetime, timedelta

import pytest

from notifications.rules import (
    ReminderPolicy,
    days_wording,
    first_reminder_on,
    next_reminder_on,
    policy_for,
    reminder_day,
    reminder_to_send,
    retry_delay,
)

D = date
DUE = D(2027, 6, 10)
DEFAULT = ReminderPolicy()
NO_OVERDUE = ReminderPolicy(days_before=(7, 1, 0), overdue_every=0)


@pytest.mark.parametrize(
    ("registered", "policy", "first"),
    [
        (D(2027, 4, 1), DEFAULT, D(2027, 5, 11)),  # long ahead: 30 days before
        (D(2027, 5, 11), DEFAULT, D(2027, 5, 11)),  # on the 30-day step itself: that day
        (D(2027, 5, 12), DEFAULT, D(2027, 6, 3)),  # a day too late for it: no late "30 days" reminder; 7 days before
        (D(2027, 6, 3), DEFAULT, D(2027, 6, 3)),
        (D(2027, 6, 9), DEFAULT, D(2027, 6, 9)),  # the day before
        (D(2027, 6, 10), DEFAULT, D(2027, 6, 10)),  # on the day
        (D(2027, 6, 11), DEFAULT, D(2027, 6, 17)),  # already overdue: the next weekly step, a week late
        (D(2027, 6, 17), DEFAULT, D(2027, 6, 17)),
        (D(2027, 6, 18), DEFAULT, D(2027, 6, 24)),
        (D(2028, 6, 10), DEFAULT, D(2028, 6, 15)),  # 366 days late (leap year): the next weekly step
        (D(2027, 6, 11), NO_OVERDUE, None),  # a date that passes (an auction's) has nothing after its day
        (D(2027, 5, 1), NO_OVERDUE, D(2027, 6, 3)),
        (D(2027, 4, 1), ReminderPolicy(limit=0), None),  # no reminders at all
    ],
)
def test_the_first_reminder_of_a_date_registered_or_moved(registered, policy, first):
    assert first_reminder_on(DUE, policy, today=registered) == first


@pytest.mark.parametrize(
    ("since", "today", "sent", "offset"),
    [
        (D(2027, 5, 11), D(2027, 5, 10), 0, None),  # not yet
        (D(2027, 5, 11), D(2027, 5, 11), 0, 30),
        (D(2027, 5, 11), D(2027, 5, 20), 0, 30),  # the sweeper was down: still the 30-day one, once
        (D(2027, 5, 11), D(2027, 6, 5), 0, 7),  # down for weeks: only the latest step, not two
        (D(2027, 6, 3), D(2027, 6, 9), 2, 1),
        (D(2027, 6, 9), D(2027, 6, 10), 3, 0),
        (D(2027, 6, 10), D(2027, 6, 16), 4, 0),  # the day's reminder, sent late, still says the day
        (D(2027, 6, 17), D(2027, 6, 17), 4, -7),  # a week late
        (D(2027, 6, 24), D(2027, 6, 30), 5, -14),
        (D(2027, 6, 24), D(2027, 7, 2), 5, -21),  # the latest step that has come since, not the one stored
        (D(2027, 6, 17), D(2027, 6, 17), 12, None),  # the cap: 12 sent, no more
        (D(2027, 6, 17), D(2027, 6, 17), 11, -7),  # the twelfth
        (D(2027, 6, 3), D(2027, 6, 1), 1, None),  # the stored day has not come
    ],
)
def test_what_the_sweep_sends_on_a_day(since, today, sent, offset):
    step = reminder_to_send(DUE, DEFAULT, since=since, today=today, sent=sent)
    assert (step.offset if step else None) == offset
    if step:
        assert step.on == DUE - timedelta(days=step.offset) and since <= step.on <= today


@pytest.mark.parametrize(
    ("after", "sent", "policy", "following"),
    [
        (D(2027, 5, 11), 1, DEFAULT, D(2027, 6, 3)),
        (D(2027, 5, 20), 1, DEFAULT, D(2027, 6, 3)),
        (D(2027, 6, 3), 2, DEFAULT, D(2027, 6, 9)),
        (D(2027, 6, 9), 3, DEFAULT, D(2027, 6, 10)),
        (D(2027, 6, 10), 4, DEFAULT, D(2027, 6, 17)),  # then weekly while overdue
        (D(2027, 6, 17), 5, DEFAULT, D(2027, 6, 24)),
        (D(2027, 6, 20), 6, DEFAULT, D(2027, 6, 24)),
        (D(2027, 7, 29), 11, DEFAULT, D(2027, 8, 5)),  # the 12th is still to come
        (D(2027, 8, 5), 12, DEFAULT, None),  # 12 sent: the last
        (D(2027, 6, 10), 3, NO_OVERDUE, None),  # a date that passes stops on its day
        (D(2027, 6, 9), 2, NO_OVERDUE, D(2027, 6, 10)),
        (D(2027, 6, 10), 1, ReminderPolicy(limit=1), None),
    ],
)
def test_the_next_reminder_after_one_was_sent(after, sent, policy, following):
    assert next_reminder_on(DUE, policy, after=after, sent=sent) == following


def test_a_date_followed_day_by_day_is_reminded_twelve_times_on_the_planned_days():
    """The whole life of one overdue date, a sweep every day: 30, 7, 1, 0 days before, then 8 weekly reminders."""
    sent, day, since, steps = 0, D(2027, 4, 1), None, []
    since = first_reminder_on(DUE, DEFAULT, today=day)
    while since is not None and day <= D(2028, 1, 1):
        step = reminder_to_send(DUE, DEFAULT, since=since, today=day, sent=sent)
        if step:
            sent += 1
            steps.append((step.offset, step.on))
            since = next_reminder_on(DUE, DEFAULT, after=day, sent=sent)
        day += timedelta(days=1)
    assert [offset for offset, _on in steps] == [30, 7, 1, 0, -7, -14, -21, -28, -35, -42, -49, -56]
    assert steps[0][1] == D(2027, 5, 11) and steps[-1][1] == D(2027, 8, 5)


def test_a_moved_date_starts_afresh_on_its_new_day():
    """Moved on 5 June from 10 June to 10 July: the steps of 10 July that are still to come, none of the old ones."""
    moved_on, new_due = D(2027, 6, 5), D(2027, 7, 10)
    first = first_reminder_on(new_due, DEFAULT, today=moved_on)
    assert first == D(2027, 6, 10)  # 30 days before the new date
    assert reminder_to_send(new_due, DEFAULT, since=first, today=D(2027, 6, 9)) is None
    assert reminder_to_send(new_due, DEFAULT, since=first, today=D(2027, 6, 10)).offset == 30
    # Moved nearer, to 8 June, on 5 June: the 7-day step has passed; next the day before.
    assert first_reminder_on(D(2027, 6, 8), DEFAULT, today=moved_on) == D(2027, 6, 7)


@pytest.mark.parametrize(
    ("moment", "starts_at", "day"),
    [
        (datetime(2027, 6, 9, 18, 29, tzinfo=UTC), 0, D(2027, 6, 9)),  # 23:59 IST
        (datetime(2027, 6, 9, 18, 30, tzinfo=UTC), 0, D(2027, 6, 10)),  # 00:00 IST: the next day in India
        (datetime(2027, 6, 10, 1, 29, tzinfo=UTC), 7, D(2027, 6, 9)),  # 06:59 IST: the reminder day starts at 07:00
        (datetime(2027, 6, 10, 1, 30, tzinfo=UTC), 7, D(2027, 6, 10)),  # 07:00 IST
        (datetime(2027, 6, 10, 18, 29, tzinfo=UTC), 7, D(2027, 6, 10)),  # 23:59 IST
        (datetime(2027, 12, 31, 18, 30, tzinfo=UTC), 0, D(2028, 1, 1)),  # a new year in India, not yet in UTC
    ],
)
def test_the_reminder_day_is_an_ist_day(moment, starts_at, day):
    assert reminder_day(moment, day_starts_at=starts_at) == day


def test_a_moment_without_a_time_zone_or_a_wrong_hour_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        reminder_day(datetime(2027, 6, 10, 7))
    with pytest.raises(ValueError, match="0 to 23"):
        reminder_day(datetime(2027, 6, 10, 7, tzinfo=UTC), day_starts_at=24)
    with pytest.raises(ValueError, match="0 or more"):
        ReminderPolicy(days_before=(7, -1))


def test_a_kind_overrides_the_defaults_it_names():
    kinds = {"auction_bid_due": {"days_before": [7, 1, 0], "overdue_every": 0}}
    own = policy_for("auction_bid_due", days_before=[30, 7, 1, 0], overdue_every=7, limit=12, kinds=kinds)
    other = policy_for("upfront_1", days_before=[30, 7, 1, 0], overdue_every=7, limit=12, kinds=kinds)
    assert own == ReminderPolicy(days_before=(7, 1, 0), overdue_every=0, limit=12)
    assert other == ReminderPolicy(days_before=(30, 7, 1, 0), overdue_every=7, limit=12)
    assert ReminderPolicy(days_before=(0, 30, 7, 7)).days_before == (30, 7, 0)  # sorted, without repeats


@pytest.mark.parametrize(
    ("days", "words"),
    [(30, "due in 30 days"), (2, "due in 2 days"), (1, "due tomorrow"), (0, "due today"), (-1, "overdue by 1 day"),
     (-14, "overdue by 14 days")],
)  # fmt: skip
def test_how_far_a_date_is_in_words(days, words):
    assert days_wording(days) == words


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(0, 0), (1, 60), (2, 120), (3, 240), (6, 1920), (7, 3600), (20, 3600)],
)
def test_an_email_waits_twice_as_long_after_each_failure_up_to_the_cap(attempts, seconds):
    assert retry_delay(attempts, first=timedelta(seconds=60), cap=timedelta(hours=1)) == timedelta(seconds=seconds)
