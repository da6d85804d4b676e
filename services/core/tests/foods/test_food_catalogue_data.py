"""The shipped catalogue file: big enough, well-formed, and nutritionally plausible row by row."""

from importlib import resources

import pytest

from fitjourney_core.foods.catalogue import load_catalogue, parse_catalogue, parse_portions

CATALOGUE = load_catalogue()


def test_catalogue_has_at_least_300_foods_with_unique_names() -> None:
    names = [food.name.lower() for food in CATALOGUE]
    assert len(names) >= 300
    assert len(names) == len(set(names))
    assert len({food.id for food in CATALOGUE}) == len(CATALOGUE)


def test_catalogue_names_its_source_and_licence() -> None:
    text = resources.files("fitjourney_core").joinpath("data/foods.csv").read_text("utf-8")
    header = text.splitlines()[0]
    assert header.startswith("#")
    assert "USDA FoodData Central" in header
    assert "public domain" in header


def test_catalogue_covers_the_everyday_groups() -> None:
    categories = {food.category for food in CATALOGUE}
    for expected in ("fruit", "vegetable", "grain", "bread", "dairy", "egg", "meat", "fish", "legume",
                     "nuts", "fat", "snack", "drink", "fast food", "asian", "indian", "italian", "mexican"):
        assert expected in categories, expected
    assert any(food.name == "Water" and food.kcal_per_100g == 0 for food in CATALOGUE)


@pytest.mark.parametrize("food", CATALOGUE, ids=lambda food: food.name)
def test_energy_matches_the_macros(food) -> None:
    """Atwater general factors (4 kcal/g protein and carbohydrate, 9 fat, 7 alcohol); fibre is counted
    at 4 or at 2 kcal/g (tables differ), and the tolerance covers rounding and organic acids."""
    base = 4 * food.protein_g + 9 * food.fat_g + 7 * food.alcohol_g
    fibre_at_4 = base + 4 * food.carbs_g
    fibre_at_2 = base + 4 * (food.carbs_g - food.fibre_g) + 2 * food.fibre_g
    tolerance = max(12.0, 0.15 * food.kcal_per_100g)
    assert min(abs(food.kcal_per_100g - fibre_at_4), abs(food.kcal_per_100g - fibre_at_2)) <= tolerance


@pytest.mark.parametrize("food", CATALOGUE, ids=lambda food: food.name)
def test_values_are_physically_possible(food) -> None:
    assert 0 <= food.kcal_per_100g <= 910
    assert food.protein_g + food.carbs_g + food.fat_g + food.alcohol_g <= 100.5
    assert 0 <= food.fibre_g <= food.carbs_g + 0.01
    assert food.portions, "every food has at least one common portion"
    assert all(0 < portion["grams"] <= 2000 for portion in food.portions)
    assert len({portion["name"] for portion in food.portions}) == len(food.portions)


def test_portions_parse_from_the_csv_notation() -> None:
    assert parse_portions("medium:118|cup:240") == [{"name": "medium", "grams": 118.0},
                                                    {"name": "cup", "grams": 240.0}]
    with pytest.raises(ValueError):
        parse_portions("cup:0")


def test_comment_lines_are_skipped() -> None:
    text = ("# a note\nname,category,kcal_per_100g,protein_g,carbs_g,fat_g,fibre_g,alcohol_g,portions,source_id\n"
            "Test food,test,100,5,10,4,1,0,piece:10,\n")
    (food,) = parse_catalogue(text)
    assert food.name == "Test food" and food.source_id is None
