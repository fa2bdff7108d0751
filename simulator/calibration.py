"""Calibration: supervisors re-score criteria of calls, and the automatic scorer's agreement with
them is a published figure, per criterion.

Pure functions over plain rows (the store's `review_pairs`, a score JSON), so the service, the
dashboard, the CLI export and tests share them. A level is an int, or "na" where the criterion
did not apply (a supervisor may say so too).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

Level = int | str  # an int level, or "na"


def _level(score: Any, applicable: Any = True) -> Level:
    return "na" if score is None or not applicable else int(score)


def cohen_kappa(a: list[Level], b: list[Level]) -> float | None:
    """Cohen's kappa of two raters' labels on the same items (unweighted). None when there is
    nothing to compare or chance agreement is already total (every label the same)."""
    n = len(a)
    if n == 0 or n != len(b):
        return None
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb.get(k, 0) for k in ca) / (n * n)
    if expected >= 1.0:
        return None
    return round((observed - expected) / (1 - expected), 3)


def agreement(pairs: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per criterion: n, exact (share of the same level), within_one (same level, or one level
    apart; "na" only agrees with "na") and Cohen's kappa. A pair is a row with criterion_id,
    auto_score and score (the supervisor's; None = not applicable), as `Store.review_pairs` gives."""
    by: dict[str, tuple[list[Level], list[Level]]] = defaultdict(lambda: ([], []))
    for p in pairs:
        auto, sup = by[p["criterion_id"]]
        auto.append(_level(p.get("auto_score")))
        sup.append(_level(p.get("score"), p.get("applicable", True)))
    out = {}
    for cid, (auto, sup) in sorted(by.items()):
        n = len(auto)
        exact = sum(x == y for x, y in zip(auto, sup))
        near = sum(x == y or (isinstance(x, int) and isinstance(y, int) and abs(x - y) <= 1) for x, y in zip(auto, sup))
        out[cid] = {"criterion": cid, "n": n, "exact": round(exact / n, 3), "within_one": round(near / n, 3),
                    "kappa": cohen_kappa(auto, sup)}
    return out


def with_reviews(score: Mapping[str, Any], reviews: Mapping[str, Mapping[str, Any]],
                 weights: Mapping[str, float] | None = None) -> dict[str, Any]:
    """The score JSON with each reviewed criterion's supervisor score beside the automatic one
    (`supervisor`: score, note, by, at) and, when weights are known, `supervisor_total`: the total
    with the supervisor's levels in place of the automatic ones. The automatic fields are kept."""
    out = dict(score)
    criteria = []
    for c in score.get("criteria", []):
        c = dict(c)
        r = reviews.get(c.get("id"))
        if r is not None:
            c["supervisor"] = {"score": r["score"] if r.get("applicable", True) else None, "note": r["note"],
                               "by": r["by"], "at": r["created_at"]}
        criteria.append(c)
    out["criteria"] = criteria
    if reviews and weights:
        num = den = 0.0
        for c in criteria:
            sup = c.get("supervisor")
            level, applicable = (sup["score"], sup["score"] is not None) if sup else (c.get("score"), c.get("applicable"))
            if applicable and level is not None and c.get("max"):
                w = float(weights.get(c["id"], 1.0))
                num += w * level / c["max"]
                den += w
        out["supervisor_total"] = round(100 * num / den, 1) if den else None
    return out
