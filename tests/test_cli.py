"""Both console scripts explain themselves and reject unknown commands."""

from __future__ import annotations

import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import sys; from {} import main; main(sys.argv[1:])".format(args[0]), *args[1:]],
                          capture_output=True, text=True, timeout=120)


def test_copydesk_help_lists_commands():
    result = run("consumer.cli", "--help")
    assert result.returncode == 0
    for command in ("broker", "model prepare"):
        assert command in result.stdout


def test_subcommand_help_names_flags_and_env_vars():
    result = run("consumer.cli", "broker", "--help")
    assert result.returncode == 0
    assert "--port" in result.stdout and "COPYDESK_" in result.stdout


def test_unknown_command_exits_2():
    result = run("consumer.cli", "frobnicate")
    assert result.returncode == 2
    assert "unknown command" in result.stderr


def test_trainer_help():
    result = run("trainer.cli", "--help")
    assert result.returncode == 0
    assert "copydesk-trainer" in result.stdout


def test_sasl_credentials_from_mounted_secret_files_win_over_env(tmp_path, monkeypatch):
    from consumer.ops.settings import ServeSettings

    (tmp_path / "username").write_text("shop-copydesk\n")
    (tmp_path / "password").write_text("s3cret-from-file\n")
    monkeypatch.setenv("COPYDESK_SASL_PASSWORD", "stale-env-password")
    settings = ServeSettings(
        _cli_parse_args=["--security-protocol", "SASL_SSL", "--sasl-mechanism", "SCRAM-SHA-512",
                         "--sasl-username-file", str(tmp_path / "username"), "--sasl-password-file", str(tmp_path / "password")],
    )
    config = settings.client_config()
    assert (config["sasl_plain_username"], config["sasl_plain_password"]) == ("shop-copydesk", "s3cret-from-file")
    assert "s3cret" not in repr(settings)  # the file path is in the settings, never the secret
