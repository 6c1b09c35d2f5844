"""Accounts, roles and login sessions (docs/domain.md §9), kept in the store directory.

Storage: one SQLite database `<store>/accounts.sqlite` (WAL; every call opens its own short-lived
connection, as `comments.py` does). Tables:

- `users`: one row per account — name, role, the unit a `township` account is bound to, the
  Argon2 hash of its password (argon2-cffi; the clear password is never stored or logged), the
  single-sign-on identity it is mapped to, disabled flag, failed-login counter and lock time.
- `sessions`: one row per login — the SHA-256 of the random session token (the token itself
  lives only in the user's browser cookie), the account, creation/expiry time and revocation.
  A session is valid while it is not expired, not revoked and its account is enabled; a new
  password, a role change or disabling the account revokes every session of that account.

Roles (names are the CLI values) and what each may do are `ROLES` / `PERMISSIONS` below.
Login failures lock an account for `lockout_minutes` after `max_failed_logins` consecutive
failures (config `[security]`).

Functions raise `AccountError` with a one-line Chinese message on any bad input.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from lifecycle.domain import labels
from lifecycle.domain.config import SECURITY_DEFAULTS, load_config
from lifecycle.store import sqlite

FILE_NAME = "accounts.sqlite"
ROLES = tuple(labels.ROLES)  # admin, publisher, leader, township, reviewer
# What each role may do beyond seeing: permission -> roles.
PERMISSIONS: dict[str, frozenset[str]] = {
    "view_all": frozenset({"admin", "publisher", "leader", "reviewer"}),  # every unit (township: its own)
    "manage_accounts": frozenset({"admin"}),
    "read_audit": frozenset({"admin"}),
    "publish": frozenset({"publisher"}),                       # import, publish, re-publish, ledger export
    "comment": frozenset({"leader"}),                          # record/edit comments at reviews
    "answer": frozenset({"township"}),                         # answer comments made on its unit
    "export": frozenset({"leader", "township"}),               # downloads of tables and lists
    "pack": frozenset({"leader"}),                             # meeting pack, monthly bulletin
    # the 招商 pipeline (docs/domain.md §16.4)
    "leads": frozenset({"publisher", "township"}),             # enter/edit/advance leads (township: its unit's)
    "review": frozenset({"reviewer"}),                         # record review opinions (法务/商务/财务)
    "decide": frozenset({"publisher", "reviewer"}),            # record the committee's verdict
    # verified milestones 认定 (docs/domain.md §17): township accounts only their unit's projects
    "verify": frozenset({"publisher", "admin", "township"}),
}
NAME_RE = re.compile(r"^[\w.@-]{2,64}$")
MIN_PASSWORD_FLOOR = 10

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name          TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'publisher', 'leader', 'township', 'reviewer')),
    unit_code     TEXT,
    password_hash TEXT,
    sso_id        TEXT UNIQUE,
    disabled      INTEGER NOT NULL DEFAULT 0,
    failed_count  INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK ((role = 'township') = (unit_code IS NOT NULL))
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash  TEXT PRIMARY KEY,
    name        TEXT NOT NULL REFERENCES users (name),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT,
    via         TEXT NOT NULL DEFAULT 'password'
);
CREATE INDEX IF NOT EXISTS sessions_name ON sessions (name);
"""


class AccountError(Exception):
    """A user-facing problem with an account or a login (message in Chinese)."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    unit_code: str | None = None
    sso_id: str | None = None
    disabled: bool = False
    failed_count: int = 0
    locked_until: str | None = None
    has_password: bool = False
    created_at: str | None = None

    def may(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]

    @property
    def role_label(self) -> str:
        return labels.ROLES[self.role]


def roles_with(permission: str) -> str:
    """The Chinese names of the roles that hold `permission`, for a refusal message."""
    return "、".join(v for r, v in labels.ROLES.items() if r in PERMISSIONS[permission])


def require(account: "Account | None", permission: str, error: type[Exception], denied: str,
            not_logged_in: str, **fmt) -> None:
    """Refuse (raise `error`) a write by no account or by one without `permission`: the core's
    check, whatever a page shows. `denied` is formatted with `roles` (roles_with) and `fmt`."""
    if account is None:
        raise error(not_logged_in)
    if not account.may(permission):
        raise error(denied.format(roles=roles_with(permission), **fmt))


def db_path(store_root) -> Path:
    root = store_root if isinstance(store_root, (str, os.PathLike)) else store_root.root
    return Path(root) / FILE_NAME


_MIGRATED: set[str] = set()


def _migrate(path: Path) -> None:
    """Widen the role CHECK of an accounts database created before the `reviewer` role
    (SQLite cannot alter a CHECK: the users table is rebuilt in one transaction, the
    documented 12-step procedure with foreign keys off; sessions keep pointing at it)."""
    import sqlite3

    key = str(path.resolve())
    if key in _MIGRATED or not path.exists():
        return
    con = sqlite3.connect(path, timeout=sqlite.BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        row = con.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'").fetchone()
        if row and "'reviewer'" not in row[0]:
            con.execute("PRAGMA foreign_keys = OFF")
            con.execute("BEGIN IMMEDIATE")
            try:
                row = con.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'").fetchone()
                if "'reviewer'" not in row[0]:
                    new_sql = row[0].replace("'township')", "'township', 'reviewer')", 1)
                    new_sql = new_sql.replace("CREATE TABLE users", "CREATE TABLE users_new", 1)
                    new_sql = new_sql.replace('CREATE TABLE "users"', "CREATE TABLE users_new", 1)
                    con.execute(new_sql)
                    con.execute("INSERT INTO users_new SELECT * FROM users")
                    con.execute("DROP TABLE users")
                    con.execute("ALTER TABLE users_new RENAME TO users")
                    if con.execute("PRAGMA foreign_key_check").fetchall():
                        raise AccountError("账户数据库升级失败（外键校验未通过），未作改动")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        _MIGRATED.add(key)
    finally:
        con.close()


def _connect(store_root, write: bool = False, create: bool = False):
    # password hashes: the file is readable by the service account only
    if write:
        _migrate(db_path(store_root))
    return sqlite.connect(db_path(store_root), _SCHEMA, error=AccountError, write=write,
                          create_dir=create, private=True)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="seconds")


def security(store_root) -> dict:
    """The `[security]` settings in force for the store (package defaults, then <store>/config.toml)."""
    cfg = load_config(None, Path(db_path(store_root).parent)).get("security") or dict(SECURITY_DEFAULTS)
    cfg["min_password_length"] = max(MIN_PASSWORD_FLOOR, int(cfg.get("min_password_length", MIN_PASSWORD_FLOOR)))
    return cfg


# ---- hashing ------------------------------------------------------------------------------
def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def _check_password(store_root, password: str) -> str:
    if not isinstance(password, str):
        raise AccountError("密码不能为空")
    n = security(store_root)["min_password_length"]
    if len(password) < n:
        raise AccountError(labels.AUTH_TEXT["short_password"].format(n=n))
    if len(password) > 1024:
        raise AccountError("密码过长（最多1024个字符）")
    return password


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# ---- reading ------------------------------------------------------------------------------
_COLS = "name, role, unit_code, sso_id, disabled, failed_count, locked_until, password_hash IS NOT NULL, created_at"


def _account(row) -> Account:
    return Account(row[0], row[1], row[2], row[3], bool(row[4]), int(row[5]), row[6], bool(row[7]), row[8])


def exists(store_root) -> bool:
    return db_path(store_root).exists()


def list_accounts(store_root) -> list[Account]:
    if not exists(store_root):
        return []
    with _connect(store_root) as con:
        return [_account(r) for r in con.execute(f"SELECT {_COLS} FROM users ORDER BY role, name")]


def get(store_root, name: str) -> Account | None:
    if not exists(store_root):
        return None
    with _connect(store_root) as con:
        row = con.execute(f"SELECT {_COLS} FROM users WHERE name = ?", (name,)).fetchone()
    return _account(row) if row else None


def count(store_root) -> int:
    if not exists(store_root):
        return 0
    with _connect(store_root) as con:
        return int(con.execute("SELECT count(*) FROM users").fetchone()[0])


# ---- managing accounts ---------------------------------------------------------------------
def resolve_unit(region_key: str | None, text: str | None) -> str:
    """A unit code or name (or a township code/name) of the store's region -> the unit code."""
    from lifecycle.domain.reference import region

    if not text or not str(text).strip():
        raise AccountError("镇街园区/板块账户必须用 --unit 指定所属单位（代码或名称）")
    if not region_key:
        raise AccountError("数据目录尚未指定地区，无法确定镇街/板块（请先导入或生成数据）")
    reg = region(region_key)
    unit = reg.resolve_unit(str(text))
    if unit is None:
        raise AccountError(f"未知的{reg.unit_word}：{text}（{reg.name}的{reg.unit_word}代码或名称）")
    return unit


def _check_role_unit(role: str, unit_code: str | None, region_key: str | None) -> str | None:
    if role not in ROLES:
        raise AccountError(f"未知角色：{role}（可选 {', '.join(ROLES)}）")
    if role == "township":
        return resolve_unit(region_key, unit_code)
    if unit_code:
        raise AccountError(f"只有 township 角色可以绑定单位，{role} 角色不能指定 --unit")
    return None


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME_RE.match(name):
        raise AccountError(f"用户名“{name}”无效：2–64个字符，可用字母、数字、汉字和 . _ @ -")
    return name


def add(store_root, name: str, role: str, unit: str | None = None, password: str | None = None,
        sso_id: str | None = None, region_key: str | None = None) -> Account:
    """Create an account. A local account needs a password (≥ min length); an SSO-only account
    an `sso_id` (the IdP's e-mail or subject). `unit` (code or name) is required for `township`."""
    name = _check_name(name)
    unit_code = _check_role_unit(role, unit, region_key)
    sso_id = (sso_id or "").strip() or None
    if password is None and sso_id is None:
        raise AccountError("请提供密码（--password-stdin）或单点登录标识（--sso）")
    pw_hash = _hasher().hash(_check_password(store_root, password)) if password is not None else None
    now = _iso(_now())
    with _connect(store_root, write=True, create=True) as con:
        if con.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise AccountError(f"账户“{name}”已存在")
        if sso_id and con.execute("SELECT 1 FROM users WHERE sso_id = ?", (sso_id,)).fetchone():
            raise AccountError(f"单点登录标识“{sso_id}”已绑定其他账户")
        con.execute("INSERT INTO users (name, role, unit_code, password_hash, sso_id, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", (name, role, unit_code, pw_hash, sso_id, now, now))
    return get(store_root, name)


def _require(con, name: str) -> None:
    if not con.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
        raise AccountError(f"没有账户“{name}”")


def _revoke_all(con, name: str, now: str) -> None:
    con.execute("UPDATE sessions SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", (now, name))


def set_password(store_root, name: str, password: str) -> None:
    pw_hash = _hasher().hash(_check_password(store_root, password))
    now = _iso(_now())
    with _connect(store_root, write=True) as con:
        _require(con, name)
        con.execute("UPDATE users SET password_hash = ?, failed_count = 0, locked_until = NULL, updated_at = ? "
                    "WHERE name = ?", (pw_hash, now, name))
        _revoke_all(con, name, now)


def set_disabled(store_root, name: str, disabled: bool) -> None:
    now = _iso(_now())
    with _connect(store_root, write=True) as con:
        _require(con, name)
        con.execute("UPDATE users SET disabled = ?, failed_count = 0, locked_until = NULL, updated_at = ? "
                    "WHERE name = ?", (int(bool(disabled)), now, name))
        if disabled:
            _revoke_all(con, name, now)


def set_role(store_root, name: str, role: str, unit: str | None = None, region_key: str | None = None) -> Account:
    unit_code = _check_role_unit(role, unit, region_key)
    now = _iso(_now())
    with _connect(store_root, write=True) as con:
        _require(con, name)
        con.execute("UPDATE users SET role = ?, unit_code = ?, updated_at = ? WHERE name = ?",
                    (role, unit_code, now, name))
        _revoke_all(con, name, now)
    return get(store_root, name)


def set_sso(store_root, name: str, sso_id: str | None) -> None:
    sso_id = (sso_id or "").strip() or None
    with _connect(store_root, write=True) as con:
        _require(con, name)
        if sso_id and con.execute("SELECT 1 FROM users WHERE sso_id = ? AND name <> ?", (sso_id, name)).fetchone():
            raise AccountError(f"单点登录标识“{sso_id}”已绑定其他账户")
        con.execute("UPDATE users SET sso_id = ?, updated_at = ? WHERE name = ?", (sso_id, _iso(_now()), name))


def unlock(store_root, name: str) -> None:
    with _connect(store_root, write=True) as con:
        _require(con, name)
        con.execute("UPDATE users SET failed_count = 0, locked_until = NULL, updated_at = ? WHERE name = ?",
                    (_iso(_now()), name))


# ---- logging in -------------------------------------------------------------------------------
_DUMMY_HASH: str | None = None


def _dummy_verify(password: str) -> None:
    """Spend the time of a real verification for an unknown name (no user enumeration by timing)."""
    global _DUMMY_HASH
    from argon2.exceptions import VerifyMismatchError

    ph = _hasher()
    if _DUMMY_HASH is None:
        _DUMMY_HASH = ph.hash(secrets.token_urlsafe(16))
    try:
        ph.verify(_DUMMY_HASH, password or "")
    except VerifyMismatchError:
        pass


@dataclass
class LoginResult:
    account: Account | None
    error: str | None = None
    locked_now: bool = False  # this failure locked the account


def authenticate(store_root, name: str, password: str, now: dt.datetime | None = None) -> LoginResult:
    """Check a name and password. Returns the account, or an error message (never says whether
    the name exists, except that a locked or disabled account is named as such)."""
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    T = labels.AUTH_TEXT
    now = now or _now()
    sec = security(store_root)
    name = (name or "").strip()
    acc = get(store_root, name) if name and exists(store_root) else None
    if acc is None or acc.disabled or not acc.has_password:
        _dummy_verify(password)
        if acc is not None and acc.disabled:
            return LoginResult(None, T["disabled"])
        if acc is not None and not acc.has_password:
            return LoginResult(None, T["no_password"])
        return LoginResult(None, T["bad_login"])
    if acc.locked_until and dt.datetime.fromisoformat(acc.locked_until) > now:
        until = dt.datetime.fromisoformat(acc.locked_until).strftime("%H:%M")
        return LoginResult(None, T["locked"].format(n=sec["max_failed_logins"], until=until))
    with _connect(store_root) as con:
        pw_hash = con.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()[0]
    ph = _hasher()
    try:
        ph.verify(pw_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        with _connect(store_root, write=True) as con:
            n = int(con.execute("SELECT failed_count FROM users WHERE name = ?", (name,)).fetchone()[0]) + 1
            locked = None
            if n >= int(sec["max_failed_logins"]):
                locked = _iso(now + dt.timedelta(minutes=float(sec["lockout_minutes"])))
                n = 0
            con.execute("UPDATE users SET failed_count = ?, locked_until = ? WHERE name = ?", (n, locked, name))
        if locked:
            return LoginResult(None, T["locked"].format(n=sec["max_failed_logins"], until=locked[11:16]),
                               locked_now=True)
        return LoginResult(None, T["bad_login"])
    new_hash = ph.hash(password) if ph.check_needs_rehash(pw_hash) else pw_hash
    with _connect(store_root, write=True) as con:
        con.execute("UPDATE users SET failed_count = 0, locked_until = NULL, password_hash = ? WHERE name = ?",
                    (new_hash, name))
    return LoginResult(get(store_root, name))


def find_sso(store_root, identities) -> Account | None:
    """The enabled account mapped to the first of `identities` (e-mail, subject) that has one."""
    if not exists(store_root):
        return None
    with _connect(store_root) as con:
        for ident in identities:
            if not ident:
                continue
            row = con.execute(f"SELECT {_COLS} FROM users WHERE sso_id = ? AND disabled = 0",
                              (str(ident).strip(),)).fetchone()
            if row:
                return _account(row)
    return None


# ---- sessions -------------------------------------------------------------------------------
def create_session(store_root, name: str, hours: float | None = None, via: str = "password",
                   now: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    """A new session for `name`: (token, expiry). Only the token's hash is stored."""
    now = now or _now()
    hours = float(hours if hours is not None else security(store_root)["session_hours"])
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=hours)
    with _connect(store_root, write=True) as con:
        _require(con, name)
        con.execute("INSERT INTO sessions (token_hash, name, created_at, expires_at, via) VALUES (?, ?, ?, ?, ?)",
                    (_token_hash(token), name, _iso(now), _iso(expires), via))
    return token, expires


def session_account(store_root, token: str | None, now: dt.datetime | None = None) -> tuple[Account, dt.datetime] | None:
    """The account and expiry of a valid session token, else None."""
    if not token or not isinstance(token, str) or len(token) > 200 or not exists(store_root):
        return None
    now = now or _now()
    with _connect(store_root) as con:
        row = con.execute(
            "SELECT s.expires_at, s.revoked_at, u.disabled, s.name FROM sessions AS s JOIN users AS u USING (name) "
            "WHERE s.token_hash = ?", (_token_hash(token),)).fetchone()
    if row is None or row[1] is not None or row[2]:
        return None
    expires = dt.datetime.fromisoformat(row[0])
    if expires <= now:
        return None
    acc = get(store_root, row[3])
    return (acc, expires) if acc else None


def revoke_session(store_root, token: str | None) -> None:
    if not token or not exists(store_root):
        return
    with _connect(store_root, write=True) as con:
        con.execute("UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                    (_iso(_now()), _token_hash(token)))


# ---- demo accounts ---------------------------------------------------------------------------
DEMO_PASSWORD_FILE = "demo_password.txt"


def demo_accounts(region_key: str) -> list[tuple[str, str, str | None]]:
    """(name, role, unit) of the demo store's accounts: one per role, and two township accounts."""
    from lifecycle.domain.reference import region

    units = list(region(region_key).units)
    return [("admin", "admin", None), ("publisher", "publisher", None), ("leader", "leader", None),
            ("town1", "township", units[0]), ("town2", "township", units[1]), ("reviewer", "reviewer", None)]


def create_demo_accounts(store_root, region_key: str) -> str | None:
    """Give a demo store its demo accounts (once) with one random password, kept in clear in
    `<store>/demo_password.txt` so the demo store's login page can show it. Returns the password
    when the accounts were created now, else None. Never call this for a real store."""
    if count(store_root) > 0:
        return None
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    password = "demo-" + "".join(secrets.choice(alphabet) for _ in range(10))
    for name, role, unit in demo_accounts(region_key):
        add(store_root, name, role, unit, password=password, region_key=region_key)
    p = Path(db_path(store_root).parent) / DEMO_PASSWORD_FILE
    p.write_text(password + "\n", encoding="utf-8")
    return password


def demo_password(store_root) -> str | None:
    p = Path(db_path(store_root).parent) / DEMO_PASSWORD_FILE
    try:
        return p.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None
