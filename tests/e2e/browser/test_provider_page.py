"""The repair provider's page (/workbench/provider.html) in a real browser on a 360 px phone against
the local stack: GIVEN a customer's kettle repair the money path dispatched to a provider WHEN the
provider signs in with its key THEN it sees the job offered, accepts it, is shown the API's own
refusal for a window in the past, books tomorrow's window, checks in with a photo taken on the phone
(the form goes straight to the stack's S3, which sends the browser back; once the media check has
passed it, the check-in names the photo) and records the part it fitted with its serial - nothing wider
than the screen, the key never in the address. Another provider's key sees no job, in Chinese."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.support.environment import ROOT
from tests.support.local_stack import demo_auth, eventually
from tests.support.media_files import image_bytes
from tests.support.stack_media import settled_media
from tests.support.stack_repairs import call, dispatched_repair, offered_job, providers

pytestmark = pytest.mark.e2e
PHONE = {"width": 360, "height": 740}
ARTIFACTS = ROOT / "build" / "browser"
ZONE = "Asia/Shanghai"


@pytest.fixture(scope="module", autouse=True)
def built_page():
    if not (ROOT / "build" / "workbench" / "provider.html").is_file():
        pytest.fail("the provider page is not built: `make workbench`")


@pytest.fixture(scope="module")
def offered(local_stack):
    suffix = uuid.uuid4().hex[:8]
    keys = providers(local_stack, suffix, "mine", "other")
    ticket_id, _customer = dispatched_repair(local_stack, suffix)
    return {"suffix": suffix, "keys": keys, "ticket": ticket_id, "job": offered_job(local_stack, keys["mine"])}


def _sign_in(page, stack, key: dict) -> None:
    page.goto(f"{stack.workbench_url}provider.html")
    page.fill("[data-test=key]", key["X-Api-Key"])
    page.click("[data-test=sign-in]")
    expect(page.locator("[data-test=sign-out]")).to_be_visible()
    assert key["X-Api-Key"] not in page.url


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _move(page, name: str) -> None:
    page.click(f"[data-test=do-{name}]")
    expect(page.locator("[data-test=done]")).to_be_visible()


def test_the_provider_accepts_books_checks_in_with_a_photo_and_records_a_part(local_stack, offered, open_page,
                                                                              tmp_path):
    stack, job_id, suffix = local_stack, offered["job"], offered["suffix"]
    page = open_page(viewport=PHONE, timezone=ZONE)
    _sign_in(page, stack, offered["keys"]["mine"])
    card = page.locator(f"[data-group=offered] [data-job={job_id}]")
    expect(card).to_be_visible()
    assert f"KETTLE-{suffix}" in card.inner_text()
    _fits_the_phone(page)

    card.locator("a").click()
    expect(page.locator("[data-fact=status]")).to_have_text("Offered")
    assert page.locator("[data-move]").evaluate_all("forms => forms.map(f => f.dataset.move)") == ["accept", "decline"]
    _move(page, "accept")
    expect(page.locator("[data-fact=status]")).to_have_text("Accepted")

    book = page.locator("[data-move=book]")
    page.screenshot(path=str(ARTIFACTS / "provider-page-booking.png"), full_page=True)  # kept, not committed
    yesterday = (datetime.now(ZoneInfo(ZONE)) - timedelta(days=1)).date().isoformat()
    book.locator("[data-test=window-date]").fill(yesterday)
    book.locator("[data-test=do-book]").click()
    expect(book.locator("[data-test=refusal]")).to_contain_text("The appointment window must end in the future.")
    tomorrow = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=1)).date().isoformat()
    book.locator("[data-test=window-date]").fill(tomorrow)
    book.locator("[data-test=window-from]").fill("09:00")
    book.locator("[data-test=window-to]").fill("11:00")
    _move(page, "book")
    expect(page.locator("[data-fact=status]")).to_have_text("Booked")
    assert "9:00" in page.locator("[data-fact=window]").inner_text()
    booked = call(stack, "GET", f"/repairs/jobs/{job_id}", offered["keys"]["mine"]).json()["appointment"]["window"]
    assert datetime.fromisoformat(booked["start"]) == datetime.fromisoformat(f"{tomorrow}T09:00:00+08:00")
    _fits_the_phone(page)

    photo = tmp_path / "kettle-base.jpg"
    photo.write_bytes(image_bytes("JPEG", (640, 480)))
    assert page.locator("[data-test=photo]").get_attribute("capture") == "environment"
    with page.expect_navigation(url=f"**/provider.html#/jobs/{job_id}"):
        page.set_input_files("[data-test=photo]", str(photo))  # to S3, and back
    expect(page.locator("[data-test=photos]")).to_have_text("Photos: 1")
    staff = demo_auth(stack, "agent token")
    [uploaded] = page.evaluate(f"JSON.parse(sessionStorage.getItem('provider.photos.{job_id}'))")
    assert settled_media(stack, staff, uploaded)["status"] == "ready"  # a check-in names only checked photos
    _move(page, "check_in")
    expect(page.locator("[data-fact=status]")).to_have_text("Checked in")
    expect(page.locator("[data-fact=checked_in]")).to_contain_text("Photos: 1")

    parts = page.locator("[data-move=record_part]")
    expect(parts.locator("[data-test=part] option")).to_have_text([f"HE-{suffix} · Heating element"])  # fits the kettle
    parts.locator("[data-test=serial]").fill(f"SN-{suffix}")
    parts.locator("[data-test=batch]").fill(f"B-{suffix}")
    parts.locator("[data-test=removed-serial]").fill(f"OLD-{suffix}")
    _move(page, "record_part")
    expect(page.locator("[data-test=parts]")).to_contain_text(f"SN-{suffix}")
    _fits_the_phone(page)
    assert "provider.key" in page.evaluate("Object.keys(sessionStorage)")

    job = call(stack, "GET", f"/repairs/jobs/{job_id}", offered["keys"]["mine"]).json()
    assert job["status"] == "checked_in"
    assert [(p["part_number"], p["serial"], p["batch"], p["removed_serial"]) for p in job["parts"]] == [
        (f"HE-{suffix}", f"SN-{suffix}", f"B-{suffix}", f"OLD-{suffix}")]
    [media_id] = job["check_in"]["media_ids"]

    def checked():
        stack.drain(timeout=10)
        return call(stack, "GET", f"/media/{media_id}", staff).json()

    item = eventually(lambda: checked()["status"] == "ready" and checked(), timeout=30)
    assert (item["purpose"], item["customer_id"], item["metadata"]["width"]) == ("repair_visit", None, 640)


def test_another_providers_key_sees_no_job_and_reads_it_as_missing(local_stack, offered, open_page):
    page = open_page(locale="zh-CN", viewport=PHONE, timezone=ZONE)
    _sign_in(page, local_stack, offered["keys"]["other"])
    expect(page.locator("[data-test=empty]")).to_have_text("目前没有进行中的任务。")
    assert page.locator(f"[data-job={offered['job']}]").count() == 0
    page.goto(f"{local_stack.workbench_url}provider.html#/jobs/{offered['job']}")
    expect(page.locator("[role=alert]")).to_contain_text(offered["job"])  # the API's 404: not found
    _fits_the_phone(page)
