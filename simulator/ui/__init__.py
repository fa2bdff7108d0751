"""The Gradio app's parts: pages (simulator/ui/pages/), what they share (shared), the named
API endpoints (api), and what needs no Gradio: labels, page texts, HTML and plot data (render).

Gradio reads the settings below when it is imported, so they are set here, before any module
of this package imports it.
"""

import importlib.util
import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# Gradio rebuilds a pandas summary of its last 10,000 events after every event, for a
# monitoring page Rolecall does not use: 2-5 ms of CPU per request, growing with traffic
# (profiled in bench/concurrency.py). Summarise rarely and over fewer events.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000000")
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
# Gradio also tries `import matplotlib` around every event; when it is not installed, that
# is a failed search of sys.path each time. A None entry makes the failure immediate.
if importlib.util.find_spec("matplotlib") is None:
    sys.modules.setdefault("matplotlib", None)
