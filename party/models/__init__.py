"""The Party organisation chain over the grids (一核) and the two drives sunk into them:
volunteer service (爱心时间银行) and the general social workers at the service windows (全科社工).

One module per sub-domain; every model is importable from here (Django and the other apps
find them as party.models.X). Every model that a user sees carries a `node` (or `grid`)
foreign key to the grids.GridNode under which it lives, so grids.access filters it with one
EXISTS.
"""

from party.models.alliances import (
    Alliance,
    InServiceMember,
    InServiceRecord,
    JointProject,
    MemberUnit,
    ProjectReport,
    ProjectStatus,
    UnitKind,
)
from party.models.chain import (
    ORG_CHILD_KIND,
    ORG_KIND_ORDER,
    MemberRole,
    OrgKind,
    PartyMember,
    PartyOrganization,
)
from party.models.lectures import LectureSlot
from party.models.time_bank import (
    Activity,
    ActivityKind,
    ActivityStatus,
    AppendOnlyQuerySet,
    EntryKind,
    PointsEntry,
    Redemption,
    Reward,
    SignUp,
    SignUpStatus,
    Volunteer,
)
from party.models.training import Certificate, CertificateKind, TrainingLevel, TrainingRecord
from party.models.windows import (
    DutyKind,
    DutyShift,
    ServiceItem,
    ServiceOutcome,
    ServiceWindow,
    SocialWorker,
    WindowService,
)

__all__ = [
    "ORG_CHILD_KIND",
    "ORG_KIND_ORDER",
    "Activity",
    "ActivityKind",
    "ActivityStatus",
    "Alliance",
    "AppendOnlyQuerySet",
    "Certificate",
    "CertificateKind",
    "DutyKind",
    "DutyShift",
    "EntryKind",
    "InServiceMember",
    "InServiceRecord",
    "JointProject",
    "LectureSlot",
    "MemberRole",
    "MemberUnit",
    "OrgKind",
    "PartyMember",
    "PartyOrganization",
    "PointsEntry",
    "ProjectReport",
    "ProjectStatus",
    "Redemption",
    "Reward",
    "ServiceItem",
    "ServiceOutcome",
    "ServiceWindow",
    "SignUp",
    "SignUpStatus",
    "SocialWorker",
    "TrainingLevel",
    "TrainingRecord",
    "UnitKind",
    "Volunteer",
    "WindowService",
]
