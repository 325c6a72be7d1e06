"""The demo's theme Party lecture rota: the year's twelve themes over the grid branches of each
community, lectured in turn by the community's branch leaders (secretaries, deputies and
committee members), with the attendance of the months gone by."""

import datetime
from collections import defaultdict

from grids.access import SYSTEM
from party.models import LectureSlot, MemberRole, OrgKind, PartyMember
from party.services.lectures import lecture_rota_generate

THEMES = [
    "学习贯彻党的二十大精神",
    "党章党规党纪学习",
    "基层治理与网格服务",
    "铸牢中华民族共同体意识",
    "乡村振兴与边境繁荣",
    "作风建设与廉洁自律",
    "安全生产与防灾减灾",
    "党史学习教育",
    "法治宣传与矛盾调解",
    "志愿服务与时间银行",
    "生态文明建设",
    "年终总结与组织生活会",
]


def load_lectures(ctx, orgs, today: datetime.date) -> None:
    rng = ctx.rng
    community_of = {}
    for branch in orgs["branches"]:
        community_of[branch.pk] = branch.node.parent_id if branch.node.kind == "GRID" else branch.node_id
    for general in orgs["generals"]:
        community_of[general.pk] = general.node_id
    branches = defaultdict(list)
    for branch in orgs["branches"]:
        branches[community_of[branch.pk]].append(branch)
    pool = defaultdict(list)
    for member in PartyMember.objects.filter(
        organization__kind__in=[OrgKind.GENERAL_BRANCH, OrgKind.GRID_BRANCH],
        role__in=[MemberRole.SECRETARY, MemberRole.DEPUTY, MemberRole.COMMITTEE],
    ).order_by("pk"):
        pool[community_of[member.organization_id]].append(member)
    first = datetime.date(today.year, 1, 1)
    slots = []
    for community_id in sorted(branches):
        slots += lecture_rota_generate(
            actor=SYSTEM,
            branches=branches[community_id],
            lecturers=pool[community_id],
            first_month=first,
            themes=THEMES,
            place="社区党群服务中心",
        )
    done = [s for s in slots if s.scheduled_on < today]
    for slot in done:
        slot.attendance = rng.randint(12, 40)
    LectureSlot.objects.bulk_update(done, ["attendance"], batch_size=1_000)
    ctx.log(f"    {len(slots)} theme Party lectures ({len(done)} held)")
