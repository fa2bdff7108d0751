"""Settings sources and their priority: environment > .env > rolecall.toml > defaults."""

from pathlib import Path

import platformdirs
import pytest

from simulator.config import Settings, load_settings
from simulator.errors import ConfigError


def test_defaults_without_any_source(tmp_path):
    s = load_settings(env={}, cwd=tmp_path)
    data_dir = Path(platformdirs.user_data_dir("rolecall"))
    assert s.llm == "local"
    assert s.data_dir == data_dir
    assert s.db == data_dir / "rolecall.db"
    assert s.cache_dir == Path(platformdirs.user_cache_dir("rolecall"))
    assert s.llm_timeout_s == 60
    assert s.openai_api_key is None and s.customer_model is None and s.local_gguf is None


def test_priority_env_over_dotenv_over_toml_over_defaults(tmp_path):
    (tmp_path / "rolecall.toml").write_text(
        'customer_model = "from-toml"\nROLECALL_JUDGE_MODEL = "judge-from-toml"\n'
        'rolecall_llm_timeout = 5\nopenai_base_url = "http://toml:1/v1"\n'
    )
    (tmp_path / ".env").write_text(
        "# comment line\n"
        "ROLECALL_CUSTOMER_MODEL=from-dotenv\n"
        'export OPENAI_BASE_URL="http://dotenv:2/v1"\n'
        "ROLECALL_LLM='openai'  # trailing comment\n"
    )
    env = {"OPENAI_BASE_URL": "http://env:3/v1", "UNRELATED": "x"}
    s = load_settings(env=env, cwd=tmp_path)
    assert s.openai_base_url == "http://env:3/v1"  # env beats .env and toml
    assert s.customer_model == "from-dotenv"  # .env beats toml
    assert s.llm == "openai"  # quotes and comment stripped
    assert s.judge_model == "judge-from-toml"  # toml beats defaults, uppercase key
    assert s.llm_timeout_s == 5.0  # lowercase variable name, TOML number


def test_paths_are_relative_to_cwd_and_data_dir_moves_the_db(tmp_path):
    s = load_settings(env={"ROLECALL_DATA_DIR": "data", "ROLECALL_LOCAL_GGUF": "~/m.gguf"}, cwd=tmp_path)
    assert s.data_dir == tmp_path / "data"
    assert s.db == tmp_path / "data" / "rolecall.db"
    assert s.audio_dir == tmp_path / "data" / "audio"
    assert s.local_gguf == Path("~/m.gguf").expanduser()
    assert load_settings(env={"ROLECALL_DB": ":memory:"}, cwd=tmp_path).db == Path(":memory:")


def test_empty_value_means_unset(tmp_path):
    (tmp_path / ".env").write_text("ROLECALL_CUSTOMER_MODEL=qwen\n")
    s = load_settings(env={"ROLECALL_CUSTOMER_MODEL": ""}, cwd=tmp_path)
    assert s.customer_model == "qwen"


def test_bad_llm_is_one_line_error_naming_variable_and_choices(tmp_path):
    with pytest.raises(ConfigError) as e:
        load_settings(env={"ROLECALL_LLM": "gpt"}, cwd=tmp_path)
    msg = str(e.value)
    assert "\n" not in msg
    assert "ROLECALL_LLM" in msg and "'gpt'" in msg and "local" in msg and "openai" in msg
    assert load_settings(env={"ROLECALL_LLM": "OpenAI"}, cwd=tmp_path).llm == "openai"


def test_bad_llm_in_dotenv_says_where_it_came_from(tmp_path):
    (tmp_path / ".env").write_text("ROLECALL_LLM=ollama\n")
    with pytest.raises(ConfigError, match=r"ROLECALL_LLM.*from \.env"):
        load_settings(env={}, cwd=tmp_path)


@pytest.mark.parametrize("value", ["abc", "0", "-3", "inf"])
def test_bad_timeout_names_the_variable(tmp_path, value):
    with pytest.raises(ConfigError, match="ROLECALL_LLM_TIMEOUT"):
        load_settings(env={"ROLECALL_LLM_TIMEOUT": value}, cwd=tmp_path)


def test_unknown_toml_key_suggests_the_nearest(tmp_path):
    (tmp_path / "rolecall.toml").write_text('ROLECALL_JUDGE_MODLE = "x"\n')
    with pytest.raises(ConfigError, match="ROLECALL_JUDGE_MODEL"):
        load_settings(env={}, cwd=tmp_path)


def test_malformed_files_give_errors_naming_the_file(tmp_path):
    (tmp_path / "rolecall.toml").write_text("this is = = not toml\n")
    with pytest.raises(ConfigError, match="rolecall.toml"):
        load_settings(env={}, cwd=tmp_path)
    (tmp_path / "rolecall.toml").unlink()
    (tmp_path / ".env").write_text("OK=1\njust some words\n")
    with pytest.raises(ConfigError, match=r"\.env:2"):
        load_settings(env={}, cwd=tmp_path)


def test_api_key_not_in_repr(tmp_path):
    s = load_settings(env={"OPENAI_API_KEY": "sk-secret-123"}, cwd=tmp_path)
    assert s.openai_api_key == "sk-secret-123"
    assert "sk-secret-123" not in repr(s)


def test_only_the_given_env_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("ROLECALL_LLM", "openai")
    monkeypatch.setenv("ROLECALL_CUSTOMER_MODEL", "leaked")
    s = load_settings(env={}, cwd=tmp_path)
    assert s.llm == "local" and s.customer_model is None


def test_settings_built_directly_keep_the_db_under_data_dir(tmp_path):
    assert Settings(data_dir=tmp_path).db == tmp_path / "rolecall.db"
    assert Settings(data_dir=tmp_path, db=tmp_path / "x.db").db == tmp_path / "x.db"
