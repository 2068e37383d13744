"""A missing tool skips the test on a developer's machine and fails it on CI."""

import pytest

from required_tools import executable, on_ci


@pytest.mark.parametrize("value, expected", [("true", True), ("1", True), ("TRUE", True), ("", False), ("0", False),
                                             ("false", False)])
def test_ci_is_read_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("CI", value)
    assert on_ci() is expected


def test_a_missing_tool_skips_locally_and_fails_on_ci(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-such-tool not found: install it"):
        executable("no-such-tool", hint="install it")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        executable("no-such-tool", hint="install it")


def test_a_present_tool_is_found_by_its_first_available_name(tmp_path, monkeypatch):
    tool = tmp_path / "second-name"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", "true")
    assert executable("first-name", "second-name", hint="") == str(tool)
