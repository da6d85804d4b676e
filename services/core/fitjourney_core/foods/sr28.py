"""Reading the USDA SR28 release shipped in `data/usda-sr28/` (ASCII files, `^`-separated, text in `~`)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable

SOURCE_DIR = "data/usda-sr28"

# Field positions in ABBREV.txt (SR28 documentation, "Abbreviated file"); values per 100 g edible portion.
ABBREV_FIELDS = {
    "water_g": 2, "kcal": 3, "protein_g": 4, "fat_g": 5, "carbs_g": 7, "fibre_g": 8, "sugars_g": 9,
    "calcium_mg": 10, "iron_mg": 11, "potassium_mg": 14, "sodium_mg": 15, "vitamin_c_mg": 20,
    "saturated_fat_g": 44, "monounsaturated_fat_g": 45, "polyunsaturated_fat_g": 46, "cholesterol_mg": 47,
}
ABBREV_FIELD_COUNT = 53


@dataclass(frozen=True)
class SrPortion:
    """One WEIGHT.txt row: `amount` times `description` weighs `grams`."""

    seq: int
    amount: float
    description: str
    grams: float


@dataclass(frozen=True)
class SrFood:
    ndb_no: str
    long_description: str
    short_description: str
    food_group: str | None
    manufacturer: str | None
    # Nutrient name → value per 100 g; None where the file has no value (empty is "unknown", not zero).
    nutrients: dict[str, float | None]
    portions: tuple[SrPortion, ...]


def _source_file(name: str) -> Traversable:
    return resources.files("fitjourney_core").joinpath(f"{SOURCE_DIR}/{name}")


def _read_text(name: str) -> str:
    """A source file, gzip-compressed in the package or plain. Latin-1: WEIGHT.txt has a few é bytes."""
    compressed = _source_file(name + ".gz")
    if compressed.is_file():
        return gzip.decompress(compressed.read_bytes()).decode("latin-1")
    return _source_file(name).read_bytes().decode("latin-1")


def records(name: str) -> Iterator[list[str]]:
    """Rows of an SR file: fields split on `^`, the `~` text delimiters removed."""
    for line in _read_text(name).splitlines():
        if line.strip():
            yield [field.strip("~") for field in line.split("^")]


def _number(raw: str) -> float | None:
    return float(raw) if raw.strip() else None


def food_groups() -> dict[str, str]:
    return {code: name for code, name in records("FD_GROUP.txt")}


def read_release() -> list[SrFood]:
    """Every food of ABBREV.txt, described by FOOD_DES.txt and with its WEIGHT.txt portions, by NDB number."""
    groups = food_groups()
    descriptions = {row[0]: row for row in records("FOOD_DES.txt")}
    portions: dict[str, list[SrPortion]] = {}
    for ndb_no, seq, amount, description, grams, *_ in records("WEIGHT.txt"):
        portions.setdefault(ndb_no, []).append(SrPortion(int(seq), float(amount), description, float(grams)))
    foods = []
    for row in records("ABBREV.txt"):
        if len(row) != ABBREV_FIELD_COUNT:
            raise ValueError(f"ABBREV.txt row {row[0]} has {len(row)} fields, not {ABBREV_FIELD_COUNT}")
        ndb_no, short = row[0], row[1]
        described = descriptions.get(ndb_no)
        # One food (33879) is in ABBREV.txt only: its short description is all the release has.
        long_description = described[2] if described else short
        foods.append(SrFood(
            ndb_no=ndb_no, long_description=long_description, short_description=short,
            food_group=groups.get(described[1]) if described else None,
            manufacturer=(described[5] or None) if described else None,
            nutrients={name: _number(row[index]) for name, index in ABBREV_FIELDS.items()},
            portions=tuple(sorted(portions.get(ndb_no, []), key=lambda p: p.seq)),
        ))
    return foods
