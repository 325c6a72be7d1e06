"""The people API: accounts and posts of the caller's subtree, for officials and administrators.

Thin: grids.people.selectors read (scoped: an account or post outside the caller's scope is
a 404), grids.people.services and grids.services write (the policy's 404/403 come from
there). Lists answer 403 to a caller who manages nobody. Phones are masked in every answer.
portal/urls.py registers the routes with `register_routes`.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids import access
from grids import services as grid_services
from grids.models import Department, GridNode, PostKind
from grids.people import importer, selectors, services
from hlgrid.api import ErrorSerializer, NoUnknownFields
from hlgrid.errors import Forbidden, InvalidInput, NotFound
from hlgrid.ids import in_range
from hlgrid.pagination import DefaultCursorPagination
from hlgrid.parsers import MultiPartParser

TAG = ["people"]
WRITE = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
TRANSITION = {**WRITE, 409: OpenApiResponse(ErrorSerializer, description="Not allowed in the current state")}


class IdPagination(DefaultCursorPagination):
    ordering = "id"


# --- serializers ----------------------------------------------------------------------------------


class AccountActivePostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PostKind.choices)
    title = serializers.CharField()
    node = serializers.IntegerField(source="node_id")
    node_code = serializers.CharField(source="node.code")
    node_name = serializers.CharField(source="node.name")
    department = serializers.IntegerField(source="department_id", allow_null=True)


class AccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField(source="phone_masked", help_text="Masked (138****5678).")
    is_active = serializers.BooleanField()
    must_change_password = serializers.BooleanField()
    posts = AccountActivePostSerializer(source="active_posts", many=True, help_text="The active posts.")


class NewPasswordSerializer(serializers.Serializer):
    account = AccountSerializer()
    password = serializers.CharField(
        allow_null=True, help_text="The generated password, shown only in this answer (null when given)."
    )


class StaffPostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = serializers.IntegerField(source="user_id")
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.display_name")
    kind = serializers.ChoiceField(choices=PostKind.choices)
    title = serializers.CharField()
    node = serializers.IntegerField(source="node_id")
    node_code = serializers.CharField(source="node.code")
    department = serializers.IntegerField(source="department_id", allow_null=True)
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    granted_by = serializers.IntegerField(source="granted_by_id", allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    ended_by = serializers.IntegerField(source="ended_by_id", allow_null=True)


def _node(pk: int) -> GridNode:
    """The node named in a body; whether the caller may act there is the service's question."""
    node = GridNode.objects.filter(pk=pk).first() if in_range(pk) else None
    if node is None:
        raise NotFound()
    return node


def _department(pk: int | None) -> Department | None:
    if pk is None:
        return None
    department = Department.objects.filter(pk=pk).first() if in_range(pk) else None
    if department is None:
        raise InvalidInput.field("department", _("No such department."))
    return department


class _Placement(NoUnknownFields, serializers.Serializer):
    node = serializers.IntegerField(min_value=1)
    department = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class AccountCreateSerializer(_Placement):
    username = serializers.CharField(max_length=150)
    name = serializers.CharField(max_length=64)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    password = serializers.CharField(
        required=False, allow_blank=True, default="", write_only=True, help_text="Empty: one is generated."
    )
    kind = serializers.ChoiceField(choices=PostKind.choices)


class PasswordSerializer(NoUnknownFields, serializers.Serializer):
    password = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Empty: one is generated."
    )


class PostCreateSerializer(_Placement):
    user = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=PostKind.choices)


class PostMoveSerializer(_Placement):
    pass


class ImportSerializer(NoUnknownFields, serializers.Serializer):
    file = serializers.FileField()


class ImportedSerializer(serializers.Serializer):
    created = NewPasswordSerializer(many=True)


def _new_password(result) -> dict:
    account = selectors.account_get(user=access.SYSTEM, pk=result.account.pk)
    return {"account": account, "password": result.password if result.generated else None}


def _require_manager(request) -> None:
    if not access.manages_people(request.user):
        raise Forbidden(_("Only officials and administrators manage people."))


# --- viewsets ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        tags=TAG,
        parameters=[
            OpenApiParameter("q", str, description="Part of the name, username or phone"),
            OpenApiParameter("kind", enum=PostKind.values, description="Holding an active post of this kind"),
            OpenApiParameter("node", int, description="Holding an active post in this node's subtree"),
            OpenApiParameter("status", enum=["active", "inactive"]),
        ],
    ),
    retrieve=extend_schema(tags=TAG, responses={200: AccountSerializer, 404: ErrorSerializer}),
    create=extend_schema(
        tags=TAG, request=AccountCreateSerializer, responses={201: NewPasswordSerializer, **WRITE}
    ),
)
class AccountViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Accounts of the people holding posts in the caller's subtree (officials and administrators)."""

    serializer_class = AccountSerializer
    pagination_class = IdPagination

    def get_queryset(self):
        params = self.request.query_params
        kind = params.get("kind") or None
        if kind and kind not in PostKind.values:
            raise InvalidInput.field("kind", _("Unknown post kind %(kind)s.") % {"kind": kind})
        status_filter = params.get("status") or ""
        if status_filter not in ("", "active", "inactive"):
            raise InvalidInput.field("status", _("Use active or inactive."))
        node = None
        if params.get("node"):
            raw = params["node"]
            if not raw.isdigit() or not in_range(int(raw)):
                raise InvalidInput.field("node", _("A node id is a number."))
            node = selectors.managed_nodes(user=self.request.user).filter(pk=int(raw)).first()
            if node is None:
                raise InvalidInput.field("node", _("No such node in your area."))
        return selectors.account_list(
            user=self.request.user, query=params.get("q", ""), kind=kind, node=node, status=status_filter
        )

    def list(self, request, *args, **kwargs):
        _require_manager(request)
        return super().list(request, *args, **kwargs)

    def get_object(self):
        return selectors.account_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        query = AccountCreateSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        result = services.account_create(
            actor=request.user,
            username=data["username"],
            name=data["name"],
            phone=data["phone"],
            password=data["password"] or None,
            kind=data["kind"],
            node=_node(data["node"]),
            department=_department(data["department"]),
        )
        return Response(NewPasswordSerializer(_new_password(result)).data, status=status.HTTP_201_CREATED)

    def _act(self, service):
        account = self.get_object()
        service(actor=self.request.user, account=account)
        return Response(AccountSerializer(selectors.account_get(user=access.SYSTEM, pk=account.pk)).data)

    @extend_schema(request=None, responses={200: AccountSerializer, **TRANSITION}, tags=TAG)
    @action(detail=True, methods=["post"], pagination_class=None)
    def deactivate(self, request, pk=None):
        """Lock the account out and end its posts (not one's own; every post it holds must be
        one the caller could end, else 403)."""
        return self._act(services.account_deactivate)

    @extend_schema(request=None, responses={200: AccountSerializer, **TRANSITION}, tags=TAG)
    @action(detail=True, methods=["post"], pagination_class=None)
    def activate(self, request, pk=None):
        """Let a deactivated account log in again (posts are granted anew)."""
        return self._act(services.account_activate)

    @extend_schema(request=PasswordSerializer, responses={200: NewPasswordSerializer, **WRITE}, tags=TAG)
    @action(detail=True, methods=["post"], url_path="reset-password", pagination_class=None)
    def reset_password(self, request, pk=None):
        """Set a new password (given, or generated and shown once); it must be changed at the next login."""
        account = self.get_object()
        query = PasswordSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        result = services.account_reset_password(
            actor=request.user, account=account, password=query.validated_data["password"] or None
        )
        return Response(NewPasswordSerializer(_new_password(result)).data)

    @extend_schema(
        request={"multipart/form-data": ImportSerializer},
        responses={201: ImportedSerializer, **WRITE},
        tags=TAG,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser],
        pagination_class=None,
    )
    def import_staff(self, request):
        """Import staff from the .xlsx template: every row valid, or nothing is written (400
        lists each bad row under `errors.file`). Each new account's password is in the answer."""
        _require_manager(request)
        query = ImportSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        result = importer.staff_import(actor=request.user, file=query.validated_data["file"])
        if not result.ok:
            lines = [
                _("Row %(row)d: %(message)s") % {"row": e.row, "message": e.message} for e in result.errors
            ]
            raise InvalidInput(_("Nothing was imported."), errors={"file": lines})
        created = [_new_password(c) for c in result.created]
        return Response(ImportedSerializer({"created": created}).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        tags=TAG,
        parameters=[
            OpenApiParameter("active", bool, description="Only active (true) or ended (false) posts"),
            OpenApiParameter("account", int, description="Only this account's posts"),
        ],
    ),
    retrieve=extend_schema(tags=TAG, responses={200: StaffPostSerializer, 404: ErrorSerializer}),
    create=extend_schema(
        tags=TAG, request=PostCreateSerializer, responses={201: StaffPostSerializer, **WRITE}
    ),
)
class PostViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Posts (active and ended, with who granted and ended them) at the nodes of the caller's
    subtree. Create grants a post; `end` ends one; `move` ends it and grants it elsewhere."""

    serializer_class = StaffPostSerializer
    pagination_class = IdPagination

    def get_queryset(self):
        params = self.request.query_params
        active = params.get("active")
        if active not in (None, "", "true", "false"):
            raise InvalidInput.field("active", _("Use true or false."))
        account = params.get("account")
        if account and (not account.isdigit() or not in_range(int(account))):
            raise InvalidInput.field("account", _("An account id is a number."))
        return selectors.post_list(
            user=self.request.user,
            active=None if not active else active == "true",
            account_id=int(account) if account else None,
        )

    def list(self, request, *args, **kwargs):
        _require_manager(request)
        return super().list(request, *args, **kwargs)

    def get_object(self):
        return selectors.post_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        query = PostCreateSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        node = _node(data["node"])
        access.require_may_grant(request.user, node)  # an outsider learns nothing of the account
        user = selectors.account_candidate(pk=data["user"])
        post = grid_services.post_assign(
            actor=request.user,
            user=user,
            kind=data["kind"],
            node=node,
            department=_department(data["department"]),
        )
        answer = StaffPostSerializer(selectors.post_get(user=access.SYSTEM, pk=post.pk)).data
        return Response(answer, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: StaffPostSerializer, **TRANSITION}, tags=TAG)
    @action(detail=True, methods=["post"], pagination_class=None)
    def end(self, request, pk=None):
        """End the post (it stays as history, with who ended it and when)."""
        post = self.get_object()
        grid_services.post_end(actor=request.user, post=post)
        return Response(StaffPostSerializer(selectors.post_get(user=access.SYSTEM, pk=post.pk)).data)

    @extend_schema(request=PostMoveSerializer, responses={200: StaffPostSerializer, **TRANSITION}, tags=TAG)
    @action(detail=True, methods=["post"], pagination_class=None)
    def move(self, request, pk=None):
        """End the post and grant the same kind at another node, in one transaction; answers the new post."""
        post = self.get_object()
        query = PostMoveSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        moved = grid_services.post_move(
            actor=request.user,
            post=post,
            node=_node(data["node"]),
            department=_department(data["department"]),
        )
        return Response(StaffPostSerializer(selectors.post_get(user=access.SYSTEM, pk=moved.pk)).data)


ROUTES = [
    ("accounts", AccountViewSet, "account"),
    ("posts", PostViewSet, "post"),
]


def register_routes(router) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename)
