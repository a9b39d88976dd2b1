"""Duty desk (值班): rotations, the final schedule, sign-in and reminders."""
