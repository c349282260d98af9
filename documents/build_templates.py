"""Build the .docx templates of this folder with python-docx: `.venv/bin/python documents/build_templates.py`.

The templates are what the host renders (docxtpl, Jinja tags in the text); this script is their source, so a
change to a document is a reviewable change here, and rebuilding gives the same files byte for byte.
The typesetting (GB/T 9704-2012) is in layout.py.
Values the case data lacks come out as a blank line to fill in by hand (services/document_render.py).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from layout import FIXED_TIME, case_line, closing, loop, new_document, para, signature, table, title

HERE = Path(__file__).resolve().parent


def statement_of_defence(doc: Any) -> None:
    para(doc, "行政答辩状", "公文标题")
    case_line(doc)
    para(doc, "答辩人{{ respondent_role }}：{{ respondent }}，住所地：{{ respondent_address }}。")
    para(doc, "法定代表人：{{ representative }}，职务：{{ representative_position }}。")
    agent = "委托诉讼代理人：{{ a.name }}，{{ a.kind }}，工作单位：{{ a.work_unit }}，职务：{{ a.position }}。"
    loop(doc, "for a in agents", agent)
    para(doc, "被答辩人{{ opponent_role }}：{{ opponent }}。")
    para(doc, "{{ opening }}，现提出答辩意见如下：")
    loop(doc, "for text in statement", "{{ text }}")
    closing(doc)
    signature(doc, "答辩人：{{ respondent }}（盖章）", "法定代表人（签字）：{{ blank }}", "{{ today }}")
    para(doc, "", "顶格")
    para(doc, "附：1. 本答辩状副本{{ blank }}份；", "顶格")
    para(doc, "2. 作出行政行为的法律依据：", "正文")
    loop(doc, "for b in legal_basis", "（{{ b.number }}）{{ b.name }}{{ b.provisions }}；")
    para(doc, "3. 证据清单：", "正文")
    table(
        doc,
        ["序号", "证据名称", "证据种类", "证据来源", "证明目的", "页数"],
        [
            "{{ e.number }}",
            "{{ e.name|cell }}",
            "{{ e.kind|cell }}",
            "{{ e.source|cell }}",
            "{{ e.purpose|cell }}",
            "{{ e.pages|cell }}",
        ],
        "for e in evidence",
        [12, 34, 22, 28, 46, 14],
    )
    para(doc, "4. 其他材料：{{ other_materials }}。", "正文")


def legal_representative_certificate(doc: Any) -> None:
    para(doc, "法定代表人身份证明书", "公文标题")
    case_line(doc)
    para(doc, "{{ representative }}，在{{ organ }}任{{ representative_position }}职务，系我单位法定代表人。")
    para(doc, "本证明书用于{{ court }}审理的{{ case_title }}。")
    para(doc, "特此证明。")
    signature(doc, "{{ organ }}（盖章）", "{{ today }}")


def power_of_attorney(doc: Any) -> None:
    para(doc, "授权委托书", "公文标题")
    case_line(doc)
    para(doc, "委托人：{{ principal }}。")
    para(doc, "法定代表人：{{ representative }}，职务：{{ representative_position }}。")
    para(doc, "受委托人（诉讼代理人）：")
    table(
        doc,
        ["姓名", "代理人身份", "工作单位", "职务", "居民身份证号码", "联系电话"],
        [
            "{{ a.name|cell }}",
            "{{ a.kind|cell }}",
            "{{ a.work_unit|cell }}",
            "{{ a.position|cell }}",
            "{{ a.id_number|cell }}",
            "{{ a.phone|cell }}",
        ],
        "for a in agents",
        [15, 22, 31, 20, 46, 22],
    )
    para(doc, "现委托上列受委托人在{{ case_title }}中，作为我方诉讼代理人。")
    para(doc, "代理事项：{{ matters }}")
    para(doc, "代理权限：{{ scope }}")
    loop(doc, "for power in powers", "{{ power }}")
    para(doc, "受委托人应当在委托权限范围内进行诉讼活动，并及时报告诉讼过程中的重大问题。")
    closing(doc)
    signature(doc, "委托人：{{ principal }}（盖章）", "法定代表人（签字）：{{ blank }}", "{{ today }}")


def head_absence_statement(doc: Any) -> None:
    para(doc, "行政机关负责人不能出庭应诉情况说明", "公文标题")
    case_line(doc)
    para(doc, "{{ court }}：", "顶格")
    para(
        doc,
        "贵院受理的{{ case_title }}，定于{{ hearing }}开庭审理。"
        "{{ unit_name }}负责人{{ head }}因下列正当理由不能出庭应诉：",
    )
    loop(doc, "for text in reasons", "{{ text }}")
    para(doc, "不能出庭的相关证明材料附后。")
    para(
        doc,
        "根据《中华人民共和国行政诉讼法》第三条第三款和《最高人民法院关于行政机关负责人出庭应诉若干问题的规定》，"
        "本机关委托下列人员出庭应诉：",
    )
    table(
        doc,
        ["姓名", "代理人身份", "工作单位", "职务", "联系电话"],
        [
            "{{ a.name|cell }}",
            "{{ a.kind|cell }}",
            "{{ a.work_unit|cell }}",
            "{{ a.position|cell }}",
            "{{ a.phone|cell }}",
        ],
        "for a in agents",
        [22, 28, 46, 30, 30],
    )
    para(doc, "特此说明。")
    signature(doc, "{{ unit_name }}（盖章）", "主要负责人（签字）：{{ blank }}", "{{ today }}")


def loss_analysis_report(doc: Any) -> None:
    title(doc, "关于{{ case_no }}", "行政诉讼案件的败诉分析报告")
    para(doc, "区人民政府：", "顶格")
    para(
        doc,
        "{{ case_title }}，{{ court }}作出的{{ decision_kind }}已于{{ effective_on }}"
        "发生法律效力，本案行政机关败诉。根据《包头市石拐区人民政府行政应诉工作办法》第七条规定，现将有关情况报告如下：",
    )
    para(doc, "一、诉讼案件的基本案情", "一级标题")
    loop(doc, "for text in facts", "{{ text }}")
    para(doc, "二、人民法院的判决结果", "一级标题")
    loop(doc, "for text in ruling", "{{ text }}")
    para(doc, "三、有关的工作建议、意见及整改落实措施", "一级标题")
    para(doc, "（一）败诉原因分析", "二级标题")
    loop(doc, "for text in causes", "{{ text }}")
    para(doc, "（二）工作建议、意见", "二级标题")
    loop(doc, "for text in suggestions", "{{ text }}")
    para(doc, "（三）整改落实措施", "二级标题")
    table(
        doc,
        ["序号", "整改措施", "责任单位（人）", "完成时限"],
        ["{{ m.number }}", "{{ m.measure|cell }}", "{{ m.responsible|cell }}", "{{ m.due_on|cell }}"],
        "for m in measures",
        [14, 70, 36, 36],
    )
    para(doc, "四、其他需要说明的事项", "一级标题")
    loop(doc, "for text in other", "{{ text }}")
    para(doc, "特此报告。")
    signature(doc, "{{ units }}（盖章）", "{{ today }}")
    para(doc, "", "顶格")
    para(doc, "抄送：石拐区司法局。", "版记")


def appeal_opinion(doc: Any) -> None:
    title(doc, "关于{{ case_no }}", "行政案件的上诉意见")
    para(doc, "区人民政府：", "顶格")
    # the unit that accepts the decision says so (Art. 8 asks an opinion after every appealable decision): its
    # opinion asks for no appeal, no claims and no grounds, and nothing for the government to decide
    para(doc, "{%p if accepts %}")
    para(
        doc,
        "{{ case_title }}，{{ court }}作出{{ decision_kind }}（{{ outcome }}），本单位于{{ served_on }}收到。"
        "本单位经研究，服从该{{ decision_kind }}，不提起上诉。根据《包头市石拐区人民政府行政应诉工作办法》"
        "第八条规定，现将意见报告如下：",
    )
    para(doc, "不上诉的理由及其他说明", "一级标题")
    loop(doc, "for text in notes", "{{ text }}")
    para(doc, "特此报告。").paragraph_format.keep_with_next = True  # with the signature after {%p endif %}
    para(doc, "{%p else %}")
    para(
        doc,
        "{{ case_title }}，{{ court }}作出{{ decision_kind }}（{{ outcome }}），"
        "本单位于{{ served_on }}收到。本单位对该{{ decision_kind }}不服，要求上诉。根据《包头市石拐区人民政府"
        "行政应诉工作办法》第八条规定，现将上诉意见报送如下：",
    )
    para(doc, "一、上诉请求", "一级标题")
    loop(doc, "for text in claims", "{{ text }}")
    para(doc, "二、上诉的事实和理由", "一级标题")
    loop(doc, "for text in grounds", "{{ text }}")
    para(doc, "三、其他说明", "一级标题")
    loop(doc, "for text in notes", "{{ text }}")
    para(doc, "以上意见妥否，请区人民政府审议决定。").paragraph_format.keep_with_next = True
    para(doc, "{%p endif %}")
    signature(doc, "{{ units }}（盖章）", "{{ today }}")


def suggestion_reply(doc: Any) -> None:
    title(doc, "关于{{ document_no }}", "{{ kind }}的回复")
    para(doc, "{{ issuer }}：", "顶格")
    para(
        doc,
        "贵院{{ document_no }}{{ kind }}书已于{{ received_on }}收悉。区人民政府高度重视，指定{{ unit_name }}"
        "研究办理。根据《包头市石拐区人民政府行政应诉工作办法》第十一条规定，现将有关情况回复如下：",
    )
    para(doc, "一、办理情况", "一级标题")
    loop(doc, "for text in reply", "{{ text }}")
    para(doc, "二、整改落实措施", "一级标题")
    loop(doc, "for text in measures", "{{ text }}")
    para(doc, "特此回复。")
    signature(doc, "包头市石拐区人民政府（盖章）", "{{ today }}")


TEMPLATES: dict[str, tuple[str, Callable[[Any], None]]] = {
    "statement_of_defence": ("行政答辩状", statement_of_defence),
    "legal_representative_certificate": ("法定代表人身份证明书", legal_representative_certificate),
    "power_of_attorney": ("授权委托书", power_of_attorney),
    "head_absence_statement": ("行政机关负责人不能出庭应诉情况说明", head_absence_statement),
    "loss_analysis_report": ("败诉分析报告", loss_analysis_report),
    "appeal_opinion": ("上诉意见", appeal_opinion),
    "suggestion_reply": ("司法建议、检察建议的回复", suggestion_reply),
}


def _fixed_zip(data: bytes) -> bytes:
    """The same bytes for the same content: fixed member times, in a fixed order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist()):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name))
    return out.getvalue()


def build(name: str) -> bytes:
    """The template `name` as .docx bytes."""
    title, write = TEMPLATES[name]
    doc = new_document(title)
    write(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_zip(buffer.getvalue())


def main() -> None:
    for name in TEMPLATES:
        (HERE / f"{name}.docx").write_bytes(build(name))
        print(f"documents/{name}.docx")


if __name__ == "__main__":
    main()
