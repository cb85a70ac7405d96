from consultdesk.accounts.models import User
from consultdesk.consultations.choices import Channel
from consultdesk.consultations.models import Consultation
from consultdesk.consultations.services import consultation_create
from consultdesk.web.pagination import capped_count, window_page


def make_cases(owner: User, number: int) -> None:
    for index in range(number):
        consultation_create(title=f"case {index}", channel=Channel.EMAIL, owner=owner, actor=owner)


def test_a_window_knows_whether_another_page_follows(alice: User) -> None:
    make_cases(alice, 5)
    ordered = Consultation.objects.order_by("id")
    first = window_page(ordered, page="1", per_page=2)
    last = window_page(ordered, page=3, per_page=2)
    assert ([c.title for c in first], first.has_next, first.has_previous) == (
        ["case 0", "case 1"],
        True,
        False,
    )
    assert ([c.title for c in last], last.has_next, last.previous_page_number) == (
        ["case 4"],
        False,
        2,
    )


def test_a_bad_or_distant_page_number_never_fails(alice: User) -> None:
    make_cases(alice, 2)
    ordered = Consultation.objects.order_by("id")
    assert window_page(ordered, page="x", per_page=10).number == 1
    assert window_page(ordered, page="-4", per_page=10).number == 1
    beyond = window_page(ordered, page="99", per_page=10)
    assert (list(beyond), beyond.has_next) == ([], False)


def test_counting_stops_at_the_cap(alice: User) -> None:
    make_cases(alice, 4)
    assert capped_count(Consultation.objects.all(), cap=2) == 3
    assert capped_count(Consultation.objects.all(), cap=10) == 4
    page = window_page(Consultation.objects.order_by("id"), page=1, per_page=2, cap=3)
    assert (page.count, page.count_is_capped) == (4, True)
