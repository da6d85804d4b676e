"""Every class the food model knows is a food of core's catalogue (an SR28 entry), with SR28's nutrients
and a typical portion whose source is cited; the dishes SR28 lacks stand in by their nearest SR28 food."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from fitjourney_ai.recognition.food_classes import CORE_SR28, DATA_FILE, SPEC, build, class_foods

PHOTO_CLASSES = ("apple_pie", "baby_back_ribs", "baklava", "beef_carpaccio", "beef_tartare", "beet_salad",
                 "beignets", "bibimbap", "bread_pudding", "breakfast_burrito")
AI_PACKAGE = Path(__file__).resolve().parents[2] / "fitjourney_ai"


def test_the_data_file_is_what_core_s_sr28_files_give() -> None:
    """Nothing in data/food_classes.json is typed by hand: regenerated from the SR28 files core's catalogue
    is built from, it is unchanged (regenerate with python -m fitjourney_ai.recognition.food_classes)."""
    shipped = json.loads((AI_PACKAGE / DATA_FILE).read_text("utf-8"))
    assert shipped == json.loads(json.dumps(build(CORE_SR28)))


def test_every_class_of_the_photo_set_is_a_catalogue_food() -> None:
    foods = class_foods()
    assert set(PHOTO_CLASSES) <= set(foods)
    ndb_in_catalogue = {row.split("^")[0].strip("~") for row in _sr28_lines("ABBREV.txt")}
    for name in PHOTO_CLASSES:
        assert foods[name].ndb_no in ndb_in_catalogue, name


@pytest.mark.parametrize(("class_name", "ndb", "food_name"), [
    ("baklava", "18247", "Danish pastry, nut (includes almond, raisin nut, cinnamon nut)"),
    ("bibimbap", "36602", "Restaurant, Chinese, fried rice, without meat"),
    ("bread_pudding", "18269", "French toast, prepared from recipe, made with low fat (2%) milk"),
])
def test_dishes_sr28_lacks_map_to_their_nearest_sr28_food_and_say_so(class_name: str, ndb: str,
                                                                     food_name: str) -> None:
    food = class_foods()[class_name]
    assert (food.ndb_no, food.food_name, food.match) == (ndb, food_name, "nearest")


@pytest.mark.parametrize(("class_name", "grams"), [
    # 21 CFR 101.12(b) Table 2 (FDA reference amounts customarily consumed per eating occasion)
    ("apple_pie", 125.0),          # pies, cobblers, fruit crisps, turnovers, other pastries: 125 g
    ("baklava", 125.0),            # other pastries: 125 g
    ("beignets", 55.0),            # coffee cakes, crumb cakes, doughnuts, Danish, sweet rolls: 55 g
    ("beet_salad", 100.0),         # all other salads (... vegetable salads): 100 g
    ("bibimbap", 137.0),           # mixed dishes measurable with cup: 1 cup; SR28 36602's cup weighs 137 g
    ("bread_pudding", 110.0),      # French toast, crepes, pancakes: 110 g (the stand-in's category)
    ("breakfast_burrito", 140.0),  # mixed dishes not measurable with cup (burritos): 140 g
    # 9 CFR 317.312(b) (USDA FSIS, meat): entrees without sauce 85 g cooked, 110 g uncooked
    ("baby_back_ribs", 85.0),
    ("beef_carpaccio", 110.0),
    ("beef_tartare", 110.0),
])
def test_portions_are_the_reference_amounts_of_the_cited_regulations(class_name: str, grams: float) -> None:
    food = class_foods()[class_name]
    assert food.portion_grams == grams
    assert "CFR" in food.portion_source and "RACC" in food.portion


def test_a_portion_s_nutrients_scale_sr28_s_per_100_g_values() -> None:
    # SR28 18301 (apple pie): 237 kcal, 1.9 g protein, 34.0 g carbohydrate, 11.0 g fat per 100 g
    assert class_foods()["apple_pie"].nutrients_for(125) == {"kcal": 296.2, "protein_g": 2.4, "carbs_g": 42.5,
                                                            "fat_g": 13.8}


def test_every_spec_names_a_match_kind() -> None:
    assert {spec.match for spec in SPEC.values()} <= {"exact", "nearest"}


def _sr28_lines(name: str) -> list[str]:
    return gzip.decompress((CORE_SR28 / f"{name}.gz").read_bytes()).decode("latin-1").splitlines()
