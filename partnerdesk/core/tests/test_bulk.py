"""insert_rows writes exactly what bulk_create writes, faster: the billing run's rows."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerdesk.accounts.models import Reseller
from partnerdesk.audit.models import AuditEvent
from partnerdesk.billing.models import Invoice
from partnerdesk.core.bulk import insert_rows, pipelined, prepared_rows, unsaved
from partnerdesk.webhooks.models import Event

pytestmark = pytest.mark.django_db

aware_times = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7, minutes=-30))]),
)
# PostgreSQL stores neither NUL characters in text nor \u0000 in JSON.
text = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=20)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


def stored(model, ids):
    rows = model.objects.filter(pk__in=ids).order_by("pk").values()
    return [{k: v for k, v in row.items() if k not in ("id", "public_id")} for row in rows]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    at=aware_times,
    actor=text,
    before=st.none() | st.dictionaries(text, json_values, max_size=3),
    after=st.dictionaries(text, json_values, max_size=3),
    with_reseller=st.booleans(),
)
def test_audit_rows_are_stored_as_bulk_create_stores_them(at, actor, before, after, with_reseller):
    reseller = Reseller.objects.get_or_create(name="Isar", defaults={"country": "DE"})[0] if with_reseller else None

    def entries():
        return [
            AuditEvent(
                at=at,
                actor=actor,
                reseller=reseller,
                action="x.y",
                object_type="t",
                object_id="o",
                before=before,
                after=after,
            )
            for _ in range(3)
        ]

    with transaction.atomic():
        created = AuditEvent.objects.bulk_create(entries())
        inserted = entries()
        insert_rows(inserted)
        fast_ids = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True)[:3]
        assert stored(AuditEvent, [e.pk for e in created]) == stored(AuditEvent, list(fast_ids))
        transaction.set_rollback(True)


# A single change's few rows go in one statement; more than one statement takes on SQLite.
@pytest.mark.parametrize("count", [2, 5, 6, 1200])
def test_returning_ids_gives_each_object_its_primary_key_in_order(settings, count):
    reseller = Reseller.objects.create(name="Isar", country="DE")
    events = [
        Event(
            type="invoice.issued",
            reseller=reseller,
            data={"n": n, "amount": "1.50"},
            created_at=datetime(2026, 3, 1, tzinfo=UTC),
        )
        for n in range(count)
    ]
    with transaction.atomic():
        insert_rows(events, returning_ids=True)
    assert all(not event._state.adding for event in events)
    step = max(1, count // 12)
    assert [Event.objects.get(pk=event.pk).data["n"] for event in events[::step]] == list(range(0, count, step))
    assert len({event.public_id for event in events}) == count
    assert Event.objects.get(pk=events[-1].pk).public_id == events[-1].public_id


def test_values_that_need_converting_still_go_through_the_field(settings):
    reseller = Reseller.objects.create(name="Isar", country="DE")
    # a Decimal in a JSON field, a date in a JSON field, a number given as a string
    event = Event(
        type="invoice.issued",
        reseller_id=str(reseller.pk),
        data={"d": str(Decimal("2.50")), "on": str(date(2026, 1, 2))},
        created_at=datetime(2026, 3, 1, 12, tzinfo=timezone(timedelta(hours=2))),
    )
    with transaction.atomic():
        insert_rows([event], returning_ids=True)
    saved = Event.objects.get(pk=event.pk)
    assert (saved.reseller_id, saved.data, saved.created_at) == (
        reseller.pk,
        {"d": "2.50", "on": "2026-01-02"},
        datetime(2026, 3, 1, 10, tzinfo=UTC),
    )


def _state_free(obj):
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


def test_unsaved_builds_the_instance_the_constructor_builds():
    reseller = Reseller.objects.create(name="Isar", country="DE")
    at = datetime(2026, 3, 1, tzinfo=UTC)
    for model, values in [
        (Event, {"type": "invoice.issued", "reseller": reseller, "customer": None, "data": {"a": 1}, "created_at": at}),
        (AuditEvent, {"at": at, "actor": "x", "reseller_id": reseller.pk, "action": "a", "object_id": "o"}),
    ]:
        fast, slow = unsaved(model, **values), model(**values)
        fast.public_id = slow.public_id = "same"  # a fresh random id each
        assert _state_free(fast) == _state_free(slow)
        assert fast._state.adding and fast._state.db is None
        assert fast._state.fields_cache == slow._state.fields_cache
    event = unsaved(Event, type="x", reseller=reseller, data={}, created_at=at)
    assert event.reseller is reseller and event.customer_id is None
    event.save()
    assert Event.objects.get(pk=event.pk).reseller_id == reseller.pk


def test_unsaved_refuses_a_field_the_model_does_not_have():
    with pytest.raises(TypeError, match="no field 'colour'"):
        unsaved(Event, colour="red")


@settings(max_examples=60, deadline=None)
@given(
    amount=st.decimals(min_value=-(10**9), max_value=10**9, places=2) | st.integers(-100, 100) | st.just("12.5"),
    issued_at=aware_times,
    paid_at=st.none() | aware_times,
    text=text,
    status=st.sampled_from([Invoice.Status.OPEN, "paid", Invoice.Status.VOID]),
    reverse_charge=st.booleans() | st.integers(0, 1),
    subscription_id=st.integers(1, 2**40) | st.just("7"),
)
def test_prepared_values_are_what_the_fields_would_send(
    amount, issued_at, paid_at, text, status, reverse_charge, subscription_id
):
    invoice = unsaved(
        Invoice,
        number=text,
        status=status,
        subscription_id=subscription_id,
        reseller_id=1,
        customer_id=1,
        buyer_name=text,
        total=amount,
        tax_rate=Decimal("19"),
        reverse_charge=reverse_charge,
        issued_at=issued_at,
        due_at=issued_at,
        paid_at=paid_at,
    )
    fields = [f for f in Invoice._meta.concrete_fields if not f.primary_key]
    [fast] = prepared_rows([invoice], fields, adding=True)
    db = transaction.get_connection()
    assert fast == [f.get_db_prep_save(getattr(invoice, f.attname), db) for f in fields]


@pytest.mark.django_db(transaction=True)  # no test-wide transaction around it
def test_ids_are_only_handed_back_inside_a_transaction():
    # On SQLite the ids are worked out from the write lock the transaction holds.
    event = Event(type="invoice.issued", data={}, created_at=datetime(2026, 3, 1, tzinfo=UTC))
    with pytest.raises(RuntimeError, match="inside a transaction"):
        insert_rows([event], returning_ids=True)


def test_a_model_with_init_listeners_gets_the_real_constructor():
    from django.db.models.signals import post_init

    from partnerdesk.core import bulk
    from partnerdesk.notifications.models import OutboxEmail

    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(listener, sender=OutboxEmail)
    bulk._BLUEPRINTS.pop(OutboxEmail, None)
    try:
        row = unsaved(OutboxEmail, to="a@b.example", subject="s")
        assert seen == [row]
    finally:
        post_init.disconnect(listener, sender=OutboxEmail)
        bulk._BLUEPRINTS.pop(OutboxEmail, None)


def _event(n: int, **fields) -> Event:
    return Event(type="invoice.issued", data={"n": n}, created_at=datetime(2026, 3, 1, tzinfo=UTC), **fields)


def test_a_pipelined_block_writes_and_reads_as_any_other():
    reseller = Reseller.objects.create(name="Isar", country="DE")
    written, read_back = [_event(1, reseller=reseller), _event(2, reseller=reseller)], [_event(3, reseller=reseller)]
    with transaction.atomic(), pipelined():
        insert_rows(written)
        insert_rows(read_back, returning_ids=True)
        # A read inside the block sees what went before it.
        assert Event.objects.filter(reseller=reseller).count() == 3
    assert read_back[0].pk == Event.objects.get(data__n=3).pk
    assert sorted(Event.objects.filter(reseller=reseller).values_list("data__n", flat=True)) == [1, 2, 3]


@pytest.mark.postgresql_only
def test_on_postgresql_a_pipelined_statement_does_not_wait_for_its_answer():
    db = transaction.get_connection()
    with transaction.atomic():
        Reseller.objects.create(name="Isar", country="DE")  # the transaction has begun
        with pipelined():
            insert_rows([_event(1)])
            # Sent, its answer not yet read (psycopg's queue of answers to come).
            assert len(db.connection._pipeline.result_queue) == 1
        assert db.connection._pipeline is None
    assert Event.objects.filter(data__n=1).exists()


@pytest.mark.django_db(transaction=True)  # so that the rollback can be seen
def test_an_error_in_a_pipelined_block_is_djangos_and_rolls_the_transaction_back():
    taken = _event(1)
    with transaction.atomic():
        insert_rows([taken])
    with pytest.raises(IntegrityError), transaction.atomic():
        Reseller.objects.create(name="Isar", country="DE")
        with pipelined():
            insert_rows([_event(2, public_id=taken.public_id)])  # its id is taken
    assert not Reseller.objects.exists()
    assert list(Event.objects.values_list("data__n", flat=True)) == [1]


@pytest.mark.django_db(transaction=True)
def test_pipelined_is_refused_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside a transaction"), pipelined():
        pass
