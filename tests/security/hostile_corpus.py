"""The hostile inputs of the deploy paths: diagrams, scripts, decision tables and form schemas that attack the
XML parser, the script sandbox or the form validator. Each attack is (file name, content, where it is refused,
a word the error names). `deploy`: the upload is refused and no version is made. `start`: the script is valid
Python that the sandbox stops when it runs, so starting a case is refused and no case is stored."""

from __future__ import annotations

import json
from typing import NamedTuple

__all__ = ["ATTACKS", "Attack"]


class Attack(NamedTuple):
    name: str
    content: bytes
    refused_at: str  # "deploy" or "start"
    reason: str  # a word of the error the user is shown


BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="six_steps" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:scriptTask id="work"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""
GATEWAY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="six_steps" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="choose" />
    <bpmn:exclusiveGateway id="choose" default="f3" />
    <bpmn:sequenceFlow id="f2" sourceRef="choose" targetRef="end">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="choose" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""
DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="evil_defs" name="evil" namespace="t">
  <decision id="evil" name="evil">
    <decisionTable id="evil_table" hitPolicy="UNIQUE">
      <input id="i"><inputExpression id="ie" typeRef="string"><text>x</text></inputExpression></input>
      <output id="o" name="y" typeRef="string" />
      <rule id="r"><inputEntry id="e"><text>{entry}</text></inputEntry>
        <outputEntry id="oe"><text>"a"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"""
HEAD = '<?xml version="1.0"?>\n'
NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
PLAIN = BPMN.format(script="x = 1")


def _script(name: str, source: str, refused_at: str, reason: str) -> Attack:
    escaped = source.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Attack(f"{name}.bpmn", BPMN.format(script=escaped).encode(), refused_at, reason)


def _many_scripts(count: int, source: str) -> str:
    """A process of `count` script tasks in a row, each running `source`."""
    tasks = "".join(
        f'<bpmn:scriptTask id="s{i}"><bpmn:script>{source}</bpmn:script></bpmn:scriptTask>'
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="s{i}" targetRef="{f"s{i + 1}" if i + 1 < count else "end"}" />'
        for i in range(count)
    )
    flows = '<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f" sourceRef="start" targetRef="s0" />'
    return (
        PLAIN.split("<bpmn:startEvent")[0]
        + flows
        + tasks
        + '<bpmn:endEvent id="end" /></bpmn:process>\n</bpmn:definitions>'
    )


def _many_rules(count: int, input_expression: str) -> str:
    """A decision table of `count` rules on one input: each rule's cell is compiled together with the input."""
    head, rest = DMN.split("<rule ", 1)
    tail = rest.split("</rule>", 1)[1]
    rules = "".join(
        f'<rule id="r{i}"><inputEntry id="e{i}"><text>{i}</text></inputEntry>'
        f'<outputEntry id="o{i}"><text>"a"</text></outputEntry></rule>'
        for i in range(count)
    )
    return (head + rules + tail).replace("<text>x</text>", f"<text>{input_expression}</text>", 1)


def _xxe(target: str) -> str:
    doctype = f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "{target}">]>\n'
    return HEAD + doctype + PLAIN.split("\n", 1)[1].replace('id="six_steps"', 'id="six_steps" name="&xxe;"')


def _laughs() -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return f"{HEAD}<!DOCTYPE d [{entities}]>\n<bpmn:definitions {NS} id='d'>&lol9;</bpmn:definitions>".encode()


def _form(name: str, schema: object, reason: str) -> Attack:
    return Attack(f"{name}.schema.json", json.dumps(schema).encode(), "deploy", reason)


UTF16 = _xxe("file:///etc/passwd").replace('version="1.0"?>', 'version="1.0" encoding="UTF-16"?>', 1).encode("utf-16")
XINCLUDE = '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>'
XML_ATTACKS = [
    Attack("xxe_passwd.bpmn", _xxe("file:///etc/passwd").encode(), "deploy", "not allowed"),
    Attack("xxe_http.bpmn", _xxe("http://127.0.0.1:9/evil").encode(), "deploy", "not allowed"),
    Attack("xxe_utf16.bpmn", UTF16, "deploy", "entity"),
    Attack(
        "parameter_entity.bpmn",
        f'{HEAD}<!DOCTYPE d [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n<d/>'.encode(),
        "deploy",
        "not allowed",
    ),
    Attack(
        "external_dtd.bpmn", f'{HEAD}<!DOCTYPE d SYSTEM "http://127.0.0.1:9/evil.dtd">\n<d/>'.encode(), "deploy", "not"
    ),
    Attack("billion_laughs.bpmn", _laughs(), "deploy", "not allowed"),
    Attack(
        "late_doctype.bpmn",
        HEAD.encode() + b"<!--" + b"x" * 8000 + b'-->\n<!DOCTYPE d SYSTEM "file:///etc/passwd">\n<d/>',
        "deploy",
        "not allowed",
    ),
    Attack(
        "huge.bpmn",
        PLAIN.replace("</bpmn:process>", f"<!--{'x' * 6 * 2**20}--></bpmn:process>").encode(),
        "deploy",
        "5 MiB",
    ),
    Attack(
        "deep.bpmn",
        f"{HEAD}<bpmn:definitions {NS} id='d'>{'<a>' * 10000}{'</a>' * 10000}</bpmn:definitions>".encode(),
        "deploy",
        "depth",
    ),
    Attack("xinclude.bpmn", PLAIN.replace('<bpmn:startEvent id="start" />', XINCLUDE, 1).encode(), "deploy", "include"),
    Attack(  # SpiffWorkflow would nest the process in itself without end, inside one step
        "calls_itself.bpmn",
        PLAIN.replace(
            '<bpmn:scriptTask id="work"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>',
            '<bpmn:callActivity id="work" calledElement="six_steps" />',
        ).encode(),
        "deploy",
        "calls itself",
    ),
]
SCRIPT_ATTACKS = [
    _script("subclasses", "x = ().__class__.__base__.__subclasses__()", "deploy", "__subclasses__"),
    _script("type_subclasses", "x = type.__subclasses__(object)", "deploy", "__subclasses__"),
    _script("globals", "def f():\n    pass\nx = f.__globals__", "deploy", "__globals__"),
    _script("lambda_globals", "f = lambda: 0\nx = f.__globals__", "deploy", "__globals__"),
    _script("getattr_globals", "def f():\n    pass\nx = getattr(f, '__globals__')", "start", "getattr"),
    _script(
        "getattr_built_name", "def f():\n    pass\nname = '__glo' + 'bals__'\nx = getattr(f, name)", "start", "getattr"
    ),
    _script("format", 'x = "{0.__class__.__base__}".format(1)', "start", "format"),
    _script("format_map", 'x = "{a.__class__}".format_map({"a": 1})', "start", "format"),
    _script("generator_frame", "x = (g for g in ()).gi_frame.f_back.f_globals", "deploy", "f_globals"),
    _script("generator_code", "g = (i for i in [1])\nx = g.gi_code", "deploy", "gi_code"),
    _script("import_os", "import os\nx = os.getcwd()", "deploy", "import"),
    _script("dunder_import", "x = __import__('os').getcwd()", "deploy", "__import__"),
    _script("open_file", "x = open('/etc/passwd').read()", "start", "open"),
    _script("eval", "x = eval('1 + 1')", "deploy", "Eval"),
    _script("exec", "exec('x = 1')", "deploy", "Exec"),
    _script("endless_loop", "n = 0\nwhile True:\n    n += 1", "start", "stopped"),
    _script(
        "swallowed_loop",
        "while True:\n    try:\n        while True:\n            pass\n    except Exception:\n        pass",
        "start",
        "stopped",
    ),
    _script("string_bomb", "x = 'a' * 10**9", "start", "more than"),
    _script("list_bomb", "x = [0] * 10**9", "start", "more than"),
    _script("doubling_bomb", "x = 'a'\nwhile True:\n    x = x + x", "start", "more than"),
    _script("power_bomb", "n = 10\nx = n**n**n", "start", "too large"),
    _script("range_bomb", "x = list(range(10**9))", "start", "range"),
    _script("recursion", "def f(n):\n    return f(n + 1)\nx = f(0)", "start", "recursion"),
    # work done inside one C call, where the budget's ticks never run (a security review, session 8)
    _script("type_method_bomb", "x = len(str.ljust('', 300000000))", "start", "more than"),
    _script("type_method_map", "x = sum(map(len, map(str.zfill, [''] * 9, [10**7] * 9)))", "start", "more than"),
    _script("percent_width_bomb", "x = len('%300000000d' % 1)", "start", "more than"),
    _script("decimal_format_bomb", "x = len(f\"{Decimal('1e300000000'):f}\")", "start", "exponent"),
    _script("decimal_int_bomb", "x = int(Decimal('1e450000')).bit_length()", "start", "exponent"),
    _script("decimal_power_bomb", "x = int(Decimal(10) ** 450000).bit_length()", "start", "exponent"),
    _script("map_without_end", "items = [0]\nx = any(map(items.append, items))", "start", "stopped"),
    Attack(  # each pass of the loop is a new task, each script run within its budget: the step itself never ends
        "endless_loop_of_tasks.bpmn",
        PLAIN.replace(
            '<bpmn:scriptTask id="work"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>',
            '<bpmn:scriptTask id="work"><bpmn:standardLoopCharacteristics loopMaximum="100000000">'
            "<bpmn:loopCondition>True</bpmn:loopCondition></bpmn:standardLoopCharacteristics>"
            "<bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>",
        ).encode(),
        "start",
        "without end",
    ),
    _script("nested_too_deeply", "x = " + "not " * 3000 + "True", "deploy", "nested too deeply"),
    _script("script_too_long", "x = 1\n" * 12_000, "deploy", "longer than"),
    Attack("scripts_too_long_together.bpmn", _many_scripts(10, "x = 1\n" * 9_000).encode(), "deploy", "add up to"),
    Attack("decision_too_long_together.dmn", _many_rules(600, "x" + " + 0" * 250).encode(), "deploy", "add up to"),
    Attack(
        "condition.bpmn",
        GATEWAY.format(condition="().__class__.__base__.__subclasses__()").encode(),
        "deploy",
        "__subclasses__",
    ),
    Attack("condition_bomb.bpmn", GATEWAY.format(condition="len(list(range(10**9))) == 0").encode(), "start", "range"),
    Attack(
        "decision.dmn", DMN.format(entry="().__class__.__base__.__subclasses__()").encode(), "deploy", "__subclasses__"
    ),
    Attack("decision_import.dmn", DMN.format(entry="__import__('os').system('id')").encode(), "deploy", "__import__"),
]
LOCAL_ONLY = "('#/...') are allowed"  # "only local references …" (API), "only references within the form …" (pages)
FORM_ATTACKS = [
    _form("remote_ref", {"type": "object", "properties": {"a": {"$ref": "http://127.0.0.1:9/evil.json"}}}, LOCAL_ONLY),
    _form("file_ref", {"$ref": "file:///etc/passwd"}, LOCAL_ONLY),
    _form("relative_ref", {"$ref": "other.schema.json"}, LOCAL_ONLY),
    _form("dynamic_ref", {"$dynamicRef": "https://127.0.0.1:9/evil#meta"}, LOCAL_ONLY),
    _form("self_ref", {"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}, "without end"),
    _form("root_ref", {"type": "object", "allOf": [{"$ref": "#"}]}, "without end"),
    _form("redos", {"type": "object", "properties": {"a": {"type": "string", "pattern": "^(a+)+$"}}}, "repeats"),
    _form("redos_keys", {"type": "object", "patternProperties": {"^(\\w+\\s?)*$": {}}}, "repeats"),
    _form("redos_choice", {"type": "object", "properties": {"a": {"pattern": "^(a|a)+$"}}}, "repeats"),
    _form("redos_prefix", {"type": "object", "properties": {"a": {"pattern": "^(a|ab)*c$"}}}, "repeats"),
    _form("bad_schema", {"type": 42}, "not a valid JSON Schema"),
    _form("not_object", [1, 2, 3], "JSON object"),
    Attack("deep.schema.json", b"[" * 100000 + b"]" * 100000, "deploy", "nested too deeply"),
    Attack("huge.schema.json", json.dumps({"description": "x" * 600 * 1024}).encode(), "deploy", "too large"),
    Attack("not_json.schema.json", b"{'not': json}", "deploy", "JSON"),
]
ATTACKS = XML_ATTACKS + SCRIPT_ATTACKS + FORM_ATTACKS
