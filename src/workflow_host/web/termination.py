"""Terminating a case from its page: a reason and a tick to confirm; the case then says who stopped it, when and
why (services/termination.py has the rule)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from ..models import User
from ..services import termination
from ..services.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from .cases import case_response
from .i18n import _
from .signin import signed_in

__all__ = ["bp"]

bp = Blueprint("termination", __name__)


def _refusal(err: ServiceError) -> str:
    """Why the case was not terminated, in the page's words."""
    low, high = termination.REASON_LENGTH
    if isinstance(err, Invalid) and err.details.get("kind") == "length":
        return _(
            "The reason must be %(low)s to %(high)s characters long; it has %(n)s.",
            low=low,
            high=high,
            n=err.details.get("length", 0),
        )
    if isinstance(err, Invalid):
        return _("Give the reason the case is terminated.")
    if err.details.get("case_status") == "terminated":
        return _("This case was already terminated.")
    if err.details.get("case_status") == "completed":
        return _("This case is closed; a closed case cannot be terminated.")
    return _("This case cannot be terminated now.")


@bp.post("/cases/<int:instance_id>/terminate")
@signed_in
def terminate(db: Session, user: User, instance_id: int) -> Any:
    """Terminate the case; a refused form shows the case again with what was typed and why."""
    reason = request.form.get("reason", "")
    try:
        with db.begin_nested():
            termination.require_terminable(db, user, instance_id)
            if request.form.get("confirm") != "yes":
                flash(_("Tick the box to confirm that the case is to be terminated."), "error")
                return case_response(db, user, instance_id, 422, typed_reason=reason)
            termination.terminate_case(db, user, instance_id, reason)
    except NotFound:
        return render_template("message.html", user=user, title=_("This case does not exist.")), 404
    except Forbidden:
        return render_template("message.html", user=user, title=_("You may not terminate this case.")), 403
    except (Invalid, Conflict) as err:
        flash(_refusal(err), "error")
        return case_response(db, user, instance_id, err.status, typed_reason=reason)
    flash(_("The case is terminated: it has left every inbox and no deadline of it reminds anyone."), "success")
    return redirect(url_for("cases.case", instance_id=instance_id))
