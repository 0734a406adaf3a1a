"""Why a review is negative: our own curated zh/en phrase lexicon, matched in one pass.

Phrases are matched on the normalised text (NFKC + lower, curly apostrophes straightened) with one
Aho-Corasick automaton (pyahocorasick), built once per container. Latin phrases match whole words
only. A phrase right after a negation ("没有破损", "not broken", "no damage") is not a cause.
Evidence spans point into the original text.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from aftersales.sentiment.model import Cause, Evidence
from aftersales.sentiment.text import normalise

LEXICON_VERSION = 1

PHRASES: dict[str, tuple[str, ...]] = {
    "quality": (
        "质量差", "质量太差", "质量不好", "质量很差", "质量一般", "质量有问题", "做工差", "做工粗糙",
        "做工一般", "粗糙", "劣质", "次品", "残次品", "瑕疵", "掉色", "褪色", "起球", "开线", "脱线", "脱胶",
        "毛边", "生锈", "变形", "坏了", "坏掉", "用坏", "破了", "断了", "裂了", "裂开", "不耐用", "没用几天",
        "用了几天就", "故障", "失灵", "不能用", "没法用", "用不了", "不好用", "容易坏", "漏水", "漏气", "异味",
        "味道大", "刺鼻", "不结实", "不牢固", "松动", "卡顿", "死机", "不灵敏", "没反应", "充不进电", "不充电",
        "poor quality", "bad quality", "low quality", "cheap quality", "cheaply made", "flimsy", "broke",
        "broken", "breaks", "stopped working", "quit working", "doesn't work", "does not work", "didn't work",
        "did not work", "not working", "won't turn on", "defective", "faulty", "fell apart", "falls apart",
        "ripped", "torn", "peeling", "cracked", "leaks", "leaking", "leaked", "malfunction", "malfunctioned",
        "dead on arrival", "junk", "garbage", "crap", "flaw", "flawed", "scratched", "poorly made", "smells",
        "chemical smell", "unreliable", "died",
    ),
    "size_fit": (
        "尺码", "码数", "号码偏", "偏大", "偏小", "太大了", "太小了", "大了一码", "小了一码", "不合身",
        "尺寸不对", "尺寸不符", "尺寸偏", "太紧", "太松", "太长了", "太短了", "穿不上", "穿不进", "挤脚",
        "磨脚", "勒",
        "too small", "too big", "too large", "too tight", "too loose", "too long", "too short", "runs small",
        "runs large", "runs big", "doesn't fit", "does not fit", "didn't fit", "did not fit", "wrong size",
        "poor fit", "fits poorly", "not fit",
    ),
    "description_mismatch": (
        "与描述不符", "和描述不符", "描述不符", "跟描述不一样", "和描述不一样", "与图片不符", "和图片不符",
        "图片不符", "和图片不一样", "跟图片不一样", "和图片差", "跟图片差", "色差", "颜色不一样", "颜色不对",
        "实物与图片", "货不对板", "与宣传不符", "虚假宣传", "和介绍不一样", "和照片不一样", "名不副实",
        "图文不符", "买家秀",
        "not as described", "not as pictured", "not as advertised", "doesn't match the description",
        "different from the picture", "different from the photo", "looks nothing like", "misleading",
        "false advertising", "color is different", "colour is different", "not the same as the picture",
        "description is wrong", "not what was advertised",
    ),
    "logistics": (
        "物流慢", "物流太慢", "物流很慢", "物流差", "物流太差", "发货慢", "发货太慢", "发货很慢", "迟迟不发货",
        "快递慢", "快递太慢", "快递很慢", "快递差", "送货慢", "送货太慢", "配送慢", "送得慢", "送的慢",
        "太慢了", "等了好久", "等了很久", "等了半天", "等了一个", "才到", "还没到", "还没收到", "没收到",
        "未收到", "丢件", "快递丢", "延迟", "超时", "送餐慢", "迟到", "晚到", "派送",
        "late delivery", "delivered late", "arrived late", "took forever", "took weeks", "took a month",
        "slow shipping", "slow delivery", "shipping was slow", "never arrived", "never received",
        "didn't arrive", "did not arrive", "hasn't arrived", "lost in transit", "lost in the mail",
        "still waiting", "delayed", "delay", "late",
    ),
    "packaging": (
        "包装差", "包装太差", "包装不好", "包装很差", "包装破", "包装破损", "包装简陋", "包装烂", "外包装破",
        "盒子破", "盒子坏", "盒子烂", "压坏", "压扁", "挤压", "漏了", "洒了", "撒了", "没有包装", "包装漏",
        "破损",
        "poor packaging", "bad packaging", "damaged box", "box was damaged", "box was crushed", "crushed",
        "badly packaged", "poorly packaged", "packaging was damaged", "arrived damaged", "dented", "spilled",
        "no packaging", "packaging was poor",
    ),
    "service": (
        "客服", "态度差", "态度不好", "态度恶劣", "态度很差", "服务差", "服务太差", "服务不好", "服务态度",
        "不理人", "不回复", "没人回复", "没人理", "推卸", "敷衍", "售后差", "售后", "不给退", "不给换",
        "不退款", "拒绝退", "商家不", "卖家不", "骗人", "骗子",
        "customer service", "customer support", "seller never", "seller didn't", "seller did not",
        "no response", "never responded", "never replied", "rude", "unhelpful", "refused to refund",
        "refused a refund", "won't refund", "no refund", "return policy", "ignored my", "ignored me", "scam",
        "scammer",
    ),
    "price": (
        "太贵", "价格贵", "价格高", "价格偏高", "不值", "不值这个价", "性价比低", "性价比不高", "性价比差",
        "降价", "买贵了", "贵了", "价格虚高", "坑钱", "浪费钱", "白花钱", "不划算",
        "overpriced", "too expensive", "not worth the price", "not worth the money", "not worth it",
        "waste of money", "rip off", "ripoff", "rip-off", "price dropped", "cheaper elsewhere", "pricey",
        "expensive for what",
    ),
    "authenticity": (
        "假货", "假的", "仿冒", "山寨", "高仿", "不是正品", "非正品", "假冒", "盗版", "翻新", "二手", "用过的",
        "不是原装", "非原装",
        "fake", "counterfeit", "knock off", "knockoff", "knock-off", "not genuine", "not authentic",
        "not original", "replica", "used item", "refurbished", "pirated", "bootleg",
    ),
    "missing_or_wrong_item": (
        "少发", "漏发", "缺件", "少件", "少了一", "发错", "送错", "配件不全", "少配件", "不是我买的",
        "不是我要的",
        "missing parts", "missing pieces", "missing part", "wrong item", "sent the wrong", "received the wrong",
        "wrong color", "wrong colour", "not included", "incomplete", "missing",
    ),
}
CAUSES = tuple(PHRASES)

_ZH_NEGATIONS = ("没有", "没", "不是", "不", "无", "未", "非", "并不", "毫无")
_EN_NEGATIONS = frozenset({"not", "no", "never", "without", "nothing", "none", "isnt", "wasnt", "arent", "werent",
                           "dont", "doesnt", "didnt", "hasnt", "havent", "wont", "cant", "couldnt"})


def tag_causes(text: str) -> tuple[Cause, ...]:
    """The causes whose phrases occur in `text` (zh or en), in CAUSES order, each with its evidence."""
    folded, offsets = normalise(text)
    folded = folded.replace("\u2019", "'")
    found: dict[str, list[tuple[int, int]]] = {}
    for end, entries in _automaton().iter(folded):
        for cause, length, latin in entries:
            start = end - length + 1
            if latin and not _whole_words(folded, start, end + 1):
                continue
            if _negated(folded, start, latin):
                continue
            found.setdefault(cause, []).append((start, end + 1))
    causes = []
    for cause in CAUSES:
        if cause in found:
            evidence = tuple(_evidence(text, offsets, span) for span in _merged(found[cause]))
            causes.append(Cause(cause, evidence))
    return tuple(causes)


@cache
def _automaton():
    import ahocorasick

    automaton = ahocorasick.Automaton()
    entries: dict[str, list[tuple[str, int, bool]]] = {}
    for cause, phrases in PHRASES.items():
        for phrase in phrases:
            for variant in _variants(normalise(phrase)[0]):
                entries.setdefault(variant, []).append((cause, len(variant), variant.isascii()))
    for key, value in entries.items():
        automaton.add_word(key, tuple(value))
    automaton.make_automaton()
    return automaton


def _variants(phrase: str) -> Iterable[str]:
    yield phrase
    if "'" in phrase:
        yield phrase.replace("'", "")


def _whole_words(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def _negated(text: str, start: int, latin: bool) -> bool:
    if not latin:
        window = text[max(0, start - 2):start]
        return any(window.endswith(n) for n in _ZH_NEGATIONS)
    clause = text[max(0, start - 40):start]
    for mark in ".,;:!?":
        clause = clause.rpartition(mark)[2]
    return any(w in _EN_NEGATIONS for w in clause.replace("'", "").split()[-3:])


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans of one cause become one ("seller never" + "never responded")."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _evidence(text: str, offsets: list[int], span: tuple[int, int]) -> Evidence:
    start, end = offsets[span[0]], offsets[span[1] - 1] + 1
    return Evidence(start, end, text[start:end])
