"""Formatting for the Gradio app that needs no Gradio: labels, HTML, plot data."""
