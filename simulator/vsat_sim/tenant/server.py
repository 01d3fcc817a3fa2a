"""The tenant's HTTP(S) server: the public API subset of SPEC.md section 2, the VSatellites' own
channel (``/v1/sim/edge/``) and the test administration endpoints (``/v1/sim/``).

Public and admin endpoints take the tenant API key in ``tppl-api-key``; a VSatellite authenticates
with the credential it received when it paired. Errors are ``{"errors": [{"code", "message", "args"}]}``.
"""

import hmac
import json
import re
import socketserver
import ssl
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .store import ApiError

API_KEY_HEADER = "tppl-api-key"
EDGE_TOKEN_HEADER = "x-vsat-edge-token"
UUID = r"[0-9a-f-]{36}"

ROUTES = []


def route(method, pattern, auth="api"):
    def decorate(fn):
        ROUTES.append((method, re.compile("^" + pattern + "$"), auth, fn))
        return fn
    return decorate


class Handler(BaseHTTPRequestHandler):
    server_version = "vsat-sim-tenant/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        try:
            body = self._body()
            for m, pattern, auth, fn in ROUTES:
                match = pattern.match(url.path)
                if match and m == method:
                    self._fault(auth)
                    self._authenticate(auth, match)
                    status, payload = fn(self.server.store, body=body, query=query, **match.groupdict())
                    return self._send(status, payload)
            if any(r[1].match(url.path) for r in ROUTES):
                raise ApiError(405, 10405, "%s is not allowed on %s" % (method, url.path))
            raise ApiError(404, 10404, "%s was not found" % url.path)
        except ApiError as e:
            self._send(e.status, {"errors": [{"code": e.code, "message": e.message, "args": e.args_}]})
        except (ValueError, KeyError, TypeError) as e:
            self._send(400, {"errors": [{"code": 10000, "message": "bad request: %s" % e, "args": []}]})

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return {}
        raw = self.rfile.read(length)
        try:
            return json.loads(raw)
        except ValueError:
            raise ApiError(400, 10000, "the request body is not JSON")

    def _fault(self, auth):
        # The installer and the VSatellites use the unauthenticated and the edge routes: faults aimed at the
        # public API never hit them, nor do the test's own admin controls get faulted.
        scope = {"edge": "edge", "none": "edge", "admin": "admin"}.get(auth, "api")
        if scope == "admin":
            return  # the test's own controls are never faulted
        fault = self.server.store.take_fault(scope)
        if fault is None:
            return
        if fault["latency_ms"]:
            time.sleep(fault["latency_ms"] / 1000.0)
        if fault["status"]:
            raise ApiError(fault["status"], 10500, "injected fault: the service is unavailable")

    def _authenticate(self, auth, match):
        if auth == "none":
            return
        if auth == "edge":
            self.server.store.authenticate(match.group("iid"), self.headers.get(EDGE_TOKEN_HEADER))
            return
        key = self.headers.get(API_KEY_HEADER) or ""
        if not hmac.compare_digest(key.encode(), self.server.api_key.encode()):
            raise ApiError(401, 10401, "The API key in the tppl-api-key header is missing or not valid")

    def _send(self, status, payload):
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# --- public API ------------------------------------------------------------------------------

@route("GET", "/v1/edgeinstances")
def list_instances(store, query, **_):
    return 200, {"edgeInstances": store.instances(query.get("environmentId"))}


@route("GET", "/v1/edgeinstances/(?P<iid>[^/]+)")
def get_instance(store, iid, query, **_):
    return 200, store.instance(iid, query.get("statusDetails", "").lower() == "true")


@route("PUT", "/v1/edgeinstances/(?P<iid>[^/]+)")
def rename_instance(store, iid, body, **_):
    return 200, store.rename(iid, body.get("name"))


@route("DELETE", "/v1/edgeinstances/(?P<iid>[^/]+)")
def delete_instance(store, iid, **_):
    store.delete(iid)
    return 204, None


@route("POST", "/v1/pairingcodes/satellite")
def create_pairing_code(store, body, **_):
    return 201, store.create_pairing_code(body.get("environmentId"), body.get("reuseCount", 1),
                                          body.get("expirationDate"))


@route("GET", "/v1/environments")
def environments(store, **_):
    return 200, {"environments": store.environments()}


@route("GET", "/v1/edgeencryptionkeys")
def encryption_keys(store, query, **_):
    return 200, {"encryptionKeys": store.encryption_keys(query.get("edgeInstanceId"))}


# --- the VSatellites' channel --------------------------------------------------------------

@route("GET", "/v1/sim/edge/ping", auth="none")
def ping(store, **_):
    return 200, {"status": "ok", "companyId": store.company_id}


@route("POST", "/v1/sim/edge/register", auth="none")
def register(store, body, **_):
    iid, token = store.register(body["pairingCode"], body["name"], body.get("address"), body["dekMode"],
                                body.get("hsm"), body.get("heartbeatInterval", 5), body.get("publicKey"),
                                body.get("version"))
    return 201, {"edgeInstanceId": iid, "token": token, "companyId": store.company_id}


@route("POST", "/v1/sim/edge/(?P<iid>[^/]+)/heartbeat", auth="edge")
def heartbeat(store, iid, body, **_):
    return 200, store.heartbeat(iid, body)


@route("POST", "/v1/sim/edge/(?P<iid>[^/]+)/dek-claim", auth="edge")
def dek_claim(store, iid, **_):
    return 200, store.claim_dek_generation(iid)


@route("POST", "/v1/sim/edge/(?P<iid>[^/]+)/dek-wraps", auth="edge")
def dek_wrap(store, iid, body, **_):
    store.put_dek_wrap(iid, body["edgeInstanceId"], body["wrap"])
    return 204, None


@route("POST", "/v1/sim/edge/(?P<iid>[^/]+)/dek-export", auth="edge")
def dek_export(store, iid, **_):
    store.record_dek_export(iid)
    return 204, None


@route("POST", "/v1/sim/edge/(?P<iid>[^/]+)/dek-import", auth="edge")
def dek_import(store, iid, body, **_):
    store.adopt_imported_dek(iid, body["dekFingerprint"])
    return 204, None


@route("POST", "/v1/sim/edge/(?P<iid>[^/]+)/keys/(?P<kid>[^/]+)", auth="edge")
def key_result(store, iid, kid, body, **_):
    store.complete_key(iid, kid, body)
    return 204, None


@route("POST", "/v1/sim/edge/(?P<iid>[^/]+)/verifications/(?P<vid>[^/]+)", auth="edge")
def verification_result(store, iid, vid, body, **_):
    store.complete_verification(iid, vid, body)
    return 204, None


# --- test administration ---------------------------------------------------------------------

@route("POST", "/v1/sim/keys", auth="admin")
def create_key(store, **_):
    return 201, {"id": store.create_key_job()}


@route("GET", "/v1/sim/keys/(?P<kid>[^/]+)", auth="admin")
def get_key(store, kid, **_):
    return 200, store.key_job(kid)


@route("POST", "/v1/sim/keys/(?P<kid>[^/]+)/verify", auth="admin")
def verify_key(store, kid, body, **_):
    return 202, {"id": store.create_verification(kid, body.get("edgeInstanceId"))}


@route("GET", "/v1/sim/verifications/(?P<vid>[^/]+)", auth="admin")
def get_verification(store, vid, **_):
    return 200, store.verification(vid)


@route("POST", "/v1/sim/faults", auth="admin")
def add_fault(store, body, **_):
    store.add_fault(body.get("status"), body.get("latencyMs"), body.get("count", 1), body.get("scope", "api"))
    return 201, {}


@route("DELETE", "/v1/sim/faults", auth="admin")
def clear_faults(store, **_):
    store.clear_faults()
    return 204, None


@route("GET", "/v1/sim/dek", auth="admin")
def dek_record(store, **_):
    return 200, store.dek_record()


class TenantServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, store, api_key, tls_cert=None, tls_key=None, verbose=False):
        super().__init__(address, Handler)
        self.store = store
        self.api_key = api_key
        self.verbose = verbose
        if tls_cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls_cert, tls_key)
            self.socket = context.wrap_socket(self.socket, server_side=True)


__all__ = ["TenantServer", "socketserver"]
