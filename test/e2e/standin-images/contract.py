"""What the tenant chart promises the apps: the environment each one is started with.

The stand-in images check it before doing anything else, so a chart that stops setting a
variable fails at the pod's start with the variable's name, as the real apps would fail later
and less clearly. An image built as a variant may require more (standin-variant.json, written
by the image builder next to this file).
"""
import json
import os
import signal
import sys

REQUIRED = {
    "backend": [
        "TENANT_SUBDOMAIN",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "DB_HOST",
        "DB_PORT",
        "TENANT_DB_NAME",
        "DB_USER",
        "DB_PASSWORD",
        "SECRET_KEY",
    ],
    "frontend": [
        "TENANT_SUBDOMAIN",
        "PUBLIC_URL",
        "BACKEND_INTERNAL_URL",
        "NEXT_PUBLIC_API_BASE_URL",
        "PORT",
    ],
}

VARIANT_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "standin-variant.json")


def variant():
    """The variant this image was built as: {} for the plain stand-in."""
    try:
        with open(VARIANT_FILE, encoding="utf-8") as file:
            return json.load(file)
    except FileNotFoundError:
        return {}


def required_variables(app):
    return REQUIRED[app] + list(variant().get("extraRequired", []))


def require_environment(app):
    """Exits with status 2, naming every missing variable, unless all of them are set."""
    missing = [name for name in required_variables(app) if not os.environ.get(name)]
    if missing:
        fail(f"stand-in {app}: missing required environment variables: {', '.join(missing)}", status=2)
    return os.environ


def fail(message, status=1):
    print(message, file=sys.stderr, flush=True)
    sys.exit(status)


def exit_on_sigterm():
    """As PID 1 a process ignores SIGTERM unless it handles it: the pod would wait out its whole grace period."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
