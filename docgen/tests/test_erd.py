"""The README's diagram is generated from the models and cannot drift."""

import pytest
from django.core.management import CommandError, call_command

from docgen.erd import END, START, mermaid


def test_diagram_has_every_table_and_foreign_key():
    diagram = mermaid()
    for table in (
        "users", "workspaces", "workspace_members", "proyectos", "proyecto_members",
        "folders", "documentos", "documento_versions", "actividades",
    ):  # fmt: skip
        assert f"    {table} {{" in diagram
    assert 'users |o--o{ documentos : "created_by ON DELETE SET NULL"' in diagram
    assert 'users ||--o{ workspaces : "owner_id ON DELETE NO ACTION"' in diagram
    assert 'folders |o--o{ folders : "parent_id ON DELETE CASCADE"' in diagram


def test_readme_diagram_is_up_to_date():
    call_command("erd", "--check", verbosity=0)


def test_stale_diagram_fails_the_check(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{START}\n```mermaid\nerDiagram\n```\n{END}\n")
    with pytest.raises(CommandError, match="out of date"):
        call_command("erd", "--check", "--readme", str(readme), verbosity=0)
    call_command("erd", "--write", "--readme", str(readme), verbosity=0)
    call_command("erd", "--check", "--readme", str(readme), verbosity=0)
    assert "documento_versions" in readme.read_text()
