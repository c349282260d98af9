"""The modeller's words for analysts: a diagram's elements by their kind and name (用户任务「审签」) rather than by
their BPMN tag and id."""

from __future__ import annotations

from flask_babel import lazy_gettext
from markupsafe import Markup, escape

from .i18n import _

__all__ = ["ELEMENT_KINDS", "element_label"]

ELEMENT_KINDS = {  # BPMN and DMN tags as the pages name them; a tag not listed is shown as it is
    "process": lazy_gettext("process"),
    "collaboration": lazy_gettext("collaboration"),
    "participant": lazy_gettext("pool"),
    "laneSet": lazy_gettext("lane set"),
    "lane": lazy_gettext("lane"),
    "task": lazy_gettext("task"),
    "userTask": lazy_gettext("user task"),
    "manualTask": lazy_gettext("manual task"),
    "scriptTask": lazy_gettext("script task"),
    "serviceTask": lazy_gettext("service task"),
    "sendTask": lazy_gettext("send task"),
    "receiveTask": lazy_gettext("receive task"),
    "businessRuleTask": lazy_gettext("business rule task"),
    "callActivity": lazy_gettext("call activity"),
    "subProcess": lazy_gettext("sub-process"),
    "startEvent": lazy_gettext("start event"),
    "endEvent": lazy_gettext("end event"),
    "intermediateCatchEvent": lazy_gettext("intermediate catch event"),
    "intermediateThrowEvent": lazy_gettext("intermediate throw event"),
    "boundaryEvent": lazy_gettext("boundary event"),
    "timerEventDefinition": lazy_gettext("timer"),
    "messageEventDefinition": lazy_gettext("message"),
    "signalEventDefinition": lazy_gettext("signal"),
    "errorEventDefinition": lazy_gettext("error"),
    "terminateEventDefinition": lazy_gettext("termination"),
    "exclusiveGateway": lazy_gettext("exclusive gateway"),
    "parallelGateway": lazy_gettext("parallel gateway"),
    "inclusiveGateway": lazy_gettext("inclusive gateway"),
    "eventBasedGateway": lazy_gettext("event-based gateway"),
    "sequenceFlow": lazy_gettext("sequence flow"),
    "messageFlow": lazy_gettext("message flow"),
    "association": lazy_gettext("association"),
    "textAnnotation": lazy_gettext("text annotation"),
    "dataObject": lazy_gettext("data object"),
    "dataObjectReference": lazy_gettext("data object reference"),
    "dataStoreReference": lazy_gettext("data store reference"),
    "standardLoopCharacteristics": lazy_gettext("loop"),
    "multiInstanceLoopCharacteristics": lazy_gettext("multi-instance"),
}


def element_label(kind: str, name: str, element_id: str) -> Markup:
    """用户任务「审签」(sign): the element's kind in words, its name if it has one, and its id."""
    words = str(ELEMENT_KINDS.get(kind, kind))
    said = _("%(kind)s “%(name)s”", kind=words, name=name) if name else words
    return Markup("{} <code>({})</code>").format(escape(said), element_id)
