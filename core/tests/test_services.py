"""The service decorator: one transaction, refusals as DomainError, a lost deadlock retried once."""

import threading

import pytest
from django.db import OperationalError, connection

from core import services
from core.services import DomainError, retry_conflicts, service
from proyectos.services import create_proyecto
from workspaces.models import Workspace
from workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


@service
def _rename(*, workspace, nombre):
    Workspace.objects.filter(pk=workspace.pk).update(nombre=nombre)
    raise DomainError({"nombre": "no"})


def test_a_refusal_rolls_the_whole_service_back():
    workspace = WorkspaceFactory(nombre="Antes")
    with pytest.raises(DomainError) as refused:
        _rename(workspace=workspace, nombre="Después")
    workspace.refresh_from_db()
    assert workspace.nombre == "Antes"
    assert str(refused.value) == "nombre: no"
    assert refused.value.sentence == "no"


@service
def _duplicate_slug(*, slug):
    Workspace.objects.create(nombre="Otro", slug=slug, owner=Workspace.objects.first().owner)


def test_a_constraint_the_database_refuses_reads_as_its_own_message():
    workspace = WorkspaceFactory()
    with pytest.raises(DomainError) as refused:
        _duplicate_slug(slug=workspace.slug)
    assert Workspace.objects.count() == 1
    assert refused.value.messages  # Django's unique message, not a database error


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_lost_deadlock_is_retried_once_and_both_changes_land():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: it cannot deadlock")
    first, second = WorkspaceFactory(nombre="A"), WorkspaceFactory(nombre="B")
    barrier = threading.Barrier(2)
    attempts, errors = [], []

    @service
    def lock_both(*, one, other, label):
        attempts.append(label)
        Workspace.objects.select_for_update().get(pk=one.pk)
        if attempts.count(label) == 1:
            barrier.wait(timeout=10)  # both hold their first row: now each wants the other's
        Workspace.objects.filter(pk=other.pk).update(descripcion=label)

    def run(one, other, label):
        try:
            lock_both(one=one, other=other, label=label)
        except Exception as error:  # reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(first, second, "x")),
        threading.Thread(target=run, args=(second, first, "y")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(attempts) in (["x", "x", "y"], ["x", "y", "y"]), "the loser ran once more"
    assert {w.descripcion for w in Workspace.objects.all()} == {"x", "y"}


@pytest.mark.django_db(transaction=True)  # only a transaction's outermost call retries
def test_the_loser_of_a_conflict_pauses_before_its_second_try(monkeypatch):
    """Retried at once, the loser can take back its row before the winner wakes up:
    both deadlock again (seen in CI). It waits a random moment first."""
    pauses, tries = [], []
    monkeypatch.setattr(services.time, "sleep", pauses.append)

    def lose_once():
        tries.append(list(pauses))
        if len(tries) == 1:
            cause = type("Deadlock", (Exception,), {"sqlstate": "40P01"})()
            raise OperationalError("deadlock detected") from cause
        return "landed"

    assert retry_conflicts(lose_once) == "landed"
    assert tries == [[], pauses]  # the pause came between the two tries
    low, high = services.RETRY_PAUSE
    assert len(pauses) == 1 and low <= pauses[0] <= high and low > 0


def test_text_with_a_nul_character_is_refused_on_both_databases():
    workspace = WorkspaceFactory()
    with pytest.raises(DomainError) as refused:
        create_proyecto(workspace=workspace, nombre="Obra\x00 norte")
    assert "nombre: El texto contiene un carácter nulo" in str(refused.value)
    assert not workspace.proyectos.exists()


def test_a_value_the_database_cannot_hold_is_a_refusal_not_a_crash():
    with pytest.raises(DomainError):
        create_proyecto(workspace=WorkspaceFactory(), nombre="Obra", metadata={"x": "\x00"})
