from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from evaluation.models import Method, Mode, PeriodKind, Scheme


class PeriodForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), choices=PeriodKind.choices, initial=PeriodKind.QUARTER)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    scheme = forms.ModelChoiceField(
        label=_("Scheme"), queryset=Scheme.objects.order_by("name"), required=False
    )


class CloseEarlyForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the period close before its end date?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


# FileField, not ImageField: the photo cleaner (hlgrid.photos) is the only code that parses the image.
class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class InspectionForm(forms.Form):
    worker = forms.TypedChoiceField(label=_("Worker"), coerce=int, widget=forms.RadioSelect)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices, widget=forms.RadioSelect)
    mode = forms.ChoiceField(
        label=_("Mode"), choices=Mode.choices, initial=Mode.OPEN, widget=forms.RadioSelect
    )
    score = forms.DecimalField(
        label=_("Score (0–100)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
    )
    notes = forms.CharField(
        label=pgettext_lazy("inspection", "Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = MultipleFileField(label=_("Evidence photos"), required=False)

    def __init__(self, *args, workers=(), **kwargs):
        # `workers`: the posts to offer (the search's matches, and the one already chosen).
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [
            (post.user_id, f"{post.user.display_name} · {post.node.name}") for post in workers
        ]


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("Why is the result wrong?"), widget=forms.Textarea(attrs={"rows": 4}))


class DecisionForm(forms.Form):
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
