"""Teams edited in the admin go through the services: rules hold, each change is audited."""

import pytest
from django.urls import reverse

from accounts.tests.factories import AdminUserFactory, UserFactory
from admin_kit.options import FirstRowsInlineFormSet
from auditoria.models import Actividad
from proyectos.models import ProyectoMember
from proyectos.tests.factories import ProyectoFactory, ProyectoMemberFactory
from workspaces import services
from workspaces.models import WorkspaceMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = AdminUserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def workspace():
    return services.create_workspace(nombre="Andes", slug="andes", owner=UserFactory())


def _workspace_form(workspace, rows):
    """The workspace form with members inline; rows: [(membership or user, rol, delete)]."""
    data = {
        "nombre": workspace.nombre, "slug": workspace.slug, "owner": workspace.owner.pk,
        "plan": workspace.plan, "settings": "{}", "descripcion": "",
        "members-TOTAL_FORMS": str(len(rows)),
        "members-INITIAL_FORMS": str(sum(isinstance(r[0], WorkspaceMember) for r in rows)),
    }  # fmt: skip
    for n, (who, rol, delete) in enumerate(rows):
        data[f"members-{n}-rol"] = rol
        data[f"members-{n}-workspace"] = str(workspace.pk)
        if isinstance(who, WorkspaceMember):
            data[f"members-{n}-id"] = str(who.pk)
        else:
            data[f"members-{n}-user"] = str(who.pk)
        if delete:
            data[f"members-{n}-DELETE"] = "on"
    return data


def test_the_owner_cannot_be_demoted_on_the_workspace_page(client, staff, workspace):
    owner = WorkspaceMember.objects.get(workspace=workspace, user=workspace.owner)
    url = reverse("admin:workspaces_workspace_change", args=[workspace.pk])
    response = client.post(url, _workspace_form(workspace, [(owner, "member", False)]))
    assert response.status_code == 200
    assert "conserva el rol de propietario" in response.text
    owner.refresh_from_db()
    assert owner.rol == "owner"


def test_removing_a_member_on_the_workspace_page_takes_them_off_its_projects(
    client, staff, workspace
):
    member = services.add_workspace_member(workspace=workspace, member=UserFactory())
    ProyectoMemberFactory(proyecto=ProyectoFactory(workspace=workspace), user=member.user)
    owner = WorkspaceMember.objects.get(workspace=workspace, user=workspace.owner)
    url = reverse("admin:workspaces_workspace_change", args=[workspace.pk])
    data = _workspace_form(workspace, [(owner, "owner", False), (member, "member", True)])
    assert client.post(url, data).status_code == 302
    assert not WorkspaceMember.objects.filter(pk=member.pk).exists()
    assert not ProyectoMember.objects.exists()
    audit = Actividad.objects.get(descripcion__startswith="Quitó")
    assert (audit.tipo, audit.user, audit.metadata["proyectos_quitados"]) == (
        "compartir", staff, 1,
    )  # fmt: skip


def test_the_owners_membership_cannot_be_deleted_from_its_own_page(client, staff, workspace):
    owner = WorkspaceMember.objects.get(workspace=workspace, user=workspace.owner)
    url = reverse("admin:workspaces_workspacemember_delete", args=[owner.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 200  # the page lists it as protected
    assert WorkspaceMember.objects.filter(pk=owner.pk).exists()
    assert not Actividad.objects.filter(tipo="compartir").exists()


def test_an_outsider_cannot_be_added_to_a_project_in_the_admin(client, staff, workspace):
    proyecto = ProyectoFactory(workspace=workspace)
    outsider = UserFactory()
    response = client.post(
        reverse("admin:proyectos_proyectomember_add"),
        {"proyecto": proyecto.pk, "user": outsider.pk, "rol": "viewer"},
    )
    assert response.status_code == 200
    assert "Debe ser miembro del workspace del proyecto" in response.text
    assert not ProyectoMember.objects.exists()


def test_a_role_changed_in_the_admin_is_one_audit_row(client, staff, workspace):
    member = services.add_workspace_member(workspace=workspace, member=UserFactory())
    proyecto = ProyectoFactory(workspace=workspace)
    membership = ProyectoMemberFactory(proyecto=proyecto, user=member.user)
    response = client.post(
        reverse("admin:proyectos_proyectomember_change", args=[membership.pk]),
        {"rol": "gerente"},
    )
    assert response.status_code == 302, response.text[:2000]
    membership.refresh_from_db()
    assert membership.rol == "gerente"
    audit = Actividad.objects.get(proyecto=proyecto)
    assert (audit.tipo, audit.user, audit.metadata["cambios"]["rol"]["despues"]) == (
        "compartir", staff, "gerente",
    )  # fmt: skip


def test_a_large_team_shows_its_first_members_and_links_to_all(
    client, staff, workspace, monkeypatch
):
    monkeypatch.setattr(FirstRowsInlineFormSet, "max_rows", 3)
    for _ in range(4):
        services.add_workspace_member(
            workspace=workspace, member=UserFactory(), rol="member", user=staff
        )
    url = reverse("admin:workspaces_workspace_change", args=[workspace.pk])
    response = client.get(url)
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.initial_form_count() == 3
    first = list(WorkspaceMember.objects.filter(workspace=workspace).order_by("joined_at", "pk"))
    assert [form.instance for form in formset.initial_forms] == first[:3]
    assert "los primeros 3 de 5" in response.text
    # the link is the members list of this workspace, and it lists all five
    listing = client.get(formset.full_list_url)
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 5
    # the page saves with the members it shows: the role of a shown one changes
    shown = formset.initial_forms[1].instance
    data = _workspace_form(workspace, [(m, m.rol, False) for m in first[:3]])
    data["members-1-rol"] = "viewer"
    assert client.post(url, data).status_code == 302
    shown.refresh_from_db()
    assert shown.rol == "viewer"
    assert WorkspaceMember.objects.filter(workspace=workspace).count() == 5


def test_a_small_team_is_shown_whole_without_a_link(client, staff, workspace):
    url = reverse("admin:workspaces_workspace_change", args=[workspace.pk])
    response = client.get(url)
    assert response.context["inline_admin_formsets"][0].formset.initial_form_count() == 1
    assert "first-rows-note" not in response.text
