"""`/api/v1/foods`: search over the catalogue plus the caller's own foods, and custom-food CRUD."""

import uuid

import httpx

PER_100G = {"kcal": 120, "protein_g": 7, "carbs_g": 15, "fat_g": 3, "fibre_g": 4}
CUSTOM = {"name": "Grandma's lentil stew", "per_100g": PER_100G, "portions": [{"name": "bowl", "grams": 350}]}


async def test_search_ranks_exact_and_prefix_matches_first(client: httpx.AsyncClient, auth_headers) -> None:
    response = await client.get("/api/v1/foods", params={"q": "banana"}, headers=auth_headers)
    assert response.status_code == 200, response.text
    names = [item["name"] for item in response.json()["items"]]
    assert names[0] == "Bananas, raw"
    banana = response.json()["items"][0]
    assert banana["per_100g"]["kcal"] == 89 and banana["custom"] is False
    assert banana["ndb_no"] == "09040" and banana["source_id"] == "SR28:09040"
    assert banana["category"] == "Fruits and Fruit Juices"
    assert {"name": "medium (7\" to 7-7/8\" long)", "grams": 118} in banana["portions"]


async def test_every_word_must_match_case_insensitively(client: httpx.AsyncClient, auth_headers) -> None:
    response = await client.get("/api/v1/foods", params={"q": "CHICKEN roasted"}, headers=auth_headers)
    names = [item["name"] for item in response.json()["items"]]
    assert names, "some roasted chicken is in the catalogue"
    assert all("chicken" in name.lower() and "roasted" in name.lower() for name in names)
    nothing = await client.get("/api/v1/foods", params={"q": "chicken zzzz"}, headers=auth_headers)
    assert nothing.json() == {"items": [], "next_cursor": None}


async def test_search_pages_with_a_cursor_without_repeats(client: httpx.AsyncClient, auth_headers) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(40):
        params = {"q": "brown rice", "limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/api/v1/foods", params=params, headers=auth_headers)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) > 6
    assert cursor is None
    everything = await client.get("/api/v1/foods", params={"q": "brown rice", "limit": 100}, headers=auth_headers)
    assert [item["id"] for item in everything.json()["items"]] == seen


async def test_listing_without_a_query_pages_through_the_catalogue(client: httpx.AsyncClient, auth_headers) -> None:
    first = (await client.get("/api/v1/foods", params={"limit": 100}, headers=auth_headers)).json()
    second = (await client.get("/api/v1/foods", params={"limit": 100, "cursor": first["next_cursor"]},
                               headers=auth_headers)).json()
    assert len(first["items"]) == 100 and second["items"]
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


async def test_custom_food_is_found_by_its_owner_only(client: httpx.AsyncClient, auth_headers,
                                                      other_auth_headers) -> None:
    created = await client.post("/api/v1/foods", json=CUSTOM, headers=auth_headers)
    assert created.status_code == 201, created.text
    food = created.json()
    assert food["custom"] is True and food["version"] == 1
    assert created.headers["Location"] == f"/api/v1/foods/{food['id']}"

    mine = await client.get("/api/v1/foods", params={"q": "grandma lentil"}, headers=auth_headers)
    assert [item["id"] for item in mine.json()["items"]] == [food["id"]]
    theirs = await client.get("/api/v1/foods", params={"q": "grandma lentil"}, headers=other_auth_headers)
    assert theirs.json()["items"] == []

    assert (await client.get(f"/api/v1/foods/{food['id']}", headers=auth_headers)).status_code == 200
    for method, kwargs in (("GET", {}), ("PATCH", {"json": {"name": "Mine now"}}), ("DELETE", {})):
        response = await client.request(method, f"/api/v1/foods/{food['id']}", headers=other_auth_headers, **kwargs)
        assert response.status_code == 404, (method, response.text)


async def test_catalogue_food_is_readable_but_read_only(client: httpx.AsyncClient, auth_headers) -> None:
    banana = (await client.get("/api/v1/foods", params={"q": "banana"}, headers=auth_headers)).json()["items"][0]
    assert (await client.get(f"/api/v1/foods/{banana['id']}", headers=auth_headers)).json()["name"] == "Bananas, raw"
    patched = await client.patch(f"/api/v1/foods/{banana['id']}", json={"per_100g": {"kcal": 1}},
                                 headers=auth_headers)
    assert patched.status_code == 403
    assert (await client.delete(f"/api/v1/foods/{banana['id']}", headers=auth_headers)).status_code == 403


async def test_replayed_create_answers_the_same_food_once(client: httpx.AsyncClient, auth_headers) -> None:
    body = CUSTOM | {"id": str(uuid.uuid4()), "name": "Replay porridge"}
    first = await client.post("/api/v1/foods", json=body, headers=auth_headers)
    again = await client.post("/api/v1/foods", json=body, headers=auth_headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    found = await client.get("/api/v1/foods", params={"q": "replay porridge"}, headers=auth_headers)
    assert len(found.json()["items"]) == 1


async def test_update_with_a_stale_version_is_refused(client: httpx.AsyncClient, auth_headers) -> None:
    food = (await client.post("/api/v1/foods", json=CUSTOM, headers=auth_headers)).json()
    url = f"/api/v1/foods/{food['id']}"
    updated = await client.patch(url, json={"per_100g": {"kcal": 125}}, headers=auth_headers | {"If-Match": '"1"'})
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2 and updated.headers["ETag"] == '"2"'
    assert updated.json()["per_100g"] | {"kcal": 120} == (await client.get(url, headers=auth_headers)).json()[
        "per_100g"] | {"kcal": 120}, "the other per-100 g values stay"
    stale = await client.patch(url, json={"per_100g": {"kcal": 130}}, headers=auth_headers | {"If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await client.get(url, headers=auth_headers)).json()["per_100g"]["kcal"] == 125


async def test_deleted_custom_food_disappears_and_leaves_a_tombstone(client: httpx.AsyncClient, auth_headers) -> None:
    food = (await client.post("/api/v1/foods", json=CUSTOM | {"name": "Short-lived snack"},
                              headers=auth_headers)).json()
    assert (await client.delete(f"/api/v1/foods/{food['id']}", headers=auth_headers)).status_code == 204
    assert (await client.get(f"/api/v1/foods/{food['id']}", headers=auth_headers)).status_code == 404
    changes = (await client.get("/api/v1/sync", headers=auth_headers)).json()["changes"]
    mine = [c for c in changes if c["resource_id"] == food["id"]]
    assert [c["op"] for c in mine] == ["upsert", "delete"]
    assert mine[-1]["payload"] is None


async def test_invalid_custom_foods_name_the_field(client: httpx.AsyncClient, auth_headers) -> None:
    cases = {
        "per_100g.protein_g": CUSTOM | {"per_100g": PER_100G | {"protein_g": -1}},
        "name": CUSTOM | {"name": "x" * 201},
        "portions": CUSTOM | {"portions": [{"name": "cup", "grams": 100}, {"name": "Cup", "grams": 90}]},
        "portions.0.grams": CUSTOM | {"portions": [{"name": "cup", "grams": 0}]},
        "per_100g.fibre_g": CUSTOM | {"per_100g": PER_100G | {"fibre_g": 20}},
        "per_100g.kcal": CUSTOM | {"per_100g": PER_100G | {"kcal": 5000}},
        "per_100g.saturated_fat_g": CUSTOM | {"per_100g": PER_100G | {"saturated_fat_g": 4}},
        "kcal_per_100g": CUSTOM | {"kcal_per_100g": 120},  # the old flat field is refused, not ignored
    }
    for field, body in cases.items():
        response = await client.post("/api/v1/foods", json=body, headers=auth_headers)
        assert response.status_code == 422, (field, response.text)
        assert field in [error["field"] for error in response.json()["errors"]], (field, response.json())
    too_much = CUSTOM | {"per_100g": PER_100G | {"protein_g": 60, "carbs_g": 30, "fat_g": 20}}
    response = await client.post("/api/v1/foods", json=too_much, headers=auth_headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "per_100g.protein_g"


async def _create(client: httpx.AsyncClient, headers, name: str) -> dict:
    created = await client.post("/api/v1/foods", json=CUSTOM | {"name": name}, headers=headers)
    assert created.status_code == 201, created.text
    return created.json()


async def _names(client: httpx.AsyncClient, headers, params: dict) -> list[str]:
    page = (await client.get("/api/v1/foods", params=params, headers=headers)).json()
    return [item["name"] for item in page["items"]]


async def _one_per_page(client: httpx.AsyncClient, headers, params: dict, pages: int) -> list[str]:
    """The names of the first `pages` pages of one item each, through the cursors."""
    names: list[str] = []
    cursor = None
    for _ in range(pages):
        page = (await client.get("/api/v1/foods", params=params | {"limit": 1} | (
            {"cursor": cursor} if cursor else {}), headers=headers)).json()
        names += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
    return names


async def test_own_foods_take_their_rank_among_catalogue_foods(
    client: httpx.AsyncClient, auth_headers, other_auth_headers,
) -> None:
    # Ranked like "Bananas, raw" (same first part, length and prior), so the name decides: one before it,
    # one after it; an exact name comes first of all; another user's food is nowhere.
    for name in ("Bananas, rat", "Bananas, rax", "Banana"):
        await _create(client, auth_headers, name)
    await _create(client, other_auth_headers, "Bananas, ray")
    best = await _names(client, auth_headers, {"q": "banana", "limit": 100})
    assert best[:4] == ["Banana", "Bananas, rat", "Bananas, raw", "Bananas, rax"]
    assert "Bananas, ray" not in best
    # Pages of one item cross from own foods to the catalogue and back without a repeat or a gap.
    assert await _one_per_page(client, auth_headers, {"q": "banana"}, 6) == best[:6]


async def test_listing_without_a_query_pages_own_foods_then_the_catalogue(
    client: httpx.AsyncClient, auth_headers, other_auth_headers,
) -> None:
    for name in ("Zucchini soup, mine", "Apple pie, mine"):
        await _create(client, auth_headers, name)
    await _create(client, other_auth_headers, "Aardvark stew, theirs")
    first = await _names(client, auth_headers, {"limit": 4})
    theirs = await _names(client, other_auth_headers, {"limit": 3})
    assert first[:2] == ["Apple pie, mine", "Zucchini soup, mine"]
    assert theirs[0] == "Aardvark stew, theirs" and first[2:] == theirs[1:], "then the catalogue, alphabetically"
    assert await _one_per_page(client, auth_headers, {}, 4) == first


async def test_a_custom_food_cannot_take_a_catalogue_foods_id(client: httpx.AsyncClient, auth_headers) -> None:
    banana = (await client.get("/api/v1/foods", params={"q": "banana"}, headers=auth_headers)).json()["items"][0]
    taken = await client.post("/api/v1/foods", json=CUSTOM | {"id": banana["id"]}, headers=auth_headers)
    assert taken.status_code == 409, taken.text
    assert (await client.get(f"/api/v1/foods/{banana['id']}", headers=auth_headers)).json()["name"] == "Bananas, raw"
