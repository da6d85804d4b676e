"""Hostile input in every field of every service, generated from the OpenAPI documents the running services
serve: a new endpoint or a new field is covered without editing this test.

- Free text (a string field with no enum, const, format, pattern or `x-refers-to`) round-trips unchanged:
  SQL metacharacters and Unicode edge cases (ZWJ emoji, combining marks, RTL override, 4-byte characters,
  NFC and NFD forms, which stay distinct: nothing is normalised) are written, then read back from the
  resource (the write's documented link to a GET, or a GET on the same path; a new account signs in and
  reads its own) and compared code point for code point. Fields marked `x-multi-line` keep line breaks and tabs.
- Control characters (C0 but the line breaks and tabs of multi-line fields, DEL, C1, lone surrogates sent
  as JSON escapes) in every string field are a 422 problem naming the field, and nothing is written.
- Numbers out of any sane range (1e400, a 401-digit integer literal, ±1e308), NaN and ±Infinity literals,
  and values of the wrong type in every field are a 422 naming it; -0 is never a 5xx.
- Every operation, whatever its method: a JSON body over the limit is a 413 (declared or chunked, with or
  without a content type); 10,000 nested arrays or objects are a 400, never a recursion error.
- A JSON object naming a key twice is refused (422 naming the key): a proxy that read the first value and
  a service that kept the last would disagree about what was sent.
"""

from __future__ import annotations

import copy
import json
import math
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from contract_harness import SERVICES, RunningService, SigningKey, mint_token
from openapi_cases import (
    PARAM,
    Operation,
    User,
    all_operations,
    fill,
    make_things_of,
    path_parameters,
    placeholder_path,
    resolve,
    signed_in_user,
)

from fitjourney_common.errors import PROBLEM_JSON
from fitjourney_common.settings import CommonSettings
from fitjourney_common.testing.smtp import VERIFICATION_TOKEN, inbox_at

pytestmark = [pytest.mark.timeout(900),  # the first test of a run also starts the services
              pytest.mark.skipif("auth" not in SERVICES, reason="the users are accounts signed in through auth")]

MAX_JSON_BYTES = int(CommonSettings.model_fields["max_json_body_bytes"].default)
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# Free text as people and attackers type it; none has whitespace at either end (core trims that, documented).
FREE_TEXT = {
    "sql-drop": "'; DROP TABLE x;--",
    "sql-like": "%_\\",
    "sql-parameter": "$1",
    "sql-or": "' OR '1'='1",
    "markup": "<script>alert(1)</script>",
    "zwj-emoji": "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 family",
    "combining-marks": "Z\u0351\u0336a\u0308l\u0303g\u0301o",
    "rtl-override": "\u202eevil\u202c txt",
    "four-byte": "\U0001d11e clef",
    "nfc": "caf\u00e9",
    "nfd": "cafe\u0301",
    "lone-non-bmp": "\U0001f600",
    "full-width": "\uff26\uff49\uff54\u3000\uff11\uff12",
    "zero-width": "zero\u200bwidth\ufeffjoin",
    "compatibility": "\ufb01 \u01c4 \u00df \u216b",
    "line-separators": "a\u2028b\u2029c",
}
MULTI_LINE_TEXT = {"line-breaks-and-tabs": "one\ntwo\r\nthree\tfour"}
# Sent as JSON escapes (`\ud83d\ude00`) rather than as UTF-8: the same text must arrive.
ESCAPED = {"escaped-non-bmp": "\U0001f600 escaped"}

LINE_BREAKS_AND_TABS = "\t\n\r"
CONTROL = [chr(code) for code in range(0x20)] + ["\x7f", "\x80", "\x85", "\x9f", "\ud800", "\udfff"]
MARKER = "hostile"  # every refused value carries it: a read that shows it found a half-written refusal

OUT_OF_RANGE = ("1e400", "-1e400", "1" + "0" * 400, "-1" + "0" * 400, "NaN", "Infinity", "-Infinity")
HUGE = ("1e308", "-1e308")
RAW = "\ue000raw\ue000"  # stands for a literal the JSON encoder cannot write (NaN, 1e400)


@dataclass(frozen=True)
class Leaf:
    """One scalar a request body holds: its path (list items as "0") and its schema."""

    path: tuple[str, ...]
    schema: dict[str, Any]

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    @property
    def kind(self) -> str:
        return str(self.schema.get("type"))

    @property
    def multi_line(self) -> bool:
        return bool(self.schema.get("x-multi-line"))

    @property
    def constrained(self) -> bool:
        """Chosen from a list or shaped by a rule: not free text."""
        return any(key in self.schema for key in ("enum", "const", "format", "pattern", "x-refers-to"))


def leaves(document: dict[str, Any], schema: dict[str, Any], path: tuple[str, ...] = (), depth: int = 0) -> list[Leaf]:
    schema = resolve(document, schema)
    if depth > 8:
        return []
    found: list[Leaf] = []
    for variant in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        found += leaves(document, variant, path, depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        for name, child in schema.get("properties", {}).items():
            found += leaves(document, child, (*path, name), depth + 1)
    elif kind == "array":
        found += leaves(document, schema.get("items", {}), (*path, "0"), depth + 1)
    elif kind in ("string", "number", "integer", "boolean") and path:
        found.append(Leaf(path, schema))
    unique: dict[tuple[tuple[str, ...], str], Leaf] = {}
    for leaf in found:
        unique.setdefault((leaf.path, leaf.kind), leaf)
    return list(unique.values())


def json_body_schema(operation: Operation) -> dict[str, Any] | None:
    content = operation.spec.get("requestBody", {}).get("content", {})
    return content["application/json"].get("schema", {}) if "application/json" in content else None


def request_examples(document: dict[str, Any], operation: Operation) -> list[dict[str, Any]]:
    schema = json_body_schema(operation)
    examples = resolve(document, schema).get("examples", []) if schema is not None else []
    return [example for example in examples if isinstance(example, dict)]


def example_value(document: dict[str, Any], operations: list[Operation], key: str) -> Any:
    """A documented value of the top-level body field `key`, from any operation of the document."""
    for operation in operations:
        for example in request_examples(document, operation):
            if key in example:
                return copy.deepcopy(example[key])
    return None


def put_at(body: Any, path: tuple[str, ...], value: Any) -> Any:
    """`body` with `value` at `path`, making the containers on the way."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if head.isdigit():
        items = list(body) if isinstance(body, list) and body else [{} if rest and not rest[0].isdigit() else []]
        items[0] = put_at(items[0], rest, value)
        return items
    result = dict(body) if isinstance(body, dict) else {}
    result[head] = put_at(result.get(head), rest, value)
    return result


def get_at(body: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        body = body[int(part)] if part.isdigit() else body[part]
    return body


def fresh_emails(document: dict[str, Any], operation: Operation, body: Any, tried: Leaf) -> Any:
    """A new address in every email field but the one tried: each attempt is a new account."""
    schema = json_body_schema(operation)
    for leaf in leaves(document, schema or {}):
        if leaf.schema.get("format") == "email" and leaf.path[0] in (body or {}) and leaf.path != tried.path:
            body = put_at(body, leaf.path, f"hostile-{uuid.uuid4().hex[:12]}@example.com")
    return body


def body_with(document: dict[str, Any], operations: list[Operation], operation: Operation, leaf: Leaf,
              value: Any) -> Any:
    """The operation's documented example (the one holding the field, or the first) with `value` at the field."""
    examples = request_examples(document, operation)
    base = next((e for e in examples if leaf.path[0] in e), examples[0] if examples else {})
    base = copy.deepcopy(base)
    if leaf.path[0] not in base and (borrowed := example_value(document, operations, leaf.path[0])) is not None:
        base[leaf.path[0]] = borrowed
    return fresh_emails(document, operation, put_at(base, leaf.path, value), leaf)


def encode(body: Any, raw: str | None = None, *, ascii_only: bool = False) -> bytes:
    text = json.dumps(body, ensure_ascii=ascii_only)
    if raw is not None:
        text = text.replace(json.dumps(RAW, ensure_ascii=ascii_only), raw)
    return text.encode("utf-8")


@dataclass
class Tally:
    """What a test tried, for its summary line (README's figures are these)."""

    cases: int = 0
    operations: set[str] = field(default_factory=set)
    fields: set[tuple[str, str]] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)

    def add(self, operation: Operation, leaf: Leaf | None = None) -> None:
        self.cases += 1
        self.operations.add(operation.name)
        if leaf is not None:
            self.fields.add((operation.name, leaf.dotted))

    def assert_none_failed(self, service: str, what: str) -> None:
        assert not self.failures, f"{len(self.failures)} of {self.cases}:\n" + "\n".join(self.failures[:60])
        fields = f" x {len(self.fields)} fields" if self.fields else ""
        print(f"{service}: {len(self.operations)} operations{fields}, {self.cases} {what}")


@dataclass
class Target:
    """One service, its document, a signed-in user with one of each of their things, and a client."""

    name: str
    document: dict[str, Any]
    operations: list[Operation]
    user: User
    http: httpx.AsyncClient
    owned: Any
    signing_key: SigningKey
    env: dict[str, str]  # the service process's environment (auth's SMTP_URL: where its mail goes)

    def url(self, operation: Operation) -> str | None:
        if not path_parameters(operation.spec):
            return operation.path
        return fill(operation, self.owned)

    async def send(self, operation: Operation, url: str, content: bytes,
                   content_type: str | None = "application/json") -> httpx.Response:
        headers = self.headers(operation)
        if content_type is not None:
            headers["Content-Type"] = content_type
        return await self.http.request(operation.method, url, content=content, headers=headers)

    def any_url(self, operation: Operation) -> str:
        """The path with the user's things in it, or with well-formed ids of nothing (refusals come first)."""
        return self.url(operation) or placeholder_path(operation)

    def headers(self, operation: Operation) -> dict[str, str]:
        """The user's token; on an operation that requires a role, one that carries it (else it is a 403
        before the body is read)."""
        roles = operation.spec.get("x-required-roles")
        token = mint_token(self.signing_key.private_pem, self.user.id, roles=("user", *roles)) if roles \
            else self.user.token
        return {"Authorization": f"Bearer {token}"}

    def body_with(self, operation: Operation, leaf: Leaf, value: Any) -> Any:
        return body_with(self.document, self.operations, operation, leaf, value)

    async def expect_field_refused(self, tried: Tally, operation: Operation, url: str, leaf: Leaf, content: bytes,
                                   label: str) -> None:
        """Send `content`: a 422 naming `leaf` is expected; anything else is one of `tried`'s failures."""
        response = await self.send(operation, url, content)
        tried.add(operation, leaf)
        if not names(response, leaf.path):
            tried.failures.append(f"{operation.name} {label}: {response.status_code} {response.text[:200]}")

    def body_operations(self) -> Iterator[tuple[Operation, list[Leaf]]]:
        for operation in self.operations:
            schema = json_body_schema(operation)
            if schema is not None and operation.method in WRITE_METHODS:
                yield operation, leaves(self.document, schema)


@pytest.fixture(scope="module")
async def targets(documents: dict[str, dict[str, Any]], running_services: dict[str, RunningService],
                  signing_key: SigningKey) -> AsyncIterator[dict[str, Target]]:
    """A new signed-in user, with one of each of their things per service (made from the examples), for the
    module: making them signs in with the documented examples' passwords, and each failed sign-in counts
    towards the lockout of this client's address."""
    user = await signed_in_user(running_services["auth"])
    clients = {name: httpx.AsyncClient(base_url=service.base_url, timeout=120)
               for name, service in running_services.items()}
    try:
        found = {}
        for name, document in documents.items():
            owned = await make_things_of(user, {name: document}, clients)
            found[name] = Target(name, document, all_operations({name: document}), user, clients[name], owned,
                                 signing_key, running_services[name].env)
        yield found
    finally:
        for client in clients.values():
            await client.aclose()


def names(response: httpx.Response, path: tuple[str, ...]) -> bool:
    """A 422 problem naming the field (or one variant of a union in it); an item of a list of scalars
    (`tags.0`) may be named by its list (`tags`)."""
    if response.status_code != 422 or not response.headers.get("content-type", "").startswith(PROBLEM_JSON):
        return False
    dotted = ".".join(path)
    accepted = {dotted, ".".join(path[:-1])} if path[-1].isdigit() else {dotted}
    fields = [str(error.get("field", "")) for error in response.json().get("errors", [])]
    return any(field in accepted or field.startswith(dotted + ".") for field in fields)


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def read_back_url(target: Target, operation: Operation, written: Any) -> str | None:
    """Where the thing just written is read: the documented link to a GET, or a GET on the same path."""
    gets = {o.spec.get("operationId"): o.path for o in target.operations if o.method == "GET"}
    for response in operation.spec.get("responses", {}).values():
        for link in response.get("links", {}).values():
            path = gets.get(link.get("operationId"))
            if path is None or not isinstance(written, dict):
                continue
            values = {}
            for parameter, expression in link.get("parameters", {}).items():
                pointer = str(expression).removeprefix("$response.body#/")
                values[parameter] = written.get(pointer)
            if all(values.get(name) for name in PARAM.findall(path)):
                return PARAM.sub(lambda m: str(values[m[1]]), path)
    if "get" in target.document["paths"][operation.path]:
        return target.url(operation)
    return None


async def read_back_account(target: Target, sent: dict[str, Any]) -> Any:
    """An account just registered reads itself as its owner would: confirms its email with the mailed token,
    signs in and asks who it is."""
    token = await inbox_at(target.env["SMTP_URL"]).token(sent["email"], VERIFICATION_TOKEN)
    confirmed = await target.http.post("/api/v1/auth/verify-email", json={"token": token})
    assert confirmed.status_code == 204, confirmed.text
    login = await target.http.post("/api/v1/auth/login", json={"email": sent["email"], "password": sent["password"]})
    assert login.status_code == 200, login.text
    me = await target.http.get("/api/v1/auth/me",
                               headers={"Authorization": f"Bearer {login.json()['access_token']}"})
    assert me.status_code == 200, me.text
    return me.json()


def is_registration(operation: Operation) -> bool:
    """Answers 202 with nothing to read, and makes an account that can sign in (auth's register)."""
    return operation.path.endswith("/register") and operation.method == "POST"


def has_read_back(target: Target, operation: Operation) -> bool:
    """What it writes can be read (a sign-in or a password change writes nothing anyone reads back)."""
    links = [link for response in operation.spec.get("responses", {}).values()
             for link in response.get("links", {}).values()]
    return is_registration(operation) or "get" in target.document["paths"][operation.path] or any(
        o.method == "GET" and o.spec.get("operationId") == link.get("operationId")
        for link in links for o in target.operations)


@pytest.mark.parametrize("service", SERVICES)
async def test_free_text_round_trips_unchanged(service: str, targets: dict[str, Target]) -> None:
    target = targets[service]
    tried = Tally()
    failures = tried.failures
    for operation, fields in target.body_operations():
        text_fields = [leaf for leaf in fields if leaf.kind == "string" and not leaf.constrained]
        url = target.url(operation)
        if not text_fields or operation.method == "DELETE" or not has_read_back(target, operation):
            continue
        if url is None:
            failures.append(f"{operation.name}: none of its path's ids could be made from the documented examples")
            continue
        for leaf in text_fields:
            values = {**FREE_TEXT, **(MULTI_LINE_TEXT if leaf.multi_line else {})}
            cases = [(label, value, False) for label, value in values.items()] + \
                [(label, value, True) for label, value in ESCAPED.items()]
            for label, value, ascii_only in cases:
                limit = leaf.schema.get("maxLength")
                value = value[:limit] if limit else value
                body = target.body_with(operation, leaf, value)
                response = await target.send(operation, url, encode(body, ascii_only=ascii_only))
                tried.add(operation, leaf)
                where = f"{operation.name} {leaf.dotted}={label}"
                if response.status_code not in (200, 201, 202):
                    failures.append(f"{where}: {response.status_code} {response.text[:200]}")
                    continue
                if is_registration(operation):
                    stored_in = await read_back_account(target, body)
                    stored_path: tuple[str, ...] = leaf.path
                elif (read_url := read_back_url(target, operation, response.json())) is not None:
                    read = await target.http.get(read_url, headers=target.headers(operation))
                    assert read.status_code == 200, f"{where}: read back {read_url}: {read.text[:200]}"
                    stored_in, stored_path = read.json(), leaf.path
                else:
                    continue  # nothing shows it (a password, a token): its refusals are checked below
                try:
                    stored = get_at(stored_in, stored_path)
                except (KeyError, IndexError, TypeError):
                    continue  # written but not shown (e.g. a secret): nothing to compare
                if stored != value:
                    failures.append(f"{where}: sent {value!r}, read back {stored!r}")
    tried.assert_none_failed(service, "free-text round trips")


async def snapshot(target: Target, operation: Operation, url: str) -> Any:
    """What a GET on the written path shows (a listing, or the thing itself); None without one."""
    if "get" not in target.document["paths"][operation.path]:
        return None
    read = await target.http.get(url, headers={"Authorization": f"Bearer {target.user.token}"})
    return read.json() if read.status_code == 200 else read.status_code


def ids_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return {str(v) for k, v in value.items() if k == "id"} | {i for v in value.values() for i in ids_in(v)}
    if isinstance(value, list):
        return {i for v in value for i in ids_in(v)}
    return set()


def assert_nothing_written(before: Any, after: Any, where: str, failures: list[str]) -> None:
    if isinstance(before, dict | list) and ids_in(after) != ids_in(before):
        failures.append(f"{where}: a refused request changed what the GET shows: {ids_in(after) ^ ids_in(before)}")
    if any(MARKER in text for text in strings_in(after)):
        failures.append(f"{where}: a refused value was stored")


@pytest.mark.parametrize("service", SERVICES)
async def test_control_characters_are_a_422_naming_the_field(service: str, targets: dict[str, Target]) -> None:
    target = targets[service]
    tried = Tally()
    failures = tried.failures
    for operation, fields in target.body_operations():
        url = target.any_url(operation)
        before = await snapshot(target, operation, url)
        for leaf in (leaf for leaf in fields if leaf.kind == "string" and "enum" not in leaf.schema
                     and "const" not in leaf.schema):
            for char in CONTROL:
                if leaf.multi_line and char in LINE_BREAKS_AND_TABS:
                    continue
                value = f"{MARKER}-{char}-text"
                body = target.body_with(operation, leaf, value)
                await target.expect_field_refused(tried, operation, url, leaf, encode(body, ascii_only=True),
                                                  f"{leaf.dotted}={value!r}")
        assert_nothing_written(before, await snapshot(target, operation, url), operation.name, failures)
    tried.assert_none_failed(service, "control characters refused")


@pytest.mark.parametrize("service", SERVICES)
async def test_numbers_out_of_range_and_wrong_types_are_a_422_naming_the_field(
    service: str, targets: dict[str, Target],
) -> None:
    target = targets[service]
    tried = Tally()
    failures = tried.failures
    for operation, fields in target.body_operations():
        url = target.any_url(operation)
        before = await snapshot(target, operation, url)
        kinds = {leaf.path: {other.kind for other in fields if other.path == leaf.path} for leaf in fields}
        for leaf in fields:
            where = f"{operation.name} {leaf.dotted}"
            cases: list[tuple[Any, str | None]] = []
            if leaf.kind in ("number", "integer"):
                if not ({"maximum", "exclusiveMaximum"} & leaf.schema.keys()
                        and {"minimum", "exclusiveMinimum"} & leaf.schema.keys()):
                    failures.append(f"{where}: a number without documented bounds")
                cases += [(RAW, literal) for literal in OUT_OF_RANGE + HUGE]
                cases += [("12", None), ("a lot", None), (True, None)]
            elif leaf.kind == "string":
                cases += [(12345, None), (True, None)]
            elif leaf.kind == "boolean":
                cases += [("yes", None), (2, None)]
            # A list or an object where the field takes neither.
            cases += [(shape, None) for shape, kind in (([], "array"), ({}, "object")) if kind not in kinds[leaf.path]]
            for value, literal in cases:
                body = target.body_with(operation, leaf, value)
                await target.expect_field_refused(tried, operation, url, leaf, encode(body, literal),
                                                  f"{leaf.dotted}={literal or json.dumps(value)}")
        assert_nothing_written(before, await snapshot(target, operation, url), operation.name, failures)
        # -0 may be a valid value (a distance of 0), or refused with the rest of its example: never a 5xx,
        # never stored negative.
        for leaf in (leaf for leaf in fields if leaf.kind in ("number", "integer")):
            body = target.body_with(operation, leaf, RAW)
            response = await target.send(operation, url, encode(body, "-0"))
            tried.add(operation, leaf)
            where = f"{operation.name} {leaf.dotted}=-0"
            if response.status_code >= 500:
                failures.append(f"{where}: {response.status_code} {response.text[:200]}")
            elif response.status_code < 300 and isinstance(response.json(), dict):
                try:
                    echoed = get_at(response.json(), leaf.path)
                except (KeyError, IndexError, TypeError):
                    echoed = None
                if isinstance(echoed, float) and math.copysign(1, echoed) < 0:
                    failures.append(f"{where}: stored as {echoed!r}")
    tried.assert_none_failed(service, "numbers and wrong types refused")


def string_query_parameters(document: dict[str, Any], operation: Operation) -> list[str]:
    """The query parameters that take text (not one of a list of values)."""
    found = []
    for parameter in operation.spec.get("parameters", []):
        if parameter["in"] != "query":
            continue
        schema = resolve(document, parameter.get("schema", {}))
        variants = [resolve(document, v) for v in schema.get("anyOf", [])] or [schema]
        if any(v.get("type") == "string" and "enum" not in v and "const" not in v for v in variants):
            found.append(parameter["name"])
    return found


@pytest.mark.parametrize("service", SERVICES)
async def test_control_characters_in_a_query_parameter_are_a_422_naming_it(
    service: str, targets: dict[str, Target],
) -> None:
    target = targets[service]
    tried = Tally()
    for operation in target.operations:
        url = target.any_url(operation)
        for name in string_query_parameters(target.document, operation):
            for char in CONTROL:
                if "\ud800" <= char <= "\udfff":
                    continue  # a URL carries UTF-8, which has no lone surrogates
                response = await target.http.request(operation.method, url, params={name: f"{MARKER}-{char}-text"},
                                                     headers=target.headers(operation))
                tried.add(operation, Leaf((name,), {}))
                if not names(response, (name,)):
                    tried.failures.append(f"{operation.name} ?{name}={MARKER}-{char!r}-text: "
                                          f"{response.status_code} {response.text[:200]}")
    tried.assert_none_failed(service, "control characters in query parameters refused")


def nested(depth: int, opening: str, closing: str, inner: str = "1") -> bytes:
    return (opening * depth + inner + closing * depth).encode()


@pytest.mark.parametrize("service", SERVICES)
async def test_oversized_and_deep_bodies_are_refused_on_every_operation(
    service: str, targets: dict[str, Target],
) -> None:
    target = targets[service]
    tried = Tally()
    failures = tried.failures
    oversized = b'{"text": "' + b"a" * MAX_JSON_BYTES + b'"}'
    deep = {"arrays": nested(10_000, "[", "]"), "objects": nested(10_000, '{"a":', "}")}

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(oversized), 64 * 1024):
            yield oversized[start:start + 64 * 1024]

    for operation in target.operations:
        url = target.any_url(operation)
        headers = target.headers(operation)
        attempts: list[tuple[str, int, dict[str, Any]]] = [
            ("oversized JSON", 413, {"content": oversized, "headers": {**headers, "Content-Type": "application/json"}}),
            ("oversized JSON, chunked", 413,
             {"content": chunks(), "headers": {**headers, "Content-Type": "application/json"}}),
            ("oversized, no content type", 413, {"content": oversized, "headers": headers}),
        ]
        for shape, body in deep.items():
            attempts += [(f"10,000 nested {shape}", 400,
                          {"content": body, "headers": {**headers, "Content-Type": "application/json"}}),
                         (f"10,000 nested {shape}, no content type", 400, {"content": body, "headers": headers})]
        for label, status, kwargs in attempts:
            response = await target.http.request(operation.method, url, **kwargs)
            tried.add(operation)
            problem = response.headers.get("content-type", "").startswith(PROBLEM_JSON)
            if response.status_code != status or not problem:
                failures.append(f"{operation.name} {label}: {response.status_code} {response.text[:200]}")
    tried.assert_none_failed(service, "oversized or deep bodies refused")


@pytest.mark.parametrize("service", SERVICES)
async def test_a_key_sent_twice_is_a_422_naming_it(service: str, targets: dict[str, Target]) -> None:
    target = targets[service]
    tried = Tally()
    for operation, fields in target.body_operations():
        url = target.any_url(operation)
        top = next((leaf for leaf in fields if len(leaf.path) == 1), None)
        if top is None:
            continue
        value = json.dumps(get_at(target.body_with(operation, top, "x"), top.path))
        text = encode(target.body_with(operation, top, RAW), value).decode()
        # The same key again, first: `{"name": "x", ...the example..., "name": "x"}`.
        twice = "{" + json.dumps(top.path[0]) + ": " + value + ", " + text[1:]
        await target.expect_field_refused(tried, operation, url, top, twice.encode(), f"{top.dotted} twice")
    tried.assert_none_failed(service, "duplicate keys refused")
