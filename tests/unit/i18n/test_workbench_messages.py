"""The workbench's texts are exported from the API's own compiled catalogs, one JSON per locale."""

from __future__ import annotations

import json

from tools.workbench_messages import catalog, write


def test_each_locale_gets_the_same_ids_and_chinese_is_chinese(tmp_path):
    files = write(tmp_path)
    # the staff workbench stays en + zh-Hans, whatever the customer catalogs add
    assert sorted(f.name for f in files) == ["en.json", "zh-Hans.json"]
    en = json.loads((tmp_path / "en.json").read_text(encoding="utf-8"))
    zh = json.loads((tmp_path / "zh-Hans.json").read_text(encoding="utf-8"))
    assert set(en) == set(zh)
    assert en["workbench.nav.queue"] == "Queue" and zh["workbench.nav.queue"] == "工单队列"
    assert zh["status.pending_approval"] == "待审核" and zh["channel.wecom"] == "企业微信"


def test_only_what_the_app_shows_is_exported_and_every_entry_is_translated():
    zh = catalog("zh-Hans")
    assert all(k.startswith(("workbench.", "status.", "type.", "channel.", "role.", "event.",
                             "pack.refund_status.", "pack.dispute_status.", "pack.subject.", "pack.outcome."))
               for k in zh)
    assert not any(k.startswith(("error.", "pack.policy", "pack.section")) for k in zh)
    assert zh["pack.refund_status.failed"] == "失败" and zh["pack.subject.rejection"] == "申请被拒绝"
    untranslated = [k for k, text in zh.items() if text == k]
    assert not untranslated, untranslated
