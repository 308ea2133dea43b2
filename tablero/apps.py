from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TableroConfig(AppConfig):
    name = "tablero"
    verbose_name = _("tablero")
