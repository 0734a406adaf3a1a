"""Dispute evidence pack figures: build time and ZIP size for a disputed return with 50 messages, 20
checkpoints and 10 photos (the real pack service and renderer, fpdf2 with the shipped CJK font, over
the in-memory fakes of the stores: no AWS time is in these figures), the first build in a process
(fpdf2 imported, the font parsed) and warm builds; the PDF and the photos' share of the ZIP; the
peak Python memory of one build."""

from __future__ import annotations

import statistics
import time
import tracemalloc

from bench.report import Section

MESSAGES, CHECKPOINTS, PHOTOS = 50, 20, 10
PHOTO_SIZE = (1024, 768)  # seeded noise: JPEG's worst case, about what a checked phone photo weighs
WARM = 5


def run() -> list[Section]:
    from aftersales.adapters.pdf_summary import FpdfSummaryRenderer
    from aftersales.disputes.evidence_pack import build
    from tests.support.evidence_pack import ARBITRATOR, TENANT, PackRig

    renderer = FpdfSummaryRenderer()
    rig = PackRig(renderer, locale="zh-Hans")
    dispute_id = rig.disputed_return(messages=MESSAGES, checkpoints=CHECKPOINTS, photos=PHOTOS,
                                     photo_size=PHOTO_SIZE)
    started = time.perf_counter()
    first = rig.packs.build(TENANT, dispute_id, ARBITRATOR)
    cold = time.perf_counter() - started

    warm, gather, render = [], [], []
    for _ in range(WARM):
        t0 = time.perf_counter()
        gathered = rig.packs.gather(TENANT, dispute_id, ARBITRATOR)
        t1 = time.perf_counter()
        pack = build(gathered, renderer)
        t2 = time.perf_counter()
        gather.append(t1 - t0)
        warm.append(t2 - t0)
        assert pack.content == first.content  # deterministic
    for _ in range(WARM):
        from aftersales.disputes.pack_summary import summary

        document = summary(gathered)
        t0 = time.perf_counter()
        renderer.render(document)
        render.append(time.perf_counter() - t0)

    tracemalloc.start()
    rig.packs.build(TENANT, dispute_id, ARBITRATOR)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    photos = sum(f.size for f in first.files if f.name.startswith("photos/"))
    rows = [
        ["first build in the process (fpdf2 import + font parse)", f"{cold * 1000:.0f} ms"],
        [f"warm build, median of {WARM}", f"{statistics.median(warm) * 1000:.0f} ms"],
        ["  of which gathering through the ports (fakes)", f"{statistics.median(gather) * 1000:.1f} ms"],
        ["  of which rendering summary.pdf", f"{statistics.median(render) * 1000:.0f} ms"],
        ["ZIP size", f"{len(first.content) / 1024:.0f} KiB"],
        ["  summary.pdf (font subset embedded)", f"{len(first.summary_pdf) / 1024:.0f} KiB"],
        [f"  {PHOTOS} photos ({PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} JPEG, stored)", f"{photos / 1024:.0f} KiB"],
        ["  everything else (JSON, text, manifest; deflated)",
         f"{(len(first.content) - photos - len(first.summary_pdf)) / 1024:.0f} KiB"],
        ["files in the ZIP", str(len(first.files) + 1)],
        ["peak Python memory of one build (tracemalloc)", f"{peak / 1024 / 1024:.0f} MiB"],
    ]
    return [Section(f"Dispute evidence pack: {MESSAGES} messages, {CHECKPOINTS} checkpoints, {PHOTOS} photos",
                    ["measure", "value"], rows,
                    notes=["One process on this machine (2 cores shared); in-memory stores, so AWS reads "
                           "(DynamoDB queries, S3 GETs of the photos) come on top on Lambda. The same inputs "
                           "gave the same ZIP bytes on every build."])]
