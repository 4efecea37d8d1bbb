"""界桩 (boundary marker) numbers and boundary-line codes. Pure module: no Django import.

A marker number has 8 characters (民政部令第36号; GB/T 17796-2009):

    ┌ line code (4) ┐┌ sequence (3) ┐┌ type (1) ┐
      4 3 0 1          0 0 7            A

* **Line code** — our scheme (documented in README): 2-digit province code (GB/T 2260) of the
  line's divisions (the lower one for a line between two provinces) + a 2-digit serial number of
  the line within that province, assigned in order of registration: 中芷线 = 4301.
* **Sequence** — 001…999, running west→east or north→south along the line (see `derivation`).
* **Type code** — single-sided 单立 ``Q``; double-sided 同号双立 ``A``/``B``, A standing in the
  division with the lower code; triple 同号三立 ``C``/``D``/``E`` at a tri-junction, in the order of
  the three divisions' codes.

Every rejection names the part that is wrong (`MarkerNumberError.part`).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LINE_CODE_LENGTH = 4
NUMBER_LENGTH = 8

SINGLE, DOUBLE, TRIPLE = "single", "double", "triple"
KIND_LABELS = {SINGLE: "单立", DOUBLE: "双立", TRIPLE: "三立"}
LETTERS_BY_KIND = {SINGLE: ("Q",), DOUBLE: ("A", "B"), TRIPLE: ("C", "D", "E")}
KIND_OF_LETTER = {letter: kind for kind, letters in LETTERS_BY_KIND.items() for letter in letters}

_LINE_CODE = re.compile(r"^[0-9]{4}$")

PART_LENGTH = "length"
PART_LINE = "line_code"
PART_SEQUENCE = "sequence"
PART_TYPE = "type_code"
PART_SIDE = "side"
PART_LABELS = {PART_LENGTH: "编号长度", PART_LINE: "界线代码", PART_SEQUENCE: "序号", PART_TYPE: "类型码",
               PART_SIDE: "所在一方"}


class MarkerNumberError(ValueError):
    """A marker number that breaks the rule; `part` says which part (see PART_LABELS)."""

    def __init__(self, part: str, message: str):
        super().__init__(f"界桩编号{PART_LABELS[part]}错误：{message}")
        self.part = part


@dataclass(frozen=True)
class MarkerNumber:
    line_code: str
    sequence: int
    letter: str

    @property
    def kind(self) -> str:
        return KIND_OF_LETTER[self.letter]

    def __str__(self) -> str:
        return format_number(self.line_code, self.sequence, self.letter)


def format_number(line_code: str, sequence: int, letter: str) -> str:
    return f"{line_code}{sequence:03d}{letter}"


def check_line_code(code: str) -> str:
    if not _LINE_CODE.match(code or ""):
        raise ValueError(f"界线代码应为 4 位数字（省代码 2 位 + 省内界线序号 2 位），收到“{code}”")
    if code[2:] == "00":
        raise ValueError(f"界线代码“{code}”的省内序号不能为 00")
    return code


def line_code_for(division_codes: Iterable[str], taken: Iterable[str]) -> str:
    """The next free line code for a line between divisions with these (≥6-digit) codes."""
    province = min(c[:2] for c in division_codes)
    used = {int(c[2:]) for c in taken if c.startswith(province) and c[2:].isdigit()}
    serial = next((n for n in range(1, 100) if n not in used), None)
    if serial is None:
        raise ValueError(f"省代码 {province} 下的界线代码已用完（01–99）")
    return f"{province}{serial:02d}"


def parse_number(number: str) -> MarkerNumber:
    """Split and check the form of a number (not yet against its line or sides)."""
    if not isinstance(number, str) or len(number) != NUMBER_LENGTH:
        got = len(number) if isinstance(number, str) else 0
        raise MarkerNumberError(PART_LENGTH, f"应为 8 位（界线代码 4 位 + 序号 3 位 + 类型码 1 位），收到 {got} 位“{number}”")
    line, seq, letter = number[:4], number[4:7], number[7]
    if not _LINE_CODE.match(line):
        raise MarkerNumberError(PART_LINE, f"前 4 位“{line}”应为数字")
    if not seq.isascii() or not seq.isdigit() or int(seq) == 0:
        raise MarkerNumberError(PART_SEQUENCE, f"第 5–7 位“{seq}”应为 001–999 的三位数字")
    if letter not in KIND_OF_LETTER:
        raise MarkerNumberError(PART_TYPE, f"第 8 位“{letter}”无效（单立 Q，双立 A/B，三立 C/D/E）")
    return MarkerNumber(line, int(seq), letter)


def expected_letter(kind: str, side_code: str | None, division_codes: Sequence[str]) -> str:
    """The type letter a marker of `kind` standing in division `side_code` must carry, the
    divisions at the point being `division_codes` (two for a double, three for a triple)."""
    letters = LETTERS_BY_KIND[kind]
    if kind == SINGLE:
        return letters[0]
    ordered = sorted(set(division_codes))
    if len(ordered) != len(letters):
        raise MarkerNumberError(PART_SIDE, f"{KIND_LABELS[kind]}界桩应涉及 {len(letters)} 个区划，收到 {len(ordered)} 个")
    if side_code not in ordered:
        raise MarkerNumberError(PART_SIDE, f"所在区划 {side_code} 不是该点的相邻区划之一（{'、'.join(ordered)}）")
    return letters[ordered.index(side_code)]


def validate_number(number: str, *, line_code: str, kind: str, side_code: str | None = None,
                    division_codes: Sequence[str] = ()) -> MarkerNumber:
    """Check a marker number against its line, its type and the side it stands on."""
    parsed = parse_number(number)
    if parsed.line_code != line_code:
        raise MarkerNumberError(PART_LINE, f"前 4 位“{parsed.line_code}”与所属界线的代码“{line_code}”不符")
    if kind not in LETTERS_BY_KIND:
        raise MarkerNumberError(PART_TYPE, f"界桩类型“{kind}”无效（single/double/triple）")
    if parsed.kind != kind:
        raise MarkerNumberError(
            PART_TYPE, f"类型码“{parsed.letter}”表示{KIND_LABELS[parsed.kind]}界桩，与所填类型“{KIND_LABELS[kind]}”不符"
                       f"（{KIND_LABELS[kind]}应为 {'/'.join(LETTERS_BY_KIND[kind])}）")
    want = expected_letter(kind, side_code, division_codes)
    if parsed.letter != want:
        ordered = "、".join(sorted(set(division_codes)))
        raise MarkerNumberError(
            PART_TYPE, f"类型码应为“{want}”而不是“{parsed.letter}”：按区划代码顺序（{ordered}），"
                       f"位于 {side_code} 一侧的界桩用 {want}")
    return parsed
