"""The chain's API: organisations in the caller's scope (and creating them), the chain that
looks after a household, the members."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from grids.models import GridNode
from hlgrid.api import ErrorSerializer
from hlgrid.errors import InvalidInput
from hlgrid.pagination import DefaultCursorPagination
from party import selectors
from party.api.common import RESIDENT_KINDS, TAGS, WRITE_ERRORS, ByCode, choices_text, int_param, visible
from party.models import MemberRole, OrgKind, PartyMember, PartyOrganization
from party.services.chain import org_create
from residents.models import Building, Household


class PartyOrganizationSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=" | ".join(OrgKind.values))
    depth = serializers.IntegerField(source="level", read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True)
    secretary = serializers.SerializerMethodField()
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = PartyOrganization
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "parent",
            "depth",
            "node",
            "node_name",
            "secretary",
            "member_count",
        ]

    def get_secretary(self, org) -> str | None:
        secretaries = getattr(org, "secretaries", None)
        return secretaries[0].name if secretaries else None


class PartyOrganizationDetailSerializer(PartyOrganizationSerializer):
    grids = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    buildings = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    contact_households = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(PartyOrganizationSerializer.Meta):
        fields = [
            *PartyOrganizationSerializer.Meta.fields,
            "grids",
            "buildings",
            "household",
            "contact_households",
        ]


class PartyOrganizationCreateSerializer(serializers.Serializer):
    parent = serializers.IntegerField(required=False, allow_null=True)
    kind = choices_text(OrgKind)
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100)
    node = serializers.IntegerField(required=False, allow_null=True)
    grids = serializers.ListField(child=serializers.IntegerField(), required=False)
    buildings = serializers.ListField(child=serializers.IntegerField(), required=False)
    household = serializers.IntegerField(required=False, allow_null=True)
    contact_households = serializers.ListField(child=serializers.IntegerField(), required=False)


@extend_schema_view(
    list=extend_schema(
        tags=TAGS, parameters=[OpenApiParameter("kind", enum=OrgKind.values), OpenApiParameter("parent", int)]
    ),
    retrieve=extend_schema(
        tags=TAGS, responses={200: PartyOrganizationDetailSerializer, 404: ErrorSerializer}
    ),
    create=extend_schema(
        tags=TAGS,
        request=PartyOrganizationCreateSerializer,
        responses={201: PartyOrganizationDetailSerializer, **WRITE_ERRORS},
    ),
)
class OrganizationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The Party chain in the caller's scope, by code (`parent` and `kind` filter it)."""

    serializer_class = PartyOrganizationSerializer
    pagination_class = ByCode

    def get_queryset(self):
        kind = self.request.query_params.get("kind")
        if kind and kind not in OrgKind.values:
            raise InvalidInput.field("kind", _("Unknown kind %(kind)s.") % {"kind": kind})
        return selectors.org_list(
            user=self.request.user, kind=kind, parent_id=int_param(self.request, "parent")
        )

    def get_object(self):
        return selectors.org_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        if self.action == "retrieve":
            return PartyOrganizationDetailSerializer
        if self.action == "create":
            return PartyOrganizationCreateSerializer
        return PartyOrganizationSerializer

    def create(self, request):
        data = PartyOrganizationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v, user = data.validated_data, request.user
        parent = v.get("parent") and selectors.org_get(user=user, pk=v["parent"])
        if parent is None and not user.is_superuser:
            raise InvalidInput.field("parent", _("Only an administrator creates a working committee."))
        nodes = GridNode.objects.all()
        node = v.get("node") and visible(user, nodes, [v["node"]], node_path="", field="node")[0]
        household = (
            v.get("household")
            and visible(
                user,
                Household.objects,
                [v["household"]],
                node_path="grid",
                field="household",
                post_kinds=RESIDENT_KINDS,
            )[0]
        )
        org = org_create(
            actor=user,
            parent=parent or None,
            kind=v["kind"],
            code=v["code"],
            name=v["name"],
            node=node or None,
            grids=visible(user, nodes, v.get("grids"), node_path="", field="grids"),
            buildings=visible(
                user, Building.objects, v.get("buildings"), node_path="grid", field="buildings"
            ),
            household=household or None,
            contact_households=visible(
                user,
                Household.objects,
                v.get("contact_households"),
                node_path="grid",
                field="contact_households",
                post_kinds=RESIDENT_KINDS,
            ),
        )
        org = selectors.org_get(user=user, pk=org.pk)
        return Response(PartyOrganizationDetailSerializer(org).data, status=status.HTTP_201_CREATED)


class PartyChainOrgSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    node_name = serializers.CharField(source="node.name")
    secretary = serializers.CharField(allow_null=True)


class PartyChainSerializer(serializers.Serializer):
    household = serializers.IntegerField(source="household.pk")
    address = serializers.CharField(source="household.label")
    chain = PartyChainOrgSerializer(many=True)


@extend_schema_view(
    retrieve=extend_schema(
        tags=TAGS,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="A household id")],
        responses={200: PartyChainSerializer, 404: ErrorSerializer},
    )
)
class ChainViewSet(viewsets.GenericViewSet):
    """Which Party group, branch, general branch and working committee look after a household."""

    serializer_class = PartyChainSerializer
    pagination_class = None
    queryset = Household.objects.none()

    def retrieve(self, request, pk=None):
        household, chain = selectors.household_chain_for(user=request.user, household_id=pk)
        secretaries = {
            m.organization_id: m
            for m in PartyMember.objects.filter(organization__in=chain, role="SECRETARY", is_active=True)
        }
        for org in chain:
            org.secretary = secretaries[org.pk].name if org.pk in secretaries else None
        return Response(PartyChainSerializer({"household": household, "chain": chain}).data)


class PartyMemberSerializer(serializers.ModelSerializer):
    role = choices_text(MemberRole, read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = PartyMember
        fields = ["id", "name", "role", "organization", "organization_name", "resident", "joined_on"]


@extend_schema_view(list=extend_schema(tags=TAGS, parameters=[OpenApiParameter("organization", int)]))
class MemberViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PartyMemberSerializer
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        return selectors.member_list(
            user=self.request.user, organization_id=int_param(self.request, "organization")
        ).order_by("-id")
