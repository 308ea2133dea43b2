"""Form pieces shared by the apps' admin pages."""

from django import forms
from django.utils.html import format_html


class LabelWidget(forms.Widget):
    """Shows a fixed label instead of an input, for a field that may not change."""

    def __init__(self, label, attrs=None):
        super().__init__(attrs)
        self.label = label

    def render(self, name, value, attrs=None, renderer=None):
        return format_html("<span>{}</span>", self.label)


class MembershipInlineForm(forms.ModelForm):
    """A membership row: the member is fixed once added, only the role changes.

    Showing the (already select_related) user as text also keeps the page from
    running one autocomplete lookup per existing row.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            field = self.fields["user"]
            field.disabled = True
            field.widget = LabelWidget(str(self.instance.user))
