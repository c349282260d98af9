"""A set of diagrams and forms checked as a version would be made of them: the diagrams compile, each user task's
lane is a role of the directory, and the forms the tasks name are there and valid."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

from ..engine import CompiledBundle, DiagramError, DiagramErrors, Runtime, SourceFile
from .errors import Invalid
from .form_checks import check_form_schema, check_show_when

__all__ = ["KNOWN_ROLES", "file_kind", "validate_files"]

MAX_FORM_BYTES = 512 * 1024


def file_kind(path: str) -> str:
    """What a file of a version is by its name: "bpmn", "dmn" or "form"; Invalid for any other."""
    name = PurePosixPath(path).name
    if name.endswith(".dmn"):
        return "dmn"
    if name.endswith(".bpmn"):
        return "bpmn"
    if name.endswith(".json"):
        return "form"
    raise Invalid(f"{path}: only .bpmn, .dmn and .json form files can be deployed")


def _check_forms(files: dict[str, bytes], needed: set[str]) -> list[DiagramError]:
    errors = []
    forms = {PurePosixPath(p).name: content for p, content in files.items() if file_kind(p) == "form"}
    for name in sorted(needed - set(forms)):
        errors.append(DiagramError(name, "form file named by a user task is missing", code="form_missing"))
    for name, content in sorted(forms.items()):
        if len(content) > MAX_FORM_BYTES:
            errors.append(DiagramError(name, "form file is too large", code="form_too_large"))
            continue
        try:
            check_form_schema(name, json.loads(content))
        except Invalid as err:  # check_form_schema names the problem (`code`, `params`)
            params = {
                "reason": err.message.removeprefix(f"{name}: "),
                **(err.details.get("params") or {}),
                "file": name,
            }
            code = str(err.details.get("code") or "form_invalid")
            errors.append(DiagramError(name, err.message, code=code, params=params))
        except ValueError as err:
            errors.append(
                DiagramError(name, f"not valid JSON: {err}", code="form_not_json", params={"reason": str(err)})
            )
        except RecursionError:
            errors.append(DiagramError(name, "form file is nested too deeply", code="form_too_deep"))
    for name, content in sorted(forms.items()):
        schema_name = name.removesuffix(".uischema.json") + ".schema.json"
        if name.endswith(".uischema.json") and schema_name in forms:
            try:
                problems = check_show_when(json.loads(forms[schema_name]), json.loads(content))
            except (ValueError, RecursionError):
                continue  # reported above
            errors += [
                DiagramError(
                    name,
                    f"{field}: {option} names '{other}', not a field beside it",
                    code="show_when_unknown",
                    params={"field": field, "option": option, "name": other},
                )
                for field, option, other in problems
            ]
    return errors


def validate_files(runtime: Runtime, files: dict[str, bytes]) -> CompiledBundle:
    """Compile and check a set of files as a version would be made of them; Invalid lists every problem."""
    if not any(file_kind(p) in ("bpmn", "dmn") for p in files):
        raise Invalid("no BPMN or DMN files to deploy")
    diagrams = [SourceFile(PurePosixPath(p).name, c) for p, c in sorted(files.items()) if file_kind(p) != "form"]
    try:
        bundle = runtime.compile(diagrams)
    except DiagramErrors as err:
        raise Invalid("the diagrams are not valid", errors=[e.as_dict() for e in err.errors]) from None
    lane_errors = _check_lanes(bundle)
    if lane_errors:
        raise Invalid("the diagrams are not valid", errors=[e.as_dict() for e in lane_errors])
    form_errors = _check_forms(files, bundle.forms_needed)
    if form_errors:
        raise Invalid("the forms are not valid", errors=[e.as_dict() for e in form_errors])
    return bundle


def _check_lanes(bundle: CompiledBundle) -> list[DiagramError]:
    """A user task's lane is the role that does it: it must be a role of the directory, unless the task takes
    its people from the case data (candidateRolesVariable / candidateUsersVariable)."""
    errors = []
    for info in bundle.user_tasks.values():
        if not info.lane or info.lane in KNOWN_ROLES or info.candidate_roles_variable or info.candidate_users_variable:
            continue
        process = bundle.processes.get(info.process_id)
        message = f"lane '{info.lane}' is not a role ({', '.join(KNOWN_ROLES)}); name the lane by its role"
        file, params = process.file if process else info.process_id, {"lane": info.lane, "roles": list(KNOWN_ROLES)}
        errors.append(DiagramError(file, message, info.element_id, code="lane_not_role", params=params))
    return errors


KNOWN_ROLES = (
    "gov_office",
    "office_deputy_director",
    "office_director",
    "vice_head_in_charge",
    "executive_vice_head",
    "district_head",
    "justice_bureau",
    "justice_bureau_head",
    "handling_unit",
)
