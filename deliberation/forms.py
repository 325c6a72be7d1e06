from django import forms
from django.utils.translation import gettext_lazy as _

from deliberation.models import Choice, ParticipantRole, Topic
from grids.models import GridNode
from residents.models import Building, Unit


class BootstrapForm(forms.Form):
    """Bootstrap classes on every widget (the templates render fields through _field.html)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.HiddenInput):
                continue  # Django's own list of labelled checkboxes
            if isinstance(widget, forms.RadioSelect):  # rendered one by one in .form-check
                widget.attrs.setdefault("class", "form-check-input")
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
            widget.attrs.setdefault("data-testid", f"field-{name}")


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_kind_display()})"


class TopicForm(BootstrapForm):
    node = NodeChoiceField(label=_("For which grid or community"), queryset=GridNode.objects.none())
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("What should be discussed"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    building = forms.CharField(label=_("Building number (optional)"), max_length=32, required=False)
    unit = forms.CharField(label=_("Unit number (optional)"), max_length=32, required=False)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = GridNode.objects.filter(pk__in=[n.pk for n in nodes]).order_by(
            "tree_id", "lft"
        )

    def clean(self):
        data = super().clean()
        node, building_no, unit_no = data.get("node"), data.get("building"), data.get("unit")
        data["building"] = data["unit"] = None
        if node is not None and building_no:
            building = Building.objects.filter(grid=node, number=building_no.strip()).first()
            if building is None:
                self.add_error("building", _("This grid has no such building."))
                return data
            data["building"] = building
            if unit_no:
                unit = (
                    Unit.objects.filter(building=building, number=unit_no.strip())
                    .select_related("building")
                    .first()
                )
                if unit is None:
                    self.add_error("unit", _("This building has no such unit."))
                data["unit"] = unit
        elif unit_no:
            self.add_error("unit", _("Name the building of the unit."))
        return data


class MeetingForm(BootstrapForm):
    node = NodeChoiceField(label=_("Node"), queryset=GridNode.objects.none())
    title = forms.CharField(label=_("Title"), max_length=100)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=100)
    invited_roles = forms.MultipleChoiceField(
        label=_("Invited"),
        choices=ParticipantRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Agenda"), queryset=Topic.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, nodes, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = GridNode.objects.filter(pk__in=[n.pk for n in nodes]).order_by(
            "tree_id", "lft"
        )
        self.fields["topics"].queryset = Topic.objects.filter(pk__in=[t.pk for t in topics]).order_by(
            "-created_at"
        )


class GridChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


ABOUT = [("unit", _("My unit")), ("building", _("My building")), ("grid", _("My grid"))]


class PublicTopicForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("What should be discussed"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    about = forms.ChoiceField(label=_("It concerns"), choices=ABOUT, initial="unit")
    latitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    longitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    grid = GridChoiceField(
        label=_("Or choose your grid"),
        queryset=GridNode.objects.none(),
        required=False,
        empty_label=_("Use my location"),
    )
    building = forms.CharField(label=_("Building"), max_length=32)
    unit = forms.CharField(label=_("Unit"), max_length=32)
    door = forms.CharField(label=_("Door"), max_length=32)
    phone = forms.CharField(
        label=_("The phone registered for your household"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = GridNode.objects.filter(pk__in=[g.pk for g in grids]).order_by("code")


class PublicBallotForm(BootstrapForm):
    building = forms.CharField(label=_("Building"), max_length=32)
    unit = forms.CharField(label=_("Unit"), max_length=32)
    door = forms.CharField(label=_("Door"), max_length=32)
    phone = forms.CharField(
        label=_("The phone registered for your household"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    choice = forms.ChoiceField(
        label=_("Your household's vote"), choices=Choice.choices, widget=forms.RadioSelect
    )
