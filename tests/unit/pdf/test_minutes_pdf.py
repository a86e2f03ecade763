"""The survey minutes PDF: Turkish text that extracts right, every content field, A4 pages with the
verification footer, thumbnails instead of full photos, no URL fetching besides data: URIs."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from backend.integrations.pdf.minutes_pdf import SignatureBlock, data_uri_fetcher, document_info
from tests.unit.pdf.samples import (
    CONTENT_HASH,
    MINUTES_ID,
    PHOTO_CASHIER,
    PHOTO_ENTRANCE,
    SIGNED_AT,
    VERIFICATION_CODE,
    VERIFY_URL,
    all_signatures,
    pdf_text,
    render,
    survey_content,
)


def pages(pdf: bytes) -> list[generic.DictionaryObject]:
    reader = PdfFileReader(io.BytesIO(pdf))
    return [kid.get_object() for kid in reader.root["/Pages"]["/Kids"]]


def images(resources: Any) -> list[generic.StreamObject]:
    """Every image XObject reachable from a resource dictionary (also inside form XObjects)."""
    found = []
    resources = resources.get_object() if resources is not None else generic.DictionaryObject()
    xobjects = resources.get("/XObject")
    for ref in (xobjects.get_object() if xobjects is not None else {}).values():
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Image":
            found.append(xobject)
        elif xobject.get("/Subtype") == "/Form":
            found += images(xobject.get("/Resources"))
    return found


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_turkish_text_and_every_content_field_are_in_the_extracted_text(minutes_pdf: bytes) -> None:
    # given: the rendered minutes of the Karşıyaka survey
    # when
    text = pdf_text(minutes_pdf)
    flat = one_line(text)
    # then: letterhead and title with Turkish capitals (İ, Ş, Ğ) exactly
    assert "T.C." in text
    assert "İZMİR BÜYÜKŞEHİR BELEDİYESİ" in text
    assert "Bilgi İşlem Dairesi Başkanlığı — Video Gözetim Sistemleri Birimi" in text
    assert "ORTAK KEŞİF TUTANAĞI" in text
    assert "Yönerge md. 4(3), 7(1)" in text
    # identification
    for value in ("IE-2026-000123", MINUTES_ID, "0193c1a2-0000-7000-8000-000000000001", "20.11.2026"):
        assert value in text
    # site, request, recording, needs, signs, conclusion
    for value in (
        "KSK-0042",
        "Karşıyaka Belediye Hizmet Binası",
        "Bahariye Mah. Cemal Gürsel Cad. No:1 Karşıyaka/İzmir",
        "Vezne ve girişte güvenlik ihtiyacı",
        "Destek Hizmetleri Dairesi",
        "Kendi sistem kabini",
        "Bodrum kattaki kabin",
        "Sistem kabininde 2U boş yer, 1 adet PoE anahtar",
        "Cat6 kablo yaklaşık 60 m",
        "PVC boru 20 m",
        "“İzlenen alan” levhası",
        "Yönerge md. 7(5)",
        "Giriş, vezne ve otopark girişine",
        "Olumlu",
        "Kamera montajı için uygundur.",
    ):
        assert value in flat, value
    # points: Turkish labels of area type and mounting, GPS as decimal degrees
    for value in ("Giriş", "Vezne", "Otopark", "Cephe", "Tavan", "Direk", "Ana giriş kapısı üstü"):
        assert value in flat, value
    assert "38.459712" in flat
    assert "27.115603" in flat
    assert "-1.500000" in flat
    assert "27.000001" in flat


def test_user_text_is_escaped_not_interpreted(minutes_pdf: bytes) -> None:
    # given: a point's place is "Zemin kat vezne <arka> & kasa"
    # when
    flat = one_line(pdf_text(minutes_pdf))
    # then
    assert "Zemin kat vezne <arka> & kasa" in flat


def test_signatures_show_name_role_istanbul_time_and_how_each_was_proven(minutes_pdf: bytes) -> None:
    # given: three signatures at 11:05 UTC
    # when
    flat = one_line(pdf_text(minutes_pdf))
    # then
    for name in ("Şükrü Öztürk", "Ayşe Çığ", "İlkay Güneşoğlu"):
        assert name in flat
    for role in ("Teknisyen", "Koruma Güvenlik Personeli", "Talep Eden Birim Amiri"):
        assert role in flat
    assert flat.count("İmza: 22.11.2026 14:05") == 3
    assert flat.count("Kendi cihazında passkey ile imzaladı") == 1
    assert flat.count("Kişisel PIN'i ile; sunucu doğruladı") == 1
    assert flat.count("PIN ile (eski yöntem); sunucu doğruladı") == 1


def test_every_page_is_a4_with_hash_code_url_and_page_number(minutes_pdf: bytes) -> None:
    # given
    page_dicts = pages(minutes_pdf)
    # when
    text = pdf_text(minutes_pdf)
    # then
    assert len(page_dicts) >= 2  # three points with photos and the signatures do not fit one page
    for page in page_dicts:
        x0, y0, x1, y1 = (float(v) for v in page["/MediaBox"])
        assert (round(x1 - x0), round(y1 - y0)) == (595, 842)
    assert text.count(CONTENT_HASH) == len(page_dicts)
    assert text.count(f"Doğrulama kodu: {VERIFICATION_CODE}") == len(page_dicts)
    assert text.count(VERIFY_URL) >= len(page_dicts)
    for number in range(1, len(page_dicts) + 1):
        assert f"Sayfa {number} / {len(page_dicts)}" in text


def test_document_info_carries_minutes_id_hash_and_code(minutes_pdf: bytes) -> None:
    # given
    reader = PdfFileReader(io.BytesIO(minutes_pdf))
    # when
    info = reader.trailer["/Info"]
    # then
    assert info["/SahaMinutesId"] == MINUTES_ID
    assert info["/SahaContentHash"] == CONTENT_HASH
    assert info["/SahaVerificationCode"] == VERIFICATION_CODE
    assert info["/SahaTemplate"] == "saha.survey-minutes/1"
    assert info["/Title"] == "Ortak Keşif Tutanağı IE-2026-000123 (revizyon 2)"
    assert document_info(
        survey_content(), content_hash=CONTENT_HASH, verification_code=VERIFICATION_CODE
    ) == {
        "SahaMinutesId": MINUTES_ID,
        "SahaContentHash": CONTENT_HASH,
        "SahaVerificationCode": VERIFICATION_CODE,
        "SahaTemplate": "saha.survey-minutes/1",
    }


def test_photos_are_embedded_as_small_thumbnails(minutes_pdf: bytes) -> None:
    # given: two 1600x1200 photos (one portrait), the third point's photo is missing
    # when
    embedded = [image for page in pages(minutes_pdf) for image in images(page.get("/Resources"))]
    sizes = {(int(image["/Width"]), int(image["/Height"])) for image in embedded}
    # then: thumbnails of at most 480 px (photos) and the signatures, nothing at full size
    assert (480, 360) in sizes
    assert (360, 480) in sizes  # the portrait photo stays portrait
    assert all(max(size) <= 600 for size in sizes)
    assert len(minutes_pdf) < (len(PHOTO_ENTRANCE) + len(PHOTO_CASHIER)) / 2


def test_missing_and_unreadable_photos_are_marked() -> None:
    # given: the third point's photo is not given; the second point's photo is broken bytes
    photos = {survey_content()["points"][1]["photos"][0]: b"\xff\xd8\xff\xe0 not really a jpeg"}
    # when
    flat = one_line(pdf_text(render(photos=photos)))
    # then
    assert flat.count("fotoğraf yok") == 2
    assert flat.count("fotoğraf okunamadı") == 1


def test_unsealed_minutes_show_who_has_yet_to_sign() -> None:
    # given: only the technician signed; the signature has no image; no points
    technician = all_signatures()[0]
    partial = [SignatureBlock(technician.role, technician.name, SIGNED_AT, SIGNED_AT, None, "PIN")]
    content = survey_content(points=[])
    content["conclusion"] = "UNFAVOURABLE"
    content["recording"] = {"location": None, "note": None}
    # when
    flat = one_line(pdf_text(render(content=content, signatures=partial, sealed_at=None, photos={})))
    # then
    assert "henüz mühürlenmedi" in flat
    assert flat.count("İmza bekleniyor") == 2
    assert "Ayşe Çığ" in flat  # party names from the content, not yet signed
    assert "İlkay Güneşoğlu" in flat
    assert "imza görüntüsü yok" in flat
    assert "Olumsuz" in flat
    assert "Kamera noktası yok." in flat


def test_only_turkish_is_supported() -> None:
    # given / when / then
    with pytest.raises(ValueError, match="unsupported language"):
        render(lang="en")


@pytest.mark.parametrize(
    "url", ["file:///etc/hostname", "http://127.0.0.1:9/x.png", "https://example.com/a.css"]
)
def test_the_url_fetcher_refuses_everything_but_data_uris(url: str) -> None:
    # given
    fetcher = data_uri_fetcher()
    # when / then
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain;base64,b2s=").read() == b"ok"
