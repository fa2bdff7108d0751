"""The look of the app: one theme and one stylesheet, passed to launch() (gradio 6)."""

from __future__ import annotations

from typing import Any


def theme() -> Any:
    import gradio as gr  # only the app needs gradio; the rest of simulator.ui does not

    return gr.themes.Soft(primary_hue="indigo", secondary_hue="slate", neutral_hue="slate",
                          font=[gr.themes.GoogleFont("Inter"), "ui-sans-serif", "system-ui", "sans-serif"])


CSS = """
.rc-header { align-items: center; border-bottom: 1px solid var(--border-color-primary); padding-bottom: 6px; }
.rc-brand h2 { margin: 0; }
.rc-whoami { text-align: right; }
.rc-panel { background: var(--background-fill-secondary); border-radius: 12px; padding: 12px; }
.rc-timer { text-align: right; font-weight: 600; font-variant-numeric: tabular-nums; font-size: 1.1em; }
.rc-status { color: var(--body-text-color-subdued); }
.rc-warning { border-left: 4px solid #d97706; background: rgba(217, 119, 6, .08); padding: 8px 12px;
  border-radius: 6px; margin: 6px 0; }
.rc-empty { padding: 18px; text-align: center; color: var(--body-text-color-subdued);
            border: 1px dashed var(--border-color-primary); border-radius: 10px; }
.rc-persona { border-left: 4px solid var(--color-accent); padding: 6px 10px; margin: 4px 0;
              background: var(--background-fill-primary); border-radius: 6px; }
.rc-persona-name { font-weight: 600; }
.rc-persona-co { font-size: .9em; color: var(--body-text-color-subdued); }
.rc-persona-sit { font-size: .92em; margin-top: 4px; }
.rc-chip { display: inline-block; font-size: .75em; padding: 1px 8px; margin-left: 4px; border-radius: 999px;
           background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary); }
.rc-scorecard { display: flex; flex-direction: column; gap: 10px; }
.rc-score { display: flex; align-items: baseline; gap: 16px; padding: 14px 18px; border-radius: 12px; flex-wrap: wrap; }
.rc-pass { background: #e8f7ee; border: 1px solid #7bc89a; }
.rc-fail { background: #fdf0ec; border: 1px solid #e8a08a; }
.dark .rc-pass { background: #16301f; } .dark .rc-fail { background: #3a1f17; }
.rc-total { font-size: 2.6em; font-weight: 700; line-height: 1; }
.rc-total small { font-size: .4em; font-weight: 400; color: var(--body-text-color-subdued); }
.rc-verdict { font-size: 1.25em; font-weight: 600; }
.rc-metrics { color: var(--body-text-color-subdued); font-size: .9em; }
.rc-fatal { padding: 8px 12px; border-radius: 8px; background: #fde2e2; color: #8a1c1c; font-weight: 600; }
.rc-crit { padding: 10px 14px; border-radius: 10px; border: 1px solid var(--border-color-primary);
           background: var(--background-fill-primary); }
.rc-crit-head { display: flex; gap: 8px; align-items: center; }
.rc-crit-title { font-weight: 600; flex: 1; }
.rc-crit-score { font-variant-numeric: tabular-nums; font-weight: 600; }
.rc-bar { height: 6px; border-radius: 3px; background: var(--background-fill-secondary); margin: 6px 0; overflow: hidden; }
.rc-bar > div { height: 100%; background: #9aa5b1; }
.rc-good .rc-bar > div { background: #2f9e5b; } .rc-mid .rc-bar > div { background: #e0a526; }
.rc-low .rc-bar > div { background: #d9534f; }
.rc-tag { font-size: .75em; padding: 1px 8px; border-radius: 999px; background: #fff3cd; color: #7a5b00; }
.rc-evidence ul { margin: 2px 0 4px 18px; } .rc-evidence li { font-style: italic; }
.rc-turnref { font-style: normal; color: var(--body-text-color-subdued); font-size: .85em; }
.rc-feedback { margin-top: 4px; }
.rc-better { margin-top: 4px; padding: 6px 10px; border-radius: 6px; background: #eef2ff; color: #312e81; }
.rc-flags { color: #8a1c1c; }
.rc-transcript { display: flex; flex-direction: column; gap: 4px; }
.rc-line { display: grid; grid-template-columns: 2.2em 6em 1fr auto auto; gap: 8px; align-items: start;
           padding: 6px 8px; border-radius: 8px; }
.rc-agent { background: #eef2ff; } .rc-customer { background: var(--background-fill-secondary); }
.dark .rc-agent { background: #1e1b4b; }
.rc-turn { color: var(--body-text-color-subdued); font-variant-numeric: tabular-nums; }
.rc-who { font-weight: 600; } .rc-t { color: var(--body-text-color-subdued); font-size: .85em; }
.rc-heard { display: block; font-size: .8em; color: var(--body-text-color-subdued); margin-top: 2px; }
.rc-mood { font-size: .8em; white-space: nowrap; padding: 0 6px; border-radius: 999px; }
.rc-mood-angry { background: #fde2e2; color: #8a1c1c; } .rc-mood-upset { background: #fdebd3; color: #7a4a00; }
.rc-mood-neutral { background: #eef0f3; color: #374151; } .rc-mood-happy { background: #dcf5e6; color: #1e7a44; }
mark.rc-ev { background: #fde68a; padding: 0 2px; border-radius: 3px; }
.rc-end { text-align: center; color: var(--body-text-color-subdued); font-size: .9em; }
.rc-facts { list-style: none; padding-left: 0; } .rc-facts li { padding: 2px 0; }
.rc-yes { color: #1e7a44; } .rc-no { color: #9a3b2b; }
.rc-errors { color: #8a1c1c; } .rc-ok { color: #1e7a44; font-weight: 600; }
.rc-matrix, .rc-compare { border-collapse: collapse; }
.rc-matrix th, .rc-matrix td, .rc-compare th, .rc-compare td { padding: 6px 12px; border: 1px solid var(--border-color-primary);
                                                             text-align: center; }
.rc-matrix th:first-child { text-align: left; } .rc-cell-na { color: var(--body-text-color-subdued); }
.rc-board { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 12px; }
.rc-ready-card { padding: 10px 14px; border-radius: 10px; }
.rc-ready-head { display: flex; gap: 6px; align-items: center; }
.rc-ready-verdict { margin-left: auto; font-weight: 700; }
.rc-conditions { list-style: none; padding-left: 0; margin: 6px 0 0; }
.rc-conditions li { margin: 3px 0; }
.rc-cond-mark { display: inline-block; width: 1.2em; font-weight: 700; }
.rc-met .rc-cond-mark { color: #15803d; }
.rc-unmet { color: #991b1b; }
.rc-cond-call { margin-left: 1.4em; font-size: 0.85em; opacity: 0.8; }
.rc-chart svg { width: 100%; height: auto; max-height: 260px; }
.rc-chart-title { font-weight: 600; font-size: 0.9em; margin-bottom: 2px; }
.rc-chart .rc-grid { stroke: #d1d5db; stroke-width: 1; }
.rc-chart .rc-tick, .rc-chart .rc-axis { font-size: 11px; fill: #6b7280; }
.rc-legend { display: flex; flex-wrap: wrap; gap: 10px; font-size: 0.85em; }
.rc-legend i { display: inline-block; width: 10px; height: 10px; border-radius: 5px; margin-right: 4px; }
.rc-counts { margin: 0 0 8px; font-size: 0.9em; opacity: 0.85; }
.rc-note { font-style: italic; margin-top: 4px; }
"""
