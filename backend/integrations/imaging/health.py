"""Image health of a camera: its snapshot compared with the camera's own reference image.

The reference is taken at acceptance or after a cleaning. Every threshold is *relative* to it,
because "normal" differs per camera: a street camera at night is dark by nature, a camera looking
into fog is soft by nature. ``assess`` tells a technician what is wrong, in Turkish.

Both images are decoded to grey (``cv2.imdecode``: JPEG, PNG) and resized to ``WORK_WIDTH`` pixels
wide keeping the aspect ratio (area averaging, so a 1280 and a 1920 stream of the same view
measure the same). Then:

1. **Unreadable**: either image does not decode.
2. **Obstructed**: the frame is cut into a 16×16 grid; a tile is *featureless* when the standard
   deviation of its detail (the grey image lightly denoised, minus its coarse blur) is below a few
   grey levels. Obstructed = the featureless share grew by a clear part of what was textured in the
   reference (sky and blank walls cannot be covered any further). The current image's threshold
   is scaled by its exposure against the reference, so a uniformly darker image, whose texture is
   only proportionally weaker, is "too dark" and not "obstructed". The shares are compared as a
   whole, not tile by tile, so a moved view (texture lost here, gained there) is not an obstruction.
3. **Too dark / too bright**: mean grey level; both a big change against the reference *and* an
   absolute level that is really dark (or bright) are needed. Too bright is also a big increase of
   clipped-white pixels. When the view is obstructed the exposure is judged on the tiles that are
   still visible: a dark cover darkens the mean but the camera's exposure is fine.
4. **View moved**: ORB features of both images (histogram-equalised, so exposure does not matter) are
   matched and a similarity transform (translation, rotation, scale) is fitted with RANSAC. Without
   enough matching features the translation comes from phase correlation (works on blurred images
   too), and when that finds no clear peak either, the SSIM of the equalised images tells whether
   the view still looks like the reference at all.
5. **Blurred**: variance of the Laplacian over the tiles textured in both images, current against
   reference, compensated for exposure (25 % exposure scales the Laplacian by 0.25²: that is
   darkness, not blur). A dirty or misted lens both softens and veils the picture (less contrast,
   higher mean): both lower this ratio.

One cause is reported as one problem: an obstructed view is not also called blurred or moved; an
image too dark or too bright to judge is not called blurred; when the view moved or the image is
badly blurred, a few more featureless tiles are a consequence, not an obstruction; SSIM is only
trusted when focus, exposure and coverage are fine. ``problems`` lists failures first, the main
cause first; the verdict is the worst of them.

Compare like with like: a check at night against a daytime reference is "too dark" by design;
a camera whose checks happen in both keeps a reference per lighting condition.

Speed: a 1920×1080 JPEG pair takes about 30 ms (decoding ~5 ms an image, ORB ~10 ms for both,
SSIM ~4 ms). The functions are synchronous and CPU-bound: run them in a worker thread from async
code. Decoding is OpenCV's, and only after the image's header showed its size: more than
``max_pixels`` (``Settings.image_max_pixels``, 40 MP by default) or a size the header does not
tell is UNREADABLE without decoding, so a small file that unpacks to gigabytes costs nothing
(``cv2.imdecode`` allocates the whole bitmap before it could be stopped).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

import cv2
import numpy as np
from numpy.typing import NDArray

from backend.integrations.blobs.images import DEFAULT_MAX_PIXELS, ImageTooLargeError, decodable_size

_Grey = NDArray[np.uint8]
_Floats = NDArray[np.float64]


class ImageProblem(StrEnum):
    BLURRED = "blurred"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    OBSTRUCTED = "obstructed"
    VIEW_MOVED = "view_moved"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class ImageStats:
    """Measurements of one image: its original size, the rest at the working size."""

    width: int
    height: int
    sharpness: float  # variance of the Laplacian on the working-size grey image
    brightness: float  # mean grey level, 0..255
    featureless_share: float  # share of the 16×16 tiles with ~no texture, 0..1


@dataclass(frozen=True)
class ImageHealth:
    verdict: str  # "ok" | "warning" | "fail"
    problems: list[ImageProblem]  # failures first, the main cause first
    metrics: dict[str, float]  # only what could be measured (no NaN), rounded to 4 decimals
    message_tr: str  # plain Turkish for the technician


OK: Final = "ok"
WARNING: Final = "warning"
FAIL: Final = "fail"

WORK_WIDTH: Final = 640
# Tiles per side for the featureless share: 16×16 tiles are 40×22 px at 640×360. (With 8×8 the
# edge of a cover makes the next tile look textured: a quarter of the frame covered counted as 8 %.)
GRID: Final = 16
MIN_SIDE: Final = 16  # pixels; anything smaller is not a camera picture

# ---- Thresholds. Figures in brackets are what the generated street scenes of
# ---- tests/unit/imaging/test_health.py (1280×720 JPEGs) measure.
#
# Featureless tile: std of the detail image below this many grey levels. Detail = Gaussian σ=1.5
# minus a 31 px box blur at 640 px wide. A flat cover leaves 0.2 with sensor noise σ=2 at full
# size, 0.9 with σ=12, 1.5 with σ=20; the street's textured tiles: 5th percentile 2.9, median 19.
FEATURELESS_STD: Final = 2.0
# Texture lost: (featureless share now − in the reference) / textured share of the reference, the
# divisor at least 0.25 so that a mostly blank reference does not magnify small changes.
# [half the frame covered: 0.39-0.41 (the tiles along the cover's edge keep the edge's texture); a
# quarter: 0.18; a bus in front: 0.03-0.08; an eighth covered: 0.03; fog against a clear
# reference: 0.15; panned by 12 %: 0.00; blurred σ=4: 0.01; 10 % exposure: 0.00; same view: 0.00]
OBSTRUCTED_WARN: Final = 0.12
OBSTRUCTED_FAIL: Final = 0.30
# Too dark: ratio to the reference below R *and* mean below L (a night camera's mean of 30 is
# normal when its reference is dark too). [25 % exposure: 0.25 and 29 → fail; 50 %: 0.50 and
# 57 → warning; a gamma-2.2 "dusk" version: 0.52 and 60 → warning; same view: 1.0]
DARK_WARN_RATIO: Final = 0.6
DARK_WARN_LEVEL: Final = 70.0
DARK_FAIL_RATIO: Final = 0.4
DARK_FAIL_LEVEL: Final = 50.0
# Too bright: ratio at least R *and* mean at least L, or many more clipped-white pixels (≥ 250)
# than the reference has.
BRIGHT_RATIO: Final = 1.5
BRIGHT_WARN_LEVEL: Final = 200.0
BRIGHT_FAIL_LEVEL: Final = 230.0
SATURATED_LEVEL: Final = 250
SATURATED_WARN: Final = 0.2
SATURATED_FAIL: Final = 0.4
# Blurred: exposure-compensated Laplacian variance, current / reference. The Laplacian's variance
# goes with the square of the detail's amplitude: 0.5 ≈ 70 % of it left, 0.3 ≈ 55 %.
# [Gaussian blur at full size σ=0.8 px: 0.47; σ=1.2: 0.27; σ=2: 0.10; JPEG quality 30..95: 1.00;
# 640/1280/1920 streams of one view: 1.00; sensor noise σ=8: 1.07; foggy reference and foggy
# current: 1.4; 25 % exposure: 1.0; a dirty-lens veil: 0.11; rotation resampling: 0.79]
BLUR_WARN: Final = 0.5
BLUR_FAIL: Final = 0.3
# View moved: mean displacement of the frame (5×5 points) as a share of the width; rotation;
# zoom. [pan by 12 % of the width: 0.12; by 3 %: 0.03; 3° rotation: 2.9° (and 0.02); 12 % zoom:
# scale 1.12; same view: < 0.001 and < 0.05°]. A pole swaying in the wind moves ~1 %.
SHIFT_WARN: Final = 0.025
SHIFT_FAIL: Final = 0.05
ROTATION_WARN_DEG: Final = 1.0
ROTATION_FAIL_DEG: Final = 2.0
SCALE_WARN: Final = 0.05
SCALE_FAIL: Final = 0.10
MIN_INLIERS: Final = 15  # RANSAC inliers for a feature-based transform [same view: 250-350]
# Phase-correlation peak needed to trust its translation [same: 0.98; panned: 0.86; panned and
# σ=6 blur: 0.49; σ=10: 0.19; an unrelated view: 0.05; a flat frame: 0.02].
PHASE_MIN_RESPONSE: Final = 0.12
# SSIM of the equalised images at SSIM_WIDTH px wide, when nothing else located the view.
# [same view with noise: 0.82; JPEG quality 30: 0.74; σ=2 blur: 0.73; a bus in front: 0.65;
# another street of the same layout (road, poles): 0.31; another street: 0.23; panned 12 %: 0.2]
SSIM_WIDTH: Final = 320
SSIM_WARN: Final = 0.55
SSIM_FAIL: Final = 0.35
# Aspect ratios differing by more than this are a different view or a different stream.
ASPECT_TOLERANCE: Final = 0.02
# assess_alone: absolute sanity only.
ALONE_BLACK_LEVEL: Final = 12.0
ALONE_WHITE_LEVEL: Final = 243.0
ALONE_UNIFORM_SHARE: Final = 0.9

_SEVERITY: Final = {OK: 0, WARNING: 1, FAIL: 2}
# Main cause first among problems of the same severity.
_PRIORITY: Final = {
    ImageProblem.UNREADABLE: 0,
    ImageProblem.OBSTRUCTED: 1,
    ImageProblem.TOO_DARK: 2,
    ImageProblem.TOO_BRIGHT: 3,
    ImageProblem.VIEW_MOVED: 4,
    ImageProblem.BLURRED: 5,
}
HEALTHY_TR: Final = "Görüntü sağlıklı."
SET_REFERENCE_TR: Final = "Karşılaştırma için bu kameranın referans görüntüsü kaydedilmeli."


# --------------------------------------------------------------------------------------------
# Decoding and per-image measurements


@dataclass(frozen=True)
class _Frame:
    width: int  # original size
    height: int
    grey: _Grey  # working size
    laplacian: NDArray[np.float32]
    tile_detail: _Floats  # GRID×GRID std of the detail image
    tile_lap_sq: _Floats  # GRID×GRID mean of the Laplacian squared
    tile_mean: _Floats  # GRID×GRID mean grey level

    @property
    def aspect(self) -> float:
        return self.width / self.height

    def stats(self) -> ImageStats:
        return ImageStats(
            width=self.width,
            height=self.height,
            sharpness=float(self.laplacian.var()),
            brightness=float(self.grey.mean()),
            featureless_share=float(np.mean(self.tile_detail < FEATURELESS_STD)),
        )


def _decode(data: bytes, max_pixels: int) -> _Grey:
    try:  # before any decoding: an image whose header tells no size, or too many pixels
        decodable_size(data, max_pixels)
    except ImageTooLargeError:
        raise
    except ValueError as exc:
        raise ValueError(f"undecodable image: {exc}") from exc
    buffer = np.frombuffer(data, dtype=np.uint8)
    try:
        grey = cv2.imdecode(buffer, cv2.IMREAD_GRAYSCALE) if buffer.size else None
    except cv2.error as exc:
        raise ValueError(f"undecodable image: {exc}") from exc
    if grey is None or grey.ndim != 2 or grey.size == 0:
        raise ValueError("undecodable image: not a JPEG or PNG picture")
    if min(grey.shape) < MIN_SIDE:
        raise ValueError(f"image too small to assess: {grey.shape[1]}×{grey.shape[0]}")
    return grey.astype(np.uint8, copy=False)


def _tile_means(image: NDArray[np.float32]) -> _Floats:
    """The mean of each of the GRID×GRID tiles (area resampling averages over exactly those)."""
    return cv2.resize(image, (GRID, GRID), interpolation=cv2.INTER_AREA).astype(np.float64)


def _frame(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> _Frame:
    decoded = _decode(data, max_pixels)
    height, width = decoded.shape
    work_height = max(GRID, round(WORK_WIDTH * height / width))
    interpolation = cv2.INTER_AREA if width > WORK_WIDTH else cv2.INTER_LINEAR
    grey = np.asarray(cv2.resize(decoded, (WORK_WIDTH, work_height), interpolation=interpolation), np.uint8)
    values = grey.astype(np.float32)
    laplacian = np.asarray(cv2.Laplacian(values, cv2.CV_32F, ksize=3), np.float32)
    # Detail: a light denoise (sensor and JPEG noise) minus the coarse shading (sky gradients,
    # vignetting, light falling across a cover); what is left is texture and edges.
    detail = cv2.GaussianBlur(values, (0, 0), 1.5) - cv2.blur(values, (31, 31))
    detail_var = _tile_means(detail * detail) - _tile_means(detail) ** 2
    return _Frame(
        width=width,
        height=height,
        grey=grey,
        laplacian=laplacian,
        tile_detail=np.sqrt(np.maximum(detail_var, 0.0)),
        tile_lap_sq=_tile_means(laplacian * laplacian),
        tile_mean=_tile_means(values),
    )


def image_stats(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageStats:
    """Size, sharpness, brightness and featureless share of one JPEG/PNG; ValueError if undecodable
    (or larger than ``max_pixels``)."""
    return _frame(data, max_pixels).stats()


# --------------------------------------------------------------------------------------------
# Where the view went


@dataclass(frozen=True)
class _Geometry:
    shift_px: float  # mean displacement of the frame, working-size pixels
    rotation_deg: float
    scale: float
    inliers: int  # 0 when found by phase correlation
    response: float  # phase-correlation peak, 0 when found by features


def _features_geometry(reference: _Grey, current: _Grey) -> _Geometry | None:
    """Similarity transform reference → current from ORB matches, or None if they do not agree."""
    # Four pyramid levels cover zoom changes up to 1.7×; 500 features are plenty for 640 px.
    orb = cv2.ORB.create(nfeatures=500, nlevels=4, fastThreshold=12)
    ref_points, ref_desc = orb.detectAndCompute(reference, None)
    cur_points, cur_desc = orb.detectAndCompute(current, None)
    if ref_desc is None or cur_desc is None or min(len(ref_points), len(cur_points)) < MIN_INLIERS:
        return None
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(ref_desc, cur_desc, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < 0.8 * p[1].distance]
    if len(good) < MIN_INLIERS:
        return None
    src = np.array([ref_points[m.queryIdx].pt for m in good], dtype=np.float32)
    dst = np.array([cur_points[m.trainIdx].pt for m in good], dtype=np.float32)
    matrix, mask = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=3.0)
    if matrix is None or mask is None:
        return None
    inliers = int(np.count_nonzero(mask))
    if inliers < MIN_INLIERS or inliers < 0.25 * len(good):
        return None
    transform = np.asarray(matrix, dtype=np.float64)
    height, width = reference.shape
    xs, ys = np.meshgrid(np.linspace(0, width, 5), np.linspace(0, height, 5))
    points = np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])
    moved = (transform @ points) - points[:2]
    a, b = float(transform[0, 0]), float(transform[1, 0])
    return _Geometry(
        shift_px=float(np.hypot(moved[0], moved[1]).mean()),
        rotation_deg=math.degrees(math.atan2(b, a)),
        scale=math.hypot(a, b),
        inliers=inliers,
        response=0.0,
    )


def _phase_geometry(reference: _Grey, current: _Grey) -> _Geometry | None:
    """Translation only, by phase correlation of the Hann-windowed images; None without a clear peak."""
    height, width = reference.shape
    window = cv2.createHanningWindow((width, height), cv2.CV_32F)
    (dx, dy), response = cv2.phaseCorrelate(reference.astype(np.float32), current.astype(np.float32), window)
    if response < PHASE_MIN_RESPONSE:
        return None
    return _Geometry(shift_px=math.hypot(dx, dy), rotation_deg=0.0, scale=1.0, inliers=0, response=response)


def _ssim(reference: _Grey, current: _Grey) -> float:
    height = max(7, round(SSIM_WIDTH * reference.shape[0] / reference.shape[1]))
    a = cv2.resize(reference, (SSIM_WIDTH, height), interpolation=cv2.INTER_AREA)
    b = cv2.resize(current, (SSIM_WIDTH, height), interpolation=cv2.INTER_AREA)
    return structural_similarity(a, b)


SSIM_WINDOW = 7  # the Wang et al. / scikit-image defaults: 7×7 uniform window, K1 0.01, K2 0.03
_C1, _C2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2


def structural_similarity(a: NDArray[Any], b: NDArray[Any]) -> float:
    """Mean SSIM of two 8-bit images (Wang et al. 2004), computed exactly as scikit-image's
    ``structural_similarity(a, b, data_range=255)`` does — uniform 7×7 window, sample covariance,
    the borders the window does not cover left out — with OpenCV box filters, so the server image
    needs neither scikit-image nor SciPy (~150 MB). ``tests/unit/imaging`` pins it to scikit-image."""
    x, y = a.astype(np.float64), b.astype(np.float64)
    n = SSIM_WINDOW * SSIM_WINDOW
    cov_norm = n / (n - 1)

    def mean(img: _Floats) -> _Floats:
        size = (SSIM_WINDOW, SSIM_WINDOW)
        return np.asarray(cv2.boxFilter(img, cv2.CV_64F, size, borderType=cv2.BORDER_REFLECT), np.float64)

    ux, uy = mean(x), mean(y)
    vx = cov_norm * (mean(x * x) - ux * ux)
    vy = cov_norm * (mean(y * y) - uy * uy)
    vxy = cov_norm * (mean(x * y) - ux * uy)
    s = ((2 * ux * uy + _C1) * (2 * vxy + _C2)) / ((ux * ux + uy * uy + _C1) * (vx + vy + _C2))
    pad = (SSIM_WINDOW - 1) // 2
    return float(s[pad:-pad, pad:-pad].mean())


def _below(value: float, warn: float, fail: float) -> str:
    return FAIL if value < fail else WARNING if value < warn else OK


def _above(value: float, warn: float, fail: float) -> str:
    return FAIL if value >= fail else WARNING if value >= warn else OK


def _worst(*severities: str) -> str:
    return max(severities, key=_SEVERITY.__getitem__)


# --------------------------------------------------------------------------------------------
# Turkish

_SUFFIX_UNITS: Final = {1: "i", 2: "si", 3: "ü", 4: "ü", 5: "i", 6: "sı", 7: "si", 8: "i", 9: "u"}
_SUFFIX_TENS: Final = {1: "u", 2: "si", 3: "u", 4: "ı", 5: "si", 6: "ı", 7: "i", 8: "i", 9: "ı"}


def _possessive(number: int) -> str:
    """The possessive suffix after a number as it is read: 18'i, 20'si, 40'ı, 6'sı, 100'ü, 0'ı."""
    n = abs(number)
    if n == 0:
        return "ı"  # sıfır
    if n % 10:
        return _SUFFIX_UNITS[n % 10]
    if n % 100:
        return _SUFFIX_TENS[n // 10 % 10]
    return "ü" if n % 1000 else "i"  # yüz, bin


def _percent_of(ratio: float) -> str:
    """``%18'i``: Turkish puts the percent sign first and suffixes the number."""
    value = round(ratio * 100)
    return f"%{value}'{_possessive(value)}"


def _percent(share: float) -> str:
    return f"%{round(share * 100)}"


def _decimal(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


# --------------------------------------------------------------------------------------------
# Verdicts


class _Findings:
    def __init__(self) -> None:
        self._problems: dict[ImageProblem, tuple[str, str]] = {}  # → (severity, Turkish sentence)

    def add(self, problem: ImageProblem, severity: str, sentence: str) -> None:
        if severity != OK:
            self._problems[problem] = (severity, sentence)

    def health(self, metrics: dict[str, float], *, suffix: str = "") -> ImageHealth:
        found = self._problems
        ordered = sorted(found, key=lambda p: (-_SEVERITY[found[p][0]], _PRIORITY[p]))
        verdict = _worst(OK, *(severity for severity, _ in found.values()))
        sentences = [found[p][1] for p in ordered] or [HEALTHY_TR]
        if suffix:
            sentences.append(suffix)
        clean = {key: round(value, 4) for key, value in metrics.items() if math.isfinite(value)}
        return ImageHealth(verdict=verdict, problems=ordered, metrics=clean, message_tr=" ".join(sentences))


def _unreadable(*, reference: bool, error: ValueError | None = None) -> ImageHealth:
    findings = _Findings()
    if isinstance(error, ImageTooLargeError):
        which = "Referans görüntü" if reference else "Kameradan alınan görüntü"
        limit = f"{error.max_pixels / 1_000_000:g}"
        findings.add(
            ImageProblem.UNREADABLE,
            FAIL,
            f"{which} çok büyük ({error.size_text}; en fazla {limit} megapiksel): incelenmedi."
            + (" Referans daha küçük bir görüntüyle yeniden kaydedilmeli." if reference else ""),
        )
        return findings.health({})
    findings.add(
        ImageProblem.UNREADABLE,
        FAIL,
        "Referans görüntü okunamadı (geçerli bir JPEG/PNG değil): referans yeniden kaydedilmeli."
        if reference
        else "Kameradan alınan görüntü okunamadı (geçerli bir JPEG/PNG değil): kameranın anlık görüntü"
        " adresi ve kimlik bilgileri kontrol edilmeli.",
    )
    return findings.health({})


def assess(reference: bytes, current: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageHealth:
    """Compare a snapshot with the camera's own reference image. Bad image bytes, or an image of
    more than ``max_pixels`` (never decoded), give UNREADABLE."""
    try:
        ref = _frame(reference, max_pixels)
    except ValueError as exc:
        return _unreadable(reference=True, error=exc)
    try:
        cur = _frame(current, max_pixels)
    except ValueError as exc:
        return _unreadable(reference=False, error=exc)
    j = _Judgement()
    _judge_cover_and_exposure(ref, cur, j)
    if abs(cur.aspect - ref.aspect) > ASPECT_TOLERANCE * ref.aspect:
        # A different picture format: the camera, its stream or its view changed. Nothing is
        # comparable position by position, and a few more blank tiles say nothing.
        j.moved = FAIL
        j.moved_sentence = (
            f"Görüntü oranı referanstan farklı ({cur.width}×{cur.height}, referans {ref.width}×{ref.height}):"
            " kamera, akış ayarı ya da görüş alanı değişmiş; ayarlar kontrol edilmeli ya da referans"
            " yenilenmeli."
        )
        j.obstructed = OK if j.obstructed == WARNING else j.obstructed
    else:
        _judge_view_and_focus(ref, cur, j)
    return _findings(j).health(j.metrics)


@dataclass
class _Judgement:
    """What :func:`assess` found so far: a severity per problem and the figures behind them."""

    metrics: dict[str, float] = field(default_factory=dict)
    obstructed: str = OK
    dark: str = OK
    bright: str = OK
    moved: str = OK
    moved_sentence: str = ""
    blurred: str = OK
    sharpness_ratio: float = math.nan
    level: float = 0.0  # the brightness judged (the visible tiles' when something covers the lens)
    ratio: float = 0.0  # ... and against the reference's
    saturated: float = 0.0  # more of the picture clipped to white than in the reference
    ref_share: float = 0.0  # featureless share of the reference
    cur_share: float = 0.0  # ... and of the snapshot
    ref_blank: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    cur_blank: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))


def _judge_cover_and_exposure(ref: _Frame, cur: _Frame, j: _Judgement) -> None:
    metrics = j.metrics
    # 1. Exposure against the reference, the whole frame.
    ref_brightness, cur_brightness = float(ref.grey.mean()), float(cur.grey.mean())
    exposure = cur_brightness / max(ref_brightness, 1.0)
    metrics |= {"brightness": cur_brightness, "brightness_ref": ref_brightness, "brightness_ratio": exposure}

    # 2. Obstruction: the featureless share against the reference's. For the current image the
    #    threshold is scaled down by the exposure (a uniformly darker image has weaker texture, not
    #    less of it); but a tile featureless in the reference stays so at the full threshold (when
    #    a dark cover lowered the exposure, the sky beside it has not gained any texture).
    j.ref_blank = ref.tile_detail < FEATURELESS_STD
    j.cur_blank = (cur.tile_detail < FEATURELESS_STD * min(max(exposure, 0.05), 1.0)) | (
        j.ref_blank & (cur.tile_detail < FEATURELESS_STD)
    )
    j.ref_share, j.cur_share = float(j.ref_blank.mean()), float(j.cur_blank.mean())
    delta = j.cur_share - j.ref_share
    lost = delta / max(1.0 - j.ref_share, 0.25)
    metrics |= {
        "featureless_share": j.cur_share,
        "featureless_share_ref": j.ref_share,
        "featureless_delta": delta,
        "texture_lost_share": lost,
    }
    j.obstructed = _above(lost, OBSTRUCTED_WARN, OBSTRUCTED_FAIL)

    # 3. Exposure. A cover is dark or bright itself: when there is one, judge the camera's exposure
    #    on the tiles that still show texture, unless none are left.
    visible = ~j.cur_blank
    j.level, j.ratio = cur_brightness, exposure
    if j.obstructed != OK and visible.any():
        j.level = float(cur.tile_mean[visible].mean())
        j.ratio = j.level / max(float(ref.tile_mean[visible].mean()), 1.0)
        metrics |= {"brightness_visible": j.level, "brightness_visible_ratio": j.ratio}
    j.saturated = float(np.mean(cur.grey >= SATURATED_LEVEL) - np.mean(ref.grey >= SATURATED_LEVEL))
    metrics["saturated_delta"] = j.saturated
    if j.ratio < DARK_FAIL_RATIO and j.level < DARK_FAIL_LEVEL:
        j.dark = FAIL
    elif j.ratio < DARK_WARN_RATIO and j.level < DARK_WARN_LEVEL:
        j.dark = WARNING
    j.bright = _above(j.saturated, SATURATED_WARN, SATURATED_FAIL)
    if j.ratio >= BRIGHT_RATIO:
        j.bright = _worst(j.bright, _above(j.level, BRIGHT_WARN_LEVEL, BRIGHT_FAIL_LEVEL))


def _judge_view_and_focus(ref: _Frame, cur: _Frame, j: _Judgement) -> None:
    """Pictures of the same format: where the view went, and its focus."""
    metrics = j.metrics
    # 4. Where the view went, on histogram-equalised images (exposure does not matter).
    ref_eq = np.asarray(cv2.equalizeHist(ref.grey), np.uint8)
    cur_eq = np.asarray(cv2.equalizeHist(cur.grey), np.uint8)
    geometry = _features_geometry(ref_eq, cur_eq) or _phase_geometry(ref_eq, cur_eq)
    if geometry is not None:
        j.moved, j.moved_sentence = _judge_geometry(geometry, cur.width, metrics)
    ssim = _ssim(ref_eq, cur_eq)
    metrics["ssim"] = ssim

    # 5. Sharpness over the tiles textured in both images, compensated for the exposure there.
    textured = ~j.ref_blank & ~j.cur_blank
    if textured.any():
        ref_energy = float(ref.tile_lap_sq[textured].mean())
        cur_energy = float(cur.tile_lap_sq[textured].mean())
        gain = float(cur.tile_mean[textured].mean()) / max(float(ref.tile_mean[textured].mean()), 1.0)
        j.sharpness_ratio = cur_energy / max(ref_energy * gain * gain, 1e-9)
        j.blurred = _below(j.sharpness_ratio, BLUR_WARN, BLUR_FAIL)
    metrics |= {
        "sharpness": float(cur.laplacian.var()),
        "sharpness_ref": float(ref.laplacian.var()),
        "sharpness_ratio": j.sharpness_ratio,
    }

    # 6. One cause, one problem.
    if j.obstructed == FAIL:  # what is left of the view says little about focus or aim
        j.blurred = j.moved = OK
    if j.dark == FAIL or j.bright != OK:  # texture crushed or clipped: focus cannot be judged
        j.blurred = OK
    if j.obstructed == WARNING and FAIL in (j.moved, j.blurred):  # new content / erased fine texture
        j.obstructed = OK
    unmatched = geometry is None or not geometry.inliers  # no feature match; at most a shift
    similar = _below(ssim, SSIM_WARN, SSIM_FAIL)
    judgeable = OK == j.blurred == j.dark == j.bright == j.obstructed
    if unmatched and judgeable and _SEVERITY[similar] > _SEVERITY[j.moved]:
        # Features did not match. With exposure, focus and coverage fine, a picture that does
        # not look like the reference shows something else (turned, or a different view).
        j.moved = similar
        j.moved_sentence = (
            f"Görüntü referansa {'benzemiyor' if j.moved == FAIL else 'pek benzemiyor'} (benzerlik"
            f" {_decimal(ssim, 2)}): kamera yönü değişmiş ya da görüş alanına büyük bir şey girmiş"
            " olabilir; kontrol edilmeli."
        )


def _findings(j: _Judgement) -> _Findings:
    """The problems found, each with the sentence a technician reads."""
    clipped = (
        f"; beyaza doymuş alan görüntünün {_percent_of(j.saturated)} kadar artmış"
        if j.saturated >= SATURATED_WARN
        else ""
    )
    findings = _Findings()
    findings.add(
        ImageProblem.OBSTRUCTED,
        j.obstructed,
        f"Görüş {'engellenmiş' if j.obstructed == FAIL else 'kısmen engellenmiş'} (görüntünün"
        f" {_percent_of(j.cur_share)} dokusuz, referansta {_percent(j.ref_share)}): lensin önünde bir cisim,"
        " kapak, boya, yaprak ya da örümcek ağı olabilir.",
    )
    findings.add(
        ImageProblem.TOO_DARK,
        j.dark,
        f"Görüntü {'çok ' if j.dark == FAIL else ''}karanlık (parlaklık referansın {_percent_of(j.ratio)},"
        f" ortalama {round(j.level)}/255): aydınlatma, IR aydınlatıcı ya da pozlama ayarı kontrol"
        " edilmeli" + ("." if j.obstructed != OK else "; lensin önü kapalı da olabilir."),
    )
    findings.add(
        ImageProblem.TOO_BRIGHT,
        j.bright,
        f"Görüntü {'aşırı' if j.bright == FAIL else 'fazla'} parlak (ortalama {round(j.level)}/255,"
        f" referansın {_percent_of(j.ratio)}{clipped}): doğrudan güneş ya da ışık, kirli lens, pozlama"
        " ayarı ya da gece/gündüz filtresi kontrol edilmeli.",
    )
    findings.add(ImageProblem.VIEW_MOVED, j.moved, j.moved_sentence)
    findings.add(
        ImageProblem.BLURRED,
        j.blurred,
        f"Görüntü {'bulanık' if j.blurred == FAIL else 'biraz bulanık'} (keskinlik referansın"
        f" {_percent_of(j.sharpness_ratio) if math.isfinite(j.sharpness_ratio) else '?'}): lens kirli,"
        " buğulu ya da odak kaymış olabilir.",
    )
    return findings


def _judge_geometry(geometry: _Geometry, width: int, metrics: dict[str, float]) -> tuple[str, str]:
    shift_share = geometry.shift_px / WORK_WIDTH
    shift_px = shift_share * width  # in the camera's own pixels
    metrics |= {"shift_px": shift_px, "shift_share": shift_share}
    if geometry.inliers:
        metrics |= {
            "rotation_deg": geometry.rotation_deg,
            "scale": geometry.scale,
            "match_inliers": float(geometry.inliers),
        }
    else:
        metrics["phase_response"] = geometry.response
    shifted = _above(shift_share, SHIFT_WARN, SHIFT_FAIL)
    rotated = _above(abs(geometry.rotation_deg), ROTATION_WARN_DEG, ROTATION_FAIL_DEG)
    zoomed = _above(abs(geometry.scale - 1.0), SCALE_WARN, SCALE_FAIL)
    moved = _worst(shifted, rotated, zoomed)
    if moved == OK:
        return OK, ""
    details = [f"görüntü ortalama {round(shift_px)} piksel, genişliğin {_percent_of(shift_share)} kaymış"]
    if rotated != OK:
        details.append(f"{_decimal(abs(geometry.rotation_deg))}° dönmüş")
    if zoomed != OK:
        details.append(f"ölçeği referansın {_percent_of(geometry.scale)} olmuş")
    sentence = (
        f"Kamera açısı {'değişmiş' if moved == FAIL else 'biraz oynamış'} ({'; '.join(details)}):"
        " kamera yönü referansa göre yeniden ayarlanmalı, bağlantı aparatı kontrol edilmeli."
    )
    return moved, sentence


def assess_alone(current: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageHealth:
    """Without a reference only absolute sanity is possible: a black, white or uniform frame is a
    warning (never a fail: nothing says the camera was ever better); the message always asks for a
    reference. Bad image bytes, or more than ``max_pixels``, give UNREADABLE (fail)."""
    try:
        frame = _frame(current, max_pixels)
    except ValueError as exc:
        return _unreadable(reference=False, error=exc)
    stats = frame.stats()
    findings = _Findings()
    if stats.brightness < ALONE_BLACK_LEVEL:
        findings.add(
            ImageProblem.TOO_DARK,
            WARNING,
            f"Görüntü neredeyse tamamen siyah (ortalama {round(stats.brightness)}/255): lensin önü kapalı"
            " ya da aydınlatma/IR aydınlatıcı arızalı olabilir.",
        )
    elif stats.brightness > ALONE_WHITE_LEVEL:
        findings.add(
            ImageProblem.TOO_BRIGHT,
            WARNING,
            f"Görüntü neredeyse tamamen beyaz (ortalama {round(stats.brightness)}/255): pozlama ayarı ya"
            " da doğrudan ışık kontrol edilmeli.",
        )
    elif stats.featureless_share >= ALONE_UNIFORM_SHARE:
        findings.add(
            ImageProblem.OBSTRUCTED,
            WARNING,
            f"Görüntü neredeyse düz (görüntünün {_percent_of(stats.featureless_share)} dokusuz): lensin"
            " önü kapalı ya da görüntü donmuş olabilir.",
        )
    metrics = {
        "brightness": stats.brightness,
        "sharpness": stats.sharpness,
        "featureless_share": stats.featureless_share,
    }
    return findings.health(metrics, suffix=SET_REFERENCE_TR)
