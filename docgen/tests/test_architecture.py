"""ARCHITECTURE.md's picture is generated from the code, and kept current by `make check`."""

import pytest
from django.core.management import CommandError, call_command

from docgen import architecture


def test_every_room_of_the_contract_is_drawn_and_the_foundation_imports_none():
    rooms = [room for layer in architecture.layers() for room in layer]
    picture = architecture.mermaid()
    assert all(f"{room}[{room}/]" in picture for room in rooms)
    assert not any(source == "core" for source, _target in architecture.room_imports())
    assert ("documentos", "proyectos") in architecture.room_imports()


def test_every_arrow_runs_down_the_layers():
    order = {room: n for n, layer in enumerate(architecture.layers()) for room in layer}
    for source, target in architecture.room_imports():
        assert order[source] < order[target], f"{source} imports {target}, above it"


def test_the_picture_in_the_file_is_current(tmp_path, settings):
    call_command("architecture", "--check", verbosity=0)
    settings.BASE_DIR = tmp_path
    (tmp_path / "pyproject.toml").write_text(
        (architecture.Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    )
    (tmp_path / "ARCHITECTURE.md").write_text(f"{architecture.START}\nold\n{architecture.END}\n")
    with pytest.raises(CommandError, match="out of date"):
        call_command("architecture", "--check", verbosity=0)
