import io
import json

import pytest
from rich.console import Console

from groundwork.errors import ExitCode, ToolError, render_error, to_problem


def _render(error: ToolError, *, debug: bool = False) -> str:
    out = io.StringIO()
    render_error(error, Console(file=out, width=100, force_terminal=False), debug=debug)
    return out.getvalue()


def _raised() -> ToolError:
    try:
        raise ToolError(
            "PRISM_AWS_PERMISSION_DENIED",
            "AWS refused RunInstances for this profile",
            suggestions=[
                "Ask your admin for ec2:RunInstances",
                "Switch profile: prism profiles use",
            ],
            context={"profile": "lab", "region": "us-east-1"},
            help_url="https://example.invalid/errors/permission",
            exit_code=ExitCode.PERMISSION,
        )
    except ToolError as exc:
        return exc


def test_panel_shows_code_message_context_and_every_suggestion_without_traceback() -> None:
    text = _render(_raised())
    assert "PRISM_AWS_PERMISSION_DENIED" in text
    assert "AWS refused RunInstances" in text
    assert "us-east-1" in text
    assert "Ask your admin for ec2:RunInstances" in text
    assert "Switch profile: prism profiles use" in text
    assert "https://example.invalid/errors/permission" in text
    assert "Traceback" not in text


def test_debug_adds_the_traceback() -> None:
    assert "Traceback" in _render(_raised(), debug=True)


def test_markup_in_user_data_is_printed_literally() -> None:
    error = ToolError("PRISM_BAD_NAME", "bad [red]name[/red]", suggestions=["use [a-z]"])
    text = _render(error)
    assert "[red]name[/red]" in text
    assert "[a-z]" in text


def test_an_error_without_a_suggestion_is_refused() -> None:
    with pytest.raises(ValueError, match="suggestion"):
        ToolError("PRISM_X_Y", "no way forward", suggestions=[])


def test_codes_must_be_stable_upper_snake_case() -> None:
    with pytest.raises(ValueError, match="UPPER_SNAKE_CASE"):
        ToolError("permission denied", "x", suggestions=["y"])


def test_problem_json_follows_rfc_9457_and_carries_our_fields() -> None:
    body = to_problem(_raised(), instance="/api/v1/instances", request_id="req-1")
    assert body["status"] == 403
    assert body["title"] == "Forbidden"
    assert body["type"] == "https://example.invalid/errors/permission"
    assert body["detail"] == "AWS refused RunInstances for this profile"
    assert body["code"] == "PRISM_AWS_PERMISSION_DENIED"
    assert body["instance"] == "/api/v1/instances"
    assert body["request_id"] == "req-1"
    assert body["context"] == {"profile": "lab", "region": "us-east-1"}
    json.dumps(body)


def test_problem_without_help_link_is_about_blank() -> None:
    error = ToolError(
        "PHOENIX_NOT_FOUND",
        "no such pipeline",
        suggestions=["list them"],
        exit_code=ExitCode.NOT_FOUND,
        context={"path": object()},
    )
    body = to_problem(error)
    assert body["type"] == "about:blank"
    assert body["status"] == 404
    json.dumps(body)


def test_a_problem_from_a_service_turns_back_into_the_same_error() -> None:
    original = _raised()
    rebuilt = ToolError.from_problem(to_problem(original))
    assert rebuilt.code == original.code
    assert rebuilt.message == original.message
    assert rebuilt.suggestions == original.suggestions
    assert rebuilt.exit_code is ExitCode.PERMISSION
    assert rebuilt.context == original.context


def test_a_foreign_problem_still_gives_a_usable_error() -> None:
    rebuilt = ToolError.from_problem({"status": 502, "title": "Bad Gateway"})
    assert rebuilt.code == "SERVICE_ERROR"
    assert rebuilt.message == "Bad Gateway"
    assert rebuilt.suggestions
