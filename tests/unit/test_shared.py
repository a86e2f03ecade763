"""``backend.shared``: what the server and the probe both read stays in step with its users."""

from backend.integrations.onvif.diagnose import Check
from backend.shared.checks import CHECK_LABELS_TR, CHECK_NAMES, check_label


def test_every_check_the_onvif_client_runs_has_a_label_and_no_label_is_left_over() -> None:
    assert {c.value for c in Check} == CHECK_NAMES == set(CHECK_LABELS_TR)


def test_a_check_without_a_label_reads_as_its_name() -> None:
    assert check_label("clock") == "Saat"
    assert check_label("future_check") == "future_check"
