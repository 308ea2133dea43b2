"""URLs of the project: the dashboard at the root, the admin (the product's interface) under it."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "PILi Quarts"
admin.site.site_title = "PILi Quarts"
admin.site.index_title = "Administración"
# "Ver el tablero" in the admin's header leads to the dashboard.
admin.site.site_url = "/"

handler500 = "piliquarts.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("tablero.urls")),
]
