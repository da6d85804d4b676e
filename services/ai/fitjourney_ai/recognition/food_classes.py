"""What each class the recogniser knows is as food: an SR28 entry of core's catalogue, a typical portion,
and its nutrients, generated from the USDA SR28 files (`python -m fitjourney_ai.recognition.food_classes`)."""

from __future__ import annotations

import argparse
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

# class → (NDB number, WEIGHT.txt sequence of the portion, how many of it make a typical plate, match).
# "exact": the SR28 food is the dish. "nearest": SR28 has no such dish; the closest SR28 food by
# composition stands in (baklava: a nut pastry; bibimbap: rice with vegetables, egg and oil; bread
# pudding: bread soaked in egg and milk, baked).
SPEC: dict[str, tuple[str, int, float, str]] = {
    "apple_pie": ("18301", 2, 1, "exact"),             # piece (1/8 of 9" pie), 125 g
    "baby_back_ribs": ("10193", 1, 3, "exact"),        # 3 x 3 oz of meat, about half a rack
    "baklava": ("18247", 3, 2, "nearest"),             # 2 pieces (1/8 of a 15 oz ring)
    "beef_carpaccio": ("23601", 1, 3, "exact"),        # 3 oz raw tenderloin, a starter
    "beef_tartare": ("23557", 1, 1, "exact"),          # 4 oz raw lean ground beef
    "beet_salad": ("11081", 1, 2, "exact"),            # 1 cup of sliced cooked beets
    "beignets": ("18255", 10, 3, "nearest"),           # 3 fried yeast doughnuts of 1.5 oz
    "bibimbap": ("36602", 1, 3, "nearest"),            # a 3-cup bowl
    "bread_pudding": ("18269", 2, 2, "nearest"),       # 2 slices' worth
    "breakfast_burrito": ("21519", 1, 1, "exact"),     # 1 burrito
}


@dataclass(frozen=True)
class ClassFood:
    class_name: str
    ndb_no: str
    food_name: str
    match: str
    portion_grams: float
    portion: str
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
    rows = []
    for line in path.read_text("latin-1").splitlines():
        if line.strip():
            rows.append([field.strip("~") for field in line.split("^")])
    return rows


def build(sr28_dir: Path) -> dict[str, Any]:
    """The data file's content from the SR28 files: nothing typed by hand but the SPEC above."""
    names = {row[0]: row[2] for row in _sr28_rows(sr28_dir / "FOOD_DES.txt")}
    abbrev = {row[0]: row for row in _sr28_rows(sr28_dir / "ABBREV.txt")}
    weights = {(row[0], int(row[1])): row for row in _sr28_rows(sr28_dir / "WEIGHT.txt")}
    classes = []
    for class_name, (ndb, seq, count, match) in SPEC.items():
        row = abbrev[ndb]
        weight = weights[(ndb, seq)]
        amount, unit, grams = float(weight[2]), weight[3], float(weight[4])
        classes.append({
            "class_name": class_name, "ndb_no": ndb, "food_name": names[ndb], "match": match,
            "portion_grams": round(grams * count, 1), "portion": f"{count:g} x {amount:g} {unit}",
            # ABBREV fields: 3 Energ_Kcal, 4 Protein, 5 Lipid_Tot, 7 Carbohydrt (by difference)
            "kcal_per_100g": float(row[3]), "protein_g": float(row[4]), "carbs_g": float(row[7]),
            "fat_g": float(row[5]),
        })
    return {"source": SOURCE, "classes": classes}


def main() -> None:
    parser = argparse.ArgumentParser(description="Regenerate fitjourney_ai/data/food_classes.json from SR28.")
    parser.add_argument("--sr28", type=Path, required=True, help="folder with ABBREV.txt, FOOD_DES.txt, WEIGHT.txt")
    args = parser.parse_args()
    target = Path(__file__).resolve().parents[1] / DATA_FILE
    target.write_text(json.dumps(build(args.sr28), indent=1) + "\n", "utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
