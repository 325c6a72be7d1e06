"""A city's working calendar through the API: the days of a year, a change previewed, a change
applied (it moves the city's open deadlines it affects, as the page does on confirmation), a
year loaded.

Each city has its own: `city` (a CITY node's id) names it, and may be left out by one who has
one city (reads: the first of one's cities). Read by every official of the city; changed by
its administrators, city-level officials and superusers (grids.access.may_configure): 403 to
an official who may only read, 404 to everyone else and to other cities' people.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids import access, calendar, cities
from grids.models import CalendarDay
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer, NoUnknownFields
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.models import DayKind

TAGS = ["settings"]


class CalendarDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["id", "city", "date", "kind", "name", "statutory", "created_at"]
        read_only_fields = fields


class CalendarYearDaySerializer(serializers.Serializer):
    """A day of a year's calendar: `id` is null for a year that follows the statutory calendar."""

    id = serializers.IntegerField(allow_null=True)
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=DayKind.choices)
    name = serializers.CharField()
    statutory = serializers.BooleanField()


class CalendarChangeSerializer(NoUnknownFields, serializers.Serializer):
    city = cities.city_write_field()
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=DayKind.choices)
    name = serializers.CharField(max_length=calendar.NAME_MAX)


class CalendarPreviewSerializer(NoUnknownFields, serializers.Serializer):
    """A change to preview: `kind` and `name` to set the day, `remove` to take it out."""

    city = cities.city_write_field()
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=DayKind.choices, required=False)
    name = serializers.CharField(max_length=calendar.NAME_MAX, required=False, allow_blank=True)
    remove = serializers.BooleanField(default=False)


class YearSerializer(NoUnknownFields, serializers.Serializer):
    city = cities.city_write_field()
    year = serializers.IntegerField(min_value=calendar.FIRST_YEAR, max_value=calendar.LAST_YEAR)


class MoveSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField()
    before = serializers.DateTimeField()
    after = serializers.DateTimeField()


class EffectSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    count = serializers.IntegerField()
    sample = MoveSerializer(many=True)


class AppliedSerializer(serializers.Serializer):
    day = CalendarDaySerializer(allow_null=True)
    moved = serializers.DictField(child=serializers.IntegerField())


def _year(request) -> int:
    raw = request.query_params.get("year")
    if raw in (None, ""):
        return timezone.localdate().year
    if not raw.isdigit():
        raise InvalidInput.field("year", _("Enter a year."))
    return calendar.check_year(raw)


def _read_city(request):
    raw = request.query_params.get("city")
    if raw not in (None, "") and not raw.isdigit():
        raise InvalidInput.field("city", _("Choose a city."))
    return calendar.calendar_city(request.user, int(raw) if raw else None)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="The year (default: this year)"),
            OpenApiParameter("city", int, description="The city (default: the first of yours)"),
        ],
        responses={200: CalendarYearDaySerializer(many=True), 400: ErrorSerializer, 404: ErrorSerializer},
        tags=TAGS,
    ),
    retrieve=extend_schema(responses={200: CalendarDaySerializer, 404: ERROR_RESPONSES[404]}, tags=TAGS),
    create=extend_schema(
        request=CalendarChangeSerializer,
        responses={201: AppliedSerializer, **ERROR_RESPONSES, 403: ErrorSerializer},
        tags=TAGS,
    ),
    destroy=extend_schema(
        responses={200: AppliedSerializer, 403: ErrorSerializer, 404: ErrorSerializer}, tags=TAGS
    ),
)
class CalendarDayViewSet(viewsets.GenericViewSet):
    """The office's working calendar: days off on weekdays and worked weekend days, per year.
    Creating or deleting a day moves the open deadlines counted in working days at once;
    `preview` tells which would move first."""

    serializer_class = CalendarDaySerializer
    pagination_class = None
    queryset = CalendarDay.objects.none()

    def get_queryset(self):
        if not access.may_view_configuration(self.request.user):
            return CalendarDay.objects.none()
        return access.scope_to_cities(self.request.user, CalendarDay.objects.order_by("city", "date"))

    def get_object(self):
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except CalendarDay.DoesNotExist:
            raise NotFound() from None

    def list(self, request):
        access.require_may_view_configuration(request.user)
        city = _read_city(request)
        days = [{"id": None, **day} for day in calendar.calendar_year(_year(request), city=city)]
        ids = dict(
            CalendarDay.objects.filter(city=city, date__in=[d["date"] for d in days]).values_list(
                "date", "id"
            )
        )
        for day in days:
            day["id"] = ids.get(day["date"])
        return Response(CalendarYearDaySerializer(days, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(CalendarDaySerializer(self.get_object()).data)

    def create(self, request):
        access.require_may_configure(request.user)
        data = CalendarChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        city = cities.city_for_new(request.user, values.get("city"))
        day, moved = calendar.calendar_day_set(
            actor=request.user, city=city, day=values["date"], kind=values["kind"], name=values["name"]
        )
        body = {"day": CalendarDaySerializer(day).data, "moved": moved}
        return Response(body, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        day = self.get_object()
        moved = calendar.calendar_day_remove(actor=request.user, city=day.city, day=day.date)
        return Response({"day": None, "moved": moved})

    @extend_schema(
        request=CalendarPreviewSerializer,
        responses={200: EffectSerializer(many=True), **ERROR_RESPONSES, 403: ErrorSerializer},
        tags=TAGS,
    )
    @action(detail=False, methods=["post"])
    def preview(self, request):
        """What a change would move (nothing is changed)."""
        access.require_may_configure(request.user)
        data = CalendarPreviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["remove"]:
            kind, name = None, ""
        elif "kind" not in values:
            raise InvalidInput.field("kind", _("Choose a day off or a working day."))
        else:
            kind, name = values["kind"], values.get("name", "")
        city = cities.city_for_new(request.user, values.get("city"))
        effects = calendar.calendar_change_preview(
            actor=request.user, city=city, day=values["date"], kind=kind, name=name
        )
        return Response(EffectSerializer(effects, many=True).data)

    @extend_schema(
        request=YearSerializer,
        responses={
            201: CalendarYearDaySerializer(many=True),
            **ERROR_RESPONSES,
            403: ErrorSerializer,
            409: OpenApiResponse(ErrorSerializer, description="The year is loaded already"),
        },
        tags=TAGS,
    )
    @action(detail=False, methods=["post"], url_path="load-year")
    def load_year(self, request):
        """Copy a year of the statutory calendar into the office's own, to edit it."""
        access.require_may_configure(request.user)
        data = YearSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        city = cities.city_for_new(request.user, data.validated_data.get("city"))
        year = calendar.calendar_year_load(actor=request.user, city=city, year=data.validated_data["year"])
        rows = CalendarDay.objects.filter(city=city, date__year=year.year).order_by("date")
        return Response(CalendarYearDaySerializer(rows, many=True).data, status=status.HTTP_201_CREATED)
