"""cfn-lint passes on the synthesized template."""

from __future__ import annotations

from cfnlint.api import ManualArgs, lint_file
from infra_synth import Synth

# W3005 (redundant DependsOn) is emitted for DependsOn that aws-cdk-lib itself adds (Lambda function
# on its role); it is harmless and not under our control.
IGNORED = ["W3005"]


def test_cfn_lint_has_no_findings(synth: Synth) -> None:
    path = synth.outdir / f"{synth.stack_name}.template.json"
    matches = lint_file(path, config=ManualArgs(ignore_checks=IGNORED, regions=["us-east-1"]))
    assert [str(m) for m in matches] == []
