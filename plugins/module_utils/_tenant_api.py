# -*- coding: utf-8 -*-
# Copyright (c) 2026, ngts.vsatellite contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A client of the tenant API (SPEC.md section 2), on ansible.module_utils.urls.

Transient failures (429, 5xx, timeouts, refused connections) are retried with exponential back-off;
a 400, 401, 404 or 412 is an answer, not an accident, and fails at once with the API's own message.
A POST creates something (a pairing code), so it is retried only when the request was surely not
acted on: a refused connection, a 429 or a 503. After a timeout or another 5xx it may have been,
and a retry would leave a second live pairing code behind.
The API key is sent in a header and never appears in an error or a result.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket
import time

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import quote, urlencode
from ansible.module_utils.urls import Request

API_KEY_HEADER = "tppl-api-key"
REGIONS = {
    "us": "https://api.venafi.cloud",
    "eu": "https://api.eu.venafi.cloud",
    "au": "https://api.au.venafi.cloud",
    "uk": "https://api.uk.venafi.cloud",
    "ca": "https://api.ca.venafi.cloud",
}
RETRY_STATUSES = (429, 500, 502, 503, 504)
NOT_ACTED_ON_STATUSES = (429, 503)  # the server says it did not take the request
IDEMPOTENT = ("GET", "PUT", "DELETE")
DEK_MODE_NONE, DEK_MODE_SOFTWARE, DEK_MODE_HSM, DEK_MODE_MIXED, DEK_MODE_UNKNOWN = (
    "none", "software", "hsm", "mixed", "unknown")


class TenantApiError(Exception):
    """A failed call: ``status`` is the HTTP status (None when no answer came), ``message`` the API's words."""

    def __init__(self, message, status=None, api_code=None, attempts=1):
        super(TenantApiError, self).__init__(message)
        self.message = message
        self.status = status
        self.api_code = api_code
        self.attempts = attempts


def tenant_api_argument_spec():
    """The connection options every tenant module shares (doc fragment ngts.vsatellite.tenant_api)."""
    from ansible.module_utils.basic import env_fallback
    return dict(
        api_url=dict(type="str", fallback=(env_fallback, ["NGTS_API_URL"])),
        api_key=dict(type="str", no_log=True, fallback=(env_fallback, ["NGTS_API_KEY"])),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        timeout=dict(type="float", default=30),
        retries=dict(type="int", default=3),
    )


def client_from_module(module):
    """The client for a module's parameters; fails the module with a clear message when one is missing."""
    p = module.params
    for name, env in (("api_url", "NGTS_API_URL"), ("api_key", "NGTS_API_KEY")):
        if not p[name]:
            module.fail_json(msg="%s is required: set it, or the environment variable %s on the controller" % (name, env))
    if p["retries"] < 0 or p["timeout"] <= 0:
        module.fail_json(msg="retries (%r) must be 0 or more and timeout (%r) more than 0" % (p["retries"], p["timeout"]))
    url = REGIONS.get(p["api_url"], p["api_url"])
    if not url.startswith(("https://", "http://")):
        module.fail_json(msg="api_url %r is not a URL; give https://api.venafi.cloud (or the eu, au, uk, ca region "
                             "URL), or one of %s" % (p["api_url"], ", ".join(sorted(REGIONS))))
    return TenantClient(url, p["api_key"], validate_certs=p["validate_certs"], ca_path=p["ca_path"],
                        timeout=p["timeout"], retries=p["retries"])


class TenantClient:
    def __init__(self, api_url, api_key, validate_certs=True, ca_path=None, timeout=30, retries=3,
                 backoff=0.5, sleep=time.sleep):
        self.api_url = api_url.rstrip("/")
        self._api_key = api_key
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep

    # --- plumbing --------------------------------------------------------------------------

    def call(self, method, path, body=None, query=None):
        url = self.api_url + path + ("?" + urlencode(query) if query else "")
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {API_KEY_HEADER: self._api_key, "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        last = None
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self._delay(attempt, last))
            try:
                resp = Request().open(method, url, data=data, headers=headers, timeout=self.timeout,
                                      validate_certs=self.validate_certs, ca_path=self.ca_path, follow_redirects="none")
                raw = resp.read()
                return json.loads(raw) if raw else None
            except HTTPError as e:
                status, payload = e.code, _json_or_none(e)
                message, api_code = _api_message(payload, e)
                last = TenantApiError("%s %s: %d %s" % (method, path, status, message), status, api_code, attempt + 1)
                last.retry_after = _retry_after(e)
                retry = status in (RETRY_STATUSES if method in IDEMPOTENT else NOT_ACTED_ON_STATUSES)
            except (URLError, socket.timeout, socket.error, ConnectionError) as e:
                reason = getattr(e, "reason", e)
                last = TenantApiError("%s %s: no answer from %s (%s)" % (method, path, self.api_url, reason), None,
                                      None, attempt + 1)
                retry = method in IDEMPOTENT or isinstance(reason, ConnectionRefusedError)
            if not retry:
                break
        if last.attempts > 1:
            last.message = "%s, after %d attempt(s)" % (last.message, last.attempts)
        raise last

    def _delay(self, attempt, last):
        wanted = getattr(last, "retry_after", None)
        delay = self.backoff * (2 ** (attempt - 1))
        return min(max(delay, wanted or 0), 30.0)

    # --- the API -----------------------------------------------------------------------------

    def instances(self, environment_id=None):
        query = {"environmentId": environment_id} if environment_id else None
        return self.call("GET", "/v1/edgeinstances", query=query).get("edgeInstances", [])

    def instance(self, instance_id, status_details=True):
        query = {"statusDetails": "true"} if status_details else None
        return self.call("GET", "/v1/edgeinstances/%s" % quote(instance_id, safe=""), query=query)

    def rename(self, instance_id, name):
        return self.call("PUT", "/v1/edgeinstances/%s" % quote(instance_id, safe=""), {"name": name})

    def delete(self, instance_id):
        try:
            self.call("DELETE", "/v1/edgeinstances/%s" % quote(instance_id, safe=""))
        except TenantApiError as e:
            # A retry that finds it gone: an earlier attempt, answered too late, did delete it.
            if not (e.status == 404 and e.attempts > 1):
                raise

    def environments(self):
        return self.call("GET", "/v1/environments").get("environments", [])

    def create_pairing_code(self, environment_id, reuse_count, expiration_date):
        body = {"reuseCount": reuse_count, "expirationDate": expiration_date}
        if environment_id:
            body["environmentId"] = environment_id
        return self.call("POST", "/v1/pairingcodes/satellite", body)

    def encryption_keys(self, instance_id=None):
        query = {"edgeInstanceId": instance_id} if instance_id else None
        return self.call("GET", "/v1/edgeencryptionkeys", query=query).get("encryptionKeys", [])

    # --- what the collection wants to know ---------------------------------------------------

    def vsatellites(self, names=None, environment_id=None):
        """Every VSatellite with its health and its key's last backup, in the shape the modules return."""
        out = []
        instances = [i for i in self.instances(environment_id) if not names or i.get("name") in names]
        backups = dict((k.get("id"), k.get("lastBackupDate")) for k in self.encryption_keys()) if instances else {}
        for inst in instances:
            detailed = self.instance(inst["id"])
            health = ((detailed.get("statusDetails") or {}).get("healthDetails") or [{}])[0]
            summary = summarize(detailed, health.get("hsmStatus"))
            summary["last_backup"] = backups.get(summary["encryption_key_id"])
            out.append(summary)
        return out


def summarize(inst, hsm_status):
    return {
        "id": inst.get("id"),
        "name": inst.get("name"),
        "address": inst.get("address"),
        "edge_status": inst.get("edgeStatus"),
        "hsm_status": hsm_status,
        "dek_mode": dek_mode_of(hsm_status),
        "encryption_key_id": inst.get("encryptionKeyId"),
        "environment_id": inst.get("environmentId"),
        "last_seen": inst.get("lastSeenOnDate"),
        "deployment_date": inst.get("deploymentDate"),
        "version": inst.get("satelliteVersion"),
    }


def dek_mode_of(hsm_status):
    """A VSatellite in software DEK mode reports HSM_NOT_CONFIGURED; any other HSM status means HSM mode."""
    if hsm_status is None:
        return None
    return DEK_MODE_SOFTWARE if hsm_status == "HSM_NOT_CONFIGURED" else DEK_MODE_HSM


def tenant_dek_mode(vsatellites):
    """The tenant's DEK mode as seen from its VSatellites (R3): none, software, hsm, mixed, or unknown
    when VSatellites exist but none has reported its HSM status yet."""
    if not vsatellites:
        return DEK_MODE_NONE
    modes = set(v["dek_mode"] for v in vsatellites if v["dek_mode"])
    if len(modes) == 1:
        return modes.pop()
    return DEK_MODE_MIXED if modes else DEK_MODE_UNKNOWN


def _json_or_none(error):
    try:
        raw = error.read()
        return json.loads(raw) if raw else None
    except (ValueError, AttributeError):
        return None


def _api_message(payload, error):
    errors = (payload or {}).get("errors") if isinstance(payload, dict) else None
    if errors and isinstance(errors, list) and isinstance(errors[0], dict):
        return errors[0].get("message") or str(error.reason), errors[0].get("code")
    return str(getattr(error, "reason", "")) or "error", None


def _retry_after(error):
    try:
        return float(error.headers.get("Retry-After"))
    except (TypeError, ValueError, AttributeError):
        return None
