"""``team_0009`` on a database whose dashboard accounts already have names that fold alike
(possible before ``6bd6634`` on SQLite and PostgreSQL: ``Admin`` beside ``admin``): it does
not crash and deletes nothing; the oldest account keeps its name, each later one is renamed
``name-2``... and logged, keeping its password and member; afterwards the unique key refuses
a name that folds like another. Each backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.migrations import insert, older_install


def test_accounts_whose_names_fold_alike_are_renamed_not_refused(
    empty_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    now = datetime(2026, 12, 4, tzinfo=UTC).replace(tzinfo=None)
    stamps = {"created_at": now, "updated_at": now}
    with older_install(empty_url, "team_0009") as install:
        # MariaDB's old unique key (utf8mb4_unicode_ci, UCA 4.0) already kept Admin from admin;
        # letters newer than its table (Ⱥ and ⱥ, Unicode 5.0) are told apart there, folded alike.
        mariadb = install.mariadb
        older, later = ("ⱥdmin", "Ⱥdmin") if mariadb else ("admin", "Admin")
        accounts = [
            (1, older),
            (2, "ｗｉｄｅ"),
            (3, later),  # folds like 1: renamed
            (4, f"{older}-2"),  # taken already: the rename skips it
            (5, "wide" if not mariadb else "ｗｉｄｅ-3"),  # folds like 2 (MariaDB: a plain name)
            (6, "auditor"),
        ]
        with install.engine.begin() as conn:
            for account_id, name in accounts:
                insert(
                    conn,
                    "local_account",
                    id=account_id,
                    username=name,
                    password_hash=f"hash-{account_id}",
                    **stamps,
                )
        renamed = install.upgrade(caplog)
        rows = install.rows(
            "SELECT id, username, username_key, password_hash FROM local_account ORDER BY id"
        )
        expected = [
            (1, older, "ⱥdmin" if mariadb else "admin", "hash-1"),
            (2, "ｗｉｄｅ", "wide", "hash-2"),
            (3, f"{later}-3", f"{'ⱥdmin' if mariadb else 'admin'}-3", "hash-3"),
            (4, f"{older}-2", f"{'ⱥdmin' if mariadb else 'admin'}-2", "hash-4"),
            (5, "wide-2", "wide-2", "hash-5")
            if not mariadb
            else (5, "ｗｉｄｅ-3", "wide-3", "hash-5"),
            (6, "auditor", "auditor", "hash-6"),
        ]
        assert rows == expected
        assert len(renamed) == (1 if mariadb else 2), renamed
        assert f"renamed to '{later}-3'" in renamed[0], renamed
        install.refuses(
            "local_account",
            id=7,
            username="ＡＵＤＩＴＯＲ",
            username_key="auditor",
            password_hash="x",
            **stamps,
        )
