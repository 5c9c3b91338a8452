"""``python -m tests.faults.single PORT``: the app in one process (no worker manager), for
fault tests on a loaded machine, where a spawned worker can miss Sanic's 30 s start-up
acknowledgement."""

from __future__ import annotations

import sys

from app import create_app


def main() -> None:
    app = create_app()
    app.run(host="127.0.0.1", port=int(sys.argv[1]), single_process=True, access_log=False,
            motd=False)


if __name__ == "__main__":
    main()
