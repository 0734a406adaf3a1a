"""Automatic answers on the labelled set bench/data/routine_questions.jsonl (zh and en; routine
questions, with the intent that answers them, and non-routine ones, labelled "handoff", each asked
against a named ticket state): automatic-answer rate, wrong-answer rate, hand-off rate per language,
and the matcher's time per message and cold start.

Each question is asked of the real AutomaticAnswers over tickets in that state (tests/support/answers.py:
the real tickets service, the refund, parcel and SLA store fakes, the sample knowledge base).
- automatic: answered with the expected intent, in the customer's language;
- wrong: answered, but not with the expected intent (or not in the customer's language), or answered
  where a person should have (expected "handoff");
- hand-off: given to an agent (for a routine question that is a missed automation, not an error).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from bench.report import Section

DATA = Path(__file__).resolve().parent / "data" / "routine_questions.jsonl"


def load() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(rows: list[dict]) -> dict[str, dict[str, float]]:
    from aftersales.tickets.model import Role
    from tests.support.answers import AnswersRig
    from tests.support.ticket_factories import actor
    from tests.support.tracking import TENANT

    system = actor(Role.SYSTEM)
    rigs: dict[tuple[str, str], tuple[AnswersRig, object]] = {}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    wrong_examples: list[str] = []
    for row in rows:
        key = (row["state"], row["locale"])
        if key not in rigs:
            rig = AnswersRig(locale=row["locale"])
            rig.sample_knowledge()
            ticket = rig.tickets.get(TENANT, rig.state(row["state"]), system)
            rigs[key] = (rig, ticket)
        rig, ticket = rigs[key]
        expected = row["expected"]
        if expected.startswith("kb:"):
            expected = "kb:" + rig.kb_ids[expected.removeprefix("kb:")]
        decision = rig.answers.decide(TENANT, ticket, row["text"])
        routine = expected != "handoff"
        for group in (row["locale"], "all"):
            c = counts[group]
            c["routine" if routine else "non_routine"] += 1
            if not decision.answered:
                c["handoff"] += 1
                c["handoff_routine" if routine else "handoff_non_routine"] += 1
            elif routine and decision.intent == expected and decision.locale == row["locale"]:
                c["right"] += 1
            else:
                c["wrong"] += 1
        if decision.answered and not (routine and decision.intent == expected):
            wrong_examples.append(f"{row['text']!r} ({row['state']}): {decision.intent} {decision.confidence}")
    figures: dict[str, dict[str, float]] = {}
    for group, c in counts.items():
        answered = c["right"] + c["wrong"]
        total = c["routine"] + c["non_routine"]
        figures[group] = {"n": total, "routine": c["routine"], "non_routine": c["non_routine"],
                          "automatic_rate": c["right"] / c["routine"] if c["routine"] else 0.0,
                          "wrong_rate": c["wrong"] / answered if answered else 0.0,
                          "wrong_of_all": c["wrong"] / total if total else 0.0,
                          "handoff_rate": c["handoff"] / total if total else 0.0,
                          "non_routine_handed_off": (c["handoff_non_routine"] / c["non_routine"]
                                                     if c["non_routine"] else 0.0)}
    figures["_wrong"] = {e: 0.0 for e in wrong_examples}
    return figures


COLD = ("import time; t = time.perf_counter(); from aftersales.answers.intents import builtin_phrasings; "
        "from aftersales.answers.matching import Matcher; i = time.perf_counter(); Matcher(builtin_phrasings()); "
        "print((i - t) * 1000, (time.perf_counter() - i) * 1000)")


def cold_start() -> tuple[float, float]:
    """A fresh interpreter's import of the matcher (with what it imports) and its first index build, ms."""
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": f"{root / 'shared'}:{root}"}).stdout.split()
    return float(out[0]), float(out[1])


def timings(rows: list[dict]) -> dict[str, float]:
    from aftersales.answers.intents import builtin_phrasings
    from aftersales.answers.matching import Matcher
    from tests.support.answers import SAMPLE_KB

    imported = time.perf_counter()
    phrasings = builtin_phrasings() + [(f"kb:{n}", q) for n, (qs, _) in SAMPLE_KB.items() for q in qs]
    matcher = Matcher(phrasings)
    built = time.perf_counter()
    big = Matcher(phrasings + [(f"kb:x{i}", f"{q} {i}") for i in range(40) for _, q in phrasings[:50]])
    built_big = time.perf_counter()
    samples, samples_big = [], []
    for _ in range(5):
        for row in rows:
            t0 = time.perf_counter()
            matcher.match(row["text"])
            samples.append((time.perf_counter() - t0) * 1e6)
            t0 = time.perf_counter()
            big.match(row["text"])
            samples_big.append((time.perf_counter() - t0) * 1e6)
    import_ms, first_build_ms = cold_start()
    return {"import_ms": import_ms, "first_build_ms": first_build_ms, "build_ms": (built - imported) * 1000,
            "phrasings": len(matcher), "big_phrasings": len(big), "build_big_ms": (built_big - built) * 1000,
            "median_us": statistics.median(samples), "p99_us": statistics.quantiles(samples, n=100)[98],
            "median_big_us": statistics.median(samples_big),
            "p99_big_us": statistics.quantiles(samples_big, n=100)[98]}


def run() -> list[Section]:
    rows = load()
    figures = evaluate(rows)
    wrong = list(figures.pop("_wrong"))
    rates = Section("Automatic answers on the labelled set (bench/data/routine_questions.jsonl)",
                    ["language", "questions", "routine", "non-routine", "automatic (of routine)",
                     "wrong (of answered)", "wrong (of all)", "hand-off (of all)", "non-routine handed off"])
    for group in ("zh-Hans", "en", "all"):
        f = figures[group]
        rates.rows.append([group, int(f["n"]), int(f["routine"]), int(f["non_routine"]),
                           f"{f['automatic_rate']:.1%}", f"{f['wrong_rate']:.1%}", f"{f['wrong_of_all']:.1%}",
                           f"{f['handoff_rate']:.1%}", f"{f['non_routine_handed_off']:.1%}"])
    rates.notes.append("Wrong answers: " + ("; ".join(wrong) if wrong else "none"))
    t = timings(rows)
    speed = Section("Matching time per message (TF-IDF over character n-grams, pure Python)",
                    ["index", "phrasings", "build ms", "median µs", "p99 µs"])
    speed.rows.append(["built-in intents + sample KB", int(t["phrasings"]), t["build_ms"], t["median_us"],
                       t["p99_us"]])
    speed.rows.append(["+ 2,000 more KB phrasings", int(t["big_phrasings"]), t["build_big_ms"],
                       t["median_big_us"], t["p99_big_us"]])
    speed.notes.append(f"Cold start in a fresh interpreter: import of the matcher and its phrasings "
                       f"{t['import_ms']:.1f} ms, first index build {t['first_build_ms']:.1f} ms (no data file, "
                       "no dependency).")
    return [rates, speed]


if __name__ == "__main__":
    for section in run():
        print(section.render())
