"""What a plausible person does over some weeks: the meals, workouts, habits and moods the seeder draws from.

Foods are named as people search for them; each is looked up in the catalogue by exact name first
(the names of the current and the USDA-generated catalogue), then by the start of its name, so the plan
survives a catalogue rebuild. An item whose food is missing is left out of the meal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FoodChoice:
    key: str
    names: tuple[str, ...]  # exact catalogue names, best first (case-insensitive)
    prefix: str  # fallback: the shortest catalogue name starting with this
    portion: str | None  # preferred household portion, if the catalogue food has it
    grams: float  # otherwise this many grams


def food(key: str, *names: str, prefix: str, portion: str | None, grams: float) -> FoodChoice:
    return FoodChoice(key, names, prefix, portion, grams)


FOODS = (
    food("oatmeal", "Oatmeal (porridge), made with water", "Cereals, oats, regular and quick, unenriched, cooked with "
         "water (includes boiling and microwaving), without salt", prefix="oatmeal", portion="cup", grams=234),
    food("banana", "Banana", "Bananas, raw", prefix="banana", portion="medium", grams=118),
    food("coffee", "Coffee, brewed", "Beverages, coffee, brewed, prepared with tap water", prefix="coffee",
         portion="cup", grams=237),
    food("yogurt", "Greek yogurt, plain, nonfat", "Yogurt, Greek, plain, nonfat", prefix="greek yogurt",
         portion="container", grams=170),
    food("blueberries", "Blueberries", "Blueberries, raw", prefix="blueberries", portion="handful", grams=40),
    food("egg", "Egg, hard-boiled", "Egg, whole, cooked, hard-boiled", prefix="egg, whole", portion="large",
         grams=50),
    food("bread", "Whole-wheat bread", "Bread, whole-wheat, commercially prepared", prefix="whole-wheat bread",
         portion="slice", grams=32),
    food("chicken", "Chicken breast, roasted, skinless", "Chicken, broilers or fryers, breast, meat only, cooked, "
         "roasted", prefix="chicken breast", portion=None, grams=150),
    food("rice", "Rice, white, cooked", "Rice, white, long-grain, regular, enriched, cooked", prefix="rice, white",
         portion="cup", grams=158),
    food("broccoli", "Broccoli, boiled", "Broccoli, cooked, boiled, drained, without salt", prefix="broccoli",
         portion="cup chopped", grams=156),
    food("salmon", "Salmon, Atlantic farmed, cooked", "Fish, salmon, Atlantic, farmed, cooked, dry heat",
         prefix="salmon", portion="fillet", grams=178),
    food("potato", "Potato, boiled without skin", "Potatoes, boiled, cooked without skin, flesh, without salt",
         prefix="potato", portion="medium", grams=167),
    food("pasta", "Pasta, cooked", "Pasta, cooked, enriched, without added salt", prefix="pasta, cooked",
         portion="serving", grams=200),
    food("tomato", "Tomato", "Tomatoes, red, ripe, raw, year round average", prefix="tomato", portion="medium",
         grams=123),
    food("lentils", "Lentils, boiled", "Lentils, mature seeds, cooked, boiled, without salt", prefix="lentils",
         portion="cup", grams=198),
    food("apple", "Apple", "Apples, raw, with skin", prefix="apple", portion="medium", grams=182),
    food("almonds", "Almonds", "Nuts, almonds", prefix="almonds", portion="handful", grams=30),
    food("avocado", "Avocado", "Avocados, raw, all commercial varieties", prefix="avocado", portion="half",
         grams=100),
    food("chocolate", "Milk chocolate", "Candies, milk chocolate", prefix="milk chocolate", portion="square",
         grams=7),
    food("pizza", "Cheese pizza", "Pizza, cheese topping, regular crust, frozen, cooked", prefix="pizza",
         portion="slice", grams=107),
    food("water", "Water", "Beverages, water, tap, drinking", prefix="water", portion="glass", grams=250),
)

# Meals as lists of (food key, quantity); one is picked per meal and day.
MEALS: dict[str, tuple[tuple[tuple[str, float], ...], ...]] = {
    "breakfast": (
        (("oatmeal", 1), ("banana", 1), ("coffee", 1)),
        (("yogurt", 1), ("blueberries", 2), ("almonds", 1), ("coffee", 1)),
        (("egg", 2), ("bread", 2), ("coffee", 1)),
        (("bread", 2), ("avocado", 1), ("egg", 2)),
    ),
    "lunch": (
        (("chicken", 1), ("rice", 1.5), ("broccoli", 1)),
        (("lentils", 1), ("tomato", 2), ("bread", 2)),
        (("pasta", 1.5), ("tomato", 1)),
        (("salmon", 1), ("potato", 2)),
    ),
    "dinner": (
        (("salmon", 1), ("potato", 2), ("broccoli", 1)),
        (("chicken", 1), ("pasta", 1), ("tomato", 1)),
        (("lentils", 1), ("rice", 1.5)),
        (("pizza", 3),),
        (("egg", 3), ("bread", 2), ("avocado", 1)),
    ),
    "snack": (
        (("apple", 1),),
        (("almonds", 1),),
        (("banana", 1),),
        (("chocolate", 4),),
        (("yogurt", 1),),
    ),
}
MEAL_HOURS = {"breakfast": 7.5, "lunch": 12.5, "dinner": 19.0, "snack": 16.0}


@dataclass(frozen=True)
class WorkoutChoice:
    activity: str  # an activity code of the catalogue
    minutes: tuple[int, int]
    speed_kmh: float | None  # gives a distance when set
    hour: float


# The weekly plan, Monday first; None is a rest day. Several kinds, so lists and charts have variety.
WEEK: tuple[WorkoutChoice | None, ...] = (
    WorkoutChoice("running", (25, 45), 10.0, 6.5),
    WorkoutChoice("strength_training", (40, 60), None, 18.0),
    None,
    WorkoutChoice("cycling", (45, 90), 22.0, 17.5),
    WorkoutChoice("yoga", (30, 45), None, 7.0),
    WorkoutChoice("hiking", (90, 180), 4.5, 10.0),
    WorkoutChoice("swimming", (30, 45), None, 9.0),
)

HABIT_PLAN = (
    # name, schedule ("daily" or weekdays), target per day, how often it is done
    ("Drink 2 litres of water", "daily", 1, 0.85),
    ("Stretch for 10 minutes", "mon,wed,fri", 1, 0.75),
    ("Meditate", "daily", 1, 0.6),
)

JOURNAL_LINES = (
    ("Slept well and the morning run felt easy.", ["running", "sleep"]),
    ("Long day at work, skipped the snack and went to bed early.", ["work"]),
    ("Tried a new lentil recipe, very filling.", ["food"]),
    ("Legs sore after yesterday's session, stretched twice.", ["recovery"]),
    ("Weekend hike with friends, beautiful weather.", ["hiking", "friends"]),
    ("Felt tired, probably not enough water.", ["energy"]),
    ("New personal best on the bike.", ["cycling"]),
    ("Meditation helped before a stressful meeting.", ["mindfulness", "work"]),
    ("Pizza night. No regrets.", ["food", "family"]),
    ("Weight is trending down, clothes fit better.", ["progress"]),
)

TIME_ZONES = ("Europe/Berlin", "America/New_York", "Europe/London", "Asia/Tokyo", "America/Los_Angeles")
