"""CDK entry point.

    npx cdk synth                      # the CLI runs this file (cdk.json "app")
    .venv/bin/python infra/app.py      # offline, same context (cdk.json is read here), -> cdk.out/

Both write cdk.out/SatCcf-<stage>.template.json. cdk-nag runs on every synth and synthesis fails
while any finding is not acknowledged in infra/nag_acknowledgments.py.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

_REPO_ROOT = Path(__file__).resolve().parent.parent
if str(_REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(_REPO_ROOT))

from aws_cdk import App, Validations  # noqa: E402
from cdk_nag import AwsSolutionsChecks, ServerlessChecks  # noqa: E402

from infra.config import StageConfig, cdk_json_context  # noqa: E402
from infra.nag_acknowledgments import acknowledge  # noqa: E402
from infra.stack import SatCcfStack, stack_name  # noqa: E402

DEFAULT_OUTDIR = _REPO_ROOT / "cdk.out"
# What the CDK CLI derives from cdk.json's "assetMetadata"/"pathMetadata"/"versionReporting" (the CLI
# rejects "aws:" keys inside "context"). Set here too so `python infra/app.py` synthesizes the same
# template: the local runtime finds each function's code through the aws:asset:path metadata.
CLI_EQUIVALENT_CONTEXT = {
    "aws:cdk:enable-asset-metadata": True,
    "aws:cdk:enable-path-metadata": True,
    "aws:cdk:version-reporting": False,
}


def build_app(outdir: str | os.PathLike[str] | None = None, context_overrides: Mapping[str, Any] | None = None) -> App:
    """Build the app (not yet synthesized).

    Context precedence, lowest first: CLI_EQUIVALENT_CONTEXT, cdk.json "context", the CDK CLI's
    context (CDK_CONTEXT_JSON, e.g. `-c stage=prod`), then `context_overrides`. `outdir` defaults to
    the CLI's CDK_OUTDIR, else cdk.out/ at the repository root.
    """
    if outdir is None and not os.environ.get("CDK_OUTDIR"):
        outdir = DEFAULT_OUTDIR
    app = App(
        outdir=str(outdir) if outdir is not None else None,
        context={**CLI_EQUIVALENT_CONTEXT, **cdk_json_context()},
        post_cli_context=dict(context_overrides or {}),
    )
    config = StageConfig.from_node(app.node)
    stack = SatCcfStack(app, stack_name(config.stage), config=config)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    acknowledge(stack)
    return app


def main() -> None:
    build_app().synth()


if __name__ == "__main__":
    main()
