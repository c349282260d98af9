"""How the documents word a case: its title (原告张某诉包头市石拐区人民政府收回国有土地使用权决定一案), named once and
cleanly whatever the clerk typed as the cause ("不服区人民政府作出的…" is the act, not a second defendant), and the
matters a power of attorney entrusts at the case's instance."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["INSTANCE_WORDS", "act_of", "case_title", "entrusted_matters", "organ_key"]

INSTANCE_WORDS = {"first": "第一审", "second": "第二审", "retrial": "再审"}
# a title names the dispute as the first instance did; a later instance says it is the appeal or the retrial
TITLE_ENDINGS = {"first": "一案", "second": "上诉一案", "retrial": "再审一案"}
# who moved the later instance and who answers it, as the courts call them
MOVING_ROLES = {"second": ("上诉人", "被上诉人"), "retrial": ("再审申请人", "被申请人")}
# what an organ's name ends with (人民政府, 自然资源局, 街道办事处, 管理委员会, 五当召镇, 吉忽伦图苏木 …)
ORGAN_ENDINGS = re.compile(r"(政府|局|委员会|管委会|办事处|办公室|镇|乡|苏木|街道|分局|厅|委|办|所|队|中心|院)$")
PLACE_PREFIXES = ("内蒙古自治区", "包头市", "石拐区", "区")


def organ_key(name: str) -> str:
    """An organ's name as the clerk may shorten it: 包头市石拐区人民政府, 石拐区人民政府, 区政府 are one organ."""
    key = re.sub(r"\s+", "", name).removeprefix("被告")
    for prefix in PLACE_PREFIXES:
        key = key.removeprefix(prefix)
    return key.replace("人民政府", "政府")


def _is_organ(text: str, organs: list[str]) -> bool:
    """Whether `text` (what precedes 作出的) names one or more organs: known ones, or words an organ's name ends
    with ("区自然资源局、区人民政府")."""
    known = {organ_key(o) for o in organs}
    parts = [p for p in re.split(r"[、和与及]", text) if p]
    return bool(parts) and all(organ_key(p) in known or ORGAN_ENDINGS.search(p) for p in parts)


def _without_maker(act: str, organs: list[str]) -> str:
    """The act without the organ named before it: "石拐区人民政府作出的…", "区政府…" where the title names it."""
    maker, said, rest = act.partition("作出的")
    if said and rest and _is_organ(maker, organs):
        return rest
    known = {organ_key(o) for o in organs}
    for end in range(min(len(act) - 2, 30), 1, -1):  # the longest spelling of a named organ that starts the act
        if organ_key(act[:end]) in known:
            return act[end:].removeprefix("的")
    return act


def act_of(cause: str, organs: list[str]) -> str:
    """The challenged act from what the clerk typed as the cause: without "不服", without the organ that made it
    ("石拐区人民政府作出的") and without a closing "一案"; `organs` are the names the title already gives."""
    act = re.sub(r"\s+", "", cause).strip("。；;，,")
    act = act.removeprefix("原告").removeprefix("不服")
    return _without_maker(act, organs).removesuffix("一案")


def case_title(
    plaintiff: str,
    defendants: list[str],
    cause: str,
    level: Any,
    with_role: bool = True,
    sides: tuple[list[str], list[str]] | None = None,
) -> str:
    """The case as documents name it: 原告张某诉包头市石拐区人民政府收回国有土地使用权决定一案 at first instance
    (without 原告 `with_role` False, where the sentence names the plaintiff's role itself). At a later instance as
    the courts name it when `sides` says who appealed (applied for the retrial) and who answers:
    上诉人包头市石拐区人民政府与被上诉人张某…一案, 再审申请人…与被申请人…一案; without `sides` (or `with_role`)
    张某诉…上诉一案, …再审一案."""
    level = level if level in TITLE_ENDINGS else "first"
    act = act_of(cause, defendants)
    if sides is not None and with_role and level != "first":
        mover, answerer = MOVING_ROLES[level]
        return f"{mover}{'、'.join(sides[0])}与{answerer}{'、'.join(sides[1])}{act}一案"
    title = f"{plaintiff}诉{'、'.join(defendants)}{act}{TITLE_ENDINGS[level]}"
    return f"原告{title}" if level == "first" and with_role else title


def entrusted_matters(case_no: str | None, level: Any) -> str:
    """What a power of attorney entrusts at the case's instance (代理本机关参加（2026）蒙02行终45号…第二审诉讼)."""
    words = INSTANCE_WORDS.get(level if isinstance(level, str) else "", INSTANCE_WORDS["first"])
    number = case_no.strip() if isinstance(case_no, str) else ""
    return f"代理本机关参加{number}行政诉讼案件{words}诉讼" if number else f"代理本机关参加本案{words}诉讼"
