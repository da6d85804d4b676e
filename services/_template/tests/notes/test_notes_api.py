"""Notes over HTTP: written and listed by their owner only; bad input is a 422 naming the field."""

from __future__ import annotations

import httpx

from fitjourney_common.testing.tokens import TestSigner

NOTES = "/api/v1/skeleton/notes"


async def test_a_note_is_listed_for_its_owner_only(client: httpx.AsyncClient, signer: TestSigner) -> None:
    owner, stranger = signer.headers(), signer.headers()
    created = await client.post(NOTES, json={"text": "drink water"}, headers=owner)
    assert created.status_code == 201
    assert created.json()["text"] == "drink water"

    mine = await client.get(NOTES, headers=owner)
    assert mine.status_code == 200
    assert [note["id"] for note in mine.json()["items"]] == [created.json()["id"]]
    assert (await client.get(NOTES, headers=stranger)).json() == {"items": [], "next_cursor": None}


async def test_pages_follow_the_cursor_newest_first(client: httpx.AsyncClient, signer: TestSigner) -> None:
    owner = signer.headers()
    for text in ("one", "two", "three"):
        assert (await client.post(NOTES, json={"text": text}, headers=owner)).status_code == 201
    first = (await client.get(NOTES, params={"limit": 2}, headers=owner)).json()
    second = (await client.get(NOTES, params={"limit": 2, "cursor": first["next_cursor"]}, headers=owner)).json()
    assert [n["text"] for n in first["items"] + second["items"]] == ["three", "two", "one"]
    assert second["next_cursor"] is None


async def test_bad_input_and_no_token_are_refused(client: httpx.AsyncClient, signer: TestSigner) -> None:
    for text in ("", "nul\u0000inside"):
        refused = await client.post(NOTES, json={"text": text}, headers=signer.headers())
        assert refused.status_code == 422, text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["errors"][0]["field"] == "text"
    assert (await client.post(NOTES, json={"text": "two\nlines"}, headers=signer.headers())).status_code == 201
    assert (await client.post(NOTES, json={"text": "hi"})).status_code == 401
