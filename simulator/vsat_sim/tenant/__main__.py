"""python -m vsat_sim.tenant --listen 127.0.0.1:PORT --db FILE --api-key KEY [--tls-cert C --tls-key K]

The API key can come from the environment (VSAT_SIM_API_KEY) or a file (--api-key-file) instead of
argv, so that it need not show in the process list.
"""

import argparse
import os
import signal
import sys

from .server import TenantServer
from .store import Store


def parse_listen(text):
    host, port = text.rpartition(":")[::2]
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError("--listen wants HOST:PORT, got %r" % text)
    return host.strip("[]"), int(port)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m vsat_sim.tenant", description="Simulated tenant of the VSatellite SaaS")
    p.add_argument("--listen", type=parse_listen, default=("127.0.0.1", 8443), help="HOST:PORT (loopback only)")
    p.add_argument("--db", default="tenant.sqlite", help="SQLite file holding the tenant's state")
    p.add_argument("--api-key", help="the tenant's API key (or VSAT_SIM_API_KEY, or --api-key-file)")
    p.add_argument("--api-key-file")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--port-file", help="write the port actually bound here (useful with port 0)")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args(argv)

    api_key = args.api_key or os.environ.get("VSAT_SIM_API_KEY")
    if args.api_key_file:
        with open(args.api_key_file) as f:
            api_key = f.read().strip()
    if not api_key:
        p.error("an API key is needed: --api-key, --api-key-file or VSAT_SIM_API_KEY")
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")

    server = TenantServer(args.listen, Store(args.db), api_key, args.tls_cert, args.tls_key, args.verbose)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.replace(args.port_file + ".tmp", args.port_file)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("vsat-sim tenant listening on %s://%s:%d" % ("https" if args.tls_cert else "http", args.listen[0], port),
          flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
