"""Two people moving folders at the same moment never break the tree (real threads, both databases).

Each trial starts two moves together — X under Y and Y under X — and checks
that one wins, the other is refused (a cycle, or "try again"), and the tree
that remains has no cycle and every path matches its chain of parents.
"""

import threading

import pytest
from django.db import connection

from core.services import DomainError
from documentos import services
from documentos.models import Folder
from proyectos.tests.factories import ProyectoFactory

pytestmark = pytest.mark.django_db(transaction=True)

TRIALS = 25


def _race(*moves):
    """Run each (folder, new parent) move in its own thread, released together."""
    barrier = threading.Barrier(len(moves))
    outcomes = [None] * len(moves)

    def move(n, folder, parent):
        try:
            barrier.wait()
            services.update_folder(folder=folder, nombre=folder.nombre, parent=parent)
            outcomes[n] = "moved"
        except DomainError as error:
            outcomes[n] = error.sentence
        except Exception as error:  # reported by the assertion below
            outcomes[n] = repr(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(n, folder, parent))
        for n, (folder, parent) in enumerate(moves)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def assert_a_tree(proyecto):
    """No cycle, and each folder's path is its parent's path and its own name."""
    folders = {folder.pk: folder for folder in Folder.objects.filter(proyecto=proyecto)}
    for folder in folders.values():
        seen, current, names = set(), folder, []
        while current is not None:
            assert current.pk not in seen, f"cycle through {current.path}"
            seen.add(current.pk)
            names.append(current.nombre)
            current = folders.get(current.parent_id)
        assert folder.path == "/" + "/".join(reversed(names)), folder.path


@pytest.mark.parametrize("trial", range(TRIALS))
def test_crossed_moves_leave_a_tree(trial):
    proyecto = ProyectoFactory()
    x = services.create_folder(proyecto=proyecto, nombre="X")
    y = services.create_folder(proyecto=proyecto, nombre="Y")
    services.create_folder(proyecto=proyecto, nombre="hija", parent=x)
    services.create_folder(proyecto=proyecto, nombre="hija", parent=y)
    outcomes = _race((x, y), (y, x))
    assert outcomes.count("moved") == 1, outcomes
    refused = next(outcome for outcome in outcomes if outcome != "moved")
    assert "no puede moverse dentro de sí misma" in refused or "Inténtelo" in refused, refused
    assert_a_tree(proyecto)


@pytest.mark.parametrize("trial", range(TRIALS // 5))
def test_a_move_and_a_new_child_leave_correct_paths(trial):
    """A folder created under one being moved gets the moved path, whichever goes first."""
    proyecto = ProyectoFactory()
    a = services.create_folder(proyecto=proyecto, nombre="A")
    b = services.create_folder(proyecto=proyecto, nombre="B")
    barrier = threading.Barrier(2)
    errors = []

    def create_child():
        try:
            barrier.wait()
            services.create_folder(proyecto=proyecto, nombre="nueva", parent=a)
        except Exception as error:  # reported below
            errors.append(repr(error))
        finally:
            connection.close()

    def move():
        try:
            barrier.wait()
            services.update_folder(folder=a, nombre="A", parent=b)
        except Exception as error:  # reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=create_child), threading.Thread(target=move)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Folder.objects.get(nombre="nueva").path == "/B/A/nueva"
    assert_a_tree(proyecto)
