"""Tree reads are one query each, on the path index."""

import pytest
from django.db import connection

from documentos import selectors, services
from proyectos.tests.factories import ProyectoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    proyecto = ProyectoFactory()
    a = services.create_folder(proyecto=proyecto, nombre="A")
    b = services.create_folder(proyecto=proyecto, nombre="B", parent=a)
    c = services.create_folder(proyecto=proyecto, nombre="C", parent=b)
    services.create_folder(proyecto=proyecto, nombre="Otra")
    other = ProyectoFactory()
    services.create_folder(proyecto=other, nombre="A")  # same path, another project
    return a, b, c


def test_breadcrumb_is_the_ancestors_root_first_in_one_query(tree, django_assert_num_queries):
    a, b, c = tree
    with django_assert_num_queries(1):
        assert selectors.ancestors(c) == [a, b]
    assert selectors.ancestors(a) == []


def test_subtree_is_one_query(tree, django_assert_num_queries):
    a, b, c = tree
    with django_assert_num_queries(1):
        assert set(selectors.subtree(a)) == {b, c}


@pytest.mark.postgresql
def test_subtree_is_an_index_scan(tree):
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    # With sequential scans off, PostgreSQL falls back to one only if no index fits.
    plan = selectors.subtree(tree[0]).explain()
    assert "Seq Scan" not in plan and "Index" in plan, plan


def test_folder_page_shows_a_linked_breadcrumb(tree, client):
    from django.urls import reverse

    from accounts.tests.factories import AdminUserFactory

    a, b, c = tree
    client.force_login(AdminUserFactory())
    page = client.get(reverse("admin:documentos_folder_change", args=[c.pk])).text
    assert reverse("admin:documentos_folder_change", args=[a.pk]) in page
    assert reverse("admin:documentos_folder_change", args=[b.pk]) in page
