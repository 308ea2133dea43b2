"""Searching the documents list: few matches are sorted, many are met along the name order.

PostgreSQL guesses a pattern's matches with a constant; guessing many, it would
walk the name index to the far end for matches that lie there. Up to
BoundedCountPaginator.sort_limit matches (counted from the trigram index), the
page is read with index scans off, so they are read from the trigram index and
sorted. The rows are the same either way, and on SQLite.
"""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from admin_kit.paginators import BoundedCountPaginator
from core.roles import RolGlobal
from documentos.models import Documento
from documentos.tests.factories import DocumentoFactory

pytestmark = pytest.mark.django_db

URL = "admin:documentos_documento_changelist"


@pytest.fixture
def owner_client(client):
    client.force_login(UserFactory(rol_global=RolGlobal.OWNER))
    return client


def _search(client, term):
    with CaptureQueriesContext(connection) as ran:
        response = client.get(reverse(URL), {"q": term})
    assert response.status_code == 200
    sorted_all = any("enable_indexscan = off" in q["sql"] for q in ran.captured_queries)
    return [row.pk for row in response.context["cl"].result_list], sorted_all


@pytest.mark.parametrize("sort_limit", [100, 3])
def test_a_search_lists_the_matches_in_name_order_whether_sorted_or_walked(
    owner_client, monkeypatch, sort_limit
):
    monkeypatch.setattr(BoundedCountPaginator, "sort_limit", sort_limit)
    # Past the exact count, so the matches are counted up to the sort limit.
    monkeypatch.setattr(BoundedCountPaginator, "exact_limit", 2)
    monkeypatch.setattr(admin.site.get_model_admin(Documento), "list_per_page", 2)
    for n in range(12):
        DocumentoFactory(nombre=f"{'plano' if n % 2 else 'acta'}-{n:02}.pdf")
    expected = Documento.objects.filter(nombre__icontains="plano").order_by("nombre", "-id")
    shown, sorted_all = _search(owner_client, "plano")
    assert shown == [d.pk for d in expected][:2]
    # Six matches: sorted under a limit of 100, walked past a limit of 3 (PostgreSQL only).
    assert sorted_all == (connection.vendor == "postgresql" and sort_limit == 100)
