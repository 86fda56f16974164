"""python -m examples.sample_ccf --port 8090 --api-url http://127.0.0.1:3000 --client-id <pull>
--answer-client-id <answer> --password <consumer password> [--config file.json] [--fault 500 --fault-times 2]"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from examples.sample_ccf.config import FAULTS, Config
from examples.sample_ccf.runner import SampleCcf


def parse(argv: list[str] | None = None) -> Config:
    p = argparse.ArgumentParser(prog="python -m examples.sample_ccf", description="A sample CCF system for SAT-CCF.")
    p.add_argument("--config", help="JSON file with any of the settings below (examples/sample_ccf/config.py)")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--api-url", help="the Ministry's API base URL")
    p.add_argument("--client-id", dest="pull_client_id", help="Client ID of SERVICIO SOLICITUD AFILIACION")
    p.add_argument("--answer-client-id", help="Client ID of Respuesta TramiteCCF")
    p.add_argument("--password", help="the CCF's consumer password")
    p.add_argument("--nit", help="the CCF's NIT (9 digits): notifications signed for another NIT are refused")
    p.add_argument("--token-client-id", help="client ID the Ministry uses at this system's /oauth2/token")
    p.add_argument("--token-client-secret")
    p.add_argument("--private-key-file", help="PEM private key the pull is encrypted to (generated when absent)")
    p.add_argument("--decision", choices=("approve", "reject", "none"))
    p.add_argument("--fault", choices=FAULTS, help="simulate trouble at the notification receiver")
    p.add_argument("--fault-times", type=int, help="how many notifications get the fault (-1: all)")
    p.add_argument("--slow-seconds", type=float)
    args = vars(p.parse_args(argv))
    path = args.pop("config")
    overrides: dict[str, Any] = {k: v for k, v in args.items() if v is not None}
    return Config.from_file(path, **overrides) if path else Config(**overrides)


def main(argv: list[str] | None = None) -> int:
    config = parse(argv)
    ccf = SampleCcf(config).start()
    print(f"Sample CCF on {ccf.base_url}")
    print(f"  register as the shared service:  url {ccf.notification_url}  (operation POST)")
    print(f"  its OAuth token URL:             {ccf.token_url}  client_id {config.token_client_id}")
    print("  its public key (PEM) for the encrypted pull:")
    print(ccf.public_key_pem)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    ccf.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
