"""Semantic versions and their ranges, and the Go template subset placeholders are written in."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundwork.errors import ToolError
from prism.templates.catalog import Catalog
from prism.templates.gotemplate import PlaceholderSyntaxError, UnknownNames, names_in, render
from prism.templates.issues import TemplateInvalid
from prism.templates.semver import parse_range, parse_version


@pytest.mark.parametrize(
    ("spec", "allowed", "refused"),
    [
        ("^1.2", ["1.2.0", "1.9.9"], ["1.1.9", "2.0.0"]),
        ("~1.2", ["1.2.0", "1.2.7"], ["1.3.0"]),
        (">=1.0, <2", ["1.0.0", "1.99.0"], ["0.9.0", "2.0.0"]),
        (">=1.0 <2", ["1.5.0"], ["2.1.0"]),
        ("1.x", ["1.0.0", "1.4.2"], ["2.0.0"]),
        ("1.2.3", ["1.2.3"], ["1.2.4"]),
        ("^0.3", ["0.3.1"], ["0.4.0"]),
        ("=1.0", ["1.0.5"], ["1.1.0"]),
    ],
)
def test_version_ranges(spec: str, allowed: list[str], refused: list[str]) -> None:
    wanted = parse_range(spec)
    assert all(wanted.allows(parse_version(v)) for v in allowed)
    assert not any(wanted.allows(parse_version(v)) for v in refused)


def test_versions_as_the_originals_templates_write_them() -> None:
    assert str(parse_version("1.0")) == "1.0.0"
    assert parse_version("1.0.0-rc1") < parse_version("1.0.0")
    assert parse_version("1.10.0") > parse_version("1.9.0")
    with pytest.raises(ValueError, match="not a semantic version"):
        parse_version("latest")
    with pytest.raises(ValueError, match="not a version range"):
        parse_range(">>1")


def test_go_template_actions() -> None:
    values = {"fw": "tf", "gpu": True, "n": 4, "name": "ana"}
    text = (
        '{{if eq .fw "pytorch"}}P{{else if eq .fw "tf"}}T{{else}}N{{end}}'
        "{{if and .gpu (gt .n 2)}}+gpu{{end}}{{if not .gpu}}cpu{{end}}"
        ' {{"{{.Names}}"}} {{name}} {{- "  x"}}{{/* a comment */}}'
    )
    assert render(text, values) == "T+gpu {{.Names}} ana  x"
    assert names_in(text) == ["fw", "gpu", "n", "name"]
    with pytest.raises(UnknownNames) as unknown:
        render("{{if .a}}{{.typo}}{{end}}", {"a": False})
    assert unknown.value.names == ["typo"]  # a branch not taken is checked too
    for bad, why in [
        ("{{range .x}}{{end}}", "range is not supported"),
        ("{{.a | upper}}", "'|' is not supported"),
        ("{{if .a}}open", "never closed by '{{end}}'"),
        ("{{.a", "never closed by '}}'"),
    ]:
        with pytest.raises(PlaceholderSyntaxError, match=why):
            render(bad, {"a": 1})


def test_a_template_for_another_prism_is_refused_with_why(tmp_path: Path) -> None:
    (tmp_path / "future.yml").write_text(
        "name: Future\nslug: future\nbase: ubuntu-24.04\nversion: 3.0.0\nprism_version: '>=5'\n"
    )
    with pytest.raises(ToolError) as refused:
        Catalog(tmp_path).resolve("future")
    assert refused.value.code == "PRISM_TEMPLATE_INCOMPATIBLE"
    assert "works with prism >=5; this is prism 0.1.0" in refused.value.message


def test_a_version_that_is_not_semantic_is_an_error_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "v.yml").write_text("name: V\nbase: ubuntu-24.04\nversion: newest\n")
    catalog = Catalog(tmp_path)
    catalog.files()
    [broken] = catalog.broken
    assert isinstance(broken, TemplateInvalid)
    assert (broken.issues[0].field, broken.issues[0].line) == ("version", 3)
    assert "not a semantic version" in broken.issues[0].problem
