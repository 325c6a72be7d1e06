"""HTML forms: they parse input; the rules live in residents.services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from residents.models import Ethnicity, Occupancy, PoliticalStatus, Relationship, ResidenceStatus, VisitKind


class VisitForm(forms.Form):
    kind = forms.ChoiceField(
        label=pgettext_lazy("visit", "Kind"), choices=VisitKind.choices, initial=VisitKind.ROUTINE
    )
    people_seen = forms.MultipleChoiceField(label=_("People seen"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    problem_found = forms.BooleanField(label=_("Problem found (starts a petition)"), required=False)
    problem_description = forms.CharField(
        label=_("What is the problem?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, residents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.residents = {str(r.pk): r for r in residents}
        self.fields["people_seen"].choices = [(str(r.pk), r.name) for r in residents]

    def people(self):
        return [self.residents[pk] for pk in self.cleaned_data.get("people_seen", [])]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name, address or whole ID number"), required=False, max_length=64)


class CoverageForm(forms.Form):
    node = forms.IntegerField(required=False, widget=forms.HiddenInput)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period must start before it ends."))
        return data


class ImportForm(forms.Form):
    grid = forms.ChoiceField(label=_("Grid"))
    file = forms.FileField(label=_("Household register (.xlsx)"))

    def __init__(self, *args, grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.grids = {str(g.pk): g for g in grids}
        self.fields["grid"].choices = [(str(g.pk), f"{g.name}（{g.code}）") for g in grids]


BLANK = [("", "—")]


class ResidentForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=64)
    id_number = forms.CharField(label=_("ID number"), max_length=32)
    relationship = forms.ChoiceField(
        label=_("Relationship to the head of household"), choices=BLANK + Relationship.choices
    )
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=BLANK + Ethnicity.choices)
    political_status = forms.ChoiceField(
        label=_("Political status"), choices=PoliticalStatus.choices, initial=PoliticalStatus.MASSES
    )
    residence_status = forms.ChoiceField(
        label=_("Residence status"), choices=ResidenceStatus.choices, initial=ResidenceStatus.REGISTERED
    )
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    health = forms.CharField(
        label=_("Health details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MembershipForm(forms.Form):
    resident = forms.ChoiceField(label=_("Resident"))
    group = forms.ChoiceField(label=_("Key group"))
    since = forms.DateField(label=_("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    condition = forms.CharField(
        label=_("Condition"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    measures = forms.CharField(
        label=_("Measures taken"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    guardian = forms.CharField(label=_("Guardian or contact"), max_length=64, required=False)
    guardian_phone = forms.CharField(label=_("Guardian's phone"), max_length=32, required=False)

    def __init__(self, *args, residents=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.residents = {str(r.pk): r for r in residents}
        self.groups = {str(g.pk): g for g in groups}
        self.fields["resident"].choices = [(k, r.name) for k, r in self.residents.items()]
        self.fields["group"].choices = [
            (k, f"{g.name}（{g.visit_interval_days}天）") for k, g in self.groups.items()
        ]


class OccupancyForm(forms.Form):
    occupancy = forms.ChoiceField(label=_("The dwelling is"), choices=Occupancy.choices)
    landlord = forms.ChoiceField(label=_("Landlord's household (if in the register)"), required=False)

    def __init__(self, *args, households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.households = {str(h.pk): h for h in households}
        self.fields["landlord"].choices = BLANK + [(k, h.label) for k, h in self.households.items()]

    def landlord_household(self):
        return self.households.get(self.cleaned_data.get("landlord") or "")
