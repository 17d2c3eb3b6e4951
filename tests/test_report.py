"""The `report` command (v1.1 §V.12): what it reads, what it shows, what it refuses.

Hand-made packs pin the view's mapping from artifact fields to figures; runs of the real
collector pin that it reads what the collector and the real epack write; the canaried
estate proves the report shows nothing the artifacts do not hold.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from collector.report import ReportInputError, build_view, load_pack, render_html, render_terminal
from collector.report.command import run_report
from collector.report.view import NO_VALUE, label
from tests.conftest import collected
from tests.epack_tools import console_script, make_pack, tool
from tests.runner import base_config, epack_env, run_collector
from tests.simulator import Simulator
from tests.tenants.azure_estate import S1, S2
from tests.tenants.full import full_estate
from tests.test_resilience import BREAK_GLASS, CA_GROUP, canary_scenario

SUB_A = "aaaaaaaa-0000-0000-0000-000000000001"
SUB_B = "bbbbbbbb-0000-0000-0000-000000000002"


def entra_doc(**blocks: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema_version": "1.1.0",
        "collected_at": "2026-12-01T10:00:00Z",
        "collected_at_level": "audit",
        "tenant_id": "11111111-1111-1111-1111-111111111111",
        "org_domain": "contoso.example",
        "posture": {
            "mfa_coverage": 80,
            "mfa_phishing_resistant": None,
            "sso_coverage": 0,
            "denominator_enabled_member_users": 5,
        },
        "conditional_access": {"mfa_enforced_members_pct": 60, "session_lifetime_max_min": 480},
        "diagnostics": {
            "tenant_errors": [],
            "subscription_errors": [],
            "warnings": ["Sign-in logs unavailable: licence"],
            "truncation": {
                "sign_in_monitoring/top_failure_codes": {"truncated": True, "dropped_count": 3}
            },
            "license": {"entra_tier": "free", "capabilities_unavailable": ["sign_in_logs"]},
            "completeness": {"surfaces_expected": 40, "surfaces_collected": 30, "pct": 75},
            "unavailable": [
                {"scope": "tenant", "surface": "G5", "reason": "licence", "fix": "Buy P1."},
                {"scope": SUB_B, "surface": "A20", "reason": "not_offered", "fix": "Nothing."},
            ],
            "permissions": {"read_only": True, "graph_roles_missing": []},
        },
    }
    document.update(blocks)
    return document


def azure_doc() -> dict[str, Any]:
    return {
        "schema_version": "1.1.0",
        "collected_at": "2026-12-01T10:00:00Z",
        "collected_at_level": "audit",
        "accounts": [
            {
                "account_id": SUB_A,
                "defender": {"secure_score_pct": 71, "servers_plan_enabled": True},
                "backup": {"retention_days_min": 7},
                "network": {"ssh_open_to_world_pct": 25},
            },
            {"account_id": SUB_B, "defender": {"secure_score_pct": None}},
        ],
    }


def write_pack(directory: Path, **documents: dict[str, Any]) -> Path:
    """A directory holding artifacts/ as a pack does (names as the collector writes them)."""
    (directory / "artifacts").mkdir(parents=True)
    for kind, document in documents.items():
        name = kind.replace("_", "-")
        (directory / "artifacts" / f"microsoft-cloud.{name}.json").write_text(json.dumps(document))
    return directory


def headline(view: Any, name: str) -> tuple[str, int | None]:
    found = next(h for h in view.headlines if h.label == name)
    return found.cell.text, found.cell.pct


def test_headlines_read_the_entra_artifact(tmp_path: Path) -> None:
    view = build_view(load_pack(write_pack(tmp_path, entra=entra_doc())))
    assert headline(view, "MFA registered") == ("80%", 80)
    assert headline(view, "MFA enforced") == ("60%", 60)
    assert headline(view, "SSO coverage") == ("0%", 0)  # a zero is a value, not a gap
    assert headline(view, "Phishing-resistant MFA registered") == (NO_VALUE, None)  # null
    assert headline(view, "Legacy authentication blocked") == (NO_VALUE, None)  # absent
    assert view.completeness is not None and view.completeness.text == "75%"
    assert view.completeness_detail == "30 of 40 surfaces collected"


def test_headlines_fall_back_to_the_idp_posture_artifact(tmp_path: Path) -> None:
    idp = {
        "schema_version": "1.0.0",
        "collected_at": "2026-12-01T10:00:00Z",
        "provider": "entra",
        "user_security": {"mfa_coverage_pct": 55},
        "app_security": {"sso_coverage_pct": 90},
    }
    view = build_view(load_pack(write_pack(tmp_path, idp_posture=idp)))
    assert headline(view, "MFA registered") == ("55%", 55)
    assert headline(view, "SSO coverage") == ("90%", 90)
    assert headline(view, "MFA enforced") == (NO_VALUE, None)  # only the entra artifact has it
    assert view.completeness is None and view.entra_sections == ()


def test_sections_grids_and_diagnostics(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, entra=entra_doc(), azure=azure_doc())
    view = build_view(load_pack(pack))
    posture = next(s for s in view.entra_sections if s.title == "Posture")
    rows = {row.label: row.cell for row in posture.rows}
    assert rows["MFA coverage"].text == "80%"
    assert rows["Denominator enabled member users"].text == "5"  # a count, not a percentage
    assert rows["Denominator enabled member users"].pct is None
    ca = next(s for s in view.entra_sections if s.title == "Conditional access")
    assert [(r.label, r.cell.text) for r in ca.rows] == [
        ("MFA enforced members", "60%"),
        ("Session lifetime (max, minutes)", "480"),
    ]
    summary = view.subscription_summary
    assert summary is not None
    assert [row[0] for row in summary.rows] == [SUB_A, SUB_B]
    column = summary.columns.index("Secure score")
    assert [row[1][column].text for row in summary.rows] == ["71%", NO_VALUE]
    backup = summary.columns.index("Backup retention days (min)")
    assert [row[1][backup].text for row in summary.rows] == ["7", NO_VALUE]  # block absent
    defender = next(g for g in view.azure_grids if g.title == "Defender")
    assert defender.columns == ("Secure score", "Servers plan enabled")
    assert [[c.text for c in cells] for _, cells in defender.rows] == [
        ["71%", "yes"],
        [NO_VALUE, NO_VALUE],  # SUB_B's block lacks the field
    ]
    assert [(u.scope, u.surface, u.reason, u.fix) for u in view.unavailable] == [
        ("tenant", "G5", "licence", "Buy P1."),
        (SUB_B, "A20", "not offered", "Nothing."),
    ]
    notes = {row.label: row.cell.text for row in view.notes}
    assert notes == {
        "Entra licence tier": "free",
        "Capabilities unavailable": "sign_in_logs",
        "Read-only access": "yes",
        "Truncated: sign_in_monitoring/top_failure_codes": "3",
    }
    assert view.warnings == ("Sign-in logs unavailable: licence",)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("mfa_enforced_privileged_pct", "MFA enforced privileged"),
        ("min_tls12_pct", "Min TLS 1.2"),
        ("retention_days_min", "Retention days (min)"),
        ("idle_timeout_max_min", "Idle timeout (max, minutes)"),
        ("expiring_7d_count", "Expiring (7 days) count"),
        ("le_30", "≤ 30"),
    ],
)
def test_labels(key: str, expected: str) -> None:
    assert label(key) == expected


def test_out_of_range_and_odd_values_are_shown_not_trusted(tmp_path: Path) -> None:
    entra = entra_doc(
        posture={"mfa_coverage": 150, "sso_coverage": "80", "mfa_phishing_resistant": -5},
        users="not a block",
    )
    view = build_view(load_pack(write_pack(tmp_path, entra=entra)))
    assert headline(view, "MFA registered") == ("150%", 100)  # the bar stays in its track
    assert headline(view, "SSO coverage") == ("80", None)  # a string is text, never a bar
    assert headline(view, "Phishing-resistant MFA registered") == ("-5%", 0)
    assert "Users" not in [s.title for s in view.entra_sections]


class Markup(HTMLParser):
    """Every element and attribute of a page, and the text of its style sheets."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.styles = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes |= {name for name, _ in attrs}
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles += data


def test_html_escapes_every_value_and_loads_nothing(tmp_path: Path) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    entra = entra_doc(authorization={"guest_invites_from": hostile, f"{hostile}_pct": 5})
    entra["diagnostics"]["warnings"] = [hostile]
    page = render_html(build_view(load_pack(write_pack(tmp_path, entra=entra))))
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    parsed = Markup()
    parsed.feed(page)
    assert not parsed.tags & {"script", "img", "link", "iframe", "object", "embed", "base"}
    assert not {"src", "href", "srcset", "action"} & parsed.attributes
    assert not [name for name in parsed.attributes if name.startswith("on")]
    assert "url(" not in parsed.styles and "@import" not in parsed.styles
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_terminal_prints_markup_literally(tmp_path: Path) -> None:
    entra = entra_doc()
    entra["diagnostics"]["unavailable"][0]["fix"] = "[bold red]grant[/] it"
    out = io.StringIO()
    render_terminal(build_view(load_pack(write_pack(tmp_path, entra=entra))), out, width=120)
    text = out.getvalue()
    assert "tenant G5 (licence): [bold red]grant[/] it" in text
    assert "MFA registered" in text and "80%" in text
    assert "Evidence completeness (30 of 40 surfaces collected)" in text
    assert "Not collected (2):" in text


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.epack", "no such file or directory"),
        (lambda d: (d / "notes.txt").write_text("hi") and d / "notes.txt", "neither an epack pack"),
        (lambda d: d, "does not contain an artifacts/ directory"),
        (
            lambda d: (d / "artifacts").mkdir() or d / "artifacts",
            "does not contain an artifacts/ directory; give its parent directory",
        ),
        (
            lambda d: _zip(d / "p.epack", {"manifest.json": b"{}", "artifacts/x.json": b"{}"}),
            "holds no microsoft-cloud artifacts",
        ),
        (
            lambda d: _zip(d / "p.epack", {"artifacts/microsoft-cloud.entra.json": b"{nope"}),
            "artifacts/microsoft-cloud.entra.json is not valid JSON",
        ),
        (
            lambda d: _zip(d / "p.epack", {"artifacts/microsoft-cloud.azure.json": b"[1]"}),
            "artifacts/microsoft-cloud.azure.json is not a JSON object",
        ),
        (
            lambda d: _zip(
                d / "p.epack",
                {"artifacts/microsoft-cloud.azure.json": b"{}", "manifest.json": b"nope"},
            ),
            "manifest.json is not valid JSON",
        ),
    ],
    ids=[
        "missing",
        "not-a-pack",
        "no-artifacts",
        "artifacts-itself",
        "foreign",
        "bad-json",
        "not-object",
        "bad-manifest",
    ],
)
def test_invalid_input_exits_2_and_names_the_fix(
    tmp_path: Path, make: Any, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = make(tmp_path)
    with pytest.raises(ReportInputError):
        load_pack(target)
    assert run_report([str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and message in captured.err, captured.err


def test_output_into_a_missing_directory_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = write_pack(tmp_path / "pack", entra=entra_doc())
    assert run_report([str(pack), "-o", str(tmp_path / "nowhere" / "r.html")]) == 2
    assert "is not a directory" in capsys.readouterr().err
    assert not (tmp_path / "nowhere").exists()


def test_usage_errors_and_help_from_the_console_script(tmp_path: Path) -> None:
    script = str(console_script())
    no_pack = subprocess.run([script, "report"], capture_output=True, text=True, timeout=60)
    assert no_pack.returncode == 2 and "PACK" in no_pack.stderr
    helped = subprocess.run(
        [script, "report", "--help"], capture_output=True, text=True, timeout=60
    )
    assert helped.returncode == 0 and "self-contained HTML" in helped.stdout
    usage = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    assert "report <pack.epack | directory> [-o FILE]" in usage.stdout


def artifacts_dir(run: Any, directory: Path) -> Path:
    """The run's artifacts as a pack holds them: the `data` of each, at its path."""
    (directory / "artifacts").mkdir(parents=True)
    for entry in run.envelope["artifacts"]:
        (directory / entry["path"]).write_text(json.dumps(entry["data"]))
    return directory


def test_report_of_a_real_run_shows_its_figures(tmp_path: Path) -> None:
    with Simulator(full_estate()) as sim:
        run = collected(
            base_config(sim, subscription_ids=[S1, S2], level="internal"), epack_env(sim)
        )
    entra = run.artifact("entra.json")
    assert entra is not None
    view = build_view(load_pack(artifacts_dir(run, tmp_path)))
    assert headline(view, "MFA registered")[0] == f"{entra['posture']['mfa_coverage']}%"
    assert headline(view, "MFA enforced")[0] == (
        f"{entra['conditional_access']['mfa_enforced_members_pct']}%"
    )
    summary = view.subscription_summary
    assert summary is not None and [row[0] for row in summary.rows] == [S1, S2]
    assert view.completeness_detail == (
        f"{entra['diagnostics']['completeness']['surfaces_collected']} of "
        f"{entra['diagnostics']['completeness']['surfaces_expected']} surfaces collected"
    )
    # every block of the vendor artifacts has its section
    titles = {s.title for s in view.entra_sections} | {g.title for g in view.azure_grids}
    assert {"Conditional access", "App credentials", "Identity", "Key Vault"} <= titles


def test_report_reads_the_pack_the_real_epack_wrote(tmp_path: Path) -> None:
    epack = tool("EPACK_BIN")
    with Simulator(full_estate()) as sim:
        pack = make_pack(epack, console_script(), sim, base_config(sim, subscription_ids=[S1]))
    try:
        with zipfile.ZipFile(pack) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            entra = json.loads(archive.read("artifacts/microsoft-cloud.entra.json"))
        view = build_view(load_pack(pack))
        facts = {row.label: row.cell.text for row in view.facts}
        assert facts["Pack digest"] == manifest["pack_digest"]
        assert facts["Pack generated at"] == manifest["generated_at"]
        assert headline(view, "MFA registered")[0] == f"{entra['posture']['mfa_coverage']}%"
        output = tmp_path / "report.html"
        result = subprocess.run(
            [str(console_script()), "report", str(pack), "-o", str(output)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"wrote {output}\n"
        assert manifest["pack_digest"] in output.read_text()
    finally:
        shutil.rmtree(pack.parent)


def test_the_binary_renders_reports_too(tmp_path: Path) -> None:
    """The single-file binary bundles the templates, Jinja2 and rich."""
    binary = tool("COLLECTOR_BINARY")
    pack = write_pack(tmp_path / "pack", entra=entra_doc(), azure=azure_doc())
    summary = subprocess.run(
        [str(binary), "report", str(pack)], capture_output=True, text=True, timeout=120
    )
    assert summary.returncode == 0, summary.stderr
    assert "MFA registered" in summary.stdout and SUB_A in summary.stdout
    page = tmp_path / "r.html"
    written = subprocess.run(
        [str(binary), "report", str(pack), "-o", str(page)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert written.returncode == 0, written.stderr
    assert page.read_text().startswith("<!DOCTYPE html>") and "80%" in page.read_text()


def test_the_report_of_the_canaried_estate_holds_no_canary(tmp_path: Path) -> None:
    with Simulator(canary_scenario()) as sim:
        run = run_collector(
            base_config(
                sim,
                subscription_ids=[S1, S2],
                level="internal",
                emergency_access_accounts=[BREAK_GLASS],
            ),
            epack_env(sim),
        )
    assert run.returncode == 0, run.stderr
    pack = artifacts_dir(run, tmp_path / "pack")
    page = tmp_path / "report.html"
    summary = subprocess.run(
        [sys.executable, "-m", "collector", "report", str(pack)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run_report([str(pack), "-o", str(page)]) == 0
    shown = summary.stdout + summary.stderr + page.read_text()
    assert summary.returncode == 0 and "MFA registered" in shown
    assert "CANARY" not in shown.upper()
    assert "secret" not in shown.lower()  # every resource and group name in the estate
    for join_key in (BREAK_GLASS, CA_GROUP):
        assert join_key not in shown.lower()
