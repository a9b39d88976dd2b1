"""Announcements: ``/通知`` to a group, ``/群发`` DMs, their receipts, and the seed's grammar."""
