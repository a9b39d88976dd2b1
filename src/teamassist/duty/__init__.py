"""Duty desk (值班): rotations, the final schedule, sign-in and the daily notices.

Design in short (details in each module):

- ``rotation.py`` is the schedule as a pure function of stored parameters: versions, overrides,
  swaps and calendar exceptions in, sorted non-overlapping shifts out. Nothing stores "who is on
  duty on date X"; no per-day queries (``service.load_specs`` runs one query per table).
- A *duty day* runs from the rotation's hand-off time (local wall clock, default 03:00 as in the
  seed, whose new day began at 03:00) to the next day's hand-off, so late sign-outs and the 23:59
  notice still belong to the day they end. Sign-in rows belong to a (rotation, member, duty day).
- Edits never rewrite the past: a roster change is a new ``RotationVersion`` effective now (for
  today) or from a future day's hand-off (``planning.py``); overrides start now at the earliest and
  are cancelled by ending them; swaps apply from their creation and only while both people still
  hold the traded shifts.
- Working calendars (``calendar.py``): every day, Monday–Friday, or China's working days from
  ``chinese_calendar`` (holidays off, 调休 weekends on). A year without official data is
  *unknown*: its days count as duty days (nobody drops off the roster), the shifts are marked
  provisional, the roster says so and admins are warned weekly — never a silent guess.
- Turns count active days only: holidays skip days, never people.
- "Who is on duty now" (``service.on_duty``) reuses compiled rotations cached per process while
  each rotation's ``revision`` is unchanged (``revision.py``): every flush that touches a
  schedule changes it in the same transaction, and one query checks it.
"""
