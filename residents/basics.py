"""The 一标三实 basics by the names registers print (GB/T 3304, 4761, 4762): what the Excel
import reads and its template offers. These are the standards' Chinese names, not UI strings
(the UI shows the models' translated labels)."""

from residents.models import Ethnicity, Occupancy, PoliticalStatus, Relationship, ResidenceStatus

ETHNICITY = {
    Ethnicity.HAN: "汉族",
    Ethnicity.KOREAN: "朝鲜族",
    Ethnicity.MONGOL: "蒙古族",
    Ethnicity.HUI: "回族",
    Ethnicity.TIBETAN: "藏族",
    Ethnicity.UYGHUR: "维吾尔族",
    Ethnicity.MIAO: "苗族",
    Ethnicity.YI: "彝族",
    Ethnicity.ZHUANG: "壮族",
    Ethnicity.BUYEI: "布依族",
    Ethnicity.MANCHU: "满族",
    Ethnicity.DONG: "侗族",
    Ethnicity.YAO: "瑶族",
    Ethnicity.BAI: "白族",
    Ethnicity.TUJIA: "土家族",
    Ethnicity.HANI: "哈尼族",
    Ethnicity.KAZAKH: "哈萨克族",
    Ethnicity.DAI: "傣族",
    Ethnicity.LI: "黎族",
    Ethnicity.LISU: "傈僳族",
    Ethnicity.VA: "佤族",
    Ethnicity.SHE: "畲族",
    Ethnicity.GAOSHAN: "高山族",
    Ethnicity.LAHU: "拉祜族",
    Ethnicity.SUI: "水族",
    Ethnicity.DONGXIANG: "东乡族",
    Ethnicity.NAXI: "纳西族",
    Ethnicity.JINGPO: "景颇族",
    Ethnicity.KYRGYZ: "柯尔克孜族",
    Ethnicity.TU: "土族",
    Ethnicity.DAUR: "达斡尔族",
    Ethnicity.MULAO: "仫佬族",
    Ethnicity.QIANG: "羌族",
    Ethnicity.BLANG: "布朗族",
    Ethnicity.SALAR: "撒拉族",
    Ethnicity.MAONAN: "毛南族",
    Ethnicity.GELAO: "仡佬族",
    Ethnicity.XIBE: "锡伯族",
    Ethnicity.ACHANG: "阿昌族",
    Ethnicity.PUMI: "普米族",
    Ethnicity.TAJIK: "塔吉克族",
    Ethnicity.NU: "怒族",
    Ethnicity.UZBEK: "乌孜别克族",
    Ethnicity.RUSSIAN: "俄罗斯族",
    Ethnicity.EVENKI: "鄂温克族",
    Ethnicity.DEANG: "德昂族",
    Ethnicity.BONAN: "保安族",
    Ethnicity.YUGUR: "裕固族",
    Ethnicity.GIN: "京族",
    Ethnicity.TATAR: "塔塔尔族",
    Ethnicity.DERUNG: "独龙族",
    Ethnicity.OROQEN: "鄂伦春族",
    Ethnicity.HEZHEN: "赫哲族",
    Ethnicity.MONBA: "门巴族",
    Ethnicity.LHOBA: "珞巴族",
    Ethnicity.JINO: "基诺族",
}
RELATIONSHIP = {
    Relationship.HEAD: "户主",
    Relationship.SPOUSE: "配偶",
    Relationship.CHILD: "子女",
    Relationship.GRANDCHILD: "孙子女",
    Relationship.PARENT: "父母",
    Relationship.GRANDPARENT: "祖父母",
    Relationship.SIBLING: "兄弟姐妹",
    Relationship.OTHER_RELATIVE: "其他亲属",
    Relationship.NOT_RELATED: "非亲属",
}
POLITICAL_STATUS = {
    PoliticalStatus.PARTY_MEMBER: "中共党员",
    PoliticalStatus.PROBATIONARY: "中共预备党员",
    PoliticalStatus.LEAGUE_MEMBER: "共青团员",
    PoliticalStatus.DEMOCRATIC_PARTY: "民主党派",
    PoliticalStatus.NON_PARTISAN: "无党派人士",
    PoliticalStatus.MASSES: "群众",
}
RESIDENCE_STATUS = {
    ResidenceStatus.REGISTERED: "户籍人口",
    ResidenceStatus.MIGRANT: "流动人口",
    ResidenceStatus.SEPARATED: "人户分离",
}
OCCUPANCY = {Occupancy.OWNER: "自住", Occupancy.RENTED: "出租", Occupancy.VACANT: "空置"}

# Other spellings a register may use for the same value.
ALIASES = {
    "relationship": {"本人": Relationship.HEAD, "妻": Relationship.SPOUSE, "夫": Relationship.SPOUSE,
                     "子": Relationship.CHILD, "女": Relationship.CHILD, "儿子": Relationship.CHILD,
                     "女儿": Relationship.CHILD, "父亲": Relationship.PARENT, "母亲": Relationship.PARENT,
                     "孙子": Relationship.GRANDCHILD, "孙女": Relationship.GRANDCHILD,
                     "其他": Relationship.OTHER_RELATIVE},
    "political_status": {"党员": PoliticalStatus.PARTY_MEMBER, "预备党员": PoliticalStatus.PROBATIONARY,
                         "团员": PoliticalStatus.LEAGUE_MEMBER},
    "residence_status": {"户籍": ResidenceStatus.REGISTERED, "流动": ResidenceStatus.MIGRANT,
                         "人户分离人口": ResidenceStatus.SEPARATED},
}  # fmt: skip

TABLES = {
    "ethnicity": ETHNICITY,
    "relationship": RELATIONSHIP,
    "political_status": POLITICAL_STATUS,
    "residence_status": RESIDENCE_STATUS,
    "occupancy": OCCUPANCY,
}


def parse(kind: str, text: str) -> str | None:
    """The code of a register's cell: its name, its name without 族, or the code itself; ""
    for an empty cell; None when the text names nothing of that kind."""
    text = (text or "").strip()
    if not text:
        return ""
    table = TABLES[kind]
    for code, name in table.items():
        if text in (name, str(code.value)) or (kind == "ethnicity" and text + "族" == name):
            return str(code.value)
    alias = ALIASES.get(kind, {}).get(text)
    return str(alias.value) if alias is not None else None
