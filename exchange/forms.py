from django import forms
from django.utils.translation import gettext_lazy as _

from exchange.selectors import OUTBOX_KINDS
from grids import access
from grids.models import GridNode, NodeKind


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=64)
    code = forms.CharField(label=_("code"), max_length=32, help_text=_("Letters, digits, - and _ only."))
    city = forms.ModelChoiceField(label=_("city"), queryset=GridNode.objects.none())
    callback_url = forms.CharField(
        label=_("callback URL"),
        max_length=300,
        required=False,
        help_text=_("Where accept, return, reply and satisfaction are posted; empty: written to the log."),
    )
    default_grid = forms.CharField(
        label=_("default grid (code)"),
        max_length=32,
        required=False,
        help_text=_("Where an order goes when neither its grid code nor its position names a grid."),
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)
    mappings = forms.CharField(
        label=_("their category codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One a line: THEIR_CODE = OUR_CODE. An unmapped code gets a category suggested from the words."
        ),
    )

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        cities = access.scope_queryset(
            user,
            GridNode.objects.filter(kind=NodeKind.CITY),
            node_path="",
            post_kinds=OUTBOX_KINDS,
        )
        self.fields["city"].queryset = cities.order_by("code")
        if editing:
            del self.fields["city"]

    def clean_default_grid(self):
        code = (self.cleaned_data.get("default_grid") or "").strip()
        if not code:
            return None
        grid = GridNode.objects.filter(code=code, kind=NodeKind.GRID).first()
        if grid is None:
            raise forms.ValidationError(_("No grid has this code."))
        return grid


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500)
