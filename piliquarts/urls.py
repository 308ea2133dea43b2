"""URLs of the project: the admin is the product's interface."""

from django.contrib import admin
from django.urls import path

admin.site.site_header = "PILi Quarts"
admin.site.site_title = "PILi Quarts"
admin.site.index_title = "Administración"

urlpatterns = [
    path("admin/", admin.site.urls),
]
