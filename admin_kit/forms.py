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
    running one autocomplete lookup per existing row. The role offers only
    `granted_roles` (set by the inline: the roles the user may give); a row
    whose role is above those is shown, not editable.
    """

    granted_roles = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        existing = not self.instance._state.adding
        if existing:
            field = self.fields["user"]
            field.disabled = True
            field.widget = LabelWidget(str(self.instance.user))
        if self.granted_roles is not None:
            rol = self.fields["rol"]
            if existing and self.instance.rol not in self.granted_roles:
                rol.disabled = True
            else:
                rol.choices = [(v, label) for v, label in rol.choices if v in self.granted_roles]
