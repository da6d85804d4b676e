"""What each class the recogniser knows is as food: an SR28 entry of core's catalogue, a typical portion,
and its nutrients, generated from the USDA SR28 files (`python -m fitjourney_ai.recognition.food_classes`)."""

from __future__ import annotations

import argparse
import gzip
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

DATA_FILE = "data/food_classes.json"
SOURCE = ("U.S. Department of Agriculture, Agricultural Research Service. USDA National Nutrient Database for "
          "Standard Reference, Release 28 (2015, revised 2016): ABBREV.txt (per 100 g), FOOD_DES.txt (names), "
          "WEIGHT.txt (household portions).")
PORTION_SOURCE = ("21 CFR 101.12(b), Table 2: reference amounts customarily consumed per eating occasion (U.S. FDA, "
                  "as amended 2016, 81 FR 34000), https://www.ecfr.gov/current/title-21/section-101.12")
# Meat and poultry are labelled under USDA FSIS rules, whose table has the same entree amounts.
MEAT_PORTION_SOURCE = ("9 CFR 317.312(b): reference amounts customarily consumed per eating occasion for meat "
                       "products (USDA FSIS), entrees without sauce 85 g cooked / 110 g uncooked; the same amounts "
                       "as 21 CFR 101.12(b) Table 2 gives for fish entrees without sauce.")


@dataclass(frozen=True)
class Spec:
    """How one class becomes a catalogue food.

    `ndb`: the SR28 food. `match`: "exact" when it is the dish, "nearest" when SR28 has no such dish and the
    closest SR28 food by composition stands in. The portion is the FDA reference amount (RACC) of the dish's
    category: `racc_grams`, or for a category given as a volume (`racc_cups`) that many cups of the SR28
    food's own cup weight (WEIGHT.txt sequence `cup_seq`).
    """

    ndb: str
    match: str
    racc_category: str
    racc_grams: float | None = None
    racc_cups: float | None = None
    cup_seq: int | None = None


PASTRIES = "Pies, cobblers, fruit crisps, turnovers, other pastries"
DOUGHNUTS = "Coffee cakes, crumb cakes, doughnuts, Danish, sweet rolls, sweet quick type breads"
ENTREE_PLAIN = "Entrees without sauce"
SPEC: dict[str, Spec] = {
    "apple_pie": Spec("18301", "exact", PASTRIES, racc_grams=125),
    "baby_back_ribs": Spec("10193", "exact", f"{ENTREE_PLAIN} (cooked)", racc_grams=85),
    # SR28 has no baklava: a nut pastry of the same energy density (430 kcal/100 g) stands in; the dish is
    # a pastry, so the pastry reference amount.
    "baklava": Spec("18247", "nearest", PASTRIES, racc_grams=125),
    "beef_carpaccio": Spec("23601", "exact", f"{ENTREE_PLAIN} (uncooked)", racc_grams=110),
    # Tartare is raw chopped lean beef (with egg yolk and capers): raw 95 % lean ground beef is the nearest.
    "beef_tartare": Spec("23557", "nearest", f"{ENTREE_PLAIN} (uncooked)", racc_grams=110),
    # The salad's beets; its dressing, cheese and nuts are not in the SR28 food.
    "beet_salad": Spec("11081", "nearest", "All other salads (egg, fish, shellfish, bean, fruit or vegetable salads)",
                       racc_grams=100),
    "beignets": Spec("18255", "nearest", DOUGHNUTS, racc_grams=55),  # fried yeast dough, sugared
    # SR28 has no bibimbap: rice with vegetables, egg and oil is fried rice without meat.
    "bibimbap": Spec("36602", "nearest", "Mixed dishes measurable with cup", racc_cups=1, cup_seq=1),
    # SR28 has no bread pudding: bread soaked in egg and milk, then cooked, is French toast. The pudding RACC
    # (1/2 cup) has no gram weight in SR28 for it, so the stand-in's own category's reference amount.
    "bread_pudding": Spec("18269", "nearest", "French toast, crepes, pancakes (reference amount of the stand-in)",
                          racc_grams=110),
    "breakfast_burrito": Spec("21519", "exact", "Mixed dishes not measurable with cup (burritos)", racc_grams=140),
}


@dataclass(frozen=True)
class ClassFood:
    class_name: str
    ndb_no: str
    food_name: str
    match: str
    portion_grams: float
    portion: str
    portion_source: str
    kcal_per_100g: float
    protein_g: float
    carbs_g: float
    fat_g: float

    def nutrients_for(self, grams: float) -> dict[str, float]:
        share = grams / 100.0
        return {"kcal": round(self.kcal_per_100g * share, 1), "protein_g": round(self.protein_g * share, 1),
                "carbs_g": round(self.carbs_g * share, 1), "fat_g": round(self.fat_g * share, 1)}


@cache
def class_foods() -> dict[str, ClassFood]:
    raw = json.loads(resources.files("fitjourney_ai").joinpath(DATA_FILE).read_text("utf-8"))
    return {item["class_name"]: ClassFood(**item) for item in raw["classes"]}


def unmapped(labels: list[str]) -> list[str]:
    """Labels of a model that no catalogue food stands for (a bundle with any is refused)."""
    known = class_foods()
    return [label for label in labels if label not in known]


def _sr28_rows(path: Path) -> list[list[str]]:
    """Rows of an SR28 file, plain or gzip-compressed (`<name>.gz`, as core ships them)."""
    compressed = path.with_name(path.name + ".gz")
    raw = gzip.decompress(compressed.read_bytes()) if compressed.is_file() else path.read_bytes()
    return [[field.strip("~") for field in line.split("^")] for line in raw.decode("latin-1").splitlines()
            if line.strip()]


def _portion(spec: Spec, weights: dict[tuple[str, int], list[str]]) -> tuple[float, str]:
    if spec.racc_grams is not None:
        return float(spec.racc_grams), f"{spec.racc_grams:g} g (RACC: {spec.racc_category})"
    if spec.racc_cups is None or spec.cup_seq is None:
        raise ValueError(f"SR28 {spec.ndb}: a RACC needs grams, or cups and the SR28 cup weight")
    weight = weights[(spec.ndb, spec.cup_seq)]
    amount, unit, grams = float(weight[2]), weight[3], float(weight[4])
    if unit != "cup":
        raise ValueError(f"SR28 {spec.ndb} portion {spec.cup_seq} is {unit!r}, not a cup")
    total = round(grams / amount * spec.racc_cups, 1)
    return total, f"{spec.racc_cups:g} cup = {total:g} g (RACC: {spec.racc_category}; SR28 cup weight)"


def build(sr28_dir: Path) -> dict[str, Any]:
    """The data file's content from the SR28 files: nothing typed by hand but the SPEC above."""
    names = {row[0]: row[2] for row in _sr28_rows(sr28_dir / "FOOD_DES.txt")}
    abbrev = {row[0]: row for row in _sr28_rows(sr28_dir / "ABBREV.txt")}
    weights = {(row[0], int(row[1])): row for row in _sr28_rows(sr28_dir / "WEIGHT.txt")}
    classes = []
    for class_name, spec in SPEC.items():
        row = abbrev[spec.ndb]
        grams, portion = _portion(spec, weights)
        classes.append({
            "class_name": class_name, "ndb_no": spec.ndb, "food_name": names[spec.ndb], "match": spec.match,
            "portion_grams": grams, "portion": portion,
            "portion_source": MEAT_PORTION_SOURCE if spec.racc_category.startswith(ENTREE_PLAIN) else PORTION_SOURCE,
            # ABBREV fields: 3 Energ_Kcal, 4 Protein, 5 Lipid_Tot, 7 Carbohydrt (by difference)
            "kcal_per_100g": float(row[3]), "protein_g": float(row[4]), "carbs_g": float(row[7]),
            "fat_g": float(row[5]),
        })
    return {"source": SOURCE, "portion_source": PORTION_SOURCE, "classes": classes}


CORE_SR28 = Path(__file__).resolve().parents[3] / "core/fitjourney_core/data/usda-sr28"


def main() -> None:
    parser = argparse.ArgumentParser(description="Regenerate fitjourney_ai/data/food_classes.json from SR28.")
    parser.add_argument("--sr28", type=Path, default=CORE_SR28,
                        help="folder with ABBREV.txt, FOOD_DES.txt, WEIGHT.txt (plain or .gz); default: core's copy")
    args = parser.parse_args()
    target = Path(__file__).resolve().parents[1] / DATA_FILE
    target.write_text(json.dumps(build(args.sr28), indent=1) + "\n", "utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
