"""bench/line_review.py: a reviewer's sheet of the customer's lines, and the rates from their labels."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CALL = {"persona": "irritable-outage", "policy": "good", "seed": 0, "turns": [
    {"role": "agent", "text": "Thank you for calling Brightline, my name is Ana."},
    {"role": "customer", "text": "My internet's down again.", "replaced": False},
    {"role": "agent", "text": "I'm sorry. Your account number, please?"},
    {"role": "customer", "text": "I'm here to help you with your account.", "replaced": False}]}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "bench" / "line_review.py"), *args], capture_output=True,
                          text=True, cwd=ROOT)


def test_the_sheet_numbers_each_customer_line_and_the_rates_count_the_reviewers_labels(tmp_path):
    calls = tmp_path / "calls.jsonl"
    calls.write_text(json.dumps(CALL) + "\n", encoding="utf-8")
    out = tmp_path / "review"
    assert run("sheet", str(calls), str(out)).returncode == 0
    sheet = (out / "sheet.txt").read_text(encoding="utf-8")
    assert "[L001] CUSTOMER: My internet's down again." in sheet and "[L002]" in sheet and "AGENT:" in sheet
    assert "labels.jsonl" in (out / "INSTRUCTIONS.md").read_text(encoding="utf-8")
    (out / "labels.jsonl").write_text('{"id": "L001", "label": "ok", "why": ""}\n', encoding="utf-8")
    missing = run("rates", str(out))
    assert missing.returncode != 0 and "labels.jsonl" in missing.stderr and "L002" in missing.stderr
    with (out / "labels.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"id": "L002", "label": "agent", "why": "helps the agent"}\n')
    figures = json.loads(run("rates", str(out)).stdout.strip().splitlines()[-1])
    assert figures["all"] == {"lines": 2, "ok_rate": 0.5, "agent_rate": 0.5, "repeat_rate": 0.0, "off_rate": 0.0}
