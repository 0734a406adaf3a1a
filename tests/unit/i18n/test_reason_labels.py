"""Every return reason and every risk reason code the scorer can give has a workbench label in en
and zh-Hans (the ticket page and the dashboard show labels, not codes)."""

from __future__ import annotations

from typing import get_args

from aftersales.refunds.refundable import ReturnReason
from aftersales.risk.scoring import CountMetric
from aftersales.risk.signals import Dimension
from tools.workbench_messages import catalog

PROFILE_CODES = ("new_account", "high_return_rate", "valued_customer")


def _risk_codes() -> list[str]:
    metrics = [*get_args(CountMetric), "refunded"]  # count rules, and the amount rules' refunded sum
    return [f"{d.value}_{m}" for d in Dimension for m in metrics] + list(PROFILE_CODES)


def test_every_return_and_risk_reason_has_a_label_in_both_workbench_languages():
    en, zh = catalog("en"), catalog("zh-Hans")
    ids = [f"workbench.return_reason.{r.value}" for r in ReturnReason]
    ids += [f"workbench.risk_reason.{code}" for code in _risk_codes()]
    missing = [i for i in ids if i not in en or en[i] == i or zh.get(i, i) == i or zh[i] == en[i]]
    assert not missing, missing
    assert zh["workbench.return_reason.quality"] == "质量问题"
