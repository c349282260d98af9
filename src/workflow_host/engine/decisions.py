"""The host's parser and serializer configuration. Business rule tasks whose decision outputs replace case data
instead of being merged into it (inclusive joins: engine/gateways.py).

SpiffWorkflow 3.2 deep-merges a decision's result into the task's data, so a list decided again (the
handling units of a second instance, the Art. 13 items that apply) keeps items from the earlier list.
Here a decision's outputs replace the values they name, and a COLLECT table that matches no rule sets
each output to an empty list rather than leaving an older value in place.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from SpiffWorkflow.bpmn.parser.task_parsers import ConditionalGatewayParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.serializer.default.task_spec import ConditionalGatewayConverter
from SpiffWorkflow.bpmn.specs.defaults import InclusiveGateway as SpiffInclusiveGateway
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import BusinessRuleTaskParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import BusinessRuleTaskConverter
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask

from .gateways import InclusiveGateway

__all__ = ["HOST_CONFIG", "HostBpmnParser", "ReplacingBusinessRuleTask"]


class ReplacingBusinessRuleTask(BusinessRuleTask):  # type: ignore[misc]
    """A business rule task whose outputs replace the data they name."""

    def _run_hook(self, my_task: Any) -> bool:
        table = self.dmnEngine.decision_table
        result = self.dmnEngine.result(my_task)
        if not result and str(table.hit_policy).upper() == "COLLECT":
            result = {output.name: [] for output in table.outputs}
        my_task.data = {**my_task.data, **copy.deepcopy(result)}
        # skip the mixin's deep merge, keep the pre/post-script handling of the spiff task
        super(BusinessRuleTaskMixin, self)._run_hook(my_task)
        return True


class _ReplacingParser(BusinessRuleTaskParser):  # type: ignore[misc]
    def create_task(self) -> ReplacingBusinessRuleTask:
        extensions = self.parse_extensions()
        return ReplacingBusinessRuleTask(
            self.spec,
            self.bpmn_id,
            dmnEngine=self.process_parser.parser.get_engine(self.get_decision_ref(self.node), self.node),
            prescript=extensions.get("preScript"),
            postscript=extensions.get("postScript"),
            **self.bpmn_attributes,
        )


class HostBpmnParser(SpiffBpmnParser):  # type: ignore[misc]
    """SpiffWorkflow's spiff parser with replacing business rule tasks and inclusive joins that wait for
    call activities (engine/gateways.py)."""

    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, Any]] = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("businessRuleTask"): (_ReplacingParser, ReplacingBusinessRuleTask),
        full_tag("inclusiveGateway"): (ConditionalGatewayParser, InclusiveGateway),
    }


# The inclusive gateway keeps its stored name ("InclusiveGateway"): SpiffWorkflow's class gives way to ours.
HOST_CONFIG = {
    **{cls: converter for cls, converter in SPIFF_CONFIG.items() if cls is not SpiffInclusiveGateway},
    InclusiveGateway: ConditionalGatewayConverter,
    ReplacingBusinessRuleTask: BusinessRuleTaskConverter,
}
