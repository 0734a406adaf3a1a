"""Review text moderation: throughput of the whole text pipeline on one core, against the anchor (a
per-term substring loop over a 10,000-term lexicon), and near-duplicate lookup time as the stored
signatures grow from 10k to 1M (in-memory index: should stay flat, one key per band).

    .venv/bin/python -m bench.moderation [--quick]

The review texts are synthetic (seeded): zh and en sentences from phrase pools, with Traditional
characters, full-width letters, prohibited terms written with evasions and copied templates mixed in.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime

from bench.report import Section, p50_p99

SEED = 20261202
AT = datetime(2026, 12, 2, 8, tzinfo=UTC)

ZH_PRODUCTS = ("保温杯", "奶粉", "乳液", "椅子", "床垫", "耳机", "充电宝", "衣服", "鞋子", "台灯", "行李箱", "炒锅",
               "水壶", "枕头", "键盘", "鼠标", "背包", "雨伞", "手表", "吹风机", "电饭煲", "面膜", "洗发水",
               "牙刷", "玩具车")
ZH_ASPECTS = ("质量", "做工", "颜色", "尺寸", "味道", "包装", "声音", "手感", "续航", "材质", "款式", "做工细节",
              "性价比", "靠背", "物流", "客服", "说明书", "气味", "重量", "安装")
ZH_ADVERBS = ("很", "非常", "特别", "有点", "太", "超级", "比较", "还算", "不太", "一点都不")
ZH_JUDGEMENTS = ("好", "差", "一般", "漂亮", "结实", "轻", "重", "清楚", "满意", "失望", "舒服", "烂", "贵", "便宜",
                 "正", "精致", "粗糙", "快", "慢", "耐心", "敷衍", "合适", "小", "大")
ZH_DETAILS = ("用了{n}天", "第{n}次买了", "{n}块钱买的", "比之前那个{m}好", "给{n}岁的孩子买的", "等了{n}天才到",
              "和{m}一起买的", "{n}号下单的", "申请退货了", "下次还会买", "推荐购买", "差评", "给个好评", "已经回购")
TRADITIONAL = {"这": "這", "个": "個", "质": "質", "颜": "顏", "态": "態", "买": "買", "货": "貨", "说": "說"}
EN_PRODUCTS = ("water bottle", "lotion", "office chair", "mattress", "headset", "power bank", "jacket", "lamp",
               "suitcase", "kettle", "pillow", "keyboard", "backpack", "umbrella", "watch", "hair dryer", "rice cooker")
EN_ASPECTS = ("quality", "build", "colour", "size", "smell", "packaging", "sound", "battery", "fabric", "finish",
              "support", "delivery", "manual", "weight", "zip")
EN_JUDGEMENTS = ("is great", "is poor", "is fine", "feels solid", "feels cheap", "is smaller than the photos",
                 "sucks", "arrived scratched", "fits perfectly", "is lovely", "is terrible", "was slow", "was quick")
EN_DETAILS = ("used it for {n} days.", "paid {n} dollars.", "better than my old {m}.", "took {n} days to arrive.",
              "bought it with a {m}.", "my {n}th order here.", "returning it.", "would buy again.", "five stars.",
              "do not buy.", "support never answered.")
ABUSE = ("傻 逼", "他妈的", "草泥马", "f u c k", "ＳＨＩＴ", "fuuuck", "賤人", "s.h.i.t")


def _zh(rng: random.Random) -> str:
    product = rng.choice(ZH_PRODUCTS)
    clauses = [rng.choice(("这个", "这款", "买的", "")) + product + rng.choice(ZH_ASPECTS) + rng.choice(ZH_ADVERBS)
               + rng.choice(ZH_JUDGEMENTS)]
    for _ in range(rng.randint(1, 4)):
        clauses.append(rng.choice(ZH_ASPECTS) + rng.choice(ZH_ADVERBS) + rng.choice(ZH_JUDGEMENTS)
                       if rng.random() < 0.6 else
                       rng.choice(ZH_DETAILS).format(n=rng.randint(2, 99), m=rng.choice(ZH_PRODUCTS)))
    return "，".join(clauses) + rng.choice(("。", "！", "", "~"))


def _en(rng: random.Random) -> str:
    sentences = [f"{rng.choice(('The', 'This', 'My new', 'Our'))} {rng.choice(EN_PRODUCTS)} "
                 f"{rng.choice(EN_JUDGEMENTS)}."]
    for _ in range(rng.randint(1, 3)):
        sentences.append(f"The {rng.choice(EN_ASPECTS)} {rng.choice(EN_JUDGEMENTS)}." if rng.random() < 0.6 else
                         rng.choice(EN_DETAILS).format(n=rng.randint(2, 99), m=rng.choice(EN_PRODUCTS)).capitalize())
    return " ".join(sentences)


def synthetic_reviews(count: int, seed: int = SEED) -> list[str]:
    """Seeded reviews: 55 % zh (a tenth in Traditional characters), 45 % en (a twentieth full-width),
    5 % copies of an earlier review with a small edit, 5 % with a prohibited term written evasively."""
    rng = random.Random(seed)
    reviews: list[str] = []
    for _ in range(count):
        roll = rng.random()
        if reviews and roll < 0.05:
            base = rng.choice(reviews)
            reviews.append(base.replace("很", "超", 1).replace("The", "the", 1) + rng.choice(("！", "!!", "哦", " ")))
            continue
        if rng.random() < 0.55:
            text = _zh(rng)
            if rng.random() < 0.1:
                text = "".join(TRADITIONAL.get(c, c) for c in text)
        else:
            text = _en(rng)
            if rng.random() < 0.05:
                text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
        if roll > 0.95:
            cut = rng.randrange(len(text))
            text = text[:cut] + rng.choice(ABUSE) + text[cut:]
        reviews.append(text)
    return reviews


def ten_thousand_terms(seed: int = SEED) -> list[str]:
    """The shipped lists plus seeded made-up terms (2-4 rare characters or 5-9 letters) to 10,000."""
    from aftersales.moderation import defaults

    rng = random.Random(seed)
    terms = list(dict.fromkeys(defaults.listed_terms("en") + defaults.listed_terms("zh")))
    rare = "鼋鼍鳖鳏鳐鳕鳗鳘鳙鳚鳛鳜鳝鳟鳠鳡鳢鳣鹀鹁鹂鹃鹄鹅鹆鹇鹈鹉鹊鹋鹌鹍鹎鹏鹐鹑鹒鹓鹔鹕鹖鹗鹘鹚鹛鹜"
    seen = set(terms)
    while len(terms) < 10_000:
        if rng.random() < 0.5:
            term = "".join(rng.choice(rare) for _ in range(rng.randint(2, 4)))
        else:
            term = "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(rng.randint(5, 9)))
        if term not in seen:
            seen.add(term)
            terms.append(term)
    return terms


def _rate(function, texts: list[str]) -> tuple[float, float, float, float]:
    """Reviews per second over the texts (wall clock, and on this thread's CPU time: the second
    is what one core does when others' work shares the machine), per-review p50 / p99 in µs."""
    samples: list[float] = []
    gc.collect()
    started, cpu = time.perf_counter(), time.thread_time()
    for text in texts:
        t0 = time.perf_counter_ns()
        function(text)
        samples.append((time.perf_counter_ns() - t0) / 1000)
    elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
    p50, p99 = p50_p99(samples)
    return len(texts) / elapsed, len(texts) / cpu, p50, p99


def pipeline_section(count: int) -> Section:
    from aftersales.core.clock import FixedClock
    from aftersales.moderation.lexicon import Lexicon, Term, default_lexicon
    from aftersales.moderation.matcher import Matcher
    from aftersales.moderation.normalise import normalise
    from aftersales.moderation.service import ModerationService
    from aftersales.moderation.verdict import Signals
    from tests.support.fakes.moderation import InMemoryLexiconStore, InMemorySignatureIndex

    texts = synthetic_reviews(count)
    terms = ten_thousand_terms()
    lowered_terms = [t.lower() for t in terms]

    def anchor(text: str) -> list[str]:
        lowered = text.lower()
        return [t for t in lowered_terms if t in lowered]

    started = time.perf_counter()
    big = Matcher(Lexicon.model_construct(  # the document's caps (2,000 terms) skipped for the comparison
        tenant_id="bench", version=1, status="published", use_defaults=False, languages=frozenset({"zh", "en"}),
        terms=tuple(Term(text=t) for t in terms if t != "13."), allow=()))
    build_big = time.perf_counter() - started
    started = time.perf_counter()
    shipped = Matcher(default_lexicon("bench"))
    build_shipped = time.perf_counter() - started

    service = ModerationService(InMemoryLexiconStore(), InMemorySignatureIndex(), FixedClock(AT))
    signals = Signals(rating=4, sentiment=0.3, account_age_days=90)
    numbers = iter(range(10**9))
    statuses: list[str] = []

    def moderate(text: str) -> object:
        result = service.moderate("bench", f"r{next(numbers):09d}", text, signals)
        statuses.append(result.verdict.status.value)
        return result

    for text in texts[:200]:  # warm: OpenCC dictionaries, character caches, numpy
        moderate(text)
    service = ModerationService(InMemoryLexiconStore(), InMemorySignatureIndex(), FixedClock(AT))
    statuses.clear()

    rows = []
    anchor_rate = _rate(anchor, texts[: max(200, count // 5)])
    rows.append(["anchor: per-term substring loop, 10,000 terms", *anchor_rate, 1.0])
    for label, function in (
        ("normalise only", normalise),
        ("normalise + match, 10,000-term automaton", lambda t: big.find(normalise(t), t)),
        ("normalise + match, shipped lexicon", lambda t: shipped.find(normalise(t), t)),
        ("whole text pipeline (moderate: normalise, match, MinHash, LSH lookup + put, verdict)", moderate),
    ):
        rate = _rate(function, texts)
        rows.append([label, *rate, rate[1] / anchor_rate[1]])
    held = {status: statuses.count(status) for status in ("publish", "pending_review", "reject")}
    return Section(
        f"Moderation: review text pipeline on one core ({count:,} synthetic reviews)",
        ["stage", "reviews/s", "reviews/CPU-s", "p50 µs", "p99 µs", "× anchor (CPU)"], rows,
        notes=[f"Mean text length {statistics.mean(map(len, texts)):.0f} characters. Automaton builds: "
               f"10,000 terms {build_big * 1000:.0f} ms, shipped lexicon ({shipped.size} patterns) "
               f"{build_shipped * 1000:.0f} ms, once per container and lexicon version. "
               f"Targets: whole pipeline ≥ 5,000 reviews/s; the anchor was quoted at 1,500. "
               f"Load average when it ran {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (others' work slows "
               "every row alike). "
               f"Verdicts: {held} (about 5 % carry a term, 5 % are edited copies; near-duplicates of "
               "generic phrases count too)."])


def lookup_section(sizes: tuple[int, ...], queries: int) -> Section:
    import numpy as np

    from aftersales.moderation.duplicates import BANDS, NUM_PERM, MinHasher, Signature, closest
    from aftersales.moderation.normalise import normalise
    from tests.support.fakes.moderation import InMemorySignatureIndex

    hasher = MinHasher()
    texts = [t for t in synthetic_reviews(queries * 3, seed=SEED + 1) if len(normalise(t).text) >= 16][:queries]
    real = [hasher.signature(normalise(t).text) for t in texts]
    rows = []
    rng = np.random.default_rng(SEED)
    index = InMemorySignatureIndex()
    stored = 0
    for size in sizes:
        while stored < size:  # filler: random signatures (unique band keys, like unrelated texts)
            batch = min(100_000, size - stored)
            block = rng.integers(0, 2**32, size=(batch, NUM_PERM), dtype=np.uint32).astype("<u4")
            for row in block:
                index.put("bench", f"f{stored:08d}", Signature(row.tobytes()), AT)
                stored += 1
        for number, signature in enumerate(real[: queries // 2]):  # half the queries have a stored twin
            index.put("bench", f"t{size}-{number:06d}", signature, AT)
        samples: list[float] = []
        found = 0
        gc.collect()
        for number, signature in enumerate(real):
            t0 = time.perf_counter_ns()
            duplicate = closest(signature, index.candidates("bench", signature.bands), f"q{number}")
            samples.append((time.perf_counter_ns() - t0) / 1000)
            found += duplicate is not None
        p50, p99 = p50_p99(samples)
        rows.append([f"{size:,}", len(index), p50, p99, found])
    return Section(
        "Moderation: near-duplicate lookup vs stored signatures (in-memory index)",
        ["filler signatures", "stored", "p50 µs", "p99 µs", f"found of {len(real)}"], rows,
        notes=[f"A lookup reads one key per band ({BANDS}) and compares the candidates' signatures: its time should "
               f"not grow with the store. On DynamoDB the same lookup is {BANDS} Queries on exact keys."])


def run(quick: bool = False) -> list[Section]:
    count = 2_000 if quick else 20_000
    sizes = (10_000, 100_000) if quick else (10_000, 100_000, 1_000_000)
    return [pipeline_section(count), lookup_section(sizes, 400 if quick else 2_000)]


if __name__ == "__main__":
    for section in run(quick="--quick" in sys.argv[1:]):
        print(section.render())
