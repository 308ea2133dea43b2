from django.urls import path

from tablero import views

app_name = "tablero"
urlpatterns = [path("", views.tablero, name="index")]
