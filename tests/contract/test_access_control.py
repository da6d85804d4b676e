"""Access control of every service, generated from its OpenAPI document: a new endpoint is covered without
editing this test.

- Without a token, every secured operation answers 401 problem+json.
- A plain user on an operation that requires a role (`x-required-roles`) gets 403.
- User B with user A's ids: every operation on a path naming something of A's answers 404, and A's things
  read the same afterwards. A's things are made from each service's documented request examples (the
  `examples` of the request body's schema; multipart uploads get a small PNG), so a new kind of resource
  with an example is covered by itself. An operation whose ids cannot be made that way fails the test.

Both users are real accounts: registered and signed in through auth, their tokens used on every service.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from contract_harness import SERVICES, RunningService
from openapi_cases import (
    Operation,
    Request,
    all_operations,
    assert_problem,
    documented_request,
    fill,
    is_callers_own_upsert,
    is_secured,
    make_things_of,
    path_parameters,
    placeholder_path,
    signed_in_user,
)

# Starting every service may be the first thing this module does: that alone can take minutes on a busy machine.
pytestmark = pytest.mark.timeout(600)
SECURED_ONLY = pytest.mark.skipif("auth" not in SERVICES, reason="the matrix signs users in through auth")


async def test_every_secured_operation_refuses_a_request_without_a_token(
    documents: dict[str, dict[str, Any]], clients: dict[str, httpx.AsyncClient],
) -> None:
    secured = [op for op in all_operations(documents) if is_secured(op.spec)]
    assert len(secured) > 40, "the documents list fewer secured operations than the services have"
    for operation in secured:
        path = placeholder_path(operation)
        body = {"json": {}} if "requestBody" in operation.spec else {}
        response = await clients[operation.service].request(operation.method, path, **body)
        assert_problem(response, 401, operation)
        assert response.headers.get("www-authenticate", "").lower().startswith("bearer"), operation.name


@SECURED_ONLY
async def test_a_user_without_the_role_gets_403_from_every_role_restricted_operation(
    documents: dict[str, dict[str, Any]], clients: dict[str, httpx.AsyncClient],
    running_services: dict[str, RunningService],
) -> None:
    user = await signed_in_user(running_services["auth"])
    restricted = [op for op in all_operations(documents) if op.spec.get("x-required-roles")]
    assert {op.service for op in restricted} >= {"auth"} & set(documents), "auth's admin operations are marked"
    for operation in restricted:
        assert "user" not in operation.spec["x-required-roles"], operation.name
        path = placeholder_path(operation)
        request = documented_request(documents[operation.service], operation.spec) or Request(json={})
        response = await clients[operation.service].request(operation.method, path, headers=user.headers,
                                                             **request.kwargs())
        assert_problem(response, 403, operation)



def cross_user_operations(documents: dict[str, dict[str, Any]]) -> list[Operation]:
    return [op for op in all_operations(documents)
            if is_secured(op.spec) and not op.spec.get("x-required-roles") and path_parameters(op.spec)
            and not is_callers_own_upsert(op)]


@SECURED_ONLY
async def test_user_b_gets_404_for_everything_of_user_a_and_changes_nothing(
    documents: dict[str, dict[str, Any]], clients: dict[str, httpx.AsyncClient],
    running_services: dict[str, RunningService],
) -> None:
    a = await signed_in_user(running_services["auth"])
    b = await signed_in_user(running_services["auth"])
    owned = await make_things_of(a, documents, clients)
    targets = cross_user_operations(documents)
    assert len(targets) > 20, f"only {len(targets)} operations on ids: the documents lost their path parameters?"
    paths = {op.name: fill(op, owned) for op in targets}
    unreachable = sorted(name for name, path in paths.items() if path is None)
    assert not unreachable, (
        "no id of user A could be made for these operations from the documented examples (give the "
        f"creating operation's request schema an example): {unreachable}")

    reads = [op for op in targets if op.method == "GET"]
    before = {op.name: (await clients[op.service].get(paths[op.name], headers=a.headers)) for op in reads}
    for name, response in before.items():
        assert response.status_code == 200, f"A cannot read its own {name}: {response.text[:300]}"

    # Reads and writes first, deletions last: a deletion that got through would hide a read that leaks.
    attempted: dict[str, set[str]] = {}
    for operation in sorted(targets, key=lambda op: op.method == "DELETE"):
        request = documented_request(documents[operation.service], operation.spec) or Request(json={})
        response = await clients[operation.service].request(operation.method, paths[operation.name],
                                                             headers=b.headers, **request.kwargs())
        assert_problem(response, 404, operation)
        assert a.id not in response.text and a.email not in response.text, operation.name
        if isinstance(request.json, dict):
            attempted.setdefault(paths[operation.name] or "", set()).update(request.json)

    # Still there, and what B tried to change is as it was (other fields may move on their own, e.g. a
    # workout's calories arriving from ai).
    for operation in reads:
        after = await clients[operation.service].get(paths[operation.name], headers=a.headers)
        assert after.status_code == 200, f"{operation.name} of A is gone after B's attempts"
        old, new = before[operation.name].json(), after.json()
        if isinstance(old, dict):
            for key in attempted.get(paths[operation.name] or "", set()) & old.keys():
                assert new[key] == old[key], f"B changed {key} of A's {operation.name}"
