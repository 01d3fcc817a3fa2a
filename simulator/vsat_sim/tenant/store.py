"""The tenant's state in SQLite, so that a restart of the server loses nothing.

Every method is one transaction. The rules of the product that live in the SaaS are enforced
here: the DEK protection mode of a tenant is fixed while it has any VSatellite (R3), the tenant
records the fingerprint of its DEK (R6, R11) and never sees the DEK itself (R13).
"""

import datetime
import hashlib
import json
import os
import secrets
import sqlite3
import threading
import time
import uuid

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS environments (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pairing_codes (
    id TEXT PRIMARY KEY, code TEXT UNIQUE NOT NULL, environment_id TEXT NOT NULL,
    reuse_count INTEGER NOT NULL, uses INTEGER NOT NULL DEFAULT 0, expiration REAL NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS instances (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, address TEXT, environment_id TEXT, pairing_code_id TEXT,
    token_sha256 TEXT NOT NULL, dek_mode TEXT NOT NULL, hsm TEXT, encryption_key_id TEXT,
    heartbeat_interval REAL NOT NULL, deployed REAL NOT NULL, modified REAL NOT NULL, last_seen REAL,
    hsm_status TEXT, healthy INTEGER NOT NULL DEFAULT 0, reason TEXT, dek_fingerprint TEXT, version TEXT,
    has_dek INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS encryption_keys (
    id TEXT PRIMARY KEY, instance_id TEXT NOT NULL, key TEXT NOT NULL, algorithm TEXT NOT NULL, last_backup REAL);
CREATE TABLE IF NOT EXISTS dek_wraps (
    instance_id TEXT PRIMARY KEY, wrap TEXT NOT NULL, from_instance TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS keys (
    id TEXT PRIMARY KEY, status TEXT NOT NULL, digest TEXT, edge_instance_id TEXT, ciphertext TEXT,
    public_key TEXT, dek_fingerprint TEXT, assigned_to TEXT, assigned_at REAL, reason TEXT, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS verifications (
    id TEXT PRIMARY KEY, key_id TEXT NOT NULL, status TEXT NOT NULL, target TEXT, edge_instance_id TEXT,
    assigned_to TEXT, assigned_at REAL, reason TEXT, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT, status INTEGER, latency_ms INTEGER, remaining INTEGER NOT NULL,
    scope TEXT NOT NULL);
"""

SOFTWARE = "SOFTWARE"
HSM = "HSM"
MODES = (SOFTWARE, HSM)
MISSED_HEARTBEATS = 3  # LOST_CONNECTION after this many heartbeat intervals of silence
ASSIGNMENT_TIMEOUT = 30.0  # a job taken by a VSatellite that went away goes back to the queue


class ApiError(Exception):
    """An error the API answers with: HTTP status, a numeric code and a message (ErrorResponse)."""

    def __init__(self, status, code, message, *args):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.args_ = list(args)


def iso(ts):
    if ts is None:
        return None
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_iso(text):
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except (AttributeError, ValueError):
        raise ApiError(400, 10002, "expirationDate %r is not an ISO-8601 date-time" % (text,))


def new_pairing_code():
    """32 letters and digits: a code never starts with '-', so it cannot pass for a flag on a command line."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for dummy in range(32))


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


class Store:
    def __init__(self, path, company_id=None):
        self.path = path
        self._lock = threading.RLock()
        self._local = threading.local()
        self._db().executescript(SCHEMA)  # executescript commits on its own: outside a transaction
        with self._tx() as db:
            if not self._meta(db, "company_id"):
                self._set_meta(db, "company_id", company_id or str(uuid.uuid4()))
            if not db.execute("SELECT 1 FROM environments").fetchone():
                db.execute("INSERT INTO environments VALUES (?, ?)", (str(uuid.uuid4()), "Default"))

    # --- plumbing ------------------------------------------------------------------------

    def _db(self):
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    class _Tx:
        def __init__(self, store):
            self.store = store

        def __enter__(self):
            self.store._lock.acquire()
            self.db = self.store._db()
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, exc_type, exc, tb):
            try:
                self.db.execute("ROLLBACK" if exc_type else "COMMIT")
            finally:
                self.store._lock.release()
            return False

    def _tx(self):
        return Store._Tx(self)

    @staticmethod
    def _meta(db, key):
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    @staticmethod
    def _set_meta(db, key, value):
        if value is None:
            db.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @property
    def company_id(self):
        with self._tx() as db:
            return self._meta(db, "company_id")

    # --- environments and pairing codes --------------------------------------------------

    def environments(self):
        with self._tx() as db:
            return [dict(r) for r in db.execute("SELECT id, name FROM environments ORDER BY name")]

    def create_pairing_code(self, environment_id, reuse_count, expiration):
        now = time.time()
        if not isinstance(reuse_count, int) or isinstance(reuse_count, bool) or reuse_count < 1:
            raise ApiError(400, 10001, "reuseCount must be a whole number of 1 or more, got %r" % (reuse_count,))
        exp = parse_iso(expiration) if expiration else now + 3600
        if exp <= now:
            raise ApiError(400, 10002, "expirationDate %s is in the past" % expiration)
        with self._tx() as db:
            if environment_id is None:
                environment_id = db.execute("SELECT id FROM environments ORDER BY name LIMIT 1").fetchone()["id"]
            elif not db.execute("SELECT 1 FROM environments WHERE id = ?", (environment_id,)).fetchone():
                raise ApiError(400, 10003, "environmentId %s does not exist" % environment_id)
            row = dict(id=str(uuid.uuid4()), code=new_pairing_code(), environment_id=environment_id,
                       reuse_count=reuse_count, expiration=exp, created=now)
            db.execute("INSERT INTO pairing_codes (id, code, environment_id, reuse_count, expiration, created) "
                       "VALUES (:id, :code, :environment_id, :reuse_count, :expiration, :created)", row)
        return {"id": row["id"], "pairingCode": row["code"], "environmentId": environment_id,
                "reuseCount": reuse_count, "expirationDate": iso(exp), "companyId": self.company_id,
                "productEntitlements": ["ANY"]}

    # --- registration (the installer) ----------------------------------------------------

    def register(self, pairing_code, name, address, dek_mode, hsm, heartbeat_interval, public_key, version):
        """A VSatellite pairs with the tenant. Returns (instance id, token)."""
        if dek_mode not in MODES:
            raise ApiError(400, 10010, "dekMode must be one of %s" % ", ".join(MODES))
        now = time.time()
        with self._tx() as db:
            code = db.execute("SELECT * FROM pairing_codes WHERE code = ?", (pairing_code,)).fetchone()
            if code is None:
                raise ApiError(400, 10011, "The pairing code is not valid for this tenant")
            if code["expiration"] <= now:
                raise ApiError(400, 10012, "The pairing code expired at %s" % iso(code["expiration"]))
            if code["uses"] >= code["reuse_count"]:
                raise ApiError(400, 10013, "The pairing code has been used %d time(s), its reuse count"
                               % code["uses"])
            mode = self._tenant_mode(db)
            if mode is not None and mode != dek_mode:
                # R3: the mode is fixed while any VSatellite exists.
                raise ApiError(412, 10412, "The tenant's VSatellites use the %s DEK protection mode; a VSatellite "
                               "in %s mode cannot be added until every VSatellite has been removed from the "
                               "tenant" % (mode.lower(), dek_mode.lower()), mode, dek_mode)
            record = self._meta(db, "dek_mode_recorded")
            if record is not None and record != dek_mode:
                # The mode changes: the DEK recorded for the old mode no longer applies.
                self._set_meta(db, "dek_fingerprint", None)
            self._set_meta(db, "dek_mode_recorded", dek_mode)
            db.execute("UPDATE pairing_codes SET uses = uses + 1 WHERE id = ?", (code["id"],))
            instance_id, token = str(uuid.uuid4()), secrets.token_urlsafe(32)
            key_id = None
            if public_key:
                key_id = str(uuid.uuid4())
                db.execute("INSERT INTO encryption_keys VALUES (?, ?, ?, 'VSAT_HPKE', NULL)",
                           (key_id, instance_id, public_key))
            db.execute(
                "INSERT INTO instances (id, name, address, environment_id, pairing_code_id, token_sha256, dek_mode, "
                "hsm, encryption_key_id, heartbeat_interval, deployed, modified, version) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (instance_id, name, address, code["environment_id"], code["id"], sha256(token), dek_mode,
                 json.dumps(hsm) if hsm else None, key_id, float(heartbeat_interval), now, now, version))
        return instance_id, token

    @staticmethod
    def _tenant_mode(db):
        row = db.execute("SELECT dek_mode FROM instances LIMIT 1").fetchone()
        return row["dek_mode"] if row else None

    def authenticate(self, instance_id, token):
        with self._tx() as db:
            row = db.execute("SELECT token_sha256 FROM instances WHERE id = ?", (instance_id,)).fetchone()
        if row is None:
            raise ApiError(404, 10404, "VSatellite %s does not exist in this tenant (it was deleted)" % instance_id)
        if not token or not secrets.compare_digest(row["token_sha256"], sha256(token)):
            raise ApiError(401, 10401, "The VSatellite's credential is not valid")

    # --- the VSatellites' channel ----------------------------------------------------------

    def heartbeat(self, instance_id, report):
        """Record a VSatellite's health; hand it the tenant's DEK record and its work."""
        now = time.time()
        fingerprint = report.get("dekFingerprint")
        with self._tx() as db:
            inst = db.execute("SELECT * FROM instances WHERE id = ?", (instance_id,)).fetchone()
            recorded = self._meta(db, "dek_fingerprint")
            healthy = bool(report.get("healthy"))
            if fingerprint and recorded is None and healthy:
                # The first DEK a healthy VSatellite reports becomes the tenant's (R6).
                self._set_meta(db, "dek_fingerprint", fingerprint)
                self._set_meta(db, "dek_claim", None)
                recorded = fingerprint
            if fingerprint and fingerprint != recorded:
                healthy = False  # the tenant does not trust a VSatellite holding another DEK (R9)
            db.execute("UPDATE instances SET last_seen = ?, hsm_status = ?, healthy = ?, reason = ?, "
                       "dek_fingerprint = ?, version = COALESCE(?, version), has_dek = ? WHERE id = ?",
                       (now, report.get("hsmStatus"), int(healthy), report.get("reason"), fingerprint,
                        report.get("version"), int(bool(fingerprint) and fingerprint == recorded), instance_id))
            answer = {"tenantDekFingerprint": recorded, "healthy": healthy, "work": [], "dekWrapRequests": []}
            if healthy:
                answer["work"] = self._take_work(db, instance_id, now)
                if inst["dek_mode"] == SOFTWARE:
                    answer["dekWrapRequests"] = self._wrap_requests(db, instance_id)
            wrap = db.execute("SELECT wrap FROM dek_wraps WHERE instance_id = ?", (instance_id,)).fetchone()
            if wrap:
                answer["dekWrap"] = json.loads(wrap["wrap"])
        return answer

    def claim_dek_generation(self, instance_id):
        """R6: exactly one VSatellite may generate the tenant's first DEK."""
        now = time.time()
        with self._tx() as db:
            if self._meta(db, "dek_fingerprint") is not None:
                return {"granted": False, "reason": "the tenant already has a DEK",
                        "tenantDekFingerprint": self._meta(db, "dek_fingerprint")}
            claim = self._meta(db, "dek_claim")
            if claim:
                holder, at = claim.split(" ")
                alive = db.execute("SELECT 1 FROM instances WHERE id = ?", (holder,)).fetchone()
                if holder != instance_id and alive and now - float(at) < ASSIGNMENT_TIMEOUT:
                    return {"granted": False, "reason": "VSatellite %s is generating the DEK" % holder}
            self._set_meta(db, "dek_claim", "%s %f" % (instance_id, now))
            return {"granted": True}

    def _wrap_requests(self, db, instance_id):
        """Software mode: VSatellites of this tenant that wait for the DEK, with their public keys."""
        rows = db.execute(
            "SELECT i.id, k.key FROM instances i JOIN encryption_keys k ON k.id = i.encryption_key_id "
            "WHERE i.dek_mode = 'SOFTWARE' AND i.has_dek = 0 AND i.id != ? "
            "AND i.id NOT IN (SELECT instance_id FROM dek_wraps)", (instance_id,))
        return [{"edgeInstanceId": r["id"], "publicKey": r["key"]} for r in rows]

    def put_dek_wrap(self, from_instance, for_instance, wrap):
        with self._tx() as db:
            if not db.execute("SELECT 1 FROM instances WHERE id = ?", (for_instance,)).fetchone():
                raise ApiError(404, 10404, "VSatellite %s does not exist" % for_instance)
            db.execute("INSERT OR REPLACE INTO dek_wraps VALUES (?, ?, ?, ?)",
                       (for_instance, json.dumps(wrap), from_instance, time.time()))

    def record_dek_export(self, instance_id):
        """R13: the tenant knows when a software DEK was last backed up (EncryptionKeyInformation.lastBackupDate)."""
        now = time.time()
        with self._tx() as db:
            db.execute("UPDATE encryption_keys SET last_backup = ? WHERE id IN "
                       "(SELECT encryption_key_id FROM instances WHERE dek_mode = 'SOFTWARE')", (now,))
            self._set_meta(db, "dek_last_export", str(now))

    def adopt_imported_dek(self, instance_id, fingerprint):
        with self._tx() as db:
            recorded = self._meta(db, "dek_fingerprint")
            if recorded is not None and recorded != fingerprint:
                others = db.execute("SELECT COUNT(*) AS n FROM instances WHERE id != ? AND has_dek = 1",
                                    (instance_id,)).fetchone()["n"]
                if others:
                    raise ApiError(412, 10413, "The tenant's DEK (%s) is held by %d other VSatellite(s); importing "
                                   "another DEK would split the tenant" % (recorded, others))
            self._set_meta(db, "dek_fingerprint", fingerprint)

    def _take_work(self, db, instance_id, now):
        stale = now - ASSIGNMENT_TIMEOUT
        work = []
        for row in db.execute("SELECT id FROM keys WHERE status = 'PENDING' AND (assigned_to IS NULL OR "
                              "assigned_at < ?) ORDER BY created LIMIT 5", (stale,)).fetchall():
            db.execute("UPDATE keys SET assigned_to = ?, assigned_at = ? WHERE id = ?", (instance_id, now, row["id"]))
            work.append({"type": "key", "id": row["id"]})
        for row in db.execute(
                "SELECT v.id, v.key_id, k.ciphertext, k.digest FROM verifications v JOIN keys k ON k.id = v.key_id "
                "WHERE v.status = 'PENDING' AND (v.target IS NULL OR v.target = ?) AND "
                "(v.assigned_to IS NULL OR v.assigned_at < ?) ORDER BY v.created LIMIT 5",
                (instance_id, stale)).fetchall():
            db.execute("UPDATE verifications SET assigned_to = ?, assigned_at = ? WHERE id = ?",
                       (instance_id, now, row["id"]))
            work.append({"type": "verify", "id": row["id"], "keyId": row["key_id"],
                         "ciphertext": row["ciphertext"], "digest": row["digest"]})
        return work

    def complete_key(self, instance_id, key_id, result):
        with self._tx() as db:
            fingerprint = self._meta(db, "dek_fingerprint")
            if result.get("status") == "STORED":
                db.execute("UPDATE keys SET status = 'STORED', digest = ?, ciphertext = ?, public_key = ?, "
                           "edge_instance_id = ?, dek_fingerprint = ? WHERE id = ? AND status = 'PENDING'",
                           (result["digest"], result["ciphertext"], result.get("publicKey"), instance_id,
                            fingerprint, key_id))
            else:
                db.execute("UPDATE keys SET status = 'FAILED', reason = ?, edge_instance_id = ? WHERE id = ?",
                           (result.get("reason"), instance_id, key_id))

    def complete_verification(self, instance_id, verification_id, result):
        status = result.get("status")
        if status not in ("MATCH", "MISMATCH", "FAILED"):
            raise ApiError(400, 10020, "status must be MATCH, MISMATCH or FAILED")
        with self._tx() as db:
            db.execute("UPDATE verifications SET status = ?, edge_instance_id = ?, reason = ? WHERE id = ?",
                       (status, instance_id, result.get("reason"), verification_id))

    # --- the public API ------------------------------------------------------------------

    def instances(self, environment_id=None):
        with self._tx() as db:
            sql, args = "SELECT * FROM instances", ()
            if environment_id:
                sql, args = sql + " WHERE environment_id = ?", (environment_id,)
            return [self._instance_info(db, r) for r in db.execute(sql + " ORDER BY deployed", args).fetchall()]

    def instance(self, instance_id, status_details=False):
        with self._tx() as db:
            row = db.execute("SELECT * FROM instances WHERE id = ?", (instance_id,)).fetchone()
            if row is None:
                raise ApiError(404, 10404, "Edge instance %s was not found" % instance_id)
            return self._instance_info(db, row, status_details)

    def rename(self, instance_id, name):
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, 10030, "name must be a non-empty string")
        with self._tx() as db:
            if not db.execute("SELECT 1 FROM instances WHERE id = ?", (instance_id,)).fetchone():
                raise ApiError(404, 10404, "Edge instance %s was not found" % instance_id)
            db.execute("UPDATE instances SET name = ?, modified = ? WHERE id = ?", (name, time.time(), instance_id))
        return self.instance(instance_id)

    def delete(self, instance_id):
        with self._tx() as db:
            row = db.execute("SELECT dek_mode FROM instances WHERE id = ?", (instance_id,)).fetchone()
            if row is None:
                raise ApiError(404, 10404, "Edge instance %s was not found" % instance_id)
            db.execute("DELETE FROM instances WHERE id = ?", (instance_id,))
            db.execute("DELETE FROM encryption_keys WHERE instance_id = ?", (instance_id,))
            db.execute("DELETE FROM dek_wraps WHERE instance_id = ?", (instance_id,))
            if self._tenant_mode(db) is None and row["dek_mode"] == SOFTWARE:
                # R13: in software mode the DEK lived on the VSatellites only; with the last one it is gone.
                self._set_meta(db, "dek_fingerprint", None)
            if self._tenant_mode(db) is None:
                self._set_meta(db, "dek_claim", None)

    def encryption_keys(self, instance_id=None):
        with self._tx() as db:
            sql, args = "SELECT * FROM encryption_keys", ()
            if instance_id:
                sql, args = sql + " WHERE instance_id = ?", (instance_id,)
            return [{"id": r["id"], "key": r["key"], "keyAlgorithm": r["algorithm"], "companyId": self._meta(
                db, "company_id"), "lastBackupDate": iso(r["last_backup"])} for r in db.execute(sql, args)]

    def _instance_info(self, db, row, status_details=False):
        now = time.time()
        silent = MISSED_HEARTBEATS * row["heartbeat_interval"]
        if row["last_seen"] is None:
            status = "LOST_CONNECTION_DURING_INSTALL" if now - row["deployed"] > silent else "INSTALLED"
        elif now - row["last_seen"] > silent:
            status = "LOST_CONNECTION"
        else:
            status = "ACTIVE" if row["healthy"] else "UNHEALTHY"
        info = {
            "id": row["id"], "name": row["name"], "address": row["address"], "edgeType": "SATELLITE",
            "edgeStatus": status, "environmentId": row["environment_id"], "pairingCodeId": row["pairing_code_id"],
            "companyId": self._meta(db, "company_id"), "encryptionKeyId": row["encryption_key_id"],
            "deploymentDate": iso(row["deployed"]), "modificationDate": iso(row["modified"]),
            "lastSeenOnDate": iso(row["last_seen"]), "satelliteVersion": row["version"],
            "upgradeStatus": "LATEST", "canRestore": False, "reconciliationFailed": False,
        }
        if status_details:
            hsm_status = row["hsm_status"] or ("HSM_NOT_CONFIGURED" if row["dek_mode"] == SOFTWARE else "HSM_ERROR")
            info["statusDetails"] = {
                "healthDetails": [{"edgeInstanceId": row["id"], "companyId": info["companyId"],
                                   "hsmStatus": hsm_status, "timestamp": iso(row["last_seen"]),
                                   "version": row["version"]}],
                "connectionDetails": [{"edgeInstanceId": row["id"], "companyId": info["companyId"],
                                       "lastConnectedDate": iso(row["last_seen"]),
                                       "lastDisconnectedDate": iso(row["last_seen"]) if status == "LOST_CONNECTION"
                                       else None, "timestamp": iso(now)}],
            }
        return info

    # --- test administration (/v1/sim/) --------------------------------------------------

    def create_key_job(self):
        key_id = str(uuid.uuid4())
        with self._tx() as db:
            db.execute("INSERT INTO keys (id, status, created) VALUES (?, 'PENDING', ?)", (key_id, time.time()))
        return key_id

    def key_job(self, key_id):
        with self._tx() as db:
            row = db.execute("SELECT * FROM keys WHERE id = ?", (key_id,)).fetchone()
        if row is None:
            raise ApiError(404, 10404, "key %s was not found" % key_id)
        return {"id": row["id"], "status": row["status"], "digest": row["digest"],
                "edgeInstanceId": row["edge_instance_id"], "dekFingerprint": row["dek_fingerprint"],
                "reason": row["reason"]}

    def create_verification(self, key_id, target=None):
        with self._tx() as db:
            key = db.execute("SELECT status FROM keys WHERE id = ?", (key_id,)).fetchone()
            if key is None:
                raise ApiError(404, 10404, "key %s was not found" % key_id)
            if key["status"] != "STORED":
                raise ApiError(412, 10414, "key %s is %s, not STORED" % (key_id, key["status"]))
            if target and not db.execute("SELECT 1 FROM instances WHERE id = ?", (target,)).fetchone():
                raise ApiError(404, 10404, "edgeInstanceId %s was not found" % target)
            vid = str(uuid.uuid4())
            db.execute("INSERT INTO verifications (id, key_id, status, target, created) VALUES (?, ?, 'PENDING', ?, ?)",
                       (vid, key_id, target, time.time()))
        return vid

    def verification(self, verification_id):
        with self._tx() as db:
            row = db.execute("SELECT * FROM verifications WHERE id = ?", (verification_id,)).fetchone()
        if row is None:
            raise ApiError(404, 10404, "verification %s was not found" % verification_id)
        return {"id": row["id"], "keyId": row["key_id"], "status": row["status"],
                "edgeInstanceId": row["edge_instance_id"], "reason": row["reason"]}

    def dek_record(self):
        with self._tx() as db:
            last = self._meta(db, "dek_last_export")
            return {"dekMode": self._tenant_mode(db), "dekFingerprint": self._meta(db, "dek_fingerprint"),
                    "recordedMode": self._meta(db, "dek_mode_recorded"),
                    "lastExportDate": iso(float(last)) if last else None}

    def add_fault(self, status=None, latency_ms=None, count=1, scope="api"):
        if status is None and latency_ms is None:
            raise ApiError(400, 10040, "a fault needs a status or a latencyMs")
        if scope not in ("api", "edge", "all"):
            raise ApiError(400, 10041, "scope must be api, edge or all")
        with self._tx() as db:
            db.execute("INSERT INTO faults (status, latency_ms, remaining, scope) VALUES (?, ?, ?, ?)",
                       (status, latency_ms, int(count), scope))

    def clear_faults(self):
        with self._tx() as db:
            db.execute("DELETE FROM faults")

    def take_fault(self, scope):
        """The fault to apply to this request, if any (each counts down once per request)."""
        with self._tx() as db:
            row = db.execute("SELECT * FROM faults WHERE remaining > 0 AND scope IN (?, 'all') ORDER BY id LIMIT 1",
                             (scope,)).fetchone()
            if row is None:
                return None
            db.execute("UPDATE faults SET remaining = remaining - 1 WHERE id = ?", (row["id"],))
            return {"status": row["status"], "latency_ms": row["latency_ms"]}


def default_db_path():
    return os.path.join(os.getcwd(), "tenant.sqlite")
