"""Infra tier: cfn-lint on template.yaml with zero errors, every ASL definition through a real
ASL validator (the asl-validator npm package), and wiring rules the template must keep."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.environment import ROOT

pytestmark = pytest.mark.infra
VALIDATOR = ROOT / "node_modules" / ".bin" / "asl-validator"
ASL_FILES = sorted((ROOT / "infra" / "statemachines").glob("*.asl.json"))


def test_cfn_lint_reports_no_errors():
    cfn_lint = Path(shutil.which("cfn-lint") or ROOT / ".venv/bin/cfn-lint")
    result = subprocess.run([str(cfn_lint), "--format", "parseable", str(ROOT / "template.yaml")],
                            capture_output=True, text=True)
    errors = [line for line in result.stdout.splitlines() if ":E" in line]
    assert not errors, "\n".join(errors)


def _validate(definition_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(VALIDATOR), "--json-path", str(definition_path)], capture_output=True, text=True)


def test_the_validator_rejects_a_broken_definition(tmp_path):
    """The validator itself works: a state pointing nowhere is refused."""
    broken = tmp_path / "broken.asl.json"
    broken.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}))
    assert _validate(broken).returncode != 0


@pytest.mark.parametrize("definition", ASL_FILES, ids=[p.name for p in ASL_FILES])
def test_state_machine_definitions_are_valid_asl(definition):
    # DefinitionSubstitutions (${Name}) are resolved by SAM; the validator sees placeholders as strings.
    result = _validate(definition)
    assert result.returncode == 0, result.stdout + result.stderr


def test_state_machines_use_definition_files_not_inline():
    from infra.local.cfn import load_yaml

    resources = load_yaml((ROOT / "template.yaml").read_text())["Resources"]
    for name, resource in resources.items():
        if resource["Type"] == "AWS::Serverless::StateMachine":
            props = resource["Properties"]
            assert "DefinitionUri" in props and "Definition" not in props, name
            assert (ROOT / props["DefinitionUri"]).is_file(), name


def test_every_queue_consumer_has_a_dead_letter_path():
    """Faults are retried or parked: every SQS source queue has a RedrivePolicy, every stream
    source an OnFailure destination."""
    from infra.local.cfn import load_yaml

    resources = load_yaml((ROOT / "template.yaml").read_text())["Resources"]
    for name, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event_name, event in (resource["Properties"].get("Events") or {}).items():
            if event["Type"] == "SQS":
                queue = event["Properties"]["Queue"]
                queue_id = queue["Fn::GetAtt"][0] if isinstance(queue, dict) else queue.split(".")[0]
                assert "RedrivePolicy" in resources[queue_id]["Properties"], f"{name}.{event_name}"
                assert "ReportBatchItemFailures" in event["Properties"].get("FunctionResponseTypes", []), name
            if event["Type"] in ("DynamoDB", "Kinesis"):
                assert event["Properties"].get("DestinationConfig", {}).get("OnFailure"), f"{name}.{event_name}"


def test_every_function_handler_file_exists():
    from infra.local.template import load_model

    model = load_model(ROOT / "template.yaml", stack_name="lint")
    for fn in model.functions.values():
        module = fn.handler.split(".")[0]
        assert (ROOT / fn.code_uri / f"{module}.py").is_file(), fn.logical_id
