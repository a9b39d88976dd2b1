"""The reference apps for ``chat_http``: a bare FastAPI endpoint and one that commits one INSERT.

Served by uvicorn with the same settings as the product; the INSERT goes through the product's
engine rules (:func:`teamassist.database.make_engine`: pool, SQLite IMMEDIATE and WAL).
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from teamassist.database import make_engine

engine = make_engine(os.environ["TEAMASSIST_DATABASE__URL"])
metadata = MetaData()
rows = Table(
    "bench_bare_insert",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("note", String(40)),
)
metadata.create_all(engine)
app = FastAPI()


@app.post("/bare")
async def bare() -> dict[str, bool]:
    """Nothing but the framework."""
    return {"ok": True}


@app.post("/insert")
def insert_one() -> dict[str, bool]:
    """One committed INSERT (sync endpoint in the threadpool, like the product's)."""
    with engine.begin() as connection:
        connection.execute(insert(rows).values(note="bench"))
    return {"ok": True}
