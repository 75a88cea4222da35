"""The stand-in of the Django backend's manage.py: the subcommands the chart runs, and the server."""
import sys

import standin_db
import standin_server
from contract import fail, require_environment

DEFAULT_ADDRESS = "0.0.0.0:8000"
USAGE = "usage: manage.py migrate [--noinput] | bootstrap_tenant | runserver [ADDRESS]"


def main(argv):
    env = require_environment("backend")
    command, args = (argv[0], argv[1:]) if argv else ("runserver", [])
    if command == "runserver":
        standin_server.serve(env, args[0] if args else DEFAULT_ADDRESS)
    elif command in ("migrate", "bootstrap_tenant"):
        run = standin_db.migrate if command == "migrate" else standin_db.bootstrap
        try:
            run(env)
        except standin_db.DatabaseUnavailable as error:
            fail(f"stand-in backend: {command}: {error}")
    else:
        fail(f"stand-in backend: unknown command {command!r}\n{USAGE}")


if __name__ == "__main__":
    main(sys.argv[1:])
