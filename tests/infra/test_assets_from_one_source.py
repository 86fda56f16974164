"""Assets built from one committed source: the portal's carries the CCF guide and its samples (decision 0109), the
catalog's the OpenAPI document (decision 0110). The symlinks are followed at synth, so deployed functions read
real files."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_portal_asset_holds_the_guide_and_samples_as_files(synth) -> None:
    name = f"sat-ccf-{synth.context['stage']}-portal"
    functions = synth.of_type("AWS::Lambda::Function").values()
    (resource,) = [r for r in functions if r["Properties"]["FunctionName"] == name]
    guide_dir = synth.outdir / resource["Metadata"]["aws:asset:path"] / "portal" / "guia"
    guide = guide_dir / "guia-servicios-web.md"
    assert guide.is_file() and not guide.is_symlink()
    assert guide.read_bytes() == (REPO / "docs/guia-servicios-web.md").read_bytes()
    for sample in ("python/sat_ccf_client.py", "node/sat-ccf-client.mjs"):
        copied = guide_dir / "ejemplos" / sample
        assert copied.is_file() and not copied.is_symlink(), sample
        assert copied.read_bytes() == (REPO / "examples/guide" / sample).read_bytes()


def test_the_catalog_asset_serves_the_one_committed_openapi_document(synth) -> None:
    """docs/openapi.json is the only committed copy (decision 0110); the catalog function's asset gets it at synth."""
    assert (REPO / "functions/catalog/openapi.json").is_symlink()
    name = f"sat-ccf-{synth.context['stage']}-catalog"
    functions = synth.of_type("AWS::Lambda::Function").values()
    (resource,) = [r for r in functions if r["Properties"]["FunctionName"] == name]
    served = synth.outdir / resource["Metadata"]["aws:asset:path"] / "catalog" / "openapi.json"
    assert served.is_file() and not served.is_symlink()
    assert served.read_bytes() == (REPO / "docs/openapi.json").read_bytes()
