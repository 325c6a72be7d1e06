"""The demo's certificates and three-level training records of the 49 social workers: a social
work qualification each (some expiring within two months), first aid for some, and a city,
street and community course each in the year."""

import datetime
from decimal import Decimal

from party.models import Certificate, CertificateKind, SocialWorker, TrainingLevel, TrainingRecord

COURSES = {
    TrainingLevel.CITY: ["全科社工业务培训", "社会救助政策解读"],
    TrainingLevel.STREET: ["综合窗口服务规范", "矛盾纠纷调解实务"],
    TrainingLevel.COMMUNITY: ["网格走访与信息采集", "应急处置演练"],
}


def load_training(ctx, today: datetime.date) -> None:
    rng = ctx.rng
    certificates, records = [], []
    for index, worker_id in enumerate(SocialWorker.objects.order_by("pk").values_list("pk", flat=True)):
        issued = today - datetime.timedelta(days=rng.randint(400, 2_000))
        expires = today + datetime.timedelta(
            days=rng.randint(10, 50) if index % 7 == 0 else rng.randint(200, 1_500)
        )
        certificates.append(
            Certificate(
                worker_id=worker_id,
                kind=CertificateKind.SOCIAL_WORK,
                number=f"SW{today.year - 5 + index % 5}{index + 1:05d}",
                issued_on=issued,
                expires_on=expires,
            )
        )
        if index % 3 == 0:
            certificates.append(
                Certificate(
                    worker_id=worker_id,
                    kind=CertificateKind.FIRST_AID,
                    number=f"FA{index + 1:05d}",
                    issued_on=issued,
                    expires_on=issued + datetime.timedelta(days=3 * 365),
                )
            )
        for level, courses in COURSES.items():
            records.append(
                TrainingRecord(
                    worker_id=worker_id,
                    level=level,
                    title=rng.choice(courses),
                    held_on=today - datetime.timedelta(days=rng.randint(5, 300)),
                    hours=Decimal(rng.choice(["2.0", "3.5", "4.0", "6.0", "8.0"])),
                )
            )
    Certificate.objects.bulk_create(certificates)
    TrainingRecord.objects.bulk_create(records)
    ctx.log(f"    {len(certificates)} certificates, {len(records)} training records")
