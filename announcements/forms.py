from django import forms
from django.utils.translation import gettext_lazy as _

from announcements.models import BODY_MAX, TITLE_MAX


class AnnouncementForm(forms.Form):
    """The words of an announcement; the service checks them again (one rule, one message)."""

    node = forms.TypedChoiceField(label=_("For"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(label=_("Text"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 5}))
    photo = forms.FileField(label=_("Photo (optional)"), required=False)
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)
    expires_at = forms.DateTimeField(
        label=_("Show until (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def __init__(self, *args, nodes, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(n.pk, f"{n.name} · {n.get_kind_display()}") for n in nodes]
        if editing:
            del self.fields["node"]
        else:
            del self.fields["remove_photo"]
