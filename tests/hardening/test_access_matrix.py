"""The access matrix: every API endpoint x every demo role x an object outside that role's scope.

Built from the served schema and the database, not from a list of endpoints, so an endpoint
is in the matrix the day it is added:

- every operation whose path names an object (`{id}`, `{node_id}`) is called with its own
  method on an object of the endpoint's model that lies outside the caller's scope, and must
  answer 404, the very answer an id that does not exist gets; a write (sent with a body that
  passes validation, built from the schema) must change nothing: every table's row count and
  latest `updated_at`, and the object's own row, are the same before and after;
- every list is read to its last page and holds none of the objects outside the scope.

The endpoint's model is the one its view reads (the viewset's queryset, asked as the system).
What is outside is decided by the permission policy (grids.access.scope_queryset) over the
model's path to the grid tree, found from its foreign keys: the objects at nodes that none of
the caller's posts covers. Where a model is assigned to departments (a petition, a check-in,
a whistle's petition), department staff see by assignment, not by territory, as the policy's
`department_path` has it: for them those objects are outside unless tied to their department
by a foreign key. An object that is the caller's own (a volunteer's record, its sign-ups, its
points) is never taken as outside.

The roles are the demo accounts: `worker`, `gridhead` (a grid of the first street),
`official` (the first street), `dept` (a department, post at the city), `assessor` (post at
the city), `volunteer` (no post: nothing of anyone else's is in its scope) and `unithead` (a
单元长: no post, its unit's households, residents and key people through the heads' API only). `admin` is a
superuser, whose scope is everything by design: it has no row. The second demo city (图们市,
portal.second_city) is loaded beside Helong, so every role, `dept` and `assessor` at Helong's
city node included, has a whole city outside its scope: its territory, people and petitions,
and its configuration (departments, categories, key groups, schemes, periods: owned by a city,
`grids.cities`, and seen by the people of that city whatever their post).
"""

import functools
import io
from collections import deque

import pytest
from django.apps import apps
from django.db.models import Max, QuerySet
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone
from PIL import Image
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from grids.access import scope_queryset, scope_to_cities
from grids.models import Department, GridNode, Post, PostKind
from hlgrid.models import User
from party.models import Activity
from party.selectors import activities_open_to, volunteer_of
from petitions.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db

ROLES = ("worker", "gridhead", "official", "dept", "assessor", "volunteer", "unithead")
PROJECT_APPS = (
    "hlgrid",
    "grids",
    "residents",
    "petitions",
    "party",
    "deliberation",
    "mediation",
    "evaluation",
    "property",
    "lists",
    "dashboards",
    "bulletins",
    "portal",
)
METHODS = ("get", "put", "post", "patch", "delete")
# Posts that see by territory where a model is assigned to departments (all but the department's).
TERRITORIAL = [kind for kind in PostKind.values if kind != PostKind.DEPARTMENT]
MISSING = 987654321

# Operations that answer anyone, by design: the residents' own door (no account, no scope).
PUBLIC = {
    "/api/v1/public/petitions/{tracking_code}/": "a resident follows a report by its tracking code",
    "/api/v1/public/petitions/{tracking_code}/callback/": "a resident rates the result by its tracking code",
    "/api/v1/public/buildings/": "a resident without GPS finds the place: buildings' addresses, no people",
    "/api/v1/petition-categories/": "the categories of the residents' report form",
    "/api/v1/petition-categories/{id}/": "a category of the residents' report form",
    "/api/v1/evaluation/stars/": "the star board of a published assessment is public (评星公示)",
    "/api/v1/public/grid-card/": "我的网格: a point's grid, its staff's work phones and its notices",
    "/api/v1/evaluation/department-boards/": "the published department assessment is public (like stars)",
    "/api/v1/evaluation/department-boards/{id}/": "one published department assessment (public)",
    "/api/v1/public/wishes/{code}/": "a resident looks up their small wish (微心愿) by its confirmation code",
    "/api/v1/public/wishes/{code}/confirm/": "a resident confirms their small wish by its confirmation code",
}
# Operations for the partner platforms only, authenticated by their signature (exchange): a
# partner sees its own orders; every other caller, staff of any rank included, gets 404.
PARTNER_ONLY = {
    "/api/v1/partner/12345/orders/{order_no}/": "a 12345 platform reads one of its own orders",
}
# Models without a place in the grid tree: catalogues the same for every caller, so there is no
# territory to leave.
NOT_TERRITORIAL = {
    "party.Reward": "the time bank's catalogue of rewards, city-wide",
    "party.ServiceItem": "the catalogue of the services a window offers (民政, 残联, ...), the same list "
    "everywhere; an item names the department that answers for it",
}
# ...except through the link a catalogue entry has to one city's configuration (not a place).
THROUGH_CONFIGURATION = {"party.ServiceItem": "department__city"}
# Models that belong to one user rather than to a place: outside is another user's.
OWNED = {"petitions.Notification": "recipient"}


def _accounts_outside(user):
    """Accounts (the people API) are placed by their posts: outside are the accounts whose every
    active post lies outside the territory of the caller's posts (never the caller itself)."""
    inside = scope_queryset(user, Post.objects.filter(is_active=True), node_path="node")
    return (
        User.objects.filter(posts__is_active=True)
        .exclude(pk__in=inside.values("user_id"))
        .exclude(pk=user.pk)
        .distinct()
        .order_by("pk")
    )


# Models placed in the tree through another model (no foreign key of their own to it).
PLACED_BY = {"hlgrid.User": _accounts_outside}


def _open_nearby(user):
    """A volunteer also sees the open activities of its own community, to sign up for them."""
    volunteer = volunteer_of(user)
    return activities_open_to(volunteer) if volunteer is not None else Activity.objects.none()


# What else a caller's scope holds besides its posts' territory, by model.
ALSO_IN_SCOPE = {"party.Activity": _open_nearby}


def _property(name: str):
    """Compounds are placed at a community and also seen by the staff of a grid where they have
    a building; a firm also by who sees one of its compounds; a published star board by every
    member of staff inside its street (property.selectors)."""

    def also(user):
        from property import selectors

        return getattr(selectors, name)(user=user)

    return also


def _head(name: str):
    """A 楼栋长/单元长 holds no post: what it sees is its building's or unit's (residents.heads),
    through the heads' API only."""

    def also(user):
        from residents import heads
        from residents.models import Household, KeyMembership, Resident, Unit

        account = heads.head_account_of(user)
        empty = {"Unit": Unit, "Household": Household, "KeyMembership": KeyMembership, "Resident": Resident}
        if account is None:
            return empty[name].objects.none()
        if name == "Unit":
            return heads.head_units(account=account)
        if name == "Household":
            return heads.head_households(account=account)
        if name == "KeyMembership":
            return heads.head_key_people(account=account)
        households = heads.head_households(account=account).values("pk")
        return Resident.objects.filter(household__in=households)

    return also


ALSO_IN_SCOPE |= {
    name: _head(name.split(".")[1])
    for name in ("residents.Unit", "residents.Household", "residents.KeyMembership", "residents.Resident")
}
ALSO_IN_SCOPE |= {
    "property.Compound": _property("compound_list"),
    "property.PropertyFirm": _property("firm_list"),
    "property.StarBoard": _property("board_list"),
    "property.RenovationProject": _property("renovation_list"),
}


def _lists(name: str):
    """Resources and social organisations are placed at a street or a community and also seen by
    the staff of the grids inside it; a joint project also by the staff of a grid it works in
    (lists.selectors: a grid worker matches its needs to them)."""

    def also(user):
        from lists import selectors

        return getattr(selectors, name)(user=user)

    return also


ALSO_IN_SCOPE |= {
    "lists.Resource": _lists("resource_list"),
    "lists.SocialOrganization": _lists("organization_list"),
    "party.JointProject": _lists("project_list"),
}
# Lists that are not lists of objects of a model with ids (figures, rankings, totals), with
# the answer they give instead; their node or scope is checked through their own parameters.
NOT_OBJECT_LISTS = {
    "/api/v1/coverage/": "visit coverage figures for a node the caller names (?node=)",
    "/api/v1/party/ranking/": "a ranking of volunteers' points for a node the caller names",
    "/api/v1/evaluation/periods/excellent-share/": "the share of excellent grades per street, a figure",
    "/api/v1/party/members/": "members of the caller's organisations, by organisation",
    "/api/v1/evaluation/department-league/": "the department league (figures) for a node the caller names",
    "/api/v1/evaluation/department-league/petitions/": "the petitions behind a league figure of a node the "
    "caller names (must_cover on the node first)",
}

_schema = Client(HTTP_HOST="localhost").get("/api/schema/", {"format": "json"}).json()
_operations = [
    (method, path)
    for path, item in _schema["paths"].items()
    for method in METHODS
    if method in item and path.startswith("/api/v1/")
]
DETAIL = [(m, p) for m, p in _operations if "{" in p]
LISTS = [
    (m, p)
    for m, p in _operations
    if m == "get" and "{" not in p and _schema["paths"][p][m]["operationId"].endswith("_list")
]


_tally = {"objects": 0, "calls": 0, "lists": 0, "operations": set()}


def _placeholders(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _url(path: str, value) -> str:
    for name in _placeholders(path):
        path = path.replace("{" + name + "}", str(value))
    return path


def _label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


# --- what an endpoint reads -------------------------------------------------------------------


def view_model(path: str, method: str):
    """The model an endpoint's view reads (its queryset, asked as the administrator), or None."""
    for sample in ("1", "ABCD1234"):
        try:
            match = resolve(_url(path, sample))
            break
        except Resolver404:
            continue
    else:
        raise AssertionError(f"{path} does not resolve")
    if _placeholders(path) == ["node_id"]:
        return GridNode  # the dashboards: a node's figures
    cls = getattr(match.func, "cls", None)
    if cls is None or not hasattr(cls, "get_queryset"):
        return None
    view = cls()
    view.request = Request(getattr(APIRequestFactory(), method)(_url(path, 1)))
    view.request.user = User.objects.get(username="admin")
    view.args, view.kwargs, view.format_kwarg = (), match.kwargs, None
    view.action = (getattr(match.func, "actions", None) or {}).get(method)
    try:
        queryset = view.get_queryset()
    except Exception:  # noqa: BLE001  (a queryset that needs parameters: the class attribute names the model)
        queryset = None
    if not isinstance(queryset, QuerySet):  # a list (a day's roster): the class attribute names the model
        queryset = getattr(cls, "queryset", None)
    return None if queryset is None else queryset.model


def _relations(model, *, reverse: bool):
    for field in model._meta.get_fields():
        if not field.is_relation or field.related_model is None or field.many_to_many:
            continue
        if field.concrete and (field.many_to_one or field.one_to_one):
            yield field
        elif reverse and not field.concrete:
            yield field  # a reverse relation: its name is its query name


def _paths(model, target, *, depth: int, reverse: bool) -> list[str]:
    """Lookup paths from `model` to `target` over foreign keys (and back, if `reverse`), shortest first."""
    found, queue = [], deque([(model, "", 0)])
    while queue:
        current, prefix, level = queue.popleft()
        if level == depth:
            continue
        for field in _relations(current, reverse=reverse):
            path = f"{prefix}{field.name}"
            if field.related_model is target:
                found.append(path)
            elif field.related_model._meta.app_label in PROJECT_APPS and field.related_model is not model:
                queue.append((field.related_model, f"{path}__", level + 1))
    return found


@functools.cache
def node_path(model) -> str | None:
    if model is GridNode:
        return ""
    paths = _paths(model, GridNode, depth=4, reverse=False)
    return paths[0] if paths else None


@functools.cache
def _city_owned(model) -> bool:
    """A piece of a city's configuration (a department, category, key group, scheme, period):
    its own `city` foreign key to a CITY node (grids.models.city_field)."""
    field = next((f for f in model._meta.concrete_fields if f.name == "city"), None)
    return field is not None and field.many_to_one and field.related_model is GridNode


@functools.cache
def _assigned_to_departments(model) -> bool:
    """A model with its own department (a petition, a check-in): the policy's `department_path`."""
    return any(
        field.many_to_one and field.related_model is Department for field in model._meta.concrete_fields
    )


# --- what is outside a caller's scope ---------------------------------------------------------


def outside(user, model):
    """The objects of `model` outside `user`'s scope, by the policy, lowest id first."""
    queryset = model._default_manager.all()
    if _label(model) in PLACED_BY:
        return PLACED_BY[_label(model)](user)
    if _label(model) in OWNED:
        return queryset.exclude(**{OWNED[_label(model)]: user}).order_by("pk")
    if _city_owned(model):
        # A city's configuration (grids.cities): seen by the people of that city, whatever their post.
        return queryset.exclude(pk__in=scope_to_cities(user, queryset).values("pk")).order_by("pk")
    path = node_path(model)
    assert path is not None, f"{_label(model)} has no path to the grid tree and is not listed"
    assigned = _assigned_to_departments(model)
    seen = scope_queryset(user, queryset, node_path=path, post_kinds=TERRITORIAL if assigned else None)
    result = queryset.exclude(pk__in=seen.values("pk"))
    departments = list(
        Post.objects.filter(user=user, is_active=True, kind=PostKind.DEPARTMENT).values_list(
            "department_id", flat=True
        )
    )
    if departments:
        for link in _paths(model, Department, depth=2, reverse=True):
            result = result.exclude(**{f"{link}__in": departments})
    for link in _paths(model, User, depth=2, reverse=True):
        result = result.exclude(**{link: user})
    if _label(model) in ALSO_IN_SCOPE:
        result = result.exclude(pk__in=ALSO_IN_SCOPE[_label(model)](user).values("pk"))
    return result.order_by("pk")


# --- a request that passes validation ---------------------------------------------------------


def _resolve_ref(schema: dict) -> dict:
    while "$ref" in schema:
        schema = _schema["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema:
            return _resolve_ref(schema[combined][0])
    return schema


def _png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(data, "PNG")
    data.seek(0)
    data.name = "photo.png"
    return data


def _value(schema: dict):
    schema = _resolve_ref(schema)
    if "enum" in schema:
        return next(value for value in schema["enum"] if value not in ("", None))
    kind, form = schema.get("type"), schema.get("format")
    if kind == "object":
        required = schema.get("required", [])
        return {name: _value(prop) for name, prop in schema.get("properties", {}).items() if name in required}
    if kind == "array":
        return [_value(schema.get("items", {}))] * max(1, schema.get("minItems", 1))
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if form == "binary":
        return _png()
    if form == "date":
        return timezone.localdate().isoformat()
    if form == "date-time":
        return timezone.now().isoformat()
    if form == "decimal":
        return "1.0"
    return "测试" * max(1, schema.get("minLength", 1))


def body(method: str, path: str) -> tuple[dict, str]:
    """A body for the operation that its serializer accepts as far as the schema tells."""
    content = _schema["paths"][path][method].get("requestBody", {}).get("content", {})
    if "application/json" in content:
        return _value(content["application/json"]["schema"]), "json"
    if "multipart/form-data" in content:
        return _value(content["multipart/form-data"]["schema"]), "multipart"
    return {}, "json"


# --- the calls --------------------------------------------------------------------------------


def snapshot(obj) -> dict:
    """Every project table's row count and latest `updated_at`, and the object's own row."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS and model._meta.label != "authtoken.Token":
            continue
        queryset = model._default_manager.all()
        names = {field.name for field in model._meta.concrete_fields}
        aggregates = {"latest": Max("updated_at")} if "updated_at" in names else {}
        latest = queryset.aggregate(**aggregates) if aggregates else None
        state[model._meta.label] = (queryset.count(), latest)
    state["object"] = list(type(obj)._default_manager.filter(pk=obj.pk).values())
    return state


def call(client, method: str, path: str, value):
    url = _url(path, value)
    if method == "get":
        return client.get(url)
    data, form = body(method, path)
    if form == "multipart":
        for item in data.values():
            if hasattr(item, "seek"):
                item.seek(0)
    return getattr(client, method)(url, data, format=form)


@pytest.fixture
def callers(helong_and_tumen):
    """Each role's user and client; each demo account has a notification of its own, so every
    caller has someone else's to be refused."""
    for user in User.objects.filter(username__in=(*ROLES, "admin")):
        Notification.objects.create(
            recipient=user, kind=NotificationKind.ASSIGNED, text=user.username, created_at=timezone.now()
        )
    # ...and a relay of the demo's building head, so the unit head has someone else's relay too
    from announcements.models import Relay
    from residents.heads import head_account_of

    head = head_account_of(User.objects.get(username="bldhead"))
    Relay.objects.create(account=head, grid=head.grid, text="停水通知", groups=0)
    result = {}
    for username in ROLES:
        user = User.objects.get(username=username)
        client = APIClient()
        client.force_authenticate(user)
        result[username] = (user, client)
    return result


def _describe(response) -> str:
    return f"{response.status_code} {response.content[:160].decode(errors='replace')}"


@pytest.mark.parametrize(("method", "path"), DETAIL, ids=[f"{m.upper()} {p}" for m, p in DETAIL])
def test_an_object_outside_the_callers_scope_answers_404_and_a_write_changes_nothing(method, path, callers):
    if path in PUBLIC:
        # Public by design: it answers a visitor without an account.
        response = call(APIClient(), method, path, "NOSUCHCODE")
        assert response.status_code not in (401, 403), _describe(response)
        return
    if path in PARTNER_ONLY:
        # Signed by a partner or nothing: every demo role, the administrator included, is refused.
        for username, (_user, client) in callers.items():
            response = call(client, method, path, MISSING)
            assert response.status_code == 404, f"{username}: {_describe(response)}"
        return
    model = view_model(path, method)
    assert model is not None, f"{method.upper()} {path}: no model behind its view"
    if _label(model) in NOT_TERRITORIAL:
        # Still without a place in the tree, so the listed reason holds.
        assert node_path(model) == THROUGH_CONFIGURATION.get(_label(model)), (
            f"{_label(model)} now has a place in the grid tree"
        )
        return
    failures, rows = [], 0
    for username, (user, client) in callers.items():
        obj = outside(user, model).first()
        if obj is None:
            continue
        rows += 1
        _tally["objects"] += 1
        _tally["calls"] += 2
        _tally["operations"].add((method, path))
        before = snapshot(obj) if method != "get" else None
        response = call(client, method, path, obj.pk)
        missing = call(client, method, path, MISSING)
        if response.status_code != 404:
            failures.append(f"{username} on {_label(model)} {obj.pk}: {_describe(response)}")
        elif response.json() != missing.json():
            failures.append(f"{username}: {_describe(response)}, but a missing id: {_describe(missing)}")
        if before is not None:
            after = snapshot(obj)
            changed = sorted(key for key in before if before[key] != after.get(key))
            if changed:
                failures.append(f"{username} on {_label(model)} {obj.pk} changed {changed}")
    assert not failures, f"{method.upper()} {path}:\n  " + "\n  ".join(failures)
    assert rows, f"{method.upper()} {path}: no role has an object of {_label(model)} outside its scope"


def _listed_ids(client, path: str) -> tuple[set, object]:
    ids, url, pages = set(), path, 0
    params = {"page_size": 500}
    while url and pages < 200:
        response = client.get(url, params if pages == 0 else None)
        if response.status_code != 200:
            return ids, response
        data = response.json()
        items = data["results"] if isinstance(data, dict) and "results" in data else data
        ids |= {item["id"] for item in items if isinstance(item, dict) and "id" in item}
        url = data.get("next") if isinstance(data, dict) else None
        pages += 1
    return ids, None


@pytest.mark.parametrize(("method", "path"), LISTS, ids=[f"{m.upper()} {p}" for m, p in LISTS])
def test_a_list_holds_no_object_outside_the_callers_scope(method, path, callers):
    if path in PUBLIC:
        response = APIClient().get(path)
        assert response.status_code not in (401, 403), _describe(response)
        return
    if path in NOT_OBJECT_LISTS:
        return
    model = view_model(path, method)
    assert model is not None, f"GET {path}: no model behind its view, and not listed"
    if _label(model) in NOT_TERRITORIAL:
        assert node_path(model) == THROUGH_CONFIGURATION.get(_label(model)), (
            f"{_label(model)} now has a place in the grid tree"
        )
        return
    failures, rows = [], 0
    for username, (user, client) in callers.items():
        foreign = set(outside(user, model).values_list("pk", flat=True))
        if not foreign:
            continue
        rows += 1
        _tally["lists"] += 1
        _tally["operations"].add((method, path))
        listed, refused = _listed_ids(client, path)
        if refused is not None and refused.status_code not in (403, 404):
            failures.append(f"{username}: {_describe(refused)}")
        leaked = sorted(listed & foreign)
        if leaked:
            failures.append(f"{username} sees {len(leaked)} {_label(model)} outside its scope: {leaked[:10]}")
    assert not failures, f"GET {path}:\n  " + "\n  ".join(failures)
    assert rows, f"GET {path}: no role has an object of {_label(model)} outside its scope"


def test_the_lists_of_exceptions_name_only_what_the_schema_serves():
    paths = {path for _method, path in _operations}
    assert set(PUBLIC) <= paths
    assert set(PARTNER_ONLY) <= paths
    assert set(NOT_OBJECT_LISTS) <= paths
    assert set(NOT_TERRITORIAL) <= {_label(model) for model in apps.get_models()}


def test_the_demo_accounts_at_the_city_see_the_whole_city_and_not_the_other_one(callers):
    helong, tumen = GridNode.objects.get(code="HL"), GridNode.objects.get(code="TM")
    for username in ("assessor", "dept"):
        user = User.objects.get(username=username)
        assert scope_queryset(user, GridNode.objects.filter(pk=helong.pk), node_path="").exists()
        assert not scope_queryset(user, GridNode.objects.filter(pk=tumen.pk), node_path="").exists()
    admin = User.objects.get(username="admin")
    assert scope_queryset(admin, GridNode.objects.filter(parent=None), node_path="").count() == 2
    assert not Post.objects.filter(user__username="volunteer", is_active=True).exists()


def test_the_matrix_ran_over_every_operation_it_names(request):
    """Last in the file: what the matrix did (printed with -s), and that it did it for all."""
    print(
        f"access matrix: {_tally['objects']} outside objects asked ({_tally['calls']} calls), "
        f"{_tally['lists']} lists read, over {len(_tally['operations'])} operations and {len(ROLES)} roles"
    )
    selected = [item for item in request.session.items if item.module is request.module]
    if len(selected) == len(DETAIL) + len(LISTS) + 3:
        assert _tally["objects"] and _tally["lists"]
