"""A tenant's refit replaces the shipped model only if it does better on the held-back reviews."""

from __future__ import annotations

from aftersales.sentiment.linear import SentimentModel, Training, empty, fit
from aftersales.sentiment.refit import RatedReview, Winner, held_back, refit_for_tenant, star_label

# A tenant whose customers call a good product "绝绝子" and a bad one "踩雷" (words a model
# fitted only on generic praise/complaints has never seen).
POSITIVE = ["绝绝子", "真的绝绝子", "绝绝子回购", "这次也绝绝子", "整体绝绝子", "绝绝子呀"]
NEGATIVE = ["踩雷", "又踩雷", "踩雷了", "这次踩雷", "彻底踩雷", "踩雷呀"]


def _tenant_reviews(copies: int = 6) -> list[RatedReview]:
    reviews = []
    for n in range(copies):
        reviews += [RatedReview(f"p{n}-{i}", text, 5) for i, text in enumerate(POSITIVE)]
        reviews += [RatedReview(f"n{n}-{i}", text, 1) for i, text in enumerate(NEGATIVE)]
    reviews.append(RatedReview("middle", "还行", 3))
    return reviews


def _generic_model() -> SentimentModel:
    zh = fit(empty("zh", 12), [("很好", 1), ("满意", 1), ("很差", 0), ("失望", 0)] * 3, Training(epochs=3))
    return SentimentModel("shipped-1", {"zh": zh})


def test_stars_are_labels_and_three_stars_are_ignored():
    assert [star_label(s) for s in (0, 1, 2, 3, 4, 5, 6)] == [None, 0, 0, None, 1, 1, None]


def test_the_refit_wins_when_it_reads_the_tenant_better():
    """GIVEN a shipped model that never saw the tenant's words WHEN refitted on the tenant's star-rated
    reviews THEN the refit wins on the held-back slice, and its version names the shipped one and the tenant."""
    shipped = _generic_model()
    outcome = refit_for_tenant(shipped, "t1", _tenant_reviews(), Training(epochs=6, learning_rate=0.2),
                               min_held_back=5)
    assert outcome.winner is Winner.TENANT
    assert outcome.tenant_accuracy > outcome.shipped_accuracy
    assert outcome.model.version.startswith("shipped-1.t1.")
    assert outcome.trained_on + outcome.held_back == 72  # the 3-star review is not used
    assert outcome.held_back == sum(held_back(r.review_id) for r in _tenant_reviews() if r.stars != 3)
    assert outcome.model.probability("又踩雷", "zh") < 0.5 < outcome.model.probability("绝绝子", "zh")


def test_the_shipped_model_stays_when_the_refit_is_not_better():
    """GIVEN reviews the shipped model already reads perfectly WHEN refitted THEN the refit at best ties
    on the held-back slice, and a tie keeps the shipped model."""
    shipped = _generic_model()
    plain = [RatedReview(f"g{i}", text, stars) for i, (text, stars) in
             enumerate([("很好", 5), ("满意", 4), ("很差", 1), ("失望", 2)] * 10)]
    outcome = refit_for_tenant(shipped, "t2", plain, min_held_back=1)
    assert outcome.shipped_accuracy == 1.0 and outcome.held_back > 0
    assert outcome.winner is Winner.SHIPPED
    assert outcome.model is shipped


def test_too_few_held_back_reviews_decide_nothing():
    """GIVEN the refit that wins above WHEN fewer reviews were held back than the minimum THEN the
    shipped model stays, with both accuracies still reported."""
    outcome = refit_for_tenant(_generic_model(), "t1", _tenant_reviews(), Training(epochs=6, learning_rate=0.2),
                               min_held_back=100)
    assert outcome.winner is Winner.SHIPPED and outcome.held_back < 100
    assert outcome.tenant_accuracy > outcome.shipped_accuracy


def test_no_labelled_reviews_keeps_the_shipped_model():
    shipped = _generic_model()
    outcome = refit_for_tenant(shipped, "t3", [RatedReview("a", "还行", 3), RatedReview("b", "Muy bueno", 5)])
    assert outcome.winner is Winner.SHIPPED and outcome.trained_on == outcome.held_back == 0


def test_the_refit_is_deterministic():
    shipped = _generic_model()
    first = refit_for_tenant(shipped, "t1", _tenant_reviews())
    second = refit_for_tenant(shipped, "t1", list(reversed(_tenant_reviews())))
    assert first.model.version == second.model.version
    assert (first.shipped_accuracy, first.tenant_accuracy) == (second.shipped_accuracy, second.tenant_accuracy)


def test_a_winning_refit_round_trips_through_the_model_file_format_with_its_version():
    outcome = refit_for_tenant(_generic_model(), "t1", _tenant_reviews(), Training(epochs=6, learning_rate=0.2),
                               min_held_back=5)
    assert outcome.winner is Winner.TENANT
    again = SentimentModel.from_bytes(outcome.model.to_bytes())
    assert again.version == outcome.model.version
    assert again.probability("踩雷了", "zh") == outcome.model.probability("踩雷了", "zh")
