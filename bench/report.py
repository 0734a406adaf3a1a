"""Tiny table printer shared by the bench modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median, quantiles


@dataclass
class Section:
    title: str
    columns: list[str]
    rows: list[list[object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        cells = [self.columns] + [[_fmt(c) for c in row] for row in self.rows]
        widths = [max(len(str(r[i])) for r in cells) for i in range(len(self.columns))]
        lines = [f"\n## {self.title}", ""]
        lines.append("| " + " | ".join(str(c).ljust(w) for c, w in zip(self.columns, widths, strict=True)) + " |")
        lines.append("| " + " | ".join("-" * w for w in widths) + " |")
        for row in cells[1:]:
            lines.append("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        lines += [f"\n{n}" for n in self.notes]
        return "\n".join(lines)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return str(value)


def p50_p99(samples: list[float]) -> tuple[float, float]:
    if len(samples) < 2:
        return (samples[0], samples[0]) if samples else (0.0, 0.0)
    return median(samples), quantiles(samples, n=100, method="inclusive")[98]
