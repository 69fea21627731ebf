"""Code lists the registry validates against, each with Vietnamese and English labels.

MCPD v2.1 lists (SAMPSTAT, COLLSRC, STORAGE, MLSSTAT) follow shared/standards/mcpd.md; conservation
schemes follow shared/standards/vietnam.md. Labels are data, not UI strings: they travel with the code.
"""
from __future__ import annotations

from enum import StrEnum


class Label(tuple):
    """(vi, en) pair; `label.vi` / `label.en` read better than indexes."""

    def __new__(cls, vi: str, en: str):
        return super().__new__(cls, (vi, en))

    @property
    def vi(self) -> str:
        return self[0]

    @property
    def en(self) -> str:
        return self[1]

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


class Category(StrEnum):
    MEDICINAL_PLANT = "medicinal_plant"
    CROP_VARIETY = "crop_variety"
    CROP_WILD_RELATIVE = "crop_wild_relative"
    LIVESTOCK_BREED = "livestock_breed"
    AQUATIC = "aquatic"
    MICROORGANISM = "microorganism"
    OTHER = "other"


CATEGORY_LABELS: dict[str, Label] = {
    Category.MEDICINAL_PLANT: Label("Cây thuốc", "Medicinal plant"),
    Category.CROP_VARIETY: Label("Giống cây trồng, cây ăn quả", "Crop variety or fruit cultivar"),
    Category.CROP_WILD_RELATIVE: Label("Loài hoang dại họ hàng cây trồng", "Crop wild relative"),
    Category.LIVESTOCK_BREED: Label("Giống vật nuôi", "Livestock or poultry breed"),
    Category.AQUATIC: Label("Thủy sản", "Aquatic species"),
    Category.MICROORGANISM: Label("Vi sinh vật", "Microorganism"),
    Category.OTHER: Label("Khác", "Other"),
}


class ConservationMode(StrEnum):
    IN_SITU = "in_situ"
    EX_SITU = "ex_situ"
    ON_FARM = "on_farm"
    IN_VIVO = "in_vivo"
    IN_VITRO = "in_vitro"
    CRYOPRESERVED = "cryopreserved"


CONSERVATION_MODE_LABELS: dict[str, Label] = {
    ConservationMode.IN_SITU: Label("Bảo tồn tại chỗ", "In situ"),
    ConservationMode.EX_SITU: Label("Bảo tồn chuyển chỗ", "Ex situ"),
    ConservationMode.ON_FARM: Label("Bảo tồn trên đồng ruộng", "On-farm"),
    ConservationMode.IN_VIVO: Label("Bảo tồn in vivo", "In vivo"),
    ConservationMode.IN_VITRO: Label("Nuôi cấy mô (in vitro)", "In vitro"),
    ConservationMode.CRYOPRESERVED: Label("Bảo quản lạnh sâu", "Cryopreserved"),
}


class LifecycleStage(StrEnum):
    """The stages a gene-fund task moves through (Circular 17/2016/TT-BKHCN)."""

    SURVEY = "survey"
    COLLECT = "collect"
    CONSERVE = "conserve"
    EVALUATE = "evaluate"
    DOCUMENT = "document"
    USE = "use"


LIFECYCLE_LABELS: dict[str, Label] = {
    LifecycleStage.SURVEY: Label("Điều tra", "Survey"),
    LifecycleStage.COLLECT: Label("Thu thập", "Collect"),
    LifecycleStage.CONSERVE: Label("Bảo tồn, lưu giữ", "Conserve"),
    LifecycleStage.EVALUATE: Label("Đánh giá", "Evaluate"),
    LifecycleStage.DOCUMENT: Label("Tư liệu hóa", "Document"),
    LifecycleStage.USE: Label("Khai thác và phát triển", "Use and develop"),
}


class PublicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


PUBLICATION_LABELS: dict[str, Label] = {
    PublicationStatus.DRAFT: Label("Bản nháp", "Draft"),
    PublicationStatus.SUBMITTED: Label("Chờ duyệt", "Submitted"),
    PublicationStatus.PUBLISHED: Label("Đã công bố", "Published"),
    PublicationStatus.WITHDRAWN: Label("Đã rút", "Withdrawn"),
}


class TaskStatus(StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    COMPLETED = "completed"
    ACCEPTED = "accepted"  # nghiệm thu: formally accepted by the Department of Science and Technology


TASK_STATUS_LABELS: dict[str, Label] = {
    TaskStatus.PLANNED: Label("Đã phê duyệt", "Approved, not started"),
    TaskStatus.ONGOING: Label("Đang thực hiện", "Ongoing"),
    TaskStatus.COMPLETED: Label("Đã hoàn thành", "Completed"),
    TaskStatus.ACCEPTED: Label("Đã nghiệm thu", "Accepted"),
}


class EvaluationLevel(StrEnum):
    CHARACTERISATION = "characterisation"
    PRELIMINARY = "preliminary"
    DETAILED = "detailed"
    GENETIC = "genetic"


EVALUATION_LEVEL_LABELS: dict[str, Label] = {
    EvaluationLevel.CHARACTERISATION: Label("Mô tả", "Characterisation"),
    EvaluationLevel.PRELIMINARY: Label("Đánh giá ban đầu", "Preliminary evaluation"),
    EvaluationLevel.DETAILED: Label("Đánh giá chi tiết", "Detailed evaluation"),
    EvaluationLevel.GENETIC: Label("Đánh giá di truyền", "Genetic evaluation"),
}


class TaxonRank(StrEnum):
    KINGDOM = "kingdom"
    PHYLUM = "phylum"
    CLASS = "class"
    ORDER = "order"
    FAMILY = "family"
    GENUS = "genus"
    SPECIES = "species"
    SUBSPECIES = "subspecies"
    VARIETY = "variety"
    FORM = "form"
    CULTIVAR = "cultivar"
    BREED = "breed"
    STRAIN = "strain"
    UNRANKED = "unranked"


class TaxonomicStatus(StrEnum):
    ACCEPTED = "accepted"
    SYNONYM = "synonym"


class ImportStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    ABORTED = "aborted"
    INTERRUPTED = "interrupted"  # its process died (kill -9, power loss): found later by a sweep


# --- MCPD v2.1 code lists -------------------------------------------------------------------------

SAMPSTAT: dict[int, Label] = {
    100: Label("Hoang dại", "Wild"),
    110: Label("Tự nhiên", "Natural"),
    120: Label("Bán tự nhiên/hoang dại", "Semi-natural/wild"),
    130: Label("Bán tự nhiên/gieo trồng", "Semi-natural/sown"),
    200: Label("Cỏ dại", "Weedy"),
    300: Label("Giống địa phương", "Traditional cultivar/landrace"),
    400: Label("Vật liệu chọn tạo/nghiên cứu", "Breeding/research material"),
    410: Label("Dòng chọn tạo", "Breeder's line"),
    411: Label("Quần thể tổng hợp", "Synthetic population"),
    412: Label("Con lai", "Hybrid"),
    413: Label("Quần thể gốc", "Founder stock/base population"),
    414: Label("Dòng thuần", "Inbred line"),
    415: Label("Quần thể phân ly", "Segregating population"),
    416: Label("Chọn lọc vô tính", "Clonal selection"),
    420: Label("Nguồn di truyền", "Genetic stock"),
    421: Label("Đột biến", "Mutant"),
    422: Label("Nguồn di truyền tế bào", "Cytogenetic stocks"),
    423: Label("Nguồn di truyền khác", "Other genetic stocks"),
    500: Label("Giống cải tiến", "Advanced/improved cultivar"),
    600: Label("Sinh vật biến đổi gen", "GMO"),
    999: Label("Khác", "Other"),
}

COLLSRC: dict[int, Label] = {
    10: Label("Môi trường hoang dã", "Wild habitat"),
    11: Label("Rừng", "Forest or woodland"),
    12: Label("Cây bụi", "Shrubland"),
    13: Label("Đồng cỏ", "Grassland"),
    14: Label("Sa mạc/đài nguyên", "Desert or tundra"),
    15: Label("Môi trường nước", "Aquatic habitat"),
    20: Label("Nông trại/nơi canh tác", "Farm or cultivated habitat"),
    21: Label("Ruộng", "Field"),
    22: Label("Vườn cây ăn quả", "Orchard"),
    23: Label("Vườn nhà", "Backyard, kitchen or home garden"),
    24: Label("Đất bỏ hoang", "Fallow land"),
    25: Label("Đồng cỏ chăn nuôi", "Pasture"),
    26: Label("Kho nông hộ", "Farm store"),
    27: Label("Sân phơi", "Threshing floor"),
    28: Label("Công viên", "Park"),
    30: Label("Chợ hoặc cửa hàng", "Market or shop"),
    40: Label("Viện, trạm thí nghiệm, ngân hàng gen", "Institute, experimental station, research organization, genebank"),
    50: Label("Công ty giống", "Seed company"),
    60: Label("Nơi cỏ dại, đất xáo trộn", "Weedy, disturbed or ruderal habitat"),
    61: Label("Ven đường", "Roadside"),
    62: Label("Bờ ruộng", "Field margin"),
    99: Label("Khác", "Other"),
}

STORAGE: dict[int, Label] = {
    10: Label("Bảo quản hạt", "Seed collection"),
    11: Label("Bảo quản hạt ngắn hạn", "Short term seed"),
    12: Label("Bảo quản hạt trung hạn", "Medium term seed"),
    13: Label("Bảo quản hạt dài hạn", "Long term seed"),
    20: Label("Tập đoàn đồng ruộng", "Field collection"),
    30: Label("Lưu giữ in vitro", "In vitro collection"),
    40: Label("Bảo quản lạnh sâu", "Cryopreserved collection"),
    50: Label("Lưu giữ DNA", "DNA collection"),
    99: Label("Khác", "Other"),
}

MLSSTAT: dict[int, Label] = {
    0: Label("Không thuộc MLS", "Not in the MLS"),
    1: Label("Thuộc MLS", "In the MLS"),
    99: Label("Khác", "Other"),
}

GEOREFMETH = ("GPS", "determined from map", "gazetteer", "estimated using software")


# --- conservation status schemes -----------------------------------------------------------------

class AssessmentScheme(StrEnum):
    VN_RED_BOOK_2007 = "vn_red_book_2007"
    DECREE_06_2019 = "decree_06_2019"  # as amended by Decree 84/2021/NĐ-CP
    DECREE_64_2019 = "decree_64_2019"
    DECREE_37_2024 = "decree_37_2024"  # aquatic list, replacing Decree 26/2019's
    IUCN = "iucn"
    CITES = "cites"


SCHEME_LABELS: dict[str, Label] = {
    AssessmentScheme.VN_RED_BOOK_2007: Label("Sách Đỏ Việt Nam 2007", "Vietnam Red Data Book 2007"),
    AssessmentScheme.DECREE_06_2019: Label("Nghị định 06/2019/NĐ-CP (sửa đổi bởi 84/2021/NĐ-CP)",
                                           "Decree 06/2019/ND-CP (amended by 84/2021/ND-CP)"),
    AssessmentScheme.DECREE_64_2019: Label("Nghị định 64/2019/NĐ-CP", "Decree 64/2019/ND-CP"),
    AssessmentScheme.DECREE_37_2024: Label("Nghị định 37/2024/NĐ-CP (thủy sản)", "Decree 37/2024/ND-CP (aquatic)"),
    AssessmentScheme.IUCN: Label("Sách Đỏ IUCN", "IUCN Red List"),
    AssessmentScheme.CITES: Label("CITES", "CITES"),
}

SCHEME_CODES: dict[str, tuple[str, ...]] = {
    AssessmentScheme.VN_RED_BOOK_2007: ("EX", "EW", "CR", "EN", "VU", "LR", "DD"),
    AssessmentScheme.DECREE_06_2019: ("IA", "IIA", "IB", "IIB"),
    AssessmentScheme.DECREE_64_2019: ("listed",),
    AssessmentScheme.DECREE_37_2024: ("I", "II"),
    AssessmentScheme.IUCN: ("EX", "EW", "CR", "EN", "VU", "NT", "LC", "DD", "NE"),
    AssessmentScheme.CITES: ("I", "II", "III"),
}

# Codes that make a taxon "threatened" for coverage reports (Vietnamese lists and IUCN).
THREATENED_CODES: dict[str, tuple[str, ...]] = {
    AssessmentScheme.VN_RED_BOOK_2007: ("EW", "CR", "EN", "VU"),
    AssessmentScheme.DECREE_06_2019: ("IA", "IIA", "IB", "IIB"),
    AssessmentScheme.DECREE_64_2019: ("listed",),
    AssessmentScheme.DECREE_37_2024: ("I", "II"),
    AssessmentScheme.IUCN: ("CR", "EN", "VU"),
}

# Sensitivity categories after GBIF's guidance (Chapman 2020), mapped as shared/standards/sensitive-data.md
# suggests. 1 is the strictest. IUCN is not in that mapping; we treat CR/EN like Red Book EN and VU as locally
# sensitive, because a Cần Thơ catalogue is read by the same traders whatever list names the species.
SENSITIVITY_BY_ASSESSMENT: dict[tuple[str, str], int] = {
    (AssessmentScheme.DECREE_06_2019, "IA"): 1,
    (AssessmentScheme.DECREE_06_2019, "IB"): 1,
    (AssessmentScheme.DECREE_37_2024, "I"): 1,
    (AssessmentScheme.VN_RED_BOOK_2007, "CR"): 1,
    (AssessmentScheme.VN_RED_BOOK_2007, "EW"): 1,
    (AssessmentScheme.DECREE_64_2019, "listed"): 1,
    (AssessmentScheme.DECREE_06_2019, "IIA"): 2,
    (AssessmentScheme.DECREE_06_2019, "IIB"): 2,
    (AssessmentScheme.DECREE_37_2024, "II"): 2,
    (AssessmentScheme.VN_RED_BOOK_2007, "EN"): 2,
    (AssessmentScheme.VN_RED_BOOK_2007, "VU"): 2,
    (AssessmentScheme.CITES, "I"): 2,
    (AssessmentScheme.CITES, "II"): 2,
    (AssessmentScheme.IUCN, "CR"): 2,
    (AssessmentScheme.IUCN, "EN"): 2,
    (AssessmentScheme.IUCN, "VU"): 3,
}

CURATOR_FLAG_DEFAULT_CATEGORY = 3

# Public precision per category in decimal degrees; None means the coordinates are withheld.
SENSITIVITY_GRID_DEGREES: dict[int, float | None] = {1: None, 2: 0.1, 3: 0.01, 4: 0.001}

SENSITIVITY_LABELS: dict[int, Label] = {
    1: Label("Rất nhạy cảm: ẩn tọa độ", "Category 1: coordinates withheld"),
    2: Label("Nhạy cảm: tọa độ làm tròn 0,1°", "Category 2: generalised to 0.1°"),
    3: Label("Nhạy cảm: tọa độ làm tròn 0,01°", "Category 3: generalised to 0.01°"),
    4: Label("Ít nhạy cảm: tọa độ làm tròn 0,001°", "Category 4: generalised to 0.001°"),
}


def allowed(values) -> str:
    """A readable list of allowed codes for error messages."""
    return ", ".join(str(v) for v in values)
