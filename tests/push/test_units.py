"""Pure rules: quiet hours, templates and priorities, outcome mapping, backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.interfaces import DeliveryOutcome, SendResult
from models.push import DeliveryState
from push.outcomes import backoff, final_state
from push.quiet import release_at
from push.routing import Contacts, muted, plan
from push.templates import render

NIGHT = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
DAY = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai


def test_quiet_hours_delay_normal_and_bulk_until_eight() -> None:
    release = release_at(NIGHT, "normal", "22:00-08:00")
    assert release == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 08:00 Shanghai next day
    assert release_at(NIGHT, "bulk", "22:00-08:00") == release
    assert release_at(NIGHT, "critical", "22:00-08:00") == NIGHT
    assert release_at(DAY, "normal", "22:00-08:00") == DAY
    early = datetime(2026, 11, 22, 21, 0, tzinfo=UTC)  # 05:00 Shanghai
    assert release_at(early, "normal", "22:00-08:00") == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    assert release_at(NIGHT, "normal", "") == NIGHT


def test_legal_notices_are_critical_whatever_the_emitter_says() -> None:
    for event in ("case.supplement_requested", "case.refused", "case.fee_due", "case.completed"):
        assert render(event, {"case_no": "1", "item_name": "x"}, "normal").priority == "critical"
    progress = render("case.accepted", {"case_no": "2026001", "item_name": "营业执照"})
    assert progress.priority == "normal" and "2026001" in progress.body
    assert render("case.accepted", {}, "critical").priority == "critical"  # may raise
    assert render("unknown.event", {}).title == "办件进度更新"
    paid = render("payment.paid", {"amount_fen": 12345})
    assert "123.45" in paid.body


def test_routing_order_sms_for_critical_only_and_mutes() -> None:
    c = Contacts(wechat="o1", alipay="a1", devices=["r1", "r2"], phone_enc="enc")
    assert [s["channel"] for s in plan(c, "critical")] == [
        "wechat_template", "wechat_subscribe", "alipay_subscribe", "app_push", "sms"]
    assert [s["channel"] for s in plan(c, "normal")][-1] == "app_push"
    assert plan(c, "normal")[3]["recipient"] == "r1,r2"
    c.disabled = {"sms", "app_push"}
    assert [s["channel"] for s in plan(c, "critical")][-1] == "sms"  # kept for legal notices
    c.mute_normal = c.mute_bulk = True
    assert muted(c, "normal") and muted(c, "bulk") and not muted(c, "critical")


def test_raw_codes_map_to_honest_states() -> None:
    def perm(code: str) -> SendResult:
        return SendResult(DeliveryOutcome.PERMANENT, raw_code=code)

    sent = SendResult(DeliveryOutcome.SENT, platform_message_id="1")
    assert final_state("wechat_template", sent) is DeliveryState.accepted  # receipt to come
    assert final_state("app_push", sent) is DeliveryState.sent
    assert final_state("wechat_template", perm("43004")) is DeliveryState.opted_out
    assert final_state("wechat_subscribe", perm("43101")) is DeliveryState.out_of_consent
    assert final_state("alipay_subscribe", perm("no_consent")) is DeliveryState.out_of_consent
    assert final_state("wechat_template", perm("40003")) is DeliveryState.failed


def test_backoff_grows_with_jitter_and_a_cap() -> None:
    now = DAY
    for attempts, low, high in ((1, 1, 2), (2, 2, 4), (3, 4, 8), (20, 300, 600)):
        for _ in range(20):
            delay = backoff(attempts, base=2, cap=600, now=now) - now
            assert timedelta(seconds=low) <= delay <= timedelta(seconds=high)


@pytest.mark.services  # runs the command line in a process
def test_worker_command_is_registered() -> None:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "app", "worker", "--help"], capture_output=True,
                         text=True, timeout=60, check=False)
    assert out.returncode == 0 and "push dispatchers" in out.stdout


def test_every_event_the_app_emits_has_its_words() -> None:
    """Each event type emitted anywhere reaches its audience in its own words: a citizen
    template, a staff alert (a missing one fell back to "办件进度更新" or reached nobody), or an
    outbound job to a government system (``app.reactions.EVENT_JOBS``)."""
    import re
    from pathlib import Path

    from app.reactions import EVENT_JOBS
    from models.cases import CaseStatus
    from push import staff_alerts
    from push.templates import TEMPLATES

    root = Path(__file__).resolve().parents[2]
    emitted: set[str] = set()
    for path in [*root.glob("app/**/*.py"), *root.glob("push/**/*.py")]:
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"(?:(?:emit|_tell_staff)\(\s*f?|\bevent=)"
                                r"\"([a-z_]+\.[a-z_{}.]+)\"", text):
            emitted.add(call.group(1))
    emitted.discard("case.{to.value}")
    emitted |= {f"case.{s.value}" for s in CaseStatus if s is not CaseStatus.draft}
    emitted.discard("case.clock_{view.colour}")
    emitted |= {"case.clock_yellow", "case.clock_red"}
    # the 整改 and ticket clocks (``app.deadlines.alert_once``)
    emitted |= {f"{p}.clock_{c}" for p in ("rectification", "ticket") for c in ("yellow", "red")}
    assert len(emitted) > 30 and "rating.rated" in emitted
    unworded = sorted(e for e in emitted if e not in TEMPLATES
                      and e not in staff_alerts.TEMPLATES and e not in EVENT_JOBS)
    assert unworded == []

