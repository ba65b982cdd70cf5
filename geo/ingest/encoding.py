"""Text of files that are not UTF-8: Windows-1258, TCVN3 (the legacy ".VnTime" font encoding
still found in old government files), Windows-1252, and files mixing UTF-8 rows with legacy rows.
Each candidate decoding is scored against Vietnamese letters; the best one is used and reported
with a sample, so that nothing is committed as mojibake without a word (issue #10).

No maintained TCVN3 codec exists on PyPI; TCVN3 is a one-byte map, given here as a table.
"""

from __future__ import annotations

import re
import unicodedata

Msg = tuple[str, str]

#: TCVN3 (TCVN 5712:1993, VN3) bytes 0xA1–0xFE that differ from Latin-1, as Unicode
_TCVN3 = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}
_TCVN3_TABLE = str.maketrans({chr(k): v for k, v in _TCVN3.items()})

#: letters that occur in Vietnamese words (base letters with Vietnamese marks, đ)
VIETNAMESE = frozenset("".join(_TCVN3.values()) + "".join(_TCVN3.values()).upper()
                       + "áàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ")


_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_TONED = frozenset(ch for ch in VIETNAMESE if _TONE_MARKS & set(unicodedata.normalize("NFD", ch)))


def decode_tcvn3(data: bytes) -> str:
    """TCVN3 bytes as Unicode text (NFC).

    >>> decode_tcvn3(b"Ch\\xee B\\xb8t X\\xb8t")
    'Chợ Bát Xát'
    """
    return data.decode("latin-1").translate(_TCVN3_TABLE)


def score(text: str) -> float:
    """How Vietnamese ``text`` looks: the share of its non-ASCII letters that are Vietnamese
    letters, minus a penalty for symbols, controls and replacement characters that real text in
    any encoding would not hold (mojibake). 1.0 is clean Vietnamese."""
    good = bad = 0
    toned_before = False
    for ch in text:
        toned = ch in _TONED
        if toned and toned_before:
            bad += 3  # two tone marks in a row: no Vietnamese syllable has that (VNI read as TCVN3)
        toned_before = toned
        if ord(ch) < 128:
            continue
        if ch in VIETNAMESE or unicodedata.combining(ch):
            good += 1
        elif ch.isalpha():
            bad += 1
        else:
            bad += 3  # ¸ µ ¶ · ¹ « ® and friends: TCVN3 read as Latin-1, or UTF-8 read as cp1258
    return (good - bad) / max(good + bad, 1)


def _decode(data: bytes, codec: str) -> str | None:
    if codec == "tcvn3":
        return decode_tcvn3(data)
    try:
        return unicodedata.normalize("NFC", data.decode(codec))
    except UnicodeDecodeError:
        return None


LEGACY = ("cp1258", "tcvn3", "cp1252")


def best_legacy(data: bytes) -> tuple[str, str]:
    """The legacy codec whose decoding of ``data`` looks most Vietnamese, and that text."""
    best: tuple[float, str, str] | None = None
    for codec in LEGACY:
        text = _decode(data, codec)
        if text is None:
            continue
        s = score(text)
        if best is None or s > best[0]:
            best = (s, codec, text)
    assert best is not None  # cp1252 / tcvn3 decode any bytes here
    return best[1], best[2]


def _sample(text: str) -> str:
    line = next((ln for ln in text.splitlines() if any(ord(c) > 127 for c in ln)), "")
    return line.strip()[:80]


def decode_legacy(content: bytes) -> tuple[str, Msg]:
    """Text of a file that is not UTF-8 as a whole: each line in UTF-8 where it is, the others in
    the best legacy codec; a warning naming the codec(s) with a sample of converted text."""
    lines = content.split(b"\n")
    utf8: dict[int, str] = {}
    for i, ln in enumerate(lines):
        try:
            utf8[i] = ln.decode("utf-8")
        except UnicodeDecodeError:
            continue
    legacy_idx = [i for i in range(len(lines)) if i not in utf8]
    codec, _ = best_legacy(b"\n".join(lines[i] for i in legacy_idx))
    out = [utf8[i] if i in utf8 else (_decode(lines[i], codec) or lines[i].decode("latin-1"))
           for i in range(len(lines))]
    text = "\n".join(out)
    sample = _sample("\n".join(out[i] for i in legacy_idx))
    mixed = any(any(ord(c) > 127 for c in utf8[i]) for i in utf8)
    name = {"tcvn3": "TCVN3 (ABC, .VnTime)", "cp1258": "Windows-1258", "cp1252": "Windows-1252"}[codec]
    if mixed:
        return text, (f"tệp trộn các dòng UTF-8 với {len(legacy_idx)} dòng mã {name}; đã chuyển các dòng đó sang "
                      f"Unicode, ví dụ: “{sample}”. Hãy kiểm tra dấu tiếng Việt, tốt nhất là lưu lại tệp ở UTF-8.",
                      f"the file mixes UTF-8 lines with {len(legacy_idx)} lines in {name}; those were converted to "
                      f"Unicode, e.g. “{sample}”. Check the Vietnamese letters; better, save the file as UTF-8.")
    return text, (f"tệp không ở mã UTF-8; đã đọc theo bảng mã {name} ({codec}) và chuyển sang Unicode, ví dụ: "
                  f"“{sample}”. Hãy kiểm tra dấu tiếng Việt, tốt nhất là lưu lại tệp ở UTF-8.",
                  f"the file is not UTF-8; it was read as {name} ({codec}) and converted to Unicode, e.g. "
                  f"“{sample}”. Check the Vietnamese letters; better, save the file as UTF-8.")


#: a VNI-Windows syllable: a vowel, maybe a VNI vowel mark (circumflex, breve, horn), then a VNI tone
#: byte (sắc ù, huyền ø, hỏi û, ngã õ, nặng ï); or VNI's đ (d + ñ)
_VNI = re.compile(rb"[aeiouyAEIOUY][\xe2\xea\xf4\xf6\xc2\xca\xd4\xd6]?[\xf9\xf8\xfb\xf5\xef\xd9\xd8\xdb\xd5\xcf]"
                  rb"|[dD][\xf1\xd1]")


def looks_vni(data: bytes) -> str | None:
    """A sample line when ``data`` (not UTF-8) looks like VNI-Windows text — Vietnamese typed with
    the VNI fonts, whose marks are separate Latin-1 letters after the vowel — else None.

    ("Xin chaøo caùc baïn" in Windows-1252 bytes is VNI for "Xin chào các bạn".)
    """
    hits = len(_VNI.findall(data))
    if hits < 3:
        return None
    codec, text = best_legacy(data)
    if score(text) > 0.5:
        return None
    return _sample(data.decode("cp1252", errors="replace"))
