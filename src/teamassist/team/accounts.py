"""The one rule for a dashboard account's name and password, wherever one is set.

``teamassist init`` and the first-run page (``/setup``) create the first admin's account;
``teamassist admin password`` creates one or changes its password. All three call
:func:`check_username` and :func:`check_password` before anything is hashed or written, so a
refusal changes nothing. (The demo loader's ``admin``/``admin`` is the one exception: demo only.)
"""

from __future__ import annotations

from teamassist.exceptions import DomainError

# NIST SP 800-63B (rev. 3, 2017, §5.1.1.2) sets 8 characters as the floor for a secret a person
# chooses; its rev. 4 (2025, §3.1.1.2) asks 15 where the password alone signs in. Ten is what
# README and `init` have promised since the first run: above the old floor, below the new advice.
PASSWORD_MIN = 10
# The most common long passwords (breach lists' top entries of 10+ characters): refused at once,
# as SP 800-63B asks of "values known to be commonly used".
_COMMON_PASSWORDS = frozenset(
    {"1234567890", "0123456789", "qwertyuiop", "1q2w3e4r5t", "password123", "administrator"}
)
USERNAME_LIMIT = 64  # the column's length (``local_account.username``)


def check_password(password: str) -> None:
    """Refuse a password shorter than :data:`PASSWORD_MIN` characters
    (``setup.error.weak_password``) or one with fewer than 5 distinct characters or on the
    common list (``setup.error.common_password``)."""
    if len(password) < PASSWORD_MIN:
        raise DomainError("setup.error.weak_password", minimum=PASSWORD_MIN)
    if len(set(password)) < 5 or password.lower() in _COMMON_PASSWORDS:
        raise DomainError("setup.error.common_password")


def check_username(username: str) -> str:
    """The account name as given, or ``setup.error.bad_username``: empty, longer than
    :data:`USERNAME_LIMIT`, or holding a space, a control or an invisible character.

    The sign-in form strips what is typed, so a blank name (``""``) would be reached by an empty
    field, and one with spaces or invisible characters could not be told apart on the screen.
    """
    if not username or len(username) > USERNAME_LIMIT:
        raise DomainError("setup.error.bad_username", username=username, limit=USERNAME_LIMIT)
    if " " in username or not username.isprintable():  # isprintable: no Cc/Cf/Zs but " "
        raise DomainError("setup.error.bad_username", username=username, limit=USERNAME_LIMIT)
    return username
