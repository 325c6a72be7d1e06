from django import forms
from django.utils.translation import gettext_lazy as _

from grids import access, cities
from grids.models import Department, GridNode, NodeKind
from hlgrid.ids import MAX_ID
from petitions import selectors
from petitions.models import Category, Level, LimitUnit, Satisfaction, Source
from petitions.services.intake import STAFF_SOURCES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultiplePhotoField, self).clean(item, initial) for item in items]


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class ReportForm(forms.Form):
    description = forms.CharField(
        label=_("What is the problem?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "data-testid": "report-description"}),
    )
    category = CategoryChoiceField(
        label=_("Category (optional)"),
        queryset=selectors.category_leaves(),
        required=False,
        empty_label=_("Not sure: suggest one"),
        widget=forms.Select(attrs={"class": "form-select", "data-testid": "report-category"}),
    )
    latitude = forms.FloatField(widget=forms.HiddenInput(attrs={"data-testid": "report-lat"}), required=False)
    longitude = forms.FloatField(
        widget=forms.HiddenInput(attrs={"data-testid": "report-lng"}), required=False
    )
    address = forms.CharField(label=_("Address or landmark"), max_length=200, required=False)
    photos = MultiplePhotoField(
        label=_("Photos"),
        widget=MultipleFileInput(
            attrs={"accept": "image/*", "capture": "environment", "data-testid": "report-photos"}
        ),
    )
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=64, required=False)
    reporter_phone = forms.CharField(
        label=_("Your phone (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    reporter_notify = forms.BooleanField(label=_("Tell me of the progress by SMS"), required=False)
    # Set when the point is only a grid's centre (a building without a point, a 联心卡's QR code).
    grid = forms.ModelChoiceField(
        queryset=GridNode.objects.filter(kind=NodeKind.GRID), required=False, widget=forms.HiddenInput
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def clean(self):
        data = super().clean()
        if data.get("reporter_notify") and not (data.get("reporter_phone") or "").strip():
            self.add_error("reporter_notify", _("Leave a phone number to be told by SMS."))
        return data


class JoinForm(forms.Form):
    """我也遇到了: join an open report shown nearby instead of filing a duplicate."""

    petition = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    latitude = forms.FloatField(widget=forms.HiddenInput)
    longitude = forms.FloatField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Anything to add? (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    phone = forms.CharField(
        label=_("Your phone (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    notify = forms.BooleanField(label=_("Tell me of the progress by SMS"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def clean(self):
        data = super().clean()
        if data.get("notify") and not (data.get("phone") or "").strip():
            self.add_error("notify", _("Leave a phone number to be told by SMS."))
        return data


class RatingForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    solved = forms.TypedChoiceField(
        label=_("Was the problem solved?"),
        choices=[("1", _("Yes")), ("0", _("No"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Comment"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DraftForm(forms.Form):
    description = forms.CharField(
        label=_("Problem"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    category = CategoryChoiceField(label=_("Category"), queryset=selectors.category_leaves())
    photos = MultiplePhotoField(
        label=_("Photos"), widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})
    )


class WhistleForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=120, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    street = forms.ModelChoiceField(
        label=_("Street"), queryset=None, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments to summon"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("The category's department is checked; summon others as needed."),
    )
    checkin_hours = forms.IntegerField(
        label=_("Check in within (hours)"),
        min_value=1,
        max_value=336,
        initial=24,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )

    def __init__(self, *args, streets=None, **kwargs):
        from grids.models import Department, GridNode

        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets if streets is not None else GridNode.objects.none()
        # the departments of the streets' cities (a whistle summons its own city's)
        self.fields["departments"].queryset = Department.objects.filter(
            is_active=True, city__tree_id__in=self.fields["street"].queryset.values("tree_id")
        )


LEVEL_UP_CHOICES = [(Level.COMMUNITY, Level.COMMUNITY.label), (Level.STREET, Level.STREET.label)]


class CategorySettingsForm(forms.Form):
    """A category and its time limits (validated again, and finally, by the service)."""

    code = forms.CharField(label=_("code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=64)
    parent = forms.ModelChoiceField(label=_("parent"), queryset=None, required=False, empty_label="—")
    keywords = forms.CharField(label=_("keywords"), max_length=500, required=False)
    department = forms.ModelChoiceField(
        label=_("responsible department"), queryset=None, required=False, empty_label="—"
    )
    level = forms.ChoiceField(label=_("handling level"), choices=Level.choices)
    verify_hours = forms.IntegerField(label=_("verify within (hours)"), min_value=1)
    handle_limit = forms.IntegerField(label=_("handle within"), min_value=1)
    handle_unit = forms.ChoiceField(label=_("handle limit unit"), choices=LimitUnit.choices)
    callback_days = forms.IntegerField(label=_("call back within (days)"), min_value=1)
    urgent_hours = forms.IntegerField(
        label=_("handle within when urgent (hours)"),
        min_value=1,
        initial=24,
        help_text=_("Never later than the ordinary limit."),
    )
    critical_hours = forms.IntegerField(
        label=_("handle within when extra urgent (hours)"),
        min_value=1,
        initial=4,
        help_text=_("The community's and the street's heads are told at once."),
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args, category=None, user=None, **kwargs):
        """The parents and departments offered are the category's city's (of the user's cities
        for a new one: the service refuses another city's)."""
        super().__init__(*args, **kwargs)
        parents = Category.objects.filter(parent__isnull=True).order_by("code")
        departments = Department.objects.filter(is_active=True).order_by("code")
        if category is not None:
            parents = parents.exclude(pk=category.pk).filter(city=category.city_id)
            departments = departments.filter(city=category.city_id)
        elif user is not None:
            parents = access.scope_to_cities(user, parents)
            departments = access.scope_to_cities(user, departments)
            cities.add_city_field(self, user)
        self.fields["parent"].queryset = parents
        self.fields["department"].queryset = departments


class IntakeForm(forms.Form):
    """Staff take a petition in (接诉登记): the source, the caller, what and where. The place is
    given one way (`location_mode`): a building of the register found by search, a point on
    the map, or an address in one of the staff member's grids. The service decides the rest."""

    MODES = [("building", _("Building")), ("point", _("Point on the map")), ("address", _("Address"))]

    source = forms.ChoiceField(
        label=_("Taken in by"),
        choices=[(s.value, s.label) for s in STAFF_SOURCES],
        initial=Source.HOTLINE,
        widget=forms.RadioSelect,
    )
    reporter_name = forms.CharField(label=_("Caller's name"), max_length=64, required=False)
    reporter_phone = forms.CharField(
        label=_("Caller's phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    reporter_notify = forms.BooleanField(label=_("Keep the caller informed by SMS"), required=False)
    description = forms.CharField(
        label=_("What is the problem?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=selectors.category_leaves(),
        required=False,
        empty_label=_("Suggest one from the description"),
    )
    photos = MultiplePhotoField(
        label=_("Photos"), widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})
    )
    location_mode = forms.ChoiceField(
        label=_("Where is it?"), choices=MODES, initial="building", widget=forms.RadioSelect
    )
    building = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    latitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    longitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=None, required=False, empty_label=None)
    address = forms.CharField(label=_("Address or landmark"), max_length=200, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, grids=None, **kwargs):
        from grids.models import GridNode

        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids if grids is not None else GridNode.objects.none()

    def clean(self):
        data = super().clean()
        mode = data.get("location_mode")
        if mode == "building" and not data.get("building"):
            self.add_error("building", _("Search for the building and choose it."))
        if mode == "point" and (data.get("latitude") is None or data.get("longitude") is None):
            self.add_error("latitude", _("Tap the place on the map."))
        if mode == "address":
            if not data.get("grid"):
                self.add_error("grid", _("Choose the grid."))
            if not (data.get("address") or "").strip():
                self.add_error("address", _("Give the address within the grid."))
        return data

    def intake(self) -> dict:
        """The service's keyword arguments: only the chosen way of giving the place."""
        data = dict(self.cleaned_data)
        mode = data.pop("location_mode")
        building, grid = data.pop("building"), data.pop("grid")
        latitude, longitude = data.pop("latitude"), data.pop("longitude")
        data.pop("idempotency_key")
        if mode == "building":
            data["building_id"] = building
        elif mode == "point":
            data.update(latitude=latitude, longitude=longitude)
        else:
            data["grid_id"] = grid.pk
        return data
