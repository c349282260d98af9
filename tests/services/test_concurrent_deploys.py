"""Two analysts saving different forms at the same moment: each save builds on the newest version, so the version
made last holds both changes (on PostgreSQL an advisory lock serializes deploys; SQLite transactions are serial)."""

from __future__ import annotations

import json
import threading

from workflow_host.host import Host
from workflow_host.services import deployment, versions


def _changed(host: Host, name: str, title: str) -> dict[str, bytes]:
    with host.database.transaction() as session:
        schema, _ui = versions.form_source(session, name)
    changed = {**json.loads(schema), "title": title}
    return {f"{name}.schema.json": json.dumps(changed, ensure_ascii=False).encode()}


def test_two_saves_at_once_lose_neither_change(measures: Host) -> None:
    names = ("case_intake", "defence_materials")
    uploads = [_changed(measures, names[0], "收案登记（改）"), _changed(measures, names[1], "答辩材料（改）")]
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def save(files: dict[str, bytes]) -> None:
        try:
            barrier.wait()
            with measures.database.transaction() as session:
                deployment.deploy_forms(session, measures.runtime, files, "analyst")
        except BaseException as err:  # reported below: a thread's exception would otherwise vanish
            failures.append(err)

    threads = [threading.Thread(target=save, args=(files,)) for files in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    with measures.database.transaction() as session:
        titles = [json.loads(versions.form_source(session, name)[0])["title"] for name in names]
    assert titles == ["收案登记（改）", "答辩材料（改）"]
