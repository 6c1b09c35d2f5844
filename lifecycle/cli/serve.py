"""`python -m lifecycle serve` and `app-path`: start the dashboard from a checkout or from an
installed package (whose build ships app.py and pages/ as `lifecycle/webapp/`, see setup.py)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from lifecycle.cli.common import CliError
from lifecycle.domain.config import PACKAGE_DIR, REPO_DIR, in_checkout


def app_path() -> Path:
    """The Streamlit entry point: the checkout's app.py, else the installed copy."""
    p = REPO_DIR / "app.py" if in_checkout() else PACKAGE_DIR / "webapp" / "app.py"
    if not p.is_file():
        raise CliError(f"找不到看板入口文件：{p}（请从源码目录运行，或重新安装本软件包）")
    return p


def cmd_app_path(args) -> int:
    print(app_path())
    return 0


def cmd_serve(args) -> int:
    app = app_path()
    os.chdir(app.parent)  # Streamlit reads .streamlit/config.toml from the working directory
    argv = [sys.executable, "-m", "streamlit", "run", str(app), *args.streamlit_args]
    os.execv(sys.executable, argv)
    return 0  # pragma: no cover  (execv does not return)


def register_cli(sub) -> None:
    s = sub.add_parser("serve", help="启动看板（Streamlit），其余参数原样传给 streamlit run")
    s.add_argument("streamlit_args", nargs="*", help="如 --server.port 8502")
    s.set_defaults(func=cmd_serve)
    s = sub.add_parser("app-path", help="打印看板入口文件 app.py 的位置（streamlit run 用）")
    s.set_defaults(func=cmd_app_path)
