"""The platform report page, rendered in a real browser: headless Chromium (Debian package `chromium`,
installed by `make tools`) loads the file, and the test reads the DOM it built and its screenshot."""

from __future__ import annotations

import shutil
import struct
import subprocess
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from goldenpath.cost.render import money
from goldenpath.extensions import load_extensions
from goldenpath.gate import run_gate
from goldenpath.report.page import write_page
from goldenpath.tenancy.catalog import catalog_for
from tests.conftest import REPO

TODAY = date(2026, 11, 29)


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:  # fail loudly: a browser check that cannot run is not a pass
        pytest.fail("chromium is not installed: `make tools` installs the Debian package chromium")
    return found


def browse(page: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--allow-file-access-from-files", *flags, page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=True)


class Dom(HTMLParser):
    """What the browser's DOM says: stack names, the totals card, budgets, and any external reference."""

    def __init__(self) -> None:
        super().__init__()
        self.stacks: list[str] = []
        self.graph_nodes: list[str] = []
        self.external: list[str] = []
        self._capture: str | None = None
        self.texts: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("src", "href"):
            if attributes.get(name) and not attributes[name].startswith("#"):
                self.external.append(f"{tag} {name}={attributes[name]}")
        if tag == "link" or (tag == "script" and "src" in attributes):
            self.external.append(tag)
        if attributes.get("class") == "stack":
            self._capture = "stack"
        if tag == "g" and attributes.get("data-stack"):
            self.graph_nodes.append(attributes["data-stack"])
        if attributes.get("id") in ("total-expected", "gate-totals", "stack-count"):
            self._capture = attributes["id"]
            self.texts[self._capture] = ""

    def handle_endtag(self, tag):
        if tag in ("span", "div", "p", "b"):
            self._capture = None if self._capture == "stack" or tag in ("div", "p") else self._capture

    def handle_data(self, data):
        if self._capture == "stack":
            self.stacks.append(data)
        elif self._capture:
            self.texts[self._capture] += data


@pytest.fixture(scope="module")
def report(bundled_environments, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    gate = run_gate(bundled_environments, out / "cdktf.out", REPO, load_extensions(REPO),
                    catalog_for(REPO, bundled_environments), TODAY)
    return gate, write_page(gate, out / "platform")


def test_the_browser_shows_every_stack_and_the_totals(report):
    gate, page = report
    dom = Dom()
    dom.feed(browse(page, "--dump-dom").stdout)
    assert sorted(dom.stacks) == sorted(gate.synth.stacks) == sorted(dom.graph_nodes)
    assert len(dom.stacks) == 24  # 3 environments x (ci, network, cluster, observability, platform, tenants, 2 teams)
    assert money(gate.cost.total("expected")) in dom.texts["total-expected"]
    assert dom.texts["stack-count"].strip() == "24"
    assert f"{len(gate.checkov.passed)} passed, 0 failed, {len(gate.checkov.suppressed)} suppressed" in dom.texts["gate-totals"]
    assert dom.external == []  # no CDN, no external asset: the page works offline


def test_page_sections_and_escaping(report):
    gate, page = report
    text = page.read_text()
    for environment in gate.environments:
        assert f'id="env-{environment.name}"' in text and f'data-env="{environment.name}"' in text
    assert "within budget" in text and "previews.max_monthly_usd (each preview&#x27;s quota share)" in text
    assert "Suppressions (accepted, with owner and reason)" in text
    assert '<ul id="sandbox-tiers"><li>dev/experiments (aws): worst case 0.2045/h x 48 h = 9.81' in text
    assert gate.support.problems == [] and len(gate.support.lines) == 3
    assert '<ul id="kubernetes-support"><li>dev (1.36, support_type EXTENDED): standard support until 2027-08-02 (246 days)' in text
    assert "storefront-web" in text and "Alert routing per team" in text and "https://events.pagerduty.com" in text
    assert 'data-from="dev-network" data-to="dev-cluster"' in text  # edges come from the manifest
    assert "<script" not in text


def test_screenshot(report, tmp_path):
    _, page = report
    shot = tmp_path / "report.png"
    browse(page, "--window-size=1280,1600", f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 1600) and len(data) > 50_000  # a drawn page, not a blank one
