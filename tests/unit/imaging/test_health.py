"""Image health against the camera's own reference: generated street scenes (buildings, windows,
shop signs, a road with lane markings, poles, trees, cars, sensor noise) as the reference, and the
faults a technician meets derived from them. Each case asserts the exact problems and verdict."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from backend.integrations.imaging.health import (
    HEALTHY_TR,
    SET_REFERENCE_TR,
    ImageHealth,
    ImageProblem,
    _possessive,
    assess,
    assess_alone,
    image_stats,
)

Image = NDArray[Any]  # what OpenCV returns; uint8 BGR in practice
WIDTH, HEIGHT = 1280, 720
PAN = 400  # extra width of the generated street, for panning the camera over it
TURKISH_LETTERS = re.compile("[çğıöşüÇĞİÖŞÜ]")


def street(*, night: bool = False, seed: int = 7) -> Image:
    """A BGR street scene (WIDTH + PAN) × HEIGHT: sky, buildings with windows and shop signs,
    a road in perspective, poles, trees, cars and sensor noise."""
    rng = np.random.default_rng(seed)
    width = WIDTH + PAN
    image = np.zeros((HEIGHT, width, 3), np.uint8)
    horizon = int(HEIGHT * 0.45)
    top = np.array([40, 20, 10.0] if night else [235, 200, 150.0])
    bottom = np.array([70, 45, 30.0] if night else [250, 235, 215.0])
    t = np.linspace(0, 1, horizon)[:, None]
    image[:horizon] = (top * (1 - t) + bottom * t)[:, None, :].astype(np.uint8)
    image[horizon:] = (25, 25, 28) if night else (90, 95, 100)
    x = 0
    while x < width:
        w = int(rng.integers(WIDTH // 12, WIDTH // 5))
        h = int(rng.integers(HEIGHT // 6, horizon - 10))
        low, high = (15, 60) if night else (60, 200)
        colour = tuple(int(c) for c in rng.integers(low, high, 3))
        cv2.rectangle(image, (x, horizon - h), (x + w, horizon), colour, -1)
        for wy in range(horizon - h + 10, horizon - 15, 22):
            for wx in range(x + 8, x + w - 12, 18):
                lit = rng.random() < (0.3 if night else 0.5)
                window = ((40, 200, 240) if night else (200, 210, 220)) if lit else (50, 50, 60)
                cv2.rectangle(image, (wx, wy), (wx + 9, wy + 12), window, -1)
        if rng.random() < 0.5:
            sign = "ECZANE" if rng.random() < 0.5 else "FIRIN"
            red = (60, 60, 200) if night else (20, 20, 220)
            cv2.putText(image, sign, (x + 5, horizon - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.8, red, 2, cv2.LINE_AA)
        x += w + int(rng.integers(0, WIDTH // 30))
    centre = width // 2
    road = np.array(
        [[centre - 60, horizon], [centre + 60, horizon], [centre + 700, HEIGHT], [centre - 700, HEIGHT]]
    )
    cv2.fillPoly(image, [road.astype(np.int32)], (18, 18, 20) if night else (60, 60, 65))
    for i in range(8):
        y0 = horizon + int((HEIGHT - horizon) * (i / 8) ** 1.5)
        y1 = horizon + int((HEIGHT - horizon) * ((i + 0.5) / 8) ** 1.5)
        paint = (90, 90, 90) if night else (230, 230, 230)
        cv2.line(image, (centre, y0), (centre, y1), paint, 2 + i, cv2.LINE_AA)
    for px in range(80, width, 260):
        cv2.line(image, (px, horizon + 40), (px, horizon - 200), (40, 40, 40), 5)
        cv2.line(image, (px, horizon - 200), (px + 40, horizon - 205), (40, 40, 40), 3)
        if night:
            cv2.circle(image, (px + 40, horizon - 198), 10, (150, 220, 255), -1)
    for _ in range(40):
        tx, ty, r = int(rng.integers(0, width)), int(rng.integers(horizon, HEIGHT)), int(rng.integers(5, 25))
        green = int(rng.integers(20, 40)) if night else int(rng.integers(80, 140))
        cv2.circle(image, (tx, ty), r, (8, green, 10) if night else (30, green, 40), -1)
    for _ in range(6):
        cx, cy = int(rng.integers(0, width - 120)), int(rng.integers(horizon + 30, HEIGHT - 60))
        body = tuple(int(c) // (4 if night else 1) for c in rng.integers(30, 230, 3))
        cv2.rectangle(image, (cx, cy), (cx + 110, cy + 45), body, -1)
        cv2.circle(image, (cx + 22, cy + 45), 10, (10, 10, 10), -1)
        cv2.circle(image, (cx + 88, cy + 45), 10, (10, 10, 10), -1)
    return noisy(image, 4 if night else 3, seed=seed)


def noisy(image: Image, sigma: float, seed: int = 1) -> Image:
    rng = np.random.default_rng(seed)
    return np.clip(image + rng.normal(0, sigma, image.shape), 0, 255).astype(np.uint8)


def jpeg(image: Image, quality: int = 90) -> bytes:
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return encoded.tobytes()


def png(image: Image) -> bytes:
    ok, encoded = cv2.imencode(".png", image)
    assert ok
    return encoded.tobytes()


def view(scene: Image, offset: int = PAN // 2) -> Image:
    """What the camera sees of the street: WIDTH pixels from ``offset``."""
    return np.ascontiguousarray(scene[:, offset : offset + WIDTH])


def foggy(image: Image) -> Image:
    """Fog: soft, low contrast, a bright veil."""
    return cv2.addWeighted(cv2.GaussianBlur(image, (0, 0), 2.5), 0.45, np.full_like(image, 200), 0.55, 0)


@cache
def day() -> Image:
    return street()


@cache
def reference() -> bytes:
    return jpeg(view(day()))


def problems(health: ImageHealth) -> set[ImageProblem]:
    return set(health.problems)


# ---------------------------------------------------------------------------------------------
# Stats of one image


def test_image_stats_measures_the_original_size_and_the_working_image() -> None:
    # given
    data = reference()

    # when
    stats = image_stats(data)

    # then
    assert (stats.width, stats.height) == (WIDTH, HEIGHT)
    assert stats.sharpness > 1000
    assert 90 < stats.brightness < 140
    assert 0 < stats.featureless_share < 0.3  # some sky tiles, the rest textured


def test_image_stats_of_a_flat_frame_is_all_featureless() -> None:
    # given
    data = png(np.full((480, 640, 3), 128, np.uint8))

    # when
    stats = image_stats(data)

    # then
    assert stats.featureless_share == 1.0
    assert stats.sharpness == 0.0
    assert stats.brightness == pytest.approx(128, abs=0.5)


@pytest.mark.parametrize(
    "data", [b"", b"not an image at all" * 20, b"\xff\xd8\xff\xe0" + bytes(200), b"\x89PNG\r\n"]
)
def test_image_stats_raises_value_error_on_undecodable_bytes(data: bytes) -> None:
    # given / when / then
    with pytest.raises(ValueError, match="undecodable"):
        image_stats(data)


# ---------------------------------------------------------------------------------------------
# Healthy: the same view, also when "normal" is dark or soft


def test_same_view_reencoded_with_noise_is_healthy() -> None:
    # given
    current = jpeg(noisy(view(day()), 4, seed=2), quality=75)

    # when
    health = assess(reference(), current)

    # then
    assert (health.verdict, health.problems) == ("ok", [])
    assert health.message_tr == HEALTHY_TR
    assert health.metrics["sharpness_ratio"] == pytest.approx(1.0, abs=0.25)
    assert health.metrics["brightness_ratio"] == pytest.approx(1.0, abs=0.02)
    assert health.metrics["shift_share"] < 0.005
    assert health.metrics["ssim"] > 0.7


def test_same_view_from_a_png_reference_and_a_smaller_jpeg_stream_is_healthy() -> None:
    # given: the reference saved losslessly at 1280×720, the camera now sends 640×360
    current = jpeg(cv2.resize(view(day()), (640, 360), interpolation=cv2.INTER_AREA))

    # when
    health = assess(png(view(day())), current)

    # then
    assert (health.verdict, health.problems) == ("ok", [])


def test_dark_night_reference_with_a_dark_night_snapshot_is_healthy() -> None:
    # given: a night camera, mean grey ~30 in both (dark by nature)
    night = view(street(night=True))
    current = jpeg(noisy(night, 6, seed=3))

    # when
    health = assess(jpeg(night), current)

    # then
    assert (health.verdict, health.problems) == ("ok", [])
    assert health.metrics["brightness"] < 40


def test_foggy_reference_with_a_similarly_foggy_snapshot_is_healthy() -> None:
    # given: a camera that always looks into fog (soft by nature)
    fog = foggy(view(day()))
    current = jpeg(noisy(fog, 3, seed=5))

    # when
    health = assess(jpeg(fog), current)

    # then
    assert (health.verdict, health.problems) == ("ok", [])
    assert image_stats(jpeg(fog)).sharpness < 0.05 * image_stats(reference()).sharpness


# ---------------------------------------------------------------------------------------------
# Faults


def test_gaussian_blur_is_blurred() -> None:
    # given
    current = jpeg(cv2.GaussianBlur(view(day()), (0, 0), 2.0))

    # when
    health = assess(reference(), current)

    # then
    assert (health.verdict, health.problems) == ("fail", [ImageProblem.BLURRED])
    assert health.metrics["sharpness_ratio"] < 0.3
    assert re.match(
        r"Görüntü bulanık \(keskinlik referansın %\d+'(i|ı|u|ü|si|sı|su|sü)\): lens kirli", health.message_tr
    )


def test_slight_blur_is_a_blur_warning() -> None:
    # given
    current = jpeg(cv2.GaussianBlur(view(day()), (0, 0), 0.9))

    # when
    health = assess(reference(), current)

    # then
    assert (health.verdict, health.problems) == ("warning", [ImageProblem.BLURRED])
    assert 0.3 <= health.metrics["sharpness_ratio"] < 0.5
    assert health.message_tr.startswith("Görüntü biraz bulanık")


def test_fog_or_a_dirty_lens_against_a_clear_reference_is_blurred() -> None:
    # given
    current = jpeg(foggy(view(day())))

    # when
    health = assess(reference(), current)

    # then
    assert (health.verdict, health.problems) == ("fail", [ImageProblem.BLURRED])


def test_darkened_to_a_quarter_is_too_dark_and_nothing_else() -> None:
    # given
    current = jpeg((view(day()) * 0.25).astype(np.uint8))

    # when
    health = assess(reference(), current)

    # then
    assert (health.verdict, health.problems) == ("fail", [ImageProblem.TOO_DARK])
    assert health.metrics["brightness_ratio"] == pytest.approx(0.25, abs=0.02)
    assert health.metrics["sharpness_ratio"] > 0.8  # texture only weaker: not blur
    assert health.metrics["featureless_delta"] < 0.05  # and not an obstruction
    assert "çok karanlık" in health.message_tr


def test_darkened_to_half_is_a_darkness_warning() -> None:
    # given
    current = jpeg((view(day()) * 0.5).astype(np.uint8))

    # when
    health = assess(reference(), current)

    # then
    assert (health.verdict, health.problems) == ("warning", [ImageProblem.TOO_DARK])


def test_night_camera_gone_black_is_too_dark() -> None:
    # given: relative to its own dark reference, a fifth of the light is a fault
    night = view(street(night=True))
    current = jpeg((night * 0.2).astype(np.uint8))

    # when
    health = assess(jpeg(night), current)

    # then
    assert (health.verdict, health.problems) == ("fail", [ImageProblem.TOO_DARK])


def test_overexposed_is_too_bright_not_blurred() -> None:
    # given
    current = jpeg(np.clip(view(day()) * 2.2, 0, 255).astype(np.uint8))

    # when
    health = assess(reference(), current)

    # then
    assert (health.verdict, health.problems) == ("warning", [ImageProblem.TOO_BRIGHT])
    assert health.metrics["saturated_delta"] > 0.2


def test_half_covered_by_a_flat_dark_rectangle_is_obstructed_only() -> None:
    # given: not also too dark (the visible half is exposed as before), blurred or moved
    covered = view(day()).copy()
    cv2.rectangle(covered, (0, 0), (WIDTH // 2, HEIGHT), (28, 26, 25), -1)
    current = jpeg(noisy(covered, 2))

    # when
    health = assess(reference(), current)

    # then
    assert (health.verdict, health.problems) == ("fail", [ImageProblem.OBSTRUCTED])
    assert health.metrics["featureless_delta"] >= 0.25
    assert health.metrics["brightness_visible_ratio"] > 0.8  # tiles along the cover's edge are partly dark
    assert health.message_tr.startswith("Görüş engellenmiş (görüntünün %")


def test_quarter_covered_by_a_noisy_grey_sheet_is_an_obstruction_warning() -> None:
    # given
    covered = view(day()).copy()
    cv2.rectangle(covered, (0, 0), (WIDTH // 4, HEIGHT), (60, 60, 60), -1)
    current = jpeg(noisy(covered, 6))

    # when
    health = assess(reference(), current)

    # then
    assert (health.verdict, health.problems) == ("warning", [ImageProblem.OBSTRUCTED])


def test_lens_capped_black_is_obstructed_and_too_dark() -> None:
    # given
    current = jpeg(np.zeros((HEIGHT, WIDTH, 3), np.uint8))

    # when
    health = assess(reference(), current)

    # then: the cause leads
    assert health.verdict == "fail"
    assert health.problems == [ImageProblem.OBSTRUCTED, ImageProblem.TOO_DARK]
    assert "sharpness_ratio" not in health.metrics  # nothing textured left to compare


def test_panned_by_12_percent_of_the_width_is_view_moved() -> None:
    # given
    shift = int(0.12 * WIDTH)
    current = jpeg(view(day(), PAN // 2 + shift))

    # when
    health = assess(reference(), current)

    # then
    assert (health.verdict, health.problems) == ("fail", [ImageProblem.VIEW_MOVED])
    assert health.metrics["shift_px"] == pytest.approx(shift, rel=0.05)
    assert health.metrics["shift_share"] == pytest.approx(0.12, abs=0.01)
    assert "genişliğin %12'si kaymış" in health.message_tr


def test_panned_by_3_percent_is_a_view_warning() -> None:
    # given
    current = jpeg(view(day(), PAN // 2 + int(0.03 * WIDTH)))

    # when
    health = assess(reference(), current)

    # then
    assert (health.verdict, health.problems) == ("warning", [ImageProblem.VIEW_MOVED])


def test_rotated_by_3_degrees_is_view_moved() -> None:
    # given
    rotation = cv2.getRotationMatrix2D((WIDTH / 2, HEIGHT / 2), 3.0, 1.0)
    current = jpeg(cv2.warpAffine(view(day()), rotation, (WIDTH, HEIGHT), borderMode=cv2.BORDER_REFLECT))

    # when
    health = assess(reference(), current)

    # then
    assert (health.verdict, health.problems) == ("fail", [ImageProblem.VIEW_MOVED])
    assert abs(health.metrics["rotation_deg"]) == pytest.approx(3.0, abs=0.3)
    assert "3,0° dönmüş" in health.message_tr or "2,9° dönmüş" in health.message_tr


def test_zoomed_in_is_view_moved() -> None:
    # given
    zoom = cv2.getRotationMatrix2D((WIDTH / 2, HEIGHT / 2), 0.0, 1.12)
    current = jpeg(cv2.warpAffine(view(day()), zoom, (WIDTH, HEIGHT)))

    # when
    health = assess(reference(), current)

    # then
    assert (health.verdict, health.problems) == ("fail", [ImageProblem.VIEW_MOVED])
    assert health.metrics["scale"] == pytest.approx(1.12, abs=0.02)


def test_panned_and_badly_blurred_is_both_found_by_phase_correlation() -> None:
    # given: too blurred for feature matching
    shift = int(0.12 * WIDTH)
    current = jpeg(cv2.GaussianBlur(view(day(), PAN // 2 + shift), (0, 0), 6.0))

    # when
    health = assess(reference(), current)

    # then
    assert health.verdict == "fail"
    assert problems(health) == {ImageProblem.VIEW_MOVED, ImageProblem.BLURRED}
    assert "phase_response" in health.metrics
    assert health.metrics["shift_px"] == pytest.approx(shift, rel=0.05)


def test_a_different_street_is_view_moved_by_its_low_similarity() -> None:
    # given: same layout (road, poles) but other buildings, trees and cars: no feature matches
    current = jpeg(view(street(seed=99)))

    # when
    health = assess(reference(), current)

    # then
    assert (health.verdict, health.problems) == ("fail", [ImageProblem.VIEW_MOVED])
    assert health.metrics["ssim"] < 0.35
    assert "match_inliers" not in health.metrics
    assert health.message_tr.startswith("Görüntü referansa benzemiyor")


def test_a_different_aspect_ratio_is_view_moved() -> None:
    # given
    current = jpeg(cv2.resize(view(day()), (960, 720)))

    # when
    health = assess(reference(), current)

    # then
    assert (health.verdict, health.problems) == ("fail", [ImageProblem.VIEW_MOVED])
    assert "960×720, referans 1280×720" in health.message_tr


@pytest.mark.parametrize("garbage", [b"", b"<html>401 Unauthorized</html>", b"\xff\xd8\xff\xe0" + bytes(500)])
def test_garbage_snapshot_is_unreadable(garbage: bytes) -> None:
    # given / when
    health = assess(reference(), garbage)

    # then
    assert (health.verdict, health.problems, health.metrics) == ("fail", [ImageProblem.UNREADABLE], {})
    assert health.message_tr.startswith("Kameradan alınan görüntü okunamadı")


def test_garbage_reference_is_unreadable() -> None:
    # given / when
    health = assess(b"corrupt reference", reference())

    # then
    assert (health.verdict, health.problems) == ("fail", [ImageProblem.UNREADABLE])
    assert health.message_tr.startswith("Referans görüntü okunamadı")


# ---------------------------------------------------------------------------------------------
# No reference yet


def test_assess_alone_on_a_black_frame_warns_and_asks_for_a_reference() -> None:
    # given
    black = jpeg(np.zeros((HEIGHT, WIDTH, 3), np.uint8))

    # when
    health = assess_alone(black)

    # then
    assert (health.verdict, health.problems) == ("warning", [ImageProblem.TOO_DARK])
    assert health.message_tr.startswith("Görüntü neredeyse tamamen siyah")
    assert health.message_tr.endswith(SET_REFERENCE_TR)


def test_assess_alone_on_a_uniform_grey_frame_warns_of_an_obstruction() -> None:
    # given
    grey = jpeg(noisy(np.full((HEIGHT, WIDTH, 3), 120, np.uint8), 3))

    # when
    health = assess_alone(grey)

    # then
    assert (health.verdict, health.problems) == ("warning", [ImageProblem.OBSTRUCTED])


def test_assess_alone_on_a_normal_scene_is_ok_and_asks_for_a_reference() -> None:
    # given / when
    health = assess_alone(reference())

    # then
    assert (health.verdict, health.problems) == ("ok", [])
    assert health.message_tr == f"{HEALTHY_TR} {SET_REFERENCE_TR}"


def test_assess_alone_on_garbage_is_unreadable() -> None:
    # given / when
    health = assess_alone(b"garbage")

    # then
    assert (health.verdict, health.problems) == ("fail", [ImageProblem.UNREADABLE])


# ---------------------------------------------------------------------------------------------
# Messages


@cache
def _all_cases() -> list[ImageHealth]:
    scene = view(day())
    covered = scene.copy()
    cv2.rectangle(covered, (0, 0), (WIDTH // 2, HEIGHT), (28, 26, 25), -1)
    rotation = cv2.getRotationMatrix2D((WIDTH / 2, HEIGHT / 2), 3.0, 1.1)
    currents = [
        scene,
        cv2.GaussianBlur(scene, (0, 0), 2.0),
        cv2.GaussianBlur(scene, (0, 0), 0.9),
        (scene * 0.25).astype(np.uint8),
        (scene * 0.5).astype(np.uint8),
        np.clip(scene * 2.2, 0, 255).astype(np.uint8),
        np.clip(scene.astype(np.int16) + 140, 0, 255).astype(np.uint8),
        covered,
        view(day(), PAN // 2 + 150),
        cv2.warpAffine(scene, rotation, (WIDTH, HEIGHT)),
        view(street(seed=99)),
        cv2.resize(scene, (960, 720)),
    ]
    return [
        *(assess(reference(), jpeg(c)) for c in currents),
        assess(reference(), b"garbage"),
        assess(b"garbage", reference()),
        assess_alone(jpeg(np.zeros_like(scene))),
        assess_alone(jpeg(np.full_like(scene, 250))),
        assess_alone(reference()),
    ]


def test_every_message_is_plain_turkish_and_names_each_problem() -> None:
    # given
    cases = _all_cases()

    # when
    messages = [case.message_tr for case in cases]

    # then
    assert {case.verdict for case in cases} == {"ok", "warning", "fail"}
    assert {p for case in cases for p in case.problems} == set(ImageProblem)
    for case in cases:
        message = case.message_tr
        assert message.strip() == message
        assert message.endswith(".")
        assert TURKISH_LETTERS.search(message), message
        assert "." not in re.sub(r"\d\.\d|\.$|\. ", "", message), message  # no English decimal points
        assert not re.search(r"\bnan\b|\?", message, re.IGNORECASE), message
        assert len(message.split(". ")) >= len(case.problems)
        if case.verdict == "ok":
            assert message.startswith(HEALTHY_TR)
    assert len(set(messages)) == len(messages)


@pytest.mark.parametrize(
    ("number", "suffix"),
    [(0, "ı"), (1, "i"), (2, "si"), (3, "ü"), (4, "ü"), (5, "i"), (6, "sı"), (7, "si"), (8, "i"), (9, "u"),
     (10, "u"), (12, "si"), (18, "i"), (20, "si"), (30, "u"), (40, "ı"), (50, "si"), (60, "ı"), (70, "i"),
     (80, "i"), (90, "ı"), (100, "ü"), (170, "i"), (200, "ü"), (1000, "i")],
)  # fmt: skip
def test_percentages_take_the_turkish_possessive_suffix_as_read(number: int, suffix: str) -> None:
    # given / when / then: %18'i, %20'si, %40'ı, %6'sı, %100'ü
    assert _possessive(number) == suffix


def test_metrics_are_finite_floats() -> None:
    # given / when
    cases = _all_cases()

    # then
    for case in cases:
        assert all(isinstance(v, float) and np.isfinite(v) for v in case.metrics.values())


@pytest.mark.parametrize("seed", range(12))
def test_ssim_is_exactly_scikit_images(seed: int) -> None:
    # given two images (noisy copies, unrelated ones, odd sizes down to the 7-pixel window)
    from skimage.metrics import structural_similarity as reference_ssim

    from backend.integrations.imaging.health import structural_similarity

    rng = np.random.default_rng(seed)
    h, w = int(rng.integers(7, 90)), int(rng.integers(7, 160))
    a = rng.integers(0, 256, (h, w), dtype=np.uint8)
    noisy = np.clip(a.astype(int) + rng.integers(-50, 50, (h, w)), 0, 255).astype(np.uint8)
    b = rng.integers(0, 256, (h, w), dtype=np.uint8) if seed % 3 == 0 else noisy
    # when / then: the server's OpenCV version equals scikit-image's
    assert structural_similarity(a, b) == pytest.approx(reference_ssim(a, b, data_range=255), abs=1e-9)
    assert structural_similarity(a, a) == pytest.approx(1.0)
