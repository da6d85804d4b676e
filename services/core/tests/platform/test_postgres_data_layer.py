"""PostgreSQL guarantees: row-level security for the service role, and monthly partition pruning."""

from __future__ import annotations

import uuid

import asyncpg
import httpx
import pytest
from core_helpers import body_metric_body, workout_body
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from fitjourney_common.db.engine import bind_user


async def test_service_role_is_subject_to_rls(app: FastAPI) -> None:
    async with app.state.runtime.session_factory() as session:
        role = (await session.execute(text(
            "select rolsuper, rolbypassrls from pg_roles where rolname = current_user"))).one()
    assert tuple(role) == (False, False)


async def test_query_without_owner_filter_returns_only_the_bound_users_rows(
    app: FastAPI, client: httpx.AsyncClient, auth_headers, other_auth_headers,
) -> None:
    for headers in (auth_headers, other_auth_headers):
        assert (await client.post("/api/v1/workouts", json=workout_body(), headers=headers)).status_code == 201
        assert (await client.post("/api/v1/body-metrics", json=body_metric_body(), headers=headers)).status_code == 201
        assert (await client.get("/api/v1/profile", headers=headers)).status_code == 200

    user_a = auth_headers.user_id
    async with app.state.runtime.session_factory() as session:
        await bind_user(session, user_a)
        for table in ("workouts", "body_metrics", "profiles", "changes"):
            owners = set((await session.execute(text(f"select user_id from core.{table}"))).scalars())
            assert owners == {user_a}, table

    # No user bound (e.g. a consumer that forgot to bind): nothing is visible, and nothing errors.
    async with app.state.runtime.session_factory() as session:
        assert (await session.execute(text("select count(*) from core.workouts"))).scalar_one() == 0


async def test_rls_refuses_writing_rows_for_another_user(app: FastAPI, auth_headers) -> None:
    async with app.state.runtime.session_factory() as session:
        await bind_user(session, auth_headers.user_id)
        with pytest.raises(DBAPIError, match="row-level security"):
            await session.execute(text(
                "insert into core.workouts (id, user_id, activity, started_at, duration_min, exercises,"
                " calories_status) values (:id, :owner, 'yoga', now(), 30, '[]', 'pending')"),
                {"id": uuid.uuid4(), "owner": uuid.uuid4()})


async def test_date_range_query_scans_only_the_matching_month_partition(
    app: FastAPI, client: httpx.AsyncClient, auth_headers,
) -> None:
    async with app.state.runtime.session_factory() as session, session.begin():
        # The service role may create partitions through the SECURITY DEFINER function, as at start-up.
        await session.execute(text(
            "select core.ensure_monthly_partitions('core.body_metrics'::regclass, date '2024-01-01', 2)"))
    for day in ("2024-01-15", "2024-02-10", "2024-02-20", "2024-03-05"):
        response = await client.post("/api/v1/body-metrics", headers=auth_headers,
                                     json=body_metric_body(measured_at=f"{day}T08:00:00Z"))
        assert response.status_code == 201, response.text

    async with app.state.runtime.session_factory() as session:
        await bind_user(session, auth_headers.user_id)
        plan = "\n".join((await session.execute(text(
            "explain select * from core.body_metrics where user_id = '" + str(auth_headers.user_id) + "'"
            " and measured_at >= '2024-02-01T00:00:00Z' and measured_at < '2024-03-01T00:00:00Z'"
        ))).scalars())
        rows = (await session.execute(text(
            "select tableoid::regclass::text from core.body_metrics"
            " where measured_at >= '2024-02-01T00:00:00Z' and measured_at < '2024-03-01T00:00:00Z'"))).scalars().all()
    assert "body_metrics_p202402" in plan
    for other in ("body_metrics_p202401", "body_metrics_p202403", "body_metrics_default"):
        assert other not in plan, plan
    assert rows == ["core.body_metrics_p202402"] * 2


async def test_rows_in_the_default_partition_move_when_their_month_gets_a_partition(
    app: FastAPI, client: httpx.AsyncClient, auth_headers,
) -> None:
    created = await client.post("/api/v1/body-metrics", headers=auth_headers,
                                json=body_metric_body(measured_at="2019-06-15T08:00:00Z"))
    assert created.status_code == 201

    async def partition_of_metric() -> str:
        async with app.state.runtime.session_factory() as session:
            await bind_user(session, auth_headers.user_id)
            return (await session.execute(text(
                "select tableoid::regclass::text from core.body_metrics where id = :id"),
                {"id": uuid.UUID(created.json()["id"])})).scalar_one()

    assert await partition_of_metric() == "core.body_metrics_default"
    async with app.state.runtime.session_factory() as session, session.begin():
        await session.execute(text(
            "select core.ensure_monthly_partitions('core.body_metrics'::regclass, date '2019-06-01', 0)"))
    assert await partition_of_metric() == "core.body_metrics_p201906"
    fetched = await client.get(f"/api/v1/body-metrics/{created.json()['id']}", headers=auth_headers)
    assert fetched.status_code == 200


async def test_start_up_created_partitions_ahead_for_every_partitioned_table(app: FastAPI) -> None:
    async with app.state.runtime.session_factory() as session:
        parents = set((await session.execute(text(
            "select distinct inhparent::regclass::text from pg_inherits i"
            " join pg_class c on c.oid = i.inhrelid where c.relname like '%\\_default'"))).scalars())
        partitions = set((await session.execute(text(
            "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
            " where i.inhparent = 'core.body_metrics'::regclass"))).scalars())
    assert "core.body_metrics" in parents
    from datetime import UTC, datetime
    this_month = datetime.now(UTC).strftime("%Y%m")
    assert f"body_metrics_p{this_month}" in partitions
    assert len([p for p in partitions if p.startswith("body_metrics_p")]) >= 4



async def test_service_role_reads_the_food_catalogue_but_cannot_change_it(app_database_url: str) -> None:
    conn = await asyncpg.connect(app_database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        async with conn.transaction():
            assert await conn.fetchval("select count(*) from core.food_catalogue") > 8000
            assert await conn.execute("update core.food_catalogue set kcal_per_100g = 0") == "UPDATE 0"
            assert await conn.execute("delete from core.food_catalogue") == "DELETE 0"
            # What revision 0013 is for: its full-text index serves this role (no policy stands in front).
            plan = "\n".join(row[0] for row in await conn.fetch(
                "explain select id from core.food_catalogue "
                "where search_vector @@ to_tsquery('simple', 'kiwifruit:*')"))
            assert "ix_food_catalogue_search_vector" in plan, plan
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
            await conn.execute("insert into core.food_catalogue (id, name, kcal_per_100g, protein_g, carbs_g, fat_g, "
                               "portions) values (gen_random_uuid(), 'Mine now', 0, 0, 0, 0, '[]')")
    finally:
        await conn.close()

# The outbox carries the user of each event but is read by the relay, which works for no user: no RLS.
NOT_OWNER_SCOPED = {"outbox"}


async def test_every_table_with_a_user_id_forces_rls_with_an_owner_policy(database_url: str) -> None:
    """Read from the catalogue, so a table (or partition) added later without RLS fails here."""
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await conn.fetch("""
            select c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polname = 'owner') as owner_policy
              from pg_class c
              join pg_namespace n on n.oid = c.relnamespace
              join pg_attribute a on a.attrelid = c.oid and a.attname = 'user_id' and not a.attisdropped
             where n.nspname = 'core' and c.relkind in ('r', 'p')
        """)
    finally:
        await conn.close()
    tables = {row["relname"]: row for row in rows}
    # The user-owned tables, their partitions (DEFAULT and monthly) included, are all in the list.
    assert {"profiles", "workouts", "body_metrics", "food_logs", "habit_check_ins", "habits", "journal_entries",
            "photo_jobs", "foods", "changes", "body_metrics_default", "food_logs_default",
            "habit_check_ins_default"} <= tables.keys()
    assert any(name.startswith("habit_check_ins_p") for name in tables)
    unprotected = sorted(name for name, row in tables.items() if name not in NOT_OWNER_SCOPED and not (
        row["relrowsecurity"] and row["relforcerowsecurity"] and row["owner_policy"]))
    assert unprotected == []


@pytest.mark.parametrize(("table", "key", "start", "end"), [
    ("food_logs", "eaten_at", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"),
    ("body_metrics", "measured_at", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"),
    ("habit_check_ins", "date", "2024-02-01", "2024-03-01"),
])
async def test_a_date_range_query_scans_one_month_of_each_time_series(
    app: FastAPI, auth_headers, table: str, key: str, start: str, end: str,
) -> None:
    async with app.state.runtime.session_factory() as session, session.begin():
        # January to March 2024 (the service role may call the SECURITY DEFINER function, as at start-up).
        await session.execute(text(
            f"select core.ensure_monthly_partitions('core.{table}'::regclass, date '2024-01-01', 2)"))
    async with app.state.runtime.session_factory() as session:
        await bind_user(session, auth_headers.user_id)
        # Literal bounds are pruned when the plan is made (a prepared statement's, when it runs).
        plan = "\n".join((await session.execute(text(
            f"explain select * from core.{table} where user_id = '{auth_headers.user_id}'"
            f" and {key} >= '{start}' and {key} < '{end}'"))).scalars())
    assert f"{table}_p202402" in plan, plan
    for other in (f"{table}_p202401", f"{table}_p202403", f"{table}_default"):
        assert other not in plan, plan


async def test_activity_tables_have_a_valid_created_at_index_on_every_partition(database_url: str) -> None:
    """Migration 0009 builds them concurrently (partitions one by one, attached to the parent's index);
    a partition created afterwards gets its own from the parent."""
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("select core.ensure_monthly_partitions('core.body_metrics'::regclass, "
                           "(current_date + interval '6 months')::date, 1)")
        missing = await conn.fetch("""
            select t.relname from pg_class t join pg_namespace n on n.oid = t.relnamespace
             where n.nspname = 'core' and t.relkind = 'r'
               and (t.relname in ('workouts', 'journal_entries')
                    or t.relname ~ '^(food_logs|body_metrics|habit_check_ins)_(default|p[0-9]{6})$')
               and not exists (select 1 from pg_index x join pg_attribute a
                                   on a.attrelid = t.oid and a.attnum = x.indkey[0]
                                where x.indrelid = t.oid and a.attname = 'created_at' and x.indisvalid)""")
        invalid = await conn.fetch("select c.relname from pg_index x join pg_class c on c.oid = x.indexrelid "
                                   "where c.relname like 'ix_%_created_at' and not x.indisvalid")
        names = await conn.fetch("select relname from pg_class where relname like 'ix_%_created_at'")
    finally:
        await conn.close()
    assert [row["relname"] for row in missing] == [] and [row["relname"] for row in invalid] == []
    assert len(names) == 5
