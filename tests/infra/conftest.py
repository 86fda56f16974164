"""Infra tests: the app is synthesized once per session (cdk-nag runs on that synth)."""

from __future__ import annotations

import json
import os

import pytest
from infra_synth import Synth

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    from infra.app import build_app
    from infra.config import cdk_json_context

    outdir = tmp_path_factory.mktemp("cdk.out")
    app = build_app(outdir=outdir)  # cdk.json context only: the same as `python infra/app.py`
    app.synth()  # raises if any cdk-nag finding is not acknowledged
    context = cdk_json_context()
    stack_name = f"SatCcf-{context['stage']}"
    template = json.loads((outdir / f"{stack_name}.template.json").read_text(encoding="utf-8"))
    return Synth(outdir=outdir, stack_name=stack_name, template=template, context=context)


@pytest.fixture(scope="session")
def template(synth: Synth):  # type: ignore[no-untyped-def]
    from aws_cdk.assertions import Template

    return Template.from_json(synth.template)
