"""The Helong demo city's shared context: each app's `demo.load(ctx)` adds its part through it.

The order of the parts and the command live in `portal` (the floor that knows every app).
"""

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

DEMO_PASSWORD = "hlgrid-demo"


SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文朴崔金"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文辉鹏飞宇浩然晨阳"
    "海燕雪梅春林丹玲成龙凤云波斌佳欣怡婷子涵思远俊峰振东哲永庆德福"
)


@dataclass
class DemoContext:
    seed: int
    scale: int
    stdout: object
    rng: random.Random = field(init=False)
    password_hash: str = field(init=False)
    accounts: list[tuple[str, str]] = field(default_factory=list)
    data: dict = field(default_factory=dict)

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        # One PBKDF2 hash for every demo account: hashing hundreds of passwords would
        # take minutes, and they all share the documented demo password anyway.
        self.password_hash = make_password(DEMO_PASSWORD)

    def person_name(self) -> str:
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.7 else "")
        return self.rng.choice(SURNAMES) + given

    def log(self, message: str) -> None:
        self.stdout.write(message)

    def refresh_statistics(self, *models) -> None:
        """ANALYZE the tables a part has just filled, on PostgreSQL.

        The demo loads in one transaction, which autovacuum cannot see into: without this the
        planner takes the tables for empty and the later parts' reads over them (the rollups'
        rebuild, the bulletins' snapshots) pick nested scans that grow with the square of the
        data. ANALYZE inside the transaction counts the transaction's own rows.
        """
        from django.db import connection

        if connection.vendor != "postgresql" or not models:
            return
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
