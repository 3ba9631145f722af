"""The `partnerdesk` command: exit codes, one-line errors, keys alone on stdout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from partnerdesk import cli
from partnerdesk.accounts.models import ApiKey, Reseller
from partnerdesk.accounts.selectors import apikey_authenticate

PARTNERDESK = [sys.executable, "-m", "partnerdesk.cli"]


def run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = os.environ | {"PARTNERDESK_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(PARTNERDESK + args, capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["serve", "--help"],
        ["demo", "--help"],
        ["reseller", "create", "--help"],
        ["apikey", "create", "--help"],
        ["--help"],
    ],
    ids=["bare", "serve", "demo", "reseller", "apikey", "top"],
)
def test_help(args, tmp_path):
    result = run(args or ["--help"], tmp_path)
    assert result.returncode == 0
    assert "usage: partnerdesk" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["serve", "--port", "eighty"],
        ["reseller", "create", "--name", "X"],
        ["apikey", "create"],
        ["apikey", "create", "--vendor", "--reseller", "X"],
        [],
    ],
    ids=["unknown-command", "bad-port", "missing-args", "no-scope", "two-scopes", "no-command"],
)
def test_bad_arguments_exit_2_with_one_line(args, tmp_path):
    result = run(args, tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("partnerdesk")
    assert result.stdout == ""


def test_create_reseller_and_key_in_a_real_process(tmp_path):
    created = run(
        [
            "reseller",
            "create",
            "--name",
            "Isar Systemhaus GmbH",
            "--country",
            "DE",
            "--admin-email",
            "owner@isar.example",
            "--discount",
            "20",
        ],
        tmp_path,
    )
    assert created.returncode == 0, created.stderr
    assert "Isar Systemhaus GmbH" in created.stdout
    key = run(["apikey", "create", "--reseller", "Isar Systemhaus GmbH"], tmp_path)
    assert key.returncode == 0, key.stderr
    assert key.stdout.startswith("pd_") and len(key.stdout.strip().splitlines()) == 1
    failed = run(
        [
            "reseller",
            "create",
            "--name",
            "Isar Systemhaus GmbH",
            "--country",
            "DE",
            "--admin-email",
            "owner@isar.example",
        ],
        tmp_path,
    )
    assert failed.returncode == 1
    assert failed.stderr.strip() == "partnerdesk: A reseller named 'Isar Systemhaus GmbH' already exists. (name)"


# In-process, on the test database ----------------------------------------------------------


@pytest.mark.django_db
def test_reseller_create_with_parent(capsys):
    assert (
        cli.main(
            [
                "reseller",
                "create",
                "--name",
                "Nordwind Distribution GmbH",
                "--country",
                "DE",
                "--admin-email",
                "owner@nordwind.example",
                "--discount",
                "25",
            ]
        )
        == 0
    )
    assert (
        cli.main(
            [
                "reseller",
                "create",
                "--name",
                "Polder IT B.V.",
                "--country",
                "NL",
                "--admin-email",
                "owner@polder.example",
                "--parent",
                "Nordwind Distribution GmbH",
                "--vat-id",
                "NL004495445B01",
            ]
        )
        == 0
    )
    assert Reseller.objects.get(name="Polder IT B.V.").parent.name == "Nordwind Distribution GmbH"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--discount", "150"], "between 0 and 100"),
        (["--country", "Germany"], "country code"),
        (["--vat-id", "DE123"], "VAT ID"),
        (["--parent", "Nobody GmbH"], "No such reseller"),
    ],
    ids=["discount", "country", "vat", "parent"],
)
def test_reseller_create_refusals(capsys, args, message):
    base = ["reseller", "create", "--name", "X GmbH", "--country", "DE", "--admin-email", "x@x.example"]
    assert cli.main(base + args) == 1
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not Reseller.objects.exists()


@pytest.mark.django_db
def test_apikey_create_prints_only_the_key(capsys, reseller):
    assert cli.main(["apikey", "create", "--vendor"]) == 0
    key = capsys.readouterr().out.strip()
    stored = apikey_authenticate(key)
    assert stored is not None and stored.is_vendor
    assert cli.main(["apikey", "create", "--reseller", "Nobody"]) == 1
    assert "no reseller named 'Nobody'" in capsys.readouterr().err
    assert ApiKey.objects.count() == 1


@pytest.mark.django_db
def test_apikey_list_and_revoke(capsys, reseller):
    assert cli.main(["apikey", "create", "--reseller", reseller.name, "--name", "erp"]) == 0
    key = capsys.readouterr().out.strip()
    assert cli.main(["apikey", "list"]) == 0
    listing = capsys.readouterr().out
    assert key[:11] in listing and "erp" in listing and key not in listing
    assert cli.main(["apikey", "revoke", key[:11]]) == 0
    assert apikey_authenticate(key) is None
    assert cli.main(["apikey", "revoke", "pd_nothing"]) == 1
