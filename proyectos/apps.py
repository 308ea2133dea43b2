from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProyectosConfig(AppConfig):
    name = "proyectos"
    verbose_name = _("Proyectos")
