"""bench/sentiment.py's command line: one JSON object per run, the figures per file."""

from __future__ import annotations

import json

from bench.sentiment import main, read_csv


def test_json_output_gives_n_accuracy_and_median_per_file(tmp_path, capsys):
    clear = tmp_path / "clear.json"
    clear.write_text(json.dumps([{"text": "质量很好，非常满意", "label": 1}, {"text": "太差了，很失望", "label": 0},
                                 {"text": "Great product, I love it", "label": 1},
                                 {"text": "Terrible, it broke after a day", "label": 0}]), encoding="utf-8")
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps([{"text": "Sehr gut und schnell", "label": 1}]), encoding="utf-8")
    assert main([str(clear), str(foreign), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert set(figures) == {str(clear), str(foreign)}
    assert set(figures[str(clear)]) == {"n", "accuracy", "median_us"}
    assert figures[str(clear)]["n"] == 4 and figures[str(clear)]["accuracy"] == 1.0
    assert figures[str(foreign)]["accuracy"] == 0.0  # unsupported counts as wrong, never a guess
    assert figures[str(clear)]["median_us"] > 0


def test_the_evaluation_csv_is_converted_in_memory_and_empty_reviews_are_skipped(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text('label,review\n1,"很好,很快"\n0,\n0,太差\n', encoding="utf-8")
    assert read_csv(path) == [("很好,很快", 1), ("太差", 0)]
