"""Scoring a call against a rubric: rule checks, a grounded judge, manipulation resistance,
coaching, totals, and readiness for live calls."""

from .judge import parse_verdict, transcript_block, verdict_schema, verify_quotes
from .manipulation import scan_manipulation
from .model import CriterionScore, Evidence, Metrics, Readiness, Scorecard
from .readiness import ReadinessPolicy, assess_readiness
from .rules import NA_CONDITIONS, known_checks, rubric_problems
from .score import ScoreUpdate, ScoringRun, score_progressive, score_transcript

__all__ = [
    "CriterionScore", "Evidence", "Metrics", "NA_CONDITIONS", "Readiness", "ReadinessPolicy", "Scorecard",
    "assess_readiness", "known_checks", "parse_verdict", "rubric_problems", "scan_manipulation",
    "ScoreUpdate", "ScoringRun", "score_progressive", "score_transcript", "transcript_block", "verdict_schema",
    "verify_quotes",
]
