"""How well the listener hears natural trainee lines: recall, false positives and time.

The lines are in tests/data/understanding/*.yaml, written as different trainees talk and
labelled with what a person would hear (`hears`) and what a keyword matcher might wrongly
hear (`not`). How honest each split's figure is:
- *-dev.yaml: written first and used to tune the vocabularies;
- *-heldout.yaml: written beside dev by someone who saw neither the matcher nor dev; measured
  untouched once, then its misses were read too;
- *-fresh.yaml … *-fresh4.yaml: written one round at a time, each after the vocabularies were
  tuned on the rounds before, measured untouched once, then tuned on too.
Every line has now been tuned on; docs/benchmarks.md keeps each round's first, untouched
figure, which is the honest one.

- recall: of the (line, label) pairs in `hears`, the share the listener heard;
- false_positive_rate: of the (line, label) pairs in `not`, the share it heard anyway;
- extra_label_rate: of all labels it heard, the share nobody wrote in `hears` (no target);
- listener_ms_p50 / _p95: one line, heard for the first time (no cache), per persona;
- vocabulary_load_s: reading both vocabularies once (done at start-up, not per turn).

Usage: python bench/understanding.py [--misses] [--split dev|heldout]
Prints progress and misses on stderr, one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from _common import REPO, emit, log, percentile  # noqa: E402  (puts the repo on sys.path)

from simulator.listener import Listener  # noqa: E402
from simulator.listener.meaning import vocabulary  # noqa: E402
from simulator.loader import load_persona  # noqa: E402

DATA = REPO / "tests" / "data" / "understanding"


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    persona: str
    text: str
    hears: list[str] = Field(default_factory=list)
    not_: list[str] = Field(default_factory=list, alias="not")


def load_items(split: str | None = None) -> list[tuple[str, Item]]:
    out = []
    for path in sorted(DATA.glob("*.yaml")):
        if split and not path.stem.endswith(split):
            continue
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            out.append((path.stem, Item.model_validate(raw)))
    return out


def score(items: list[tuple[str, Item]], show_misses: bool = False) -> dict:
    personas = {}
    hits = total = fp = neg = extra = heard_n = 0
    per_label: dict[str, Counter] = defaultdict(Counter)
    per_file: dict[str, Counter] = defaultdict(Counter)
    times: list[float] = []
    for source, item in items:
        if item.persona not in personas:
            personas[item.persona] = load_persona(REPO / "personas" / f"{item.persona}.yaml")
        listener = Listener(personas[item.persona])   # fresh: nothing cached
        t0 = time.perf_counter()
        heard = set(listener.hear(item.text).labels())
        times.append(time.perf_counter() - t0)
        for label in item.hears:
            total += 1
            per_file[source]["pos"] += 1
            per_label[label]["pos"] += 1
            if label in heard:
                hits += 1
                per_file[source]["hit"] += 1
                per_label[label]["hit"] += 1
            elif show_misses:
                log(f"MISS {label:24} [{item.persona}] {item.text}")
        for label in item.not_:
            neg += 1
            per_file[source]["neg"] += 1
            per_label[label]["neg"] += 1
            if label in heard:
                fp += 1
                per_file[source]["fp"] += 1
                per_label[label]["fp"] += 1
                if show_misses:
                    log(f"FALSE {label:23} [{item.persona}] {item.text}")
        wrong = heard - set(item.hears) - set(item.not_)
        heard_n += len(heard)
        extra += len(wrong)
        if show_misses and wrong:
            log(f"EXTRA {','.join(sorted(wrong)):23} [{item.persona}] {item.text}")

    def rate(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    return {
        "lines": len(items),
        "positive_lines": sum(1 for _, i in items if i.hears),
        "negative_lines": sum(1 for _, i in items if not i.hears and i.not_),
        "personas": len(personas),
        "languages": sorted({p.language for p in personas.values()}),
        "recall": rate(hits, total),
        "false_positive_rate": rate(fp, neg),
        "extra_label_rate": rate(extra, heard_n),
        "label_pairs": total, "negative_pairs": neg,
        "by_file": {f: {"recall": rate(c["hit"], c["pos"]), "false_positive_rate": rate(c["fp"], c["neg"])}
                    for f, c in sorted(per_file.items())},
        "by_label": {k: {"recall": rate(c["hit"], c["pos"]), "fp": rate(c["fp"], c["neg"]), "n": c["pos"]}
                     for k, c in sorted(per_label.items())},
        "listener_ms_p50": round(percentile(times, 50) * 1000, 2),
        "listener_ms_p95": round(percentile(times, 95) * 1000, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--misses", action="store_true", help="print every miss and false positive")
    ap.add_argument("--split", choices=["dev", "heldout", "fresh", "fresh2", "fresh3", "fresh4"], default=None)
    args = ap.parse_args()
    t0 = time.perf_counter()
    vocabulary("en"), vocabulary("ro")
    load_s = time.perf_counter() - t0
    items = load_items(args.split)
    log(f"{len(items)} lines from {DATA.relative_to(REPO)}")
    figures = score(items, args.misses)
    emit("understanding", vocabulary_load_s=round(load_s, 3), **figures)


if __name__ == "__main__":
    main()
