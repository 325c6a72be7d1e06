"""Forms of the grid tree's own pages (the map editor's structure page)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class NodeRenameForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=64)


class NodeCreateForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=64)


class NodeMoveForm(forms.Form):
    node = forms.IntegerField(widget=forms.HiddenInput)
    parent = forms.TypedChoiceField(label=_("New parent"), coerce=int, choices=())

    def __init__(self, *args, parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [(p.pk, f"{p.name} ({p.code})") for p in parents]


class NodeDeleteForm(forms.Form):
    node = forms.IntegerField(widget=forms.HiddenInput)
