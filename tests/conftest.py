import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
# A developer's own settings never leak into tests.
for _var in ("ROLECALL_DB", "ROLECALL_LLM", "OPENAI_BASE_URL", "OPENAI_API_KEY", "ROLECALL_CUSTOMER_MODEL",
             "ROLECALL_JUDGE_MODEL", "ROLECALL_LOCAL_GGUF", "ROLECALL_STT_MODEL", "ROLECALL_DATA_DIR"):
    os.environ.pop(_var, None)
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
