"""Exchange formats' contracts: MCPD v2.1 columns and their Vietnamese header aliases, the import problem a
curator reads, and the Darwin Core row objects (occurrence, sampling event, measurement) importers yield.

Columns are named exactly as shared/standards/mcpd.md; the accession table stores each under its lower-case
code. Aliases are matched after folding (no diacritics, đ→d, lower case), so "Số đăng ký", "so dang ky" and
"SỐ ĐĂNG KÝ" are one header.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, model_validator

from . import codes
from .messages import Message
from .text import fold

# MCPD v2.1 in the standard's order, then the registry's own columns (documented in docs/standards.md).
MCPD_COLUMNS: tuple[str, ...] = (
    "PUID", "INSTCODE", "ACCENUMB", "COLLNUMB", "COLLCODE", "COLLNAME", "COLLINSTADDRESS", "COLLMISSID",
    "GENUS", "SPECIES", "SPAUTHOR", "SUBTAXA", "SUBTAUTHOR", "CROPNAME", "ACCENAME", "ACQDATE", "ORIGCTY",
    "COLLSITE", "DECLATITUDE", "LATITUDE", "DECLONGITUDE", "LONGITUDE", "COORDUNCERT", "COORDDATUM",
    "GEOREFMETH", "ELEVATION", "COLLDATE", "BREDCODE", "BREDNAME", "SAMPSTAT", "ANCEST", "COLLSRC",
    "DONORCODE", "DONORNAME", "DONORNUMB", "OTHERNUMB", "DUPLSITE", "DUPLINSTNAME", "STORAGE", "MLSSTAT",
    "REMARKS",
)
# HISTORIC comes from Genesys; CATEGORY and SENSITIVITY are ours: MCPD has no notion of the gene fund's
# categories, nor of a curator's sensitivity flag (1 strictest … 4; what the public form already shows).
EXTENSION_COLUMNS: tuple[str, ...] = ("HISTORIC", "CATEGORY", "SENSITIVITY")
ALL_COLUMNS: tuple[str, ...] = MCPD_COLUMNS + EXTENSION_COLUMNS

# The MCPD columns whose values come from a code list (STORAGE: several, separated by ;).
CODE_LISTS = {"SAMPSTAT": codes.SAMPSTAT, "COLLSRC": codes.COLLSRC, "MLSSTAT": codes.MLSSTAT, "STORAGE": codes.STORAGE}

# Columns read but not stored as such: DMS coordinates are checked against (or converted to) decimals.
DMS_COLUMNS = ("LATITUDE", "LONGITUDE")
STORED_COLUMNS: tuple[str, ...] = tuple(c for c in ALL_COLUMNS if c not in DMS_COLUMNS and c != "INSTCODE")

# Header aliases used in Vietnamese spreadsheets (folded form → MCPD code). Listed in docs/standards.md.
VIETNAMESE_ALIASES: dict[str, str] = {fold(k): v for k, v in {
    "Mã định danh": "PUID",
    "Mã đơn vị": "INSTCODE", "Mã cơ quan lưu giữ": "INSTCODE", "Đơn vị lưu giữ": "INSTCODE",
    "Số đăng ký": "ACCENUMB", "Số hiệu mẫu": "ACCENUMB", "Mã mẫu": "ACCENUMB",
    "Số thu thập": "COLLNUMB", "Số hiệu thu thập": "COLLNUMB",
    "Mã đơn vị thu thập": "COLLCODE", "Đơn vị thu thập": "COLLNAME", "Địa chỉ đơn vị thu thập": "COLLINSTADDRESS",
    "Đợt thu thập": "COLLMISSID",
    "Chi": "GENUS", "Loài": "SPECIES", "Tác giả loài": "SPAUTHOR", "Dưới loài": "SUBTAXA",
    "Tác giả dưới loài": "SUBTAUTHOR",
    "Tên cây trồng": "CROPNAME", "Tên thông thường": "CROPNAME",
    "Tên mẫu": "ACCENAME", "Tên giống": "ACCENAME",
    "Ngày nhập": "ACQDATE", "Ngày tiếp nhận": "ACQDATE",
    "Nước xuất xứ": "ORIGCTY", "Quốc gia": "ORIGCTY",
    "Địa điểm thu thập": "COLLSITE", "Nơi thu thập": "COLLSITE",
    "Vĩ độ": "DECLATITUDE", "Vĩ độ (độ phút giây)": "LATITUDE",
    "Kinh độ": "DECLONGITUDE", "Kinh độ (độ phút giây)": "LONGITUDE",
    "Sai số tọa độ": "COORDUNCERT", "Hệ tọa độ": "COORDDATUM", "Phương pháp định vị": "GEOREFMETH",
    "Độ cao": "ELEVATION",
    "Ngày thu thập": "COLLDATE", "Ngày thu mẫu": "COLLDATE",
    "Mã đơn vị chọn tạo": "BREDCODE", "Đơn vị chọn tạo": "BREDNAME",
    "Tình trạng sinh học": "SAMPSTAT", "Trạng thái sinh học": "SAMPSTAT",
    "Phả hệ": "ANCEST", "Nguồn gốc phả hệ": "ANCEST",
    "Nguồn thu thập": "COLLSRC",
    "Mã đơn vị cung cấp": "DONORCODE", "Người cung cấp": "DONORNAME", "Đơn vị cung cấp": "DONORNAME",
    "Số hiệu của bên cung cấp": "DONORNUMB",
    "Số hiệu khác": "OTHERNUMB",
    "Nơi lưu giữ an toàn": "DUPLSITE", "Đơn vị lưu giữ an toàn": "DUPLINSTNAME",
    "Hình thức lưu giữ": "STORAGE", "Hình thức bảo quản": "STORAGE",
    "Thuộc hệ thống đa phương": "MLSSTAT",
    "Ghi chú": "REMARKS",
    "Không còn tồn tại": "HISTORIC",
    "Nhóm nguồn gen": "CATEGORY", "Loại nguồn gen": "CATEGORY",
    "Mức nhạy cảm": "SENSITIVITY",
}.items()}


def column_for_header(header: str) -> str | None:
    """The MCPD code a spreadsheet header stands for, or None."""
    text = (header or "").strip().lstrip("\ufeff")
    if text.upper() in ALL_COLUMNS:
        return text.upper()
    return VIETNAMESE_ALIASES.get(fold(text))


Severity = Literal["error", "warning"]


class ImportProblem(BaseModel):
    """One line of an import report: where, what was found, what is wrong and what to do."""

    row: int | None = None  # the spreadsheet row (header = 1) or the data file's line; None: the whole file
    column: str = ""
    value: str = ""
    problem: str
    suggestion: str = ""
    severity: Severity = "error"
    # The problem and suggestion as {msgid, params} when the importer said them with N_(): the web shows them in
    # the reader's language; `problem` and `suggestion` stay the English sentences (CLI, report CSV).
    problem_msg: dict | None = None
    suggestion_msg: dict | None = None

    @model_validator(mode="before")
    @classmethod
    def _keep_msgids(cls, data):
        if isinstance(data, dict):
            for name in ("problem", "suggestion"):
                if isinstance(data.get(name), Message) and data.get(name + "_msg") is None:
                    data = {**data, name + "_msg": data[name].as_dict()}
        return data


# --- Darwin Core row objects ----------------------------------------------------------------------

# Passport fields our Darwin Core export carries in dwc:dynamicProperties (Darwin Core has no term for them).
DYNAMIC_FIELDS = ("category", "sampstat", "collsrc", "storage", "mlsstat", "acqdate", "origcty", "accename",
                  "cropname", "ancest", "bredcode", "bredname", "donorcode", "donornumb", "othernumb", "duplsite",
                  "duplinstname", "collcode", "collname", "collmissid", "puid", "subtaxa", "spauthor", "subtauthor",
                  "historic", "remarks", "georefmeth", "sensitivity_category")

SPECIMEN_BASES = ("PreservedSpecimen", "LivingSpecimen", "MaterialSample")
OBSERVATION_BASES = ("HumanObservation", "MachineObservation", "Observation", "Occurrence")


class MeasurementRow(BaseModel):
    """dwc MeasurementOrFact: a trait measured on an occurrence (→ characterization data)."""

    core_id: str
    measurement_type: str
    measurement_value: str
    measurement_unit: str | None = None
    measurement_method: str | None = None
    measurement_determined_date: str | None = None
    measurement_remarks: str | None = None


class OccurrenceRow(BaseModel):
    """dwc Occurrence as the registry reads it. `line` is the data file's line for reports."""

    line: int | None = None
    occurrence_id: str | None = None
    event_id: str | None = None
    basis_of_record: str | None = None
    scientific_name: str | None = None
    scientific_name_authorship: str | None = None
    taxon_rank: str | None = None
    kingdom: str | None = None
    family: str | None = None
    genus: str | None = None
    specific_epithet: str | None = None
    infraspecific_epithet: str | None = None
    vernacular_name: str | None = None
    individual_count: int | None = None
    organism_quantity: str | None = None
    organism_quantity_type: str | None = None
    occurrence_status: str | None = None
    recorded_by: str | None = None
    identified_by: str | None = None
    record_number: str | None = None
    catalog_number: str | None = None
    institution_code: str | None = None
    collection_code: str | None = None
    preparations: str | None = None
    associated_sequences: str | None = None
    material_sample_id: str | None = None
    event_date: str | None = None
    country: str | None = None
    country_code: str | None = None
    location_id: str | None = None
    county: str | None = None
    municipality: str | None = None
    locality: str | None = None
    habitat: str | None = None
    sampling_protocol: str | None = None
    sample_size_value: float | None = None
    sample_size_unit: str | None = None
    decimal_latitude: float | None = None
    decimal_longitude: float | None = None
    geodetic_datum: str | None = None
    coordinate_uncertainty_in_meters: float | None = None
    minimum_elevation_in_meters: float | None = None
    license: str | None = None
    rights_holder: str | None = None
    data_generalizations: str | None = None
    information_withheld: str | None = None
    dynamic_properties: str | None = None
    measurements: list[MeasurementRow] = []

    @property
    def is_specimen(self) -> bool:
        return (self.basis_of_record or "") in SPECIMEN_BASES


class EventRow(BaseModel):
    """dwc Event (a sampling event of a survey) with the occurrences recorded in it."""

    line: int | None = None
    event_id: str
    parent_event_id: str | None = None
    event_date: str | None = None
    sampling_protocol: str | None = None
    sample_size_value: float | None = None
    sample_size_unit: str | None = None
    sampling_effort: str | None = None
    location_id: str | None = None
    decimal_latitude: float | None = None
    decimal_longitude: float | None = None
    geodetic_datum: str | None = None
    coordinate_uncertainty_in_meters: float | None = None
    country_code: str | None = None
    state_province: str | None = None
    county: str | None = None
    municipality: str | None = None
    locality: str | None = None
    habitat: str | None = None
    occurrences: list[OccurrenceRow] = []
    measurements: list[MeasurementRow] = []
