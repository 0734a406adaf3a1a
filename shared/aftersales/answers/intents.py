"""The built-in intents' phrasings in zh and en: questions a customer asks about their own ticket,
answered from its state (computed.py). Tenants add their own questions in the knowledge base.

The phrasings are written for the matcher (matching.py), not taken from the labelled set the bench
measures on (bench/data/routine_questions.jsonl), so the bench's figures are on unseen text."""

from __future__ import annotations

from aftersales.answers.model import REFUND_STATUS, RESHIPMENT_STATUS, RETURN_ARRIVAL, TICKET_STATUS

PHRASINGS: dict[str, tuple[str, ...]] = {
    REFUND_STATUS: (
        "where is my refund", "when will I get my refund", "when do I get my money back",
        "has my refund been processed", "refund status", "is the refund done", "did you send the refund",
        "I haven't received my refund", "how long does the refund take", "refund not received yet",
        "when will the money be back on my card", "any update on my refund",
        "我的退款到哪了", "退款什么时候到账", "钱什么时候退给我", "退款进度", "退款到账了吗", "退款还没收到",
        "什么时候退款", "钱退了吗", "退款多久到", "款退回来没有", "退款处理得怎么样了", "啥时候退钱",
        "退款成功了吗", "我的钱呢",
    ),
    RETURN_ARRIVAL: (
        "has my return arrived", "did you receive my return", "did you get the parcel I sent back",
        "has the returned item been received", "where is my return parcel", "return package status",
        "is my return delivered to your warehouse", "have you got my package back",
        "退货到了吗", "你们收到我退的货了吗", "退回去的快递到了没", "寄回的包裹签收了吗", "退货物流到哪了",
        "仓库收到退货没有", "退货包裹到哪了", "我寄回的东西收到了吗", "退的货签收了没",
    ),
    RESHIPMENT_STATUS: (
        "when will my replacement ship", "has the replacement been sent", "where is my replacement",
        "when do I get the new item", "exchange item shipped yet", "tracking number for my replacement",
        "when will you send the exchanged item",
        "换货什么时候发", "换的货发了吗", "新的什么时候寄出", "换货物流单号", "补发的货到哪了",
        "换货发货了没", "给我换的新货什么时候到", "重新发的快递单号是多少",
    ),
    TICKET_STATUS: (
        "what is the status of my request", "any update on my case", "what is happening with my ticket",
        "is my after-sales request approved", "status of my return request", "progress of my claim",
        "ticket status", "case status", "where are we with my request",
        "售后进度", "我的售后单怎么样了", "申请通过了吗", "售后处理到哪一步了", "审核通过没有",
        "我的工单进度", "处理结果出来了吗", "售后申请现在什么状态",
    ),
}


def builtin_phrasings() -> list[tuple[str, str]]:
    return [(intent, text) for intent, texts in PHRASINGS.items() for text in texts]
