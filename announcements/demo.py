"""大事要闻 of the Helong demo: a handful of notices per street, community and grid, posted by a
head or official of the node, a few of them past (expired or withdrawn). Deterministic: every
choice comes from ctx.rng; one bulk insert."""

from datetime import timedelta

from django.utils import timezone

from announcements.models import Announcement
from grids.access import ANNOUNCING_KINDS
from grids.models import Post

STREET_NOTICES = [
    (
        "冬季供暖报修通道开通",
        "{name}供暖报修已开通：发现暖气不热、漏水，请拨打网格员电话或通过“随手拍”上报。",
    ),
    ("道路施工绕行提示", "{name}辖区部分路段本周进行管网改造施工，请居民注意绕行，夜间施工将控制噪音。"),
    (
        "防范电信诈骗提醒",
        "近期冒充公检法、客服退款的诈骗多发。{name}提醒：不轻信、不转账，有疑问请找网格员核实。",
    ),
    ("清雪除冰志愿服务", "{name}将组织清雪除冰志愿活动，欢迎居民和在职党员报名参与，共同守护出行安全。"),
]
COMMUNITY_NOTICES = [
    ("社区卫生服务站义诊", "本周六上午，{name}卫生服务站为60岁以上老人免费测血压、血糖，请带好身份证。"),
    ("居民议事会召开通知", "{name}将召开居民议事会，议题：小区停车与楼道杂物清理，欢迎居民代表参加。"),
    ("独居老人关爱走访", "{name}网格员将走访辖区独居、空巢老人，如家中老人需要帮助，请联系所在网格。"),
]
GRID_NOTICES = [
    ("楼道杂物清理", "{name}将于本周末集中清理楼道堆放杂物，请各户提前整理，消除消防隐患。"),
    ("二次供水水箱清洗", "{name}部分楼栋明日上午9时至12时停水清洗水箱，请提前储水。"),
    ("垃圾分类宣传", "{name}网格员本周入户宣传垃圾分类，分好类、投准桶，共建整洁家园。"),
    ("电动车禁止入户充电", "为消除火灾隐患，{name}提醒居民电动车请到集中充电点充电，严禁入户、楼道充电。"),
]


def load(ctx) -> None:
    rng = ctx.rng
    now = timezone.now().replace(microsecond=0)
    nodes = [*ctx.data["streets"], *ctx.data["communities"], *ctx.data["grids"]]
    posters: dict[int, int] = {}
    for node_id, user_id in (
        Post.objects.filter(node__in=nodes, kind__in=list(ANNOUNCING_KINDS), is_active=True)
        .order_by("node_id", "pk")
        .values_list("node_id", "user_id")
    ):
        posters.setdefault(node_id, user_id)

    rows: list[Announcement] = []

    def post(node, notices, count: int) -> None:
        for title, body in rng.sample(notices, count):
            published = now - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 10))
            fate = rng.random()
            rows.append(
                Announcement(
                    node=node,
                    title=title,
                    body=body.format(name=node.name),
                    published_by_id=posters.get(node.pk),
                    published_at=published,
                    # Most still show; some ended (expired), a few were taken down.
                    expires_at=(published + timedelta(days=3)) if fate < 0.15 else None,
                    withdrawn_at=(published + timedelta(hours=6)) if 0.15 <= fate < 0.2 else None,
                    withdrawn_by_id=posters.get(node.pk) if 0.15 <= fate < 0.2 else None,
                )
            )

    for street in ctx.data["streets"]:
        post(street, STREET_NOTICES, 2)
    for community in ctx.data["communities"]:
        post(community, COMMUNITY_NOTICES, 2)
    for grid in ctx.data["grids"]:
        post(grid, GRID_NOTICES, rng.randint(1, 2))
    Announcement.objects.bulk_create(rows, batch_size=500)
    live = sum(1 for row in rows if row.is_live(now))
    ctx.log(f"    {len(rows)} announcements (大事要闻) of streets, communities and grids, {live} showing")
