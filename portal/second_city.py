"""A second, small city beside Helong (图们市): one deployment, two cities, nothing mixed.

Built through the services, as an office adopting the system would build it: the territory
(one street, two communities, four grids), its own departments and categories (the same codes
and names as Helong's, which is allowed: they are per city; one time limit differs), the five
key groups (given to every new city), its staff, an assessment scheme and an open period of
its own, and a few residents' reports that the locator routes to its grids. Loaded by
`load_second_city`, after (or without) the Helong demo; `load_helong_demo` is unchanged.
"""

from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from shapely.geometry import shape

from evaluation.services import period_create, period_open, scheme_default
from grids import services as grid_services
from grids.access import SYSTEM
from grids.demo import DEPARTMENTS
from grids.models import Department, GridNode, NodeKind, PostKind
from hlgrid.demo import DEMO_PASSWORD
from hlgrid.models import User
from petitions.demo import load_categories
from petitions.models import Category
from petitions.services import public_petition_report
from portal.demo import prefecture_day_enter

CODE = "TM"
NAME = "图们市"
# Tumen's town centre, roughly 42.95–42.98 N, 129.82–129.86 E: far from Helong's outline.
WEST, SOUTH, EAST, NORTH = 129.82, 42.95, 129.86, 42.98
MIDDLE_LNG, MIDDLE_LAT = (WEST + EAST) / 2, (SOUTH + NORTH) / 2
COMMUNITIES = [("TM-1-1", "新华社区", WEST, MIDDLE_LNG), ("TM-1-2", "月宫社区", MIDDLE_LNG, EAST)]
ACCOUNTS = [
    ("tm_official", "official of 图们市 (the city office: configures Tumen)"),
    ("tm_assessor", "组织部 assessor of 图们市"),
    ("tm_dept", "staff of 图们市's 城管局"),
    ("tm_worker", "grid worker of 图们市's first grid"),
]
REPORTS = [
    ("小区门口垃圾堆放好几天了，没人清运", 0),
    ("楼道里乱堆乱放杂物，堵住了通道", 1),
    ("路灯不亮，晚上出行不安全", 2),
    ("下水道堵塞，雨后积水严重", 3),
    ("占道经营的摊贩太多，车辆无法通行", 0),
]


def rect(west: float, south: float, east: float, north: float) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def is_loaded() -> bool:
    return GridNode.objects.filter(code=CODE, parent=None).exists()


def _territory() -> tuple[GridNode, list[GridNode]]:
    def create(parent, kind, code, name, boundary):
        return grid_services.gridnode_create(
            actor=SYSTEM, parent=parent, kind=kind, code=code, name=name, boundary=boundary
        )

    city = create(None, NodeKind.CITY, CODE, NAME, rect(WEST, SOUTH, EAST, NORTH))
    street = create(city, NodeKind.STREET, "TM-1", "向上街道", rect(WEST, SOUTH, EAST, NORTH))
    grids = []
    for code, name, west, east in COMMUNITIES:
        community = create(street, NodeKind.COMMUNITY, code, name, rect(west, SOUTH, east, NORTH))
        for number, (south, north) in enumerate([(SOUTH, MIDDLE_LAT), (MIDDLE_LAT, NORTH)], 1):
            grids.append(
                create(
                    community,
                    NodeKind.GRID,
                    f"{code}-{number}",
                    f"{name}第{number}网格",
                    rect(west, south, east, north),
                )
            )
    return city, grids


def _account(username: str, name: str, password: str) -> User:
    user = User(username=username, name=name, password=password)
    user.stamp_phone_hash()
    user.save()
    return user


def load() -> dict:
    """Load the city; return what was made (for the command's summary and the tests)."""
    city, grids = _territory()
    departments = [
        Department.objects.create(city=city, code=code, name=name, phone=f"0433-{3600000 + i * 111}")
        for i, (code, name) in enumerate(DEPARTMENTS)
    ]
    load_categories(city=city, departments=departments)
    # Tumen clears rubbish faster than Helong: its own time limit for the same category.
    Category.objects.filter(city=city, code="SR01").update(handle_limit=1)

    password = make_password(DEMO_PASSWORD)
    city_management = departments[0]
    staff = [
        ("tm_official", "金明哲", PostKind.OFFICIAL, city, None),
        ("tm_assessor", "崔英兰", PostKind.ASSESSOR, city, None),
        ("tm_dept", "朴志勇", PostKind.DEPARTMENT, city, city_management),
    ]
    for number, grid in enumerate(grids, 1):
        staff.append((f"tm_gh{number}", f"图们网格长{number}", PostKind.HEAD, grid, None))
        for seat in (1, 2):
            username = "tm_worker" if (number, seat) == (1, 1) else f"tm_w{number}{seat}"
            staff.append((username, f"图们网格员{number}-{seat}", PostKind.WORKER, grid, None))
    for username, name, kind, node, department in staff:
        user = _account(username, name, password)
        grid_services.post_assign(actor=SYSTEM, user=user, kind=kind, node=node, department=department)

    today = timezone.localdate()
    quarter = (today.month - 1) // 3
    starts = date(today.year, quarter * 3 + 1, 1)
    ends = date(today.year + (quarter == 3), (quarter * 3 + 3) % 12 + 1, 1) - timedelta(days=1)
    scheme = scheme_default(actor=SYSTEM, city=city)
    period = period_create(
        actor=SYSTEM,
        name=f"图们{today.year}年第{quarter + 1}季度",
        starts_on=starts,
        ends_on=ends,
        scheme=scheme,
        city=city,
    )
    period_open(actor=SYSTEM, period=period)
    # Tumen is in Yanbian too: its own calendar has 州庆 (entered by its office, not Helong's).
    prefecture_day_enter(city)

    petitions = []
    for text, grid_index in REPORTS:
        point = shape(grids[grid_index].boundary).representative_point()
        petitions.append(public_petition_report(description=text, latitude=point.y, longitude=point.x))
    return {
        "city": city,
        "grids": grids,
        "departments": departments,
        "period": period,
        "petitions": petitions,
    }
