"""The per-service Swagger UI page renders in a real headless browser (Chromium, Debian's package).

The page comes from the catalog function (GET /ccfs/{nit}/services/{serviceId}/docs, on moto in-process)
and is opened from a file: no network, the assets are inlined. CI installs Chromium
(`apt-get install -y chromium`); the test is skipped only when /usr/bin/chromium is absent.
"""

import subprocess
from pathlib import Path

import pytest

from tests.integration.catalog_support import (
    FREE_CCFS,
    aws_resources,  # noqa: F401 (the "aws" fixture)
    call,
    create_services,
    person,
    ready_ccf,
)
from tests.integration.conftest import moto  # noqa: F401 (fixture)

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Chromium is not installed (/usr/bin/chromium); CI installs it: apt-get install -y chromium",
)


def dump_dom(page: Path, profile: Path) -> str:
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page.as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_service_swagger_page_renders_the_operation(aws, tmp_path):
    nit = FREE_CCFS[2]
    create_services("CC-79000005")
    ccf = ready_ccf(nit, "CC-79000005", person(40), ["solicitud-afiliacion"])
    reply = call(
        "GET",
        f"/ccfs/{nit}/services/solicitud-afiliacion/docs",
        username=ccf.authorized,
        resource="/ccfs/{nit}/services/{serviceId}/docs",
        path_parameters={"nit": nit, "serviceId": "solicitud-afiliacion"},
    )
    assert reply.status == 200
    page = tmp_path / "docs.html"
    page.write_text(reply.body, encoding="utf-8")
    dom = dump_dom(page, tmp_path / "profile")
    # Swagger UI built its DOM from the inlined document: the operation block, its path and summary.
    assert 'class="swagger-ui' in dom
    assert "opblock-post" in dom
    assert "/sat/solicitud-afiliacion" in dom
    assert "Consultar la solicitud de afiliación de un trámite" in dom
    assert "SERVICIO SOLICITUD AFILIACION" in dom  # info.title
