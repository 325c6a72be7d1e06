from django import forms
from django.utils.translation import gettext_lazy as _

from supervision.models import ExcuseReason, Outcome

REVIEW_OUTCOMES = [(v, label) for v, label in Outcome.choices if v != Outcome.PENDING]


class IssueForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    instruction = forms.CharField(
        label=_("Instruction"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    working_days = forms.IntegerField(
        label=_("Reply within (working days)"),
        min_value=1,
        max_value=30,
        initial=3,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    department = forms.TypedChoiceField(
        label=_("Department"),
        coerce=int,
        required=False,
        choices=[],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Your reply"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )


class SendBackForm(forms.Form):
    note = forms.CharField(
        label=_("Why it is sent back"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    working_days = forms.IntegerField(
        label=_("New deadline (working days)"),
        min_value=1,
        max_value=30,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=REVIEW_OUTCOMES,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    reason = forms.ChoiceField(
        label=_("Excuse"),
        choices=[("", "—"), *ExcuseReason.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
