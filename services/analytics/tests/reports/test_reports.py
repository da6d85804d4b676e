"""Reports: 202 then built by the worker, stored in S3, downloadable; CSV parsed, PDF read and rendered."""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

import aio_pika
import httpx
import pypdfium2
from analytics_helpers import BROKER_URL
from analytics_scenario import NOW, fill_berlin_week
from core_rows import CoreRows
from fastapi import FastAPI
from pypdf import PdfReader

from fitjourney_analytics.settings import AnalyticsSettings
from fitjourney_common.testing.polling import poll_until
from fitjourney_common.testing.tokens import TestSigner

REPORTS = "/api/v1/analytics/reports"


async def ready_report(client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(REPORTS, json=body, headers=headers)
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["status"] == "pending" and response.headers["location"].endswith(accepted["id"])

    async def finished() -> dict[str, Any] | None:
        report = (await client.get(f"{REPORTS}/{accepted['id']}", headers=headers)).json()
        return report if report["status"] != "pending" else None

    return await poll_until(finished, timeout=60)


async def test_csv_report_has_one_row_per_day(
    client: httpx.AsyncClient, core_rows: CoreRows, signer: TestSigner, clock: Any,
) -> None:
    user_id = uuid.uuid4()
    await fill_berlin_week(core_rows, user_id, uuid.uuid4())
    clock.now = NOW
    report = await ready_report(client, signer.headers(user_id),
                                {"kind": "custom", "from": "2024-03-25", "to": "2024-03-31", "format": "csv"})
    assert report["status"] == "ready", report
    assert (report["from"], report["to"], report["format"]) == ("2024-03-25", "2024-03-31", "csv")
    async with httpx.AsyncClient() as http:
        download = await http.get(report["download_url"])
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [row["date"] for row in rows] == [f"2024-03-{d}" for d in range(25, 32)]
    assert [float(row["kcal_in"]) for row in rows] == [400, 0, 0, 0, 0, 500, 1000]
    assert rows[3]["weight_kg"] == "" and float(rows[6]["weight_kg"]) == 79.0


async def test_pdf_report_reads_and_renders(
    app: FastAPI, settings: AnalyticsSettings, client: httpx.AsyncClient, core_rows: CoreRows,
    signer: TestSigner, clock: Any,
) -> None:
    user_id = uuid.uuid4()
    await fill_berlin_week(core_rows, user_id, uuid.uuid4())
    clock.now = NOW
    # Listen for report.ready on the wire (core turns it into the user's WebSocket notification).
    connection = await aio_pika.connect(BROKER_URL)
    channel = await connection.channel()
    exchange = await channel.get_exchange(settings.events_exchange)
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(exchange, routing_key="report.ready")
    try:
        report = await ready_report(client, signer.headers(user_id), {"kind": "weekly", "from": "2024-03-25",
                                                                       "format": "pdf"})
        assert report["status"] == "ready", report
        assert (report["from"], report["to"]) == ("2024-03-25", "2024-03-31")
        message = await poll_until(lambda: queue.get(fail=False))
        event = json.loads(message.body)
        assert event["type"] == "report.ready" and event["data"]["report_id"] == report["id"]
        assert event["user_id"] == str(user_id)
    finally:
        await connection.close()

    async with httpx.AsyncClient() as http:
        pdf_bytes = (await http.get(report["download_url"])).content
    reader = PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) == 2
    text = reader.pages[0].extract_text()
    assert "FitJourney weekly report" in text
    assert "Energy in (total)" in text and "1,900 kcal" in text
    assert "Days with food logged" in text and "3 of 7" in text
    assert "Weight (kg)" in reader.pages[1].extract_text()
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        for index in range(len(document)):
            image = document[index].render(scale=0.5).to_pil().convert("L")
            low, high = image.getextrema()
            assert image.width > 200 and high - low > 100  # drawn on, not a blank page
    finally:
        document.close()


async def test_report_dates_are_validated_and_reports_are_private(
    client: httpx.AsyncClient, signer: TestSigner, clock: Any,
) -> None:
    clock.now = NOW
    headers = signer.headers()
    for body, field in (({"kind": "custom", "from": "2024-03-25"}, "to"),
                        ({"kind": "custom", "from": "2024-03-25", "to": "2024-03-01"}, "to"),
                        ({"kind": "custom", "from": "2022-01-01", "to": "2024-03-01"}, "to"),
                        ({"kind": "weekly", "format": "docx"}, "format")):
        response = await client.post(REPORTS, json=body, headers=headers)
        assert response.status_code == 422, body
        assert any(field in error["field"] for error in response.json()["errors"]), response.json()
    accepted = (await client.post(REPORTS, json={"kind": "monthly", "format": "csv"}, headers=headers)).json()
    mine = (await client.get(f"{REPORTS}/{accepted['id']}", headers=headers)).json()
    assert (mine["from"], mine["to"]) == ("2024-02-01", "2024-02-29")  # last full month, leap year
    assert (await client.get(f"{REPORTS}/{accepted['id']}", headers=signer.headers())).status_code == 404
