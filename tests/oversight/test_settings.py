import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_deploy_check_is_clean_with_production_variables(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DEBUG": "false",
            "SECRET_KEY": "x7!kq" + "a9Zp3mV2" * 8,
            "ALLOWED_HOSTS": "complaints.oversight.example",
            "HTTPS": "true",
            "DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_defaults_need_no_configuration(tmp_path):
    result = _manage("check", env={"DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    # A local secret key is generated once, kept private, and reused.
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode)[-3:] == "600"
    first = key_file.read_text()
    _manage("check", env={"DATA_DIR": str(tmp_path)})
    assert key_file.read_text() == first


def _debug_in_a_fresh_process(tmp_path, **env: str) -> str:
    # pytest-django forces DEBUG off in this process, so read what the settings module itself says.
    result = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG)", env={"DATA_DIR": str(tmp_path), **env}
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_debug_is_off_unless_asked(tmp_path):
    assert _debug_in_a_fresh_process(tmp_path) == "False"
    assert _debug_in_a_fresh_process(tmp_path, DEBUG="true") == "True"
    assert _debug_in_a_fresh_process(tmp_path, DEBUG="false") == "False"
