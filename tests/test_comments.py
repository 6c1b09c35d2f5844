"""Comments (点评意见): durable SQLite store in the store directory, full edit history, soft
deletion, conflict detection, persistence across a restart and under concurrent saves."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from lifecycle.store import comments
from lifecycle.store.comments import CommentError
from lifecycle.store.snapshots import Store

REPO = Path(__file__).resolve().parents[1]


def test_add_list_and_fields(tmp_path):
    cid = comments.add(tmp_path, "project", "JY000001", "2026Q3", "张三", "  进度滞后，请加快  ",
                       follow_up="待跟进", department="工信局", unit_code="320281004")
    assert cid == 1
    assert (tmp_path / "comments.sqlite").exists()
    df = comments.list_comments(tmp_path, "2026Q3")
    r = df.row(0, named=True)
    assert (r["target_kind"], r["target_id"], r["unit_code"], r["quarter"], r["author"]) == \
        ("project", "JY000001", "320281004", "2026Q3", "张三")
    assert r["text"] == "进度滞后，请加快" and r["follow_up"] == "todo" and r["department"] == "工信局"
    assert r["version"] == 1 and r["deleted"] is False and r["created_at"][:2] == "20"
    # a unit comment belongs to its unit; the filters work; a Store object is accepted too
    comments.add(Store(tmp_path), "unit", "320281004", "2026q3", "李四", "整体推进较好")
    assert comments.list_comments(tmp_path, "2026Q3", unit_code="320281004").height == 2
    assert comments.list_comments(tmp_path, "2026Q3", target_kind="unit")["unit_code"].to_list() == ["320281004"]
    assert comments.list_comments(tmp_path, "2026Q2").is_empty()
    assert comments.quarter_counts(tmp_path) == {"2026Q3": 2}


def test_validation_messages(tmp_path):
    with pytest.raises(CommentError, match="点评意见不能为空"):
        comments.add(tmp_path, "unit", "320281004", "2026Q3", "张三", "   ")
    with pytest.raises(CommentError, match="点评人不能为空"):
        comments.add(tmp_path, "unit", "320281004", "2026Q3", "", "意见")
    with pytest.raises(CommentError, match="季度格式应为 YYYYQn"):
        comments.add(tmp_path, "unit", "320281004", "2026-09", "张三", "意见")
    with pytest.raises(CommentError, match="跟进状态“已完成”无效"):
        comments.add(tmp_path, "unit", "320281004", "2026Q3", "张三", "意见", follow_up="已完成")
    with pytest.raises(CommentError, match="点评对象类型"):
        comments.add(tmp_path, "township", "320281004", "2026Q3", "张三", "意见")
    with pytest.raises(CommentError, match="数据目录不存在"):
        comments.add(tmp_path / "missing", "unit", "320281004", "2026Q3", "张三", "意见")
    with pytest.raises(CommentError, match="没有编号为 99"):
        comments.edit(tmp_path, 99, "张三", text="x")
    assert comments.list_comments(tmp_path).is_empty()
    # reading a store that never had a comment creates nothing
    assert comments.list_comments(tmp_path / "missing").is_empty()
    assert not (tmp_path / "missing").exists()


def test_edit_keeps_every_version_and_soft_delete(tmp_path):
    cid = comments.add(tmp_path, "project", "JY000001", "2026Q3", "张三", "初稿", follow_up="todo")
    assert comments.edit(tmp_path, cid, "李四", text="第二版", base_version=1) == 2
    assert comments.edit(tmp_path, cid, "王五", follow_up="done") == 3  # text kept, state changed
    h = comments.history(tmp_path, cid)
    assert h["version"].to_list() == [1, 2, 3]
    assert h["text"].to_list() == ["初稿", "第二版", "第二版"]
    assert h["follow_up"].to_list() == ["todo", "todo", "done"]
    assert h["edited_by"].to_list() == ["张三", "李四", "王五"]
    cur = comments.get(tmp_path, cid)
    assert (cur["version"], cur["text"], cur["follow_up"], cur["author"]) == (3, "第二版", "done", "张三")
    # an edit based on an old version is refused: never silently replaces someone else's edit
    with pytest.raises(CommentError, match="已被他人修改（当前为第3版，您修改的是第2版）"):
        comments.edit(tmp_path, cid, "赵六", text="覆盖", base_version=2)
    assert comments.history(tmp_path, cid).height == 3
    # soft delete: hidden from lists, history kept, no further edits
    assert comments.delete(tmp_path, cid, "李四") == 4
    assert comments.list_comments(tmp_path, "2026Q3").is_empty()
    assert comments.list_comments(tmp_path, "2026Q3", include_deleted=True)["deleted"].to_list() == [True]
    assert comments.history(tmp_path, cid)["deleted"].to_list() == [False, False, False, True]
    with pytest.raises(CommentError, match="已删除"):
        comments.edit(tmp_path, cid, "李四", text="复活")


def test_previous_quarter_and_project_file(tmp_path):
    assert comments.previous_quarter("2026Q1") == "2025Q4"
    assert comments.previous_quarter("2026Q3") == "2026Q2"
    a = comments.add(tmp_path, "project", "JY000007", "2026Q2", "张三", "二季度意见")
    b = comments.add(tmp_path, "project", "JY000007", "2026Q3", "李四", "三季度意见")
    comments.add(tmp_path, "project", "JY000008", "2026Q3", "李四", "别的项目")
    comments.add(tmp_path, "unit", "JY000007", "2026Q3", "李四", "同名的板块代码不是项目")
    last = comments.last_quarter(tmp_path, "2026Q3", target_kind="project", target_id="JY000007")
    assert last["comment_id"].to_list() == [a]
    pf = comments.for_project(tmp_path, "JY000007")
    assert pf["comment_id"].to_list() == [b, a]  # newest quarter first
    assert pf["quarter"].to_list() == ["2026Q3", "2026Q2"]


def test_persists_across_restart(tmp_path):
    """Written by one process, read by a fresh one (a restart), and vice versa."""
    code = (
        "import sys; from lifecycle.store import comments;"
        "cid = comments.add(sys.argv[1], 'unit', '320281004', '2026Q3', '进程甲', '重启前写入');"
        "comments.edit(sys.argv[1], cid, '进程甲', text='重启前修改')"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, cwd=REPO)
    df = comments.list_comments(tmp_path, "2026Q3")
    assert df["text"].to_list() == ["重启前修改"] and df["version"].to_list() == [2]
    assert comments.history(tmp_path, df["comment_id"][0])["text"].to_list() == ["重启前写入", "重启前修改"]
    comments.add(tmp_path, "unit", "320281004", "2026Q3", "本进程", "第二条")
    out = subprocess.run(
        [sys.executable, "-c",
         "import sys; from lifecycle.store import comments; print(comments.list_comments(sys.argv[1], '2026Q3').height)",
         str(tmp_path)], check=True, cwd=REPO, capture_output=True, text=True).stdout
    assert out.strip() == "2"


def test_concurrent_saves_none_lost(tmp_path):
    """8 threads and 2 processes save 50 comments each at the same time: all 500 are there,
    ids unique; concurrent edits of one comment keep every version."""
    comments.add(tmp_path, "unit", "320281001", "2026Q3", "init", "初始化")  # schema exists before the race
    proc_code = (
        "import sys; from lifecycle.store import comments\n"
        "for i in range(50):\n"
        "    comments.add(sys.argv[1], 'project', f'P{i}', '2026Q3', sys.argv[2], f'{sys.argv[2]}-{i}')\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", proc_code, str(tmp_path), f"proc{k}"], cwd=REPO)
             for k in range(2)]
    errors = []

    def worker(k):
        try:
            for i in range(50):
                comments.add(tmp_path, "project", f"P{i}", "2026Q3", f"thread{k}", f"thread{k}-{i}")
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in procs:
        assert p.wait(timeout=300) == 0
    assert not errors
    df = comments.list_comments(tmp_path, "2026Q3", target_kind="project")
    assert df.height == 500
    assert df["comment_id"].n_unique() == 500
    expected = {f"thread{k}-{i}" for k in range(8) for i in range(50)} | {f"proc{k}-{i}" for k in range(2) for i in range(50)}
    assert set(df["text"].to_list()) == expected

    # 4 threads edit the same comment 10 times each (no base version): 40 new versions, none lost
    cid = df["comment_id"][0]

    def editor(k):
        for i in range(10):
            comments.edit(tmp_path, cid, f"editor{k}", text=f"e{k}-{i}")

    threads = [threading.Thread(target=editor, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    h = comments.history(tmp_path, cid)
    assert h["version"].to_list() == list(range(1, 42))
    assert set(h["text"].to_list()[1:]) == {f"e{k}-{i}" for k in range(4) for i in range(10)}
