"""The API of the four lists under /api/v1/lists/: needs, small wishes, resources, projects,
responsibilities and social organisations, and the resident's confirmation of a wish by code
under /api/v1/public/wishes/. Thin serializers and viewsets over lists.selectors and
lists.services: every list is scoped, an object outside the caller's scope answers 404 before
its body is read; money is sent and answered as decimal strings ("1234.50"), never floats.
portal/urls.py registers the routes with `register_routes`."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from grids import access
from grids.models import GridNode
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer, NoUnknownFields
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.ids import MAX_ID, in_range
from hlgrid.pagination import DefaultCursorPagination
from hlgrid.parsers import FormParser, MultiPartParser
from lists import selectors, services
from lists.models import NeedOrigin, NeedStatus, OrgKind, ResourceKind, WishStatus
from party.models import Alliance, InServiceMember, MemberUnit, ProjectStatus
from petitions.api import PublicThrottle

TAGS = ["lists"]
WRITE_ERRORS = {**ERROR_RESPONSES, 403: ErrorSerializer, 409: ErrorSerializer}


def choices_text(choices, **kwargs) -> serializers.CharField:
    kwargs.setdefault("help_text", " | ".join(choices.values))
    return serializers.CharField(**kwargs)


def money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True, **kwargs)


def _node_param(request) -> GridNode | None:
    value = request.query_params.get("node")
    if not value:
        return None
    if not value.isdigit() or not in_range(int(value)):
        raise InvalidInput.field("node", _("Unknown node, or outside your scope."))
    node = access.scope_queryset(request.user, GridNode.objects.filter(pk=int(value)), node_path="").first()
    if node is None:
        raise InvalidInput.field("node", _("Unknown node, or outside your scope."))
    return node


def _one(queryset, pk, field: str):
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise InvalidInput.field(field, _("Unknown, or not available here."))
    return found


NODE = OpenApiParameter("node", int, description="only under this grid node")


def _id(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# --- needs --------------------------------------------------------------------------------------


class NeedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    grid = serializers.IntegerField(source="grid_id")
    grid_name = serializers.CharField(source="grid.name")
    title = serializers.CharField()
    description = serializers.CharField()
    origin_kind = choices_text(NeedOrigin)
    origin_id = serializers.CharField()
    status = choices_text(NeedStatus)
    claimed_by_unit = serializers.IntegerField(source="claimed_by_unit_id", allow_null=True)
    claimed_by_member = serializers.IntegerField(source="claimed_by_member_id", allow_null=True)
    claimed_by_organization = serializers.IntegerField(source="claimed_by_org_id", allow_null=True)
    project = serializers.IntegerField(source="project_id", allow_null=True)
    matched_amount = money()
    match_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class NeedInputSerializer(NoUnknownFields, serializers.Serializer):
    grid = _id()
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    origin_kind = choices_text(NeedOrigin, required=False, default=NeedOrigin.OTHER)
    origin_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)


class ClaimInputSerializer(NoUnknownFields, serializers.Serializer):
    unit = _id(required=False, allow_null=True)
    member = _id(required=False, allow_null=True)
    organization = _id(required=False, allow_null=True)


class MatchInputSerializer(NoUnknownFields, serializers.Serializer):
    resource = _id()
    amount = serializers.CharField(required=False, allow_blank=True, help_text="yuan, to the fen")
    hours = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class MatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    need = serializers.IntegerField(source="need_id")
    resource = serializers.IntegerField(source="resource_id")
    amount = money()
    hours = serializers.DecimalField(max_digits=8, decimal_places=1, coerce_to_string=True)
    note = serializers.CharField()


class ProjectInputSerializer(NoUnknownFields, serializers.Serializer):
    alliance = _id()
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    budget = serializers.CharField(
        required=False, allow_blank=True, help_text="yuan; default: the matched funds"
    )
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)


def _need(request, pk):
    return selectors.need_get(user=request.user, pk=pk)


def _need_answer(request, pk, code=status.HTTP_200_OK) -> Response:
    return Response(NeedSerializer(selectors.need_get(user=request.user, pk=pk)).data, status=code)


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        parameters=[
            NODE,
            OpenApiParameter("status", str, enum=NeedStatus.values),
            OpenApiParameter("origin", str, enum=NeedOrigin.values),
        ],
    ),
    retrieve=extend_schema(tags=TAGS, responses={200: NeedSerializer, 404: ErrorSerializer}),
    create=extend_schema(
        tags=TAGS, request=NeedInputSerializer, responses={201: NeedSerializer, **WRITE_ERRORS}
    ),
)
class NeedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Residents' needs (需求清单) in the caller's grids."""

    serializer_class = NeedSerializer
    pagination_class = DefaultCursorPagination
    ordering = "-id"

    def get_queryset(self):
        params = self.request.query_params
        return selectors.need_list_page(
            user=self.request.user,
            node=_node_param(self.request),
            status=params.get("status", ""),
            origin=params.get("origin", ""),
        ).order_by("-id")

    def retrieve(self, request, pk=None):
        return _need_answer(request, pk)

    def create(self, request):
        data = NeedInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        grid = access.scope_queryset(
            request.user, GridNode.objects.filter(pk=v.pop("grid")), node_path=""
        ).first()
        if grid is None:
            raise InvalidInput.field("grid", _("Unknown node, or outside your scope."))
        need = services.need_create(actor=request.user, grid=grid, **v)
        return _need_answer(request, need.pk, status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, request=ClaimInputSerializer, responses={200: NeedSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """Claim for one unit paired with the grid, one in-service member or one organisation."""
        need = _need(request, pk)
        data = ClaimInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        grid = need.grid
        services.need_claim(
            actor=request.user,
            need=need,
            unit=_one(selectors.units_for_grid(grid=grid), v.get("unit"), "unit"),
            member=_one(selectors.members_for_grid(grid=grid), v.get("member"), "member"),
            organization=_one(
                selectors.organizations_for_grid(grid=grid), v.get("organization"), "organization"
            ),
        )
        return _need_answer(request, need.pk)

    @extend_schema(tags=TAGS, request=MatchInputSerializer, responses={201: MatchSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def match(self, request, pk=None):
        """Match a resource offered over the grid, committing funds (yuan) or hours."""
        need = _need(request, pk)
        data = MatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        resource = _one(selectors.resources_for_need(user=request.user, need=need), v["resource"], "resource")
        found = services.need_match(
            actor=request.user,
            need=need,
            resource=resource,
            amount=v.get("amount") or None,
            hours=v.get("hours") or None,
            note=v["note"],
        )
        return Response(MatchSerializer(found).data, status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, request=ProjectInputSerializer, responses={201: NeedSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"], url_path="to-project")
    def to_project(self, request, pk=None):
        """Turn the need into a joint project of an alliance over its grid."""
        need = _need(request, pk)
        data = ProjectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        grid = need.grid
        alliances = Alliance.objects.filter(
            node__tree_id=grid.tree_id, node__lft__lte=grid.lft, node__rght__gte=grid.rght
        )
        services.need_to_project(
            actor=request.user,
            need=need,
            alliance=_one(alliances, v["alliance"], "alliance"),
            name=v["name"],
            budget=v.get("budget") or None,
            starts_on=v.get("starts_on"),
            ends_on=v.get("ends_on"),
        )
        return _need_answer(request, need.pk, status.HTTP_201_CREATED)


# --- wishes -------------------------------------------------------------------------------------


class WishSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    need = serializers.IntegerField(source="need_id")
    title = serializers.CharField(source="need.title")
    grid = serializers.IntegerField(source="need.grid_id")
    resident_name = serializers.CharField()
    status = choices_text(WishStatus)
    claimed_by_unit = serializers.IntegerField(source="claimed_by_unit_id", allow_null=True)
    claimed_by_member = serializers.IntegerField(source="claimed_by_member_id", allow_null=True)
    claimed_at = serializers.DateTimeField(allow_null=True)
    fulfilled_at = serializers.DateTimeField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    confirmed_on_behalf = serializers.SerializerMethodField()
    confirmation_code = serializers.CharField()

    def get_confirmed_on_behalf(self, obj) -> bool:
        return obj.confirmed_by_id is not None


class WishInputSerializer(NoUnknownFields, serializers.Serializer):
    grid = _id()
    title = serializers.CharField(max_length=120)
    resident_name = serializers.CharField(max_length=64)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class WishClaimSerializer(NoUnknownFields, serializers.Serializer):
    unit = _id(required=False, allow_null=True)
    member = _id(required=False, allow_null=True)


class PhotoSerializer(serializers.Serializer):
    photo = serializers.FileField()


def _wish_answer(request, pk, code=status.HTTP_200_OK) -> Response:
    return Response(WishSerializer(selectors.wish_get(user=request.user, pk=pk)).data, status=code)


@extend_schema_view(
    list=extend_schema(tags=TAGS, parameters=[NODE, OpenApiParameter("status", str, enum=WishStatus.values)]),
    retrieve=extend_schema(tags=TAGS, responses={200: WishSerializer, 404: ErrorSerializer}),
    create=extend_schema(
        tags=TAGS, request=WishInputSerializer, responses={201: WishSerializer, **WRITE_ERRORS}
    ),
)
class WishViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Small wishes (微心愿) in the caller's grids, with their confirmation codes for the staff."""

    serializer_class = WishSerializer
    pagination_class = DefaultCursorPagination
    ordering = "-id"

    def get_queryset(self):
        return selectors.wish_list_page(
            user=self.request.user,
            node=_node_param(self.request),
            status=self.request.query_params.get("status", ""),
        ).order_by("-id")

    def retrieve(self, request, pk=None):
        return _wish_answer(request, pk)

    def create(self, request):
        data = WishInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        grid = access.scope_queryset(
            request.user, GridNode.objects.filter(pk=v.pop("grid")), node_path=""
        ).first()
        if grid is None:
            raise InvalidInput.field("grid", _("Unknown node, or outside your scope."))
        wish = services.wish_create(actor=request.user, grid=grid, **v)
        return _wish_answer(request, wish.pk, status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, request=WishClaimSerializer, responses={200: WishSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """Claim for a unit paired with the grid or an in-service member who reported to it."""
        wish = selectors.wish_get(user=request.user, pk=pk)
        data = WishClaimSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        grid = wish.need.grid
        services.wish_claim(
            actor=request.user,
            wish=wish,
            unit=_one(MemberUnit.objects.filter(grids=grid), v.get("unit"), "unit"),
            member=_one(InServiceMember.objects.filter(grid=grid), v.get("member"), "member"),
        )
        return _wish_answer(request, wish.pk)

    @extend_schema(
        tags=TAGS,
        request={"multipart/form-data": PhotoSerializer},
        responses={200: WishSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def fulfil(self, request, pk=None):
        """Mark a claimed wish fulfilled, with a photo."""
        wish = selectors.wish_get(user=request.user, pk=pk)
        services.wish_fulfil(actor=request.user, wish=wish, photo=request.FILES.get("photo"))
        return _wish_answer(request, wish.pk)

    @extend_schema(tags=TAGS, request=None, responses={200: WishSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"], url_path="confirm-on-behalf")
    def confirm_on_behalf(self, request, pk=None):
        """Confirm after a visit, on the resident's behalf (recorded with who confirmed)."""
        wish = selectors.wish_get(user=request.user, pk=pk)
        services.wish_confirm_on_behalf(actor=request.user, wish=wish)
        return _wish_answer(request, wish.pk)

    @extend_schema(tags=TAGS, request=None, responses={200: WishSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        wish = selectors.wish_get(user=request.user, pk=pk)
        services.wish_cancel(actor=request.user, wish=wish)
        return _wish_answer(request, wish.pk)


class PublicWishSerializer(serializers.Serializer):
    title = serializers.CharField(source="need.title")
    grid_name = serializers.CharField(source="need.grid.name")
    status = choices_text(WishStatus)
    claimed_by_unit_name = serializers.CharField(source="claimed_by_unit.name", default="", allow_null=True)
    fulfilled_at = serializers.DateTimeField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)


@extend_schema_view(
    retrieve=extend_schema(tags=TAGS, responses={200: PublicWishSerializer, 404: ErrorSerializer}),
)
class PublicWishViewSet(viewsets.GenericViewSet):
    """A resident, without an account, looks up and confirms a small wish by its code."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [PublicThrottle]
    throttle_scope = "public"
    serializer_class = PublicWishSerializer
    lookup_field = "code"
    lookup_value_regex = "[0-9A-Za-z]{4,16}"

    def get_queryset(self):
        from lists.models import Wish

        return Wish.objects.none()

    def retrieve(self, request, code: str | None = None):
        found = selectors.public_wish(code=code)
        if found is None:
            raise NotFound()
        return Response(PublicWishSerializer(found).data)

    @extend_schema(tags=TAGS, request=None, responses={200: PublicWishSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def confirm(self, request, code: str | None = None):
        """The resident confirms the wish fulfilled (409 unless it is marked fulfilled)."""
        services.wish_confirm_by_code(code=code)
        return Response(PublicWishSerializer(selectors.public_wish(code=code)).data)


# --- resources ----------------------------------------------------------------------------------


class ResourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    node = serializers.IntegerField(source="node_id")
    alliance = serializers.IntegerField(source="alliance_id")
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    provider_name = serializers.CharField(source="provider.name")
    kind = choices_text(ResourceKind)
    title = serializers.CharField()
    description = serializers.CharField()
    amount = money(allow_null=True)
    hours = serializers.DecimalField(max_digits=8, decimal_places=1, coerce_to_string=True, allow_null=True)
    capacity = serializers.IntegerField(allow_null=True)
    is_active = serializers.BooleanField()
    committed_amount = money()
    committed_hours = serializers.DecimalField(max_digits=8, decimal_places=1, coerce_to_string=True)
    match_count = serializers.IntegerField()


class ResourceInputSerializer(NoUnknownFields, serializers.Serializer):
    unit = _id(required=False, allow_null=True)
    alliance = _id(required=False, allow_null=True)
    kind = choices_text(ResourceKind)
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    amount = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="yuan, to the fen"
    )
    hours = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    capacity = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=99999)


class ResourceUpdateSerializer(NoUnknownFields, serializers.Serializer):
    kind = choices_text(ResourceKind)
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    amount = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="yuan, to the fen"
    )
    hours = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    capacity = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=99999)
    is_active = serializers.BooleanField(required=False, default=True)


@extend_schema_view(
    list=extend_schema(tags=TAGS, parameters=[NODE, OpenApiParameter("kind", str, enum=ResourceKind.values)]),
    retrieve=extend_schema(tags=TAGS, responses={200: ResourceSerializer, 404: ErrorSerializer}),
    create=extend_schema(
        tags=TAGS, request=ResourceInputSerializer, responses={201: ResourceSerializer, **WRITE_ERRORS}
    ),
    update=extend_schema(
        tags=TAGS, request=ResourceUpdateSerializer, responses={200: ResourceSerializer, **WRITE_ERRORS}
    ),
)
class ResourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Resources (资源清单) offered over or inside the caller's territory."""

    serializer_class = ResourceSerializer
    pagination_class = DefaultCursorPagination
    ordering = "id"

    def get_queryset(self):
        return selectors.resource_list_page(
            user=self.request.user,
            node=_node_param(self.request),
            kind=self.request.query_params.get("kind", ""),
        ).order_by("id")

    def retrieve(self, request, pk=None):
        return Response(ResourceSerializer(_resource(request, pk)).data)

    def create(self, request):
        data = ResourceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        scoped_alliances = access.scope_queryset(request.user, Alliance.objects.all(), node_path="node")
        unit = _one(MemberUnit.objects.filter(alliance__in=scoped_alliances), v.pop("unit", None), "unit")
        alliance = _one(scoped_alliances, v.pop("alliance", None), "alliance")
        found = services.resource_create(actor=request.user, unit=unit, alliance=alliance, **v)
        return Response(ResourceSerializer(_resource(request, found.pk)).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        found = _resource(request, pk)
        data = ResourceUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.resource_update(actor=request.user, resource=found, **data.validated_data)
        return Response(ResourceSerializer(_resource(request, found.pk)).data)


def _resource(request, pk):
    return selectors.resource_get(user=request.user, pk=pk)


# --- projects, responsibilities, organisations --------------------------------------------------


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    alliance = serializers.IntegerField(source="alliance_id")
    alliance_name = serializers.CharField(source="alliance.name")
    status = choices_text(ProjectStatus)
    progress = serializers.IntegerField()
    budget = money()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    need_count = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        parameters=[NODE, OpenApiParameter("matched", str, enum=["yes", "no"])],
    )
)
class ProjectViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The projects list (项目清单): joint projects over the caller's posts or working in its grids,
    with the number of needs each answers."""

    serializer_class = ProjectSerializer
    pagination_class = DefaultCursorPagination
    ordering = "-id"

    def get_queryset(self):
        return selectors.project_list_page(
            user=self.request.user,
            node=_node_param(self.request),
            matched=self.request.query_params.get("matched", ""),
        ).order_by("-id")


class ResponsibilitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    node = serializers.IntegerField(source="node_id")
    need = serializers.IntegerField(source="need_id", allow_null=True)
    project = serializers.IntegerField(source="project_id", allow_null=True)
    resource = serializers.IntegerField(source="resource_id", allow_null=True)
    holder_user = serializers.IntegerField(source="holder_user_id", allow_null=True)
    holder_unit = serializers.IntegerField(source="holder_unit_id", allow_null=True)
    holder_organization = serializers.IntegerField(source="holder_org_id", allow_null=True)
    holder_name = serializers.SerializerMethodField()
    duty = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)

    def get_holder_name(self, obj) -> str:
        if obj.holder_user_id:
            return obj.holder_user.display_name
        return str(obj.holder)


class ResponsibilityInputSerializer(NoUnknownFields, serializers.Serializer):
    need = _id(required=False, allow_null=True)
    project = _id(required=False, allow_null=True)
    resource = _id(required=False, allow_null=True)
    holder_user = _id(required=False, allow_null=True)
    holder_unit = _id(required=False, allow_null=True)
    holder_organization = _id(required=False, allow_null=True)
    duty = serializers.CharField(max_length=200)
    due_on = serializers.DateField(required=False, allow_null=True)


@extend_schema_view(
    list=extend_schema(tags=TAGS, parameters=[NODE]),
    create=extend_schema(
        tags=TAGS,
        request=ResponsibilityInputSerializer,
        responses={201: ResponsibilitySerializer, **WRITE_ERRORS},
    ),
)
class ResponsibilityViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The responsibilities list (责任清单): who answers for which need, project or resource."""

    serializer_class = ResponsibilitySerializer
    pagination_class = DefaultCursorPagination
    ordering = "id"

    def get_queryset(self):
        return selectors.responsibility_list_page(
            user=self.request.user, node=_node_param(self.request)
        ).order_by("id")

    def create(self, request):
        from django.contrib.auth import get_user_model

        data = ResponsibilityInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        user = request.user
        found = services.responsibility_assign(
            actor=user,
            duty=v["duty"],
            due_on=v.get("due_on"),
            need=_one(selectors.need_list(user=user), v.get("need"), "need"),
            project=_one(selectors.project_list(user=user), v.get("project"), "project"),
            resource=_one(selectors.resource_list(user=user), v.get("resource"), "resource"),
            holder_user=_one(
                get_user_model().objects.filter(is_active=True), v.get("holder_user"), "holder_user"
            ),
            holder_unit=_one(MemberUnit.objects.all(), v.get("holder_unit"), "holder_unit"),
            holder_org=_one(
                selectors.organization_list(user=user), v.get("holder_organization"), "holder_organization"
            ),
        )
        row = selectors.responsibility_list_page(user=user).get(pk=found.pk)
        return Response(ResponsibilitySerializer(row).data, status=status.HTTP_201_CREATED)


class OrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    node = serializers.IntegerField(source="node_id")
    node_name = serializers.CharField(source="node.name")
    name = serializers.CharField()
    kind = choices_text(OrgKind)
    services = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField(source="contact_phone_masked")
    members = serializers.IntegerField()
    is_active = serializers.BooleanField()
    activity_count = serializers.IntegerField()
    claim_count = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(tags=TAGS, parameters=[NODE, OpenApiParameter("kind", str, enum=OrgKind.values)]),
    retrieve=extend_schema(tags=TAGS, responses={200: OrganizationSerializer, 404: ErrorSerializer}),
)
class OrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Social organisations and volunteer teams (四社联动) over or inside the caller's territory."""

    serializer_class = OrganizationSerializer
    pagination_class = DefaultCursorPagination
    ordering = "id"

    def get_queryset(self):
        return selectors.organization_list_page(
            user=self.request.user,
            node=_node_param(self.request),
            kind=self.request.query_params.get("kind", ""),
        ).order_by("id")

    def retrieve(self, request, pk=None):
        return Response(OrganizationSerializer(selectors.organization_get(user=request.user, pk=pk)).data)


ROUTES = [
    ("lists/needs", NeedViewSet, "lists-need"),
    ("lists/wishes", WishViewSet, "lists-wish"),
    ("lists/resources", ResourceViewSet, "lists-resource"),
    ("lists/projects", ProjectViewSet, "lists-project"),
    ("lists/responsibilities", ResponsibilityViewSet, "lists-responsibility"),
    ("lists/organizations", OrganizationViewSet, "lists-organization"),
    ("public/wishes", PublicWishViewSet, "public-wish"),
]


def register_routes(router) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
