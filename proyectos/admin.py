"""Admin pages for projects and their teams."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin_scope import MembershipInline, ScopedModelAdmin
from accounts.permissions import Kind
from auditoria.admin import feed_link
from proyectos import services
from proyectos.models import Proyecto, ProyectoMember


class ProyectoMemberInline(MembershipInline):
    model = ProyectoMember
    access_kind = Kind.PROYECTO_MEMBER
    parent_relation = "proyecto"
    workspace_field = "workspace_id"
    proyecto_field = "id"


@admin.register(Proyecto)
class ProyectoAdmin(ScopedModelAdmin):
    access_kind = Kind.PROYECTO
    workspace_field = "workspace_id"
    proyecto_field = "id"
    list_display = ("nombre", "workspace", "tipo", "estado", "fecha_inicio", "fecha_fin")
    list_select_related = ("workspace",)
    list_filter = ("tipo", "estado")
    # One column: an OR across a join could not use the trigram indexes.
    search_fields = ("nombre",)
    autocomplete_fields = ("workspace",)
    readonly_fields = ("created_at", "updated_at", "actividad")
    inlines = (ProyectoMemberInline,)

    @admin.display(description=_("actividad"))
    def actividad(self, obj):
        return feed_link(obj)

    def save_formset(self, request, form, formset, change):
        """Team changes on the project's page go through the services (one audit row each)."""
        if formset.model is not ProyectoMember:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for membership in formset.deleted_objects:
            services.remove_proyecto_member(membership=membership, user=request.user)
        for membership in instances:
            if membership._state.adding:
                services.add_proyecto_member(
                    proyecto=form.instance,
                    member=membership.user,
                    rol=membership.rol,
                    user=request.user,
                )
            else:
                services.change_proyecto_member_rol(
                    membership=membership, rol=membership.rol, user=request.user
                )
        return None


@admin.register(ProyectoMember)
class ProyectoMemberAdmin(ScopedModelAdmin):
    access_kind = Kind.PROYECTO_MEMBER
    workspace_field = "proyecto__workspace_id"
    proyecto_field = "proyecto_id"
    list_display = ("user", "proyecto", "rol", "joined_at")
    list_select_related = ("user", "proyecto")
    list_filter = ("rol",)
    search_fields = ("user__email", "user__nombre", "proyecto__nombre")
    autocomplete_fields = ("proyecto", "user")
    readonly_fields = ("joined_at",)

    def get_readonly_fields(self, request, obj=None):
        # A membership is of one user in one project: only its role changes.
        return ("proyecto", "user", "joined_at") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            services.change_proyecto_member_rol(membership=obj, rol=obj.rol, user=request.user)
        else:
            created = services.add_proyecto_member(
                proyecto=obj.proyecto, member=obj.user, rol=obj.rol, user=request.user
            )
            obj.pk, obj._state.adding = created.pk, False

    def delete_model(self, request, obj):
        services.remove_proyecto_member(membership=obj, user=request.user)
