"""A model whose migrations the tests write into a temporary folder."""

from django.db import models


class Nota(models.Model):
    """A note: the smallest model `makemigrations` has something to say about."""

    texto = models.CharField("texto", max_length=50)

    class Meta:
        verbose_name = "nota"
        verbose_name_plural = "notas"

    def __str__(self):
        return self.texto
