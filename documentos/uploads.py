"""Uploads streamed to disk and refused past UPLOAD_MAX_BYTES, before anything is stored.

Django already writes an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE to a
temporary file as it arrives; this handler also counts it, and as soon as a
file passes the limit it stops keeping it (`SkipFile`) and notes the refusal
on the request, for the form to say why.
"""

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def too_large_message():
    return _("El archivo supera el tamaño máximo de %(max)s.") % {
        "max": filesizeformat(settings.UPLOAD_MAX_BYTES)
    }


class BoundedUploadHandler(TemporaryFileUploadHandler):
    """Every upload to a temporary file, counted, and dropped once past UPLOAD_MAX_BYTES."""

    def new_file(self, field_name, *args, **kwargs):
        self.received = 0
        return super().new_file(field_name, *args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            self.file.close()
            refused = getattr(self.request, "refused_uploads", {})
            refused[self.field_name] = too_large_message()
            self.request.refused_uploads = refused
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)
