"""DynamoDB store of the reviews context (its own table, PynamoDB):

  <tenant>#REVIEW#<review id>         REVIEW   the review (doc, version); gsi1 and gsi3 while
                                               published, gsi2 always (its status)
  <tenant>#REVIEW#<review id>         VOTE#<customer>   a helpful vote (one per customer)
  <tenant>#LINE#<order id>#<line id>  LINE     the order line's review id: one review per line
  <tenant>#AUTHOR#<customer id>       H#<UTC hour> | D#<UTC day>   reviews written then (n; TTL 2 days)
  <tenant>#SKU#<sku>                  STATS    published reviews per star (r1..r5), the projection
  <tenant>#SKU#<sku>                  CAUSE#<code>                       published reviews naming a cause (n)
  <tenant>#SKU#<sku>                  QUOTE#<code>#<created_at>#<id>     a published review's quote of it
  <tenant>#SKU#<sku>                  BQUOTE#<batch>#<code>#<created_at>#<id>   the same, of a batch
  <tenant>#SKU#<sku>                  TALLY#<period>#<batch|*>#<counter>  period counters (n): `reviews`,
                                               `cause:<code>`, `return:<code>` (reviews.insights)
  <tenant>#SKU#<sku>                  SUGGESTED#<period>#<cause>         an announced insight.suggested
  <tenant>#TICKET#<ticket id>         RETURN#<line id>   a return request line counted (TTL 35 days)

gsi1 (`<tenant>#SKU#<sku>`, `<created_at>#<id>`) holds only published reviews: the public listing
reads it newest first; gsi3 (the same key, `<helpful:010d>#<created_at>#<id>`) most helpful
first. gsi2 (`<tenant>#STATUS#<status>`, `<updated_at>#<id>`) is the staff listing
and the moderation queue, oldest first. A save is conditional on the version read and moves the
sku's counters (stars, causes, period counters) and quotes in the same transaction, so the histogram
and the insights change with a status and never need a scan. Nothing here scans.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import GetError, PutError, PynamoDBException, QueryError, TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from aftersales.adapters.dynamo.attributes import Utf8JsonAttribute
from aftersales.adapters.dynamo.conditions import condition_failed
from aftersales.adapters.dynamo.connection import transactions
from aftersales.adapters.dynamo.cursors import decode_cursor, encode_cursor
from aftersales.adapters.dynamo.models import UNBOUND
from aftersales.core.clock import iso
from aftersales.core.errors import ConcurrentModification, Conflict, Unavailable
from aftersales.reviews.insights import ReturnLine, Tally, review_tallies
from aftersales.reviews.model import ProductInsights, Projection, Quote, RatingStats, Review, ReviewStatus
from aftersales.reviews.ports import Page, Sort

REVIEW_SK, LINE_SK, STATS_SK = "REVIEW", "LINE", "STATS"
ACTIVITY_RETENTION = timedelta(days=2)  # an author's hour and day counters, read by the consumer
RETURN_MARKER_RETENTION = timedelta(days=35)  # longer than a ticket event can be redelivered (SQS: 14 days)


class ByProduct(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ByStatus(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class ByHelpful(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi3"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)



class ReviewItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = Utf8JsonAttribute(null=True)
    version = NumberAttribute(null=True)
    review_id = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    r1 = NumberAttribute(null=True)
    r2 = NumberAttribute(null=True)
    r3 = NumberAttribute(null=True)
    r4 = NumberAttribute(null=True)
    r5 = NumberAttribute(null=True)
    n = NumberAttribute(null=True)
    expires_at = NumberAttribute(null=True)
    quote = JSONAttribute(null=True)
    by_product = ByProduct()
    by_status = ByStatus()
    by_helpful = ByHelpful()


STARS = {1: ReviewItem.r1, 2: ReviewItem.r2, 3: ReviewItem.r3, 4: ReviewItem.r4, 5: ReviewItem.r5}


def bind(table_name: str) -> None:
    if ReviewItem.Meta.table_name != table_name:
        ReviewItem.Meta.table_name = table_name  # PynamoDB reconnects when the name changes


def review_pk(tenant_id: str, review_id: str) -> str:
    return f"{tenant_id}#REVIEW#{review_id}"


def line_pk(tenant_id: str, order_id: str, line_id: str) -> str:
    return f"{tenant_id}#LINE#{order_id}#{line_id}"


def author_pk(tenant_id: str, customer_id: str) -> str:
    return f"{tenant_id}#AUTHOR#{customer_id}"


def _buckets(at: datetime) -> tuple[str, str]:
    utc = at.astimezone(UTC)
    return utc.strftime("H#%Y-%m-%dT%H"), utc.strftime("D#%Y-%m-%d")


def sku_pk(tenant_id: str, sku: str) -> str:
    return f"{tenant_id}#SKU#{sku}"


def _row(review: Review, version: int) -> ReviewItem:
    doc = review.model_dump(mode="json")
    doc["version"] = version
    row = ReviewItem(review_pk(review.tenant_id, review.review_id), REVIEW_SK, doc=doc, version=version,
                     review_id=review.review_id,
                     gsi2pk=f"{review.tenant_id}#STATUS#{review.status.value}",
                     gsi2sk=f"{iso(review.updated_at)}#{review.review_id}")
    if review.published:
        row.gsi1pk = sku_pk(review.tenant_id, review.sku)
        row.gsi1sk = f"{iso(review.created_at)}#{review.review_id}"
        row.gsi3pk = row.gsi1pk
        row.gsi3sk = f"{review.helpful:010d}#{iso(review.created_at)}#{review.review_id}"
    return row


def _quote_sk(quote: Quote) -> str:
    return f"QUOTE#{quote.code}#{iso(quote.at)}#{quote.review_id}"


def _batch_quote_sk(quote: Quote) -> str:
    return f"BQUOTE#{quote.batch}#{quote.code}#{iso(quote.at)}#{quote.review_id}"


def _tally_prefix(period: str, batch: str | None) -> str:
    return f"TALLY#{period}#{batch or '*'}#"


def _tally_sk(tally: Tally) -> str:
    return _tally_prefix(tally.period, tally.batch) + tally.counter


def _tally_of(sk: str) -> Tally:
    _, period, batch, counter = sk.split("#", 3)
    return Tally(period, None if batch == "*" else batch, counter)





class DynamoReviewStore:
    def create(self, review: Review) -> None:
        claim = ReviewItem(line_pk(review.tenant_id, review.order_id, review.line_id), LINE_SK,
                           review_id=review.review_id)
        expires = int((review.created_at + ACTIVITY_RETENTION).timestamp())
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.save(claim, condition=ReviewItem.pk.does_not_exist())
                tx.save(_row(review, 1), condition=ReviewItem.pk.does_not_exist())
                for bucket in _buckets(review.created_at):
                    tx.update(ReviewItem(author_pk(review.tenant_id, review.customer_id), bucket),
                              actions=[ReviewItem.n.add(1), ReviewItem.expires_at.set(expires)])
        except TransactWriteError as exc:
            if not condition_failed(exc):
                raise Unavailable("reviews.store_unavailable") from exc
            existing = self._line_review(review)
            raise Conflict("reviews.already_reviewed", review_id=existing or review.review_id) from exc

    def _line_review(self, review: Review) -> str | None:
        try:
            return ReviewItem.get(line_pk(review.tenant_id, review.order_id, review.line_id), LINE_SK,
                                  consistent_read=True).review_id
        except ReviewItem.DoesNotExist:
            return None

    def activity(self, tenant_id: str, customer_id: str, at: datetime) -> tuple[int, int]:
        keys = [(author_pk(tenant_id, customer_id), bucket) for bucket in _buckets(at)]
        try:
            found = {row.sk: int(row.n or 0) for row in ReviewItem.batch_get(keys)}
        except PynamoDBException as exc:
            raise Unavailable("reviews.store_unavailable") from exc
        return found.get(keys[0][1], 0), found.get(keys[1][1], 0)

    def get(self, tenant_id: str, review_id: str) -> Review | None:
        try:
            row = ReviewItem.get(review_pk(tenant_id, review_id), REVIEW_SK, consistent_read=True)
        except ReviewItem.DoesNotExist:
            return None
        except GetError as exc:
            raise Unavailable("reviews.store_unavailable") from exc
        return Review.model_validate(row.doc)

    def save(self, review: Review, expected_version: int, change: Projection) -> Review:
        saved = review.model_copy(update={"version": expected_version + 1})
        pk = sku_pk(review.tenant_id, review.sku)
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.save(_row(saved, saved.version), condition=ReviewItem.version == expected_version)
                if change.ratings:
                    tx.update(ReviewItem(pk, STATS_SK),
                              actions=[STARS[star].add(n) for star, n in sorted(change.ratings.items())])
                for code, n in sorted(change.causes.items()):
                    tx.update(ReviewItem(pk, f"CAUSE#{code}"), actions=[ReviewItem.n.add(n)])
                for quote in change.quotes_removed:
                    tx.delete(ReviewItem(pk, _quote_sk(quote)))
                    if quote.batch:
                        tx.delete(ReviewItem(pk, _batch_quote_sk(quote)))
                for quote in change.quotes_added:
                    tx.save(ReviewItem(pk, _quote_sk(quote), quote=quote.model_dump(mode="json")))
                    if quote.batch:
                        tx.save(ReviewItem(pk, _batch_quote_sk(quote), quote=quote.model_dump(mode="json")))
                for sk, n in sorted((_tally_sk(t), n) for t, n in review_tallies(change).items() if n):
                    tx.update(ReviewItem(pk, sk), actions=[ReviewItem.n.add(n)])
        except TransactWriteError as exc:
            if condition_failed(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise Unavailable("reviews.store_unavailable") from exc
        return saved

    def _page(self, results: Any) -> Page:
        try:
            items = [Review.model_validate(row.doc) for row in results]
        except QueryError as exc:
            raise Unavailable("reviews.store_unavailable") from exc
        return Page(items=items, cursor=encode_cursor(results.last_evaluated_key))

    def published(self, tenant_id: str, sku: str, *, sort: Sort, limit: int, cursor: str | None) -> Page:
        index = ReviewItem.by_helpful if sort == "helpful" else ReviewItem.by_product
        return self._page(index.query(sku_pk(tenant_id, sku), scan_index_forward=False, limit=limit,
                                      last_evaluated_key=decode_cursor(cursor)))

    def vote(self, review: Review, expected_version: int, voter: str) -> Review:
        saved = review.model_copy(update={"version": expected_version + 1})
        vote = ReviewItem(review_pk(review.tenant_id, review.review_id), f"VOTE#{voter}")
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.save(vote, condition=ReviewItem.pk.does_not_exist())
                tx.save(_row(saved, saved.version), condition=ReviewItem.version == expected_version)
        except TransactWriteError as exc:
            if not condition_failed(exc):
                raise Unavailable("reviews.store_unavailable") from exc
            try:
                ReviewItem.get(vote.pk, vote.sk, consistent_read=True)
            except ReviewItem.DoesNotExist:
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise Conflict("reviews.already_voted", review_id=review.review_id) from exc
        return saved

    def by_status(self, tenant_id: str, status: ReviewStatus, *, limit: int, cursor: str | None) -> Page:
        return self._page(ReviewItem.by_status.query(f"{tenant_id}#STATUS#{status.value}", scan_index_forward=True,
                                                     limit=limit, last_evaluated_key=decode_cursor(cursor)))

    def stats(self, tenant_id: str, sku: str) -> RatingStats:
        try:
            row = ReviewItem.get(sku_pk(tenant_id, sku), STATS_SK)
        except ReviewItem.DoesNotExist:
            return RatingStats(sku=sku)
        except PynamoDBException as exc:
            raise Unavailable("reviews.store_unavailable") from exc
        return RatingStats(sku=sku, counts={star: int(getattr(row, f"r{star}") or 0) for star in STARS})

    def insights(self, tenant_id: str, sku: str, *, quotes_per_cause: int) -> ProductInsights:
        pk = sku_pk(tenant_id, sku)
        try:
            causes = {row.sk.removeprefix("CAUSE#"): int(row.n or 0)
                      for row in ReviewItem.query(pk, ReviewItem.sk.startswith("CAUSE#"))}
            causes = {code: n for code, n in causes.items() if n > 0}
            quotes = {code: [Quote.model_validate(row.quote) for row in ReviewItem.query(
                pk, ReviewItem.sk.startswith(f"QUOTE#{code}#"), scan_index_forward=False, limit=quotes_per_cause)]
                for code in causes}
        except PynamoDBException as exc:
            raise Unavailable("reviews.store_unavailable") from exc
        return ProductInsights(sku=sku, causes=causes, quotes=quotes)


class DynamoInsightStore:
    """The period counters, quotes by period and suggestion claims of `reviews.ports.InsightStore`
    (the review side of the counters is written by DynamoReviewStore.save)."""

    def period(self, tenant_id: str, sku: str, period: str, batch: str | None) -> dict[str, int]:
        try:
            return {_tally_of(row.sk).counter: int(row.n or 0) for row in ReviewItem.query(
                sku_pk(tenant_id, sku), ReviewItem.sk.startswith(_tally_prefix(period, batch)))}
        except PynamoDBException as exc:
            raise Unavailable("reviews.store_unavailable") from exc

    def tallies(self, tenant_id: str, sku: str, keys: Sequence[Tally]) -> dict[Tally, int]:
        pk = sku_pk(tenant_id, sku)
        wanted = sorted({_tally_sk(key) for key in keys})
        try:
            return {_tally_of(row.sk): int(row.n or 0) for row in ReviewItem.batch_get([(pk, sk) for sk in wanted])}
        except PynamoDBException as exc:
            raise Unavailable("reviews.store_unavailable") from exc

    def quotes(self, tenant_id: str, sku: str, cause: str, batch: str | None, start: datetime, end: datetime,
               *, limit: int) -> list[Quote]:
        prefix = f"BQUOTE#{batch}#{cause}#" if batch else f"QUOTE#{cause}#"
        try:
            return [Quote.model_validate(row.quote) for row in ReviewItem.query(
                sku_pk(tenant_id, sku), ReviewItem.sk.between(prefix + iso(start), prefix + iso(end)),
                scan_index_forward=False, limit=limit)]
        except PynamoDBException as exc:
            raise Unavailable("reviews.store_unavailable") from exc

    def count_return(self, tenant_id: str, line: ReturnLine, tallies: dict[Tally, int]) -> bool:
        pk = sku_pk(tenant_id, line.sku)
        marker = ReviewItem(f"{tenant_id}#TICKET#{line.ticket_id}", f"RETURN#{line.line_id}",
                            expires_at=int((line.at + RETURN_MARKER_RETENTION).timestamp()))
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.save(marker, condition=ReviewItem.pk.does_not_exist())
                for sk, n in sorted((_tally_sk(t), n) for t, n in tallies.items()):
                    tx.update(ReviewItem(pk, sk), actions=[ReviewItem.n.add(n)])
        except TransactWriteError as exc:
            if condition_failed(exc):
                return False
            raise Unavailable("reviews.store_unavailable") from exc
        return True

    def claim_suggestion(self, tenant_id: str, sku: str, cause: str, period: str) -> bool:
        try:
            ReviewItem(sku_pk(tenant_id, sku), f"SUGGESTED#{period}#{cause}").save(
                condition=ReviewItem.pk.does_not_exist())
        except PutError as exc:
            if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
                return False
            raise Unavailable("reviews.store_unavailable") from exc
        return True

    def release_suggestion(self, tenant_id: str, sku: str, cause: str, period: str) -> None:
        try:
            ReviewItem(sku_pk(tenant_id, sku), f"SUGGESTED#{period}#{cause}").delete()
        except PynamoDBException as exc:
            raise Unavailable("reviews.store_unavailable") from exc
