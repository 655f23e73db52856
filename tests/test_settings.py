"""The settings helpers fail loudly on bad values; the embedded database keeps live holders."""

from __future__ import annotations

import json

import pytest

from workbench import embedded_db
from workbench.settings import _database_from_url, envbool, envint, envlist


@pytest.mark.parametrize("raw", ["1", "true", "YES", " on "])
def test_it_reads_true_booleans(monkeypatch, raw):
    monkeypatch.setenv("WB_FLAG", raw)
    assert envbool("WB_FLAG", "false") is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off", ""])
def test_it_reads_false_booleans(monkeypatch, raw):
    monkeypatch.setenv("WB_FLAG", raw)
    assert envbool("WB_FLAG", "true") is False


def test_it_uses_the_boolean_default_when_unset(monkeypatch):
    monkeypatch.delenv("WB_FLAG", raising=False)
    assert envbool("WB_FLAG", "true") is True


def test_it_raises_on_a_bad_boolean(monkeypatch):
    monkeypatch.setenv("WB_FLAG", "maybe")
    with pytest.raises(ValueError, match="WB_FLAG must be a boolean"):
        envbool("WB_FLAG", "false")


def test_it_reads_integers_and_defaults(monkeypatch):
    monkeypatch.setenv("WB_COUNT", "42")
    assert envint("WB_COUNT", "1") == 42
    monkeypatch.delenv("WB_COUNT")
    assert envint("WB_COUNT", "7") == 7


@pytest.mark.parametrize("raw", ["ten", "1.5", ""])
def test_it_raises_on_a_bad_integer(monkeypatch, raw):
    monkeypatch.setenv("WB_COUNT", raw)
    with pytest.raises(ValueError, match="WB_COUNT must be an integer"):
        envint("WB_COUNT", "1")


def test_it_splits_lists_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("WB_HOSTS", " a.example , ,b.example,")
    assert envlist("WB_HOSTS", "") == ["a.example", "b.example"]


def test_it_parses_a_database_url():
    db = _database_from_url("postgresql://wb:s%40cret@db.internal:6543/work%20bench")
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "work bench",
        "wb",
        "s@cret",
        "db.internal",
        "6543",
    )


def test_it_refuses_a_database_url_that_is_not_postgresql():
    with pytest.raises(ValueError, match="postgresql://"):
        _database_from_url("mysql://u:p@localhost/db")


# ---------------------------------------------------------------- embedded database


def _holders(tmp_path):
    return tmp_path / ".handle_pids.json"


def test_it_writes_back_only_live_holder_pids(tmp_path, monkeypatch):
    monkeypatch.setattr(embedded_db.psutil, "pid_exists", lambda pid: pid in {101, 303})
    _holders(tmp_path).write_text(json.dumps([101, 202, 303, 404]))
    embedded_db._prune_dead_holders(tmp_path)
    assert json.loads(_holders(tmp_path).read_text()) == [101, 303]


def test_it_leaves_the_holders_file_alone_when_all_are_alive(tmp_path, monkeypatch):
    monkeypatch.setattr(embedded_db.psutil, "pid_exists", lambda pid: True)
    _holders(tmp_path).write_text("[101,   202]")
    embedded_db._prune_dead_holders(tmp_path)
    assert _holders(tmp_path).read_text() == "[101,   202]"


def test_it_keeps_this_process_as_a_holder(tmp_path):
    import os

    # A pid above the kernel's pid_max (2**22 at most) never exists.
    _holders(tmp_path).write_text(json.dumps([os.getpid(), 2**22 + 1]))
    embedded_db._prune_dead_holders(tmp_path)
    assert json.loads(_holders(tmp_path).read_text()) == [os.getpid()]


def test_it_does_nothing_without_a_holders_file(tmp_path):
    embedded_db._prune_dead_holders(tmp_path)
    assert not _holders(tmp_path).exists()


def test_it_replaces_an_unreadable_holders_file(tmp_path):
    # A process killed mid-write leaves half a list, which the wheel cannot parse.
    _holders(tmp_path).write_text("[101, 2")
    embedded_db._prune_dead_holders(tmp_path)
    assert json.loads(_holders(tmp_path).read_text()) == []


def test_it_keeps_the_runtime_dir_beside_a_short_data_dir(tmp_path):
    datadir = tmp_path / "pgdata"
    assert embedded_db.runtime_dir(datadir) == tmp_path / "run"


def test_it_moves_the_runtime_dir_to_tmp_for_a_deep_checkout(tmp_path):
    datadir = tmp_path / ("deep" * 30) / "var" / "pgdata"
    runtime = embedded_db.runtime_dir(datadir)
    assert len(str(runtime / "0123456789" / ".s.PGSQL.5432")) <= 107
    assert runtime.name.startswith("workbench-")
