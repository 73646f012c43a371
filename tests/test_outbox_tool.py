"""`python -m tools.outbox`: an operator reads and replays dead events with only a database
URL (the service or the gateway may be what is down)."""

from __future__ import annotations

import asyncio
import json
import uuid

import asyncpg

from tools import outbox


async def _dead_row(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(
            "INSERT INTO declaration.outbox (event_id, topic, destination, payload, attempts,"
            " last_error, dead_at) VALUES ($1, 'declaration.submitted', 'review',"
            " '{\"secret\": \"福州某某\"}'::jsonb, 5, 'HTTP 422 invalid_event: …', now())"
            " RETURNING id",
            uuid.uuid4(),
        )
    finally:
        await conn.close()


def test_list_stats_and_replay_a_dead_event(clean_db: str, capsys) -> None:
    row_id = asyncio.run(_dead_row(clean_db))
    assert outbox.main(["list", "--service", "declaration", "--url", clean_db]) == 0
    listed = json.loads(capsys.readouterr().out)
    (item,) = [i for i in listed["items"] if i["outbox_id"] == row_id]
    assert item["state"] == "dead" and "invalid_event" in item["last_error"]
    assert "福州某某" not in json.dumps(listed, ensure_ascii=False)  # payloads never printed

    assert outbox.main(["stats", "--service", "declaration", "--url", clean_db]) == 0
    assert json.loads(capsys.readouterr().out)["destinations"]["review"]["dead"] == 1

    argv = ["replay", "--service", "declaration", "--url", clean_db, "--id", str(row_id)]
    assert outbox.main(argv) == 0
    replayed = json.loads(capsys.readouterr().out)
    assert replayed["state"] == "pending" and replayed["attempts"] == 0
    assert replayed["replays"] == 1 and replayed["last_error"]  # the history is kept

    missing = ["replay", "--service", "declaration", "--url", clean_db, "--id", "999999999"]
    assert outbox.main(missing) == 1
