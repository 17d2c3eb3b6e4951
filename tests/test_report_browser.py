"""The report page in a real browser: headless Chromium opens it from a file URL with the
network emulated offline, and the test reads what rendered and every request it made.

`make test` installs Debian's chromium when missing and names it in CHROMIUM_BIN; without it
this test skips, and with a path that is not there it fails. The screenshot is kept as a CI
artifact in build/ci-artifacts/; with UPDATE_SCREENSHOT=1 it also replaces the README's.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image

from collector.report import build_view, load_pack, render_html
from tests.browser import visit
from tests.conftest import collected
from tests.epack_tools import tool
from tests.runner import REPO, base_config, epack_env
from tests.simulator import Simulator
from tests.tenants.azure_estate import S1, S2
from tests.tenants.full import full_estate
from tests.test_report import artifacts_dir

KEPT = REPO / "build" / "ci-artifacts" / "report-screenshot.png"
README_IMAGE = REPO / "docs" / "images" / "report.png"


def _page(directory: Path) -> tuple[Path, list[str]]:
    """The demo estate's report page, and the headline texts it must show."""
    with Simulator(full_estate()) as sim:
        run = collected(
            base_config(sim, subscription_ids=[S1, S2], level="internal"), epack_env(sim)
        )
    view = build_view(load_pack(artifacts_dir(run, directory / "pack")))
    page = directory / "report.html"
    page.write_text(render_html(view))
    figures = [h.label for h in view.headlines] + [h.cell.text for h in view.headlines]
    return page, [*figures, "Evidence completeness", S1, S2]


def test_the_page_renders_offline_with_zero_network_requests(tmp_path: Path) -> None:
    browser = tool("CHROMIUM_BIN")
    page, figures = _page(tmp_path)
    url = page.as_uri()
    seen = visit(browser, url)
    assert seen.requests == [url]  # the document itself, and nothing else
    for figure in figures:
        assert figure in seen.text, figure
    image = Image.open(io.BytesIO(seen.screenshot)).convert("RGB")
    assert image.size == (1280, 1400)
    colours = image.getcolors(maxcolors=1 << 20) or []
    background = max(colours)[1]
    inked = sum(count for count, colour in colours if colour != background)
    assert len(colours) > 50 and inked > 0.05 * image.width * image.height  # not blank
    KEPT.parent.mkdir(parents=True, exist_ok=True)
    KEPT.write_bytes(seen.screenshot)
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        README_IMAGE.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(KEPT, README_IMAGE)


def test_the_request_log_sees_what_a_page_loads(tmp_path: Path) -> None:
    """The control: the same recorder does see a page's outside references."""
    browser = tool("CHROMIUM_BIN")
    page = tmp_path / "control.html"
    page.write_text(
        '<!DOCTYPE html><link rel="stylesheet" href="https://cdn.example/site.css">'
        '<img src="http://192.0.2.1/pixel.png"><p>control</p>'
    )
    seen = visit(browser, page.as_uri())
    assert seen.requests[0] == page.as_uri()
    assert set(seen.requests[1:]) == {"https://cdn.example/site.css", "http://192.0.2.1/pixel.png"}
    assert "control" in seen.text


def test_the_readme_shows_the_screenshot() -> None:
    assert (
        "![" in (REPO / "README.md").read_text()
        and "docs/images/report.png" in (REPO / "README.md").read_text()
    )
    with Image.open(README_IMAGE) as image:
        assert image.size == (1280, 1400)


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
