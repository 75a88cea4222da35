"""The backend's HTTP server: Django's Host check and a health path that reads the tenant's row."""
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import standin_db
from contract import exit_on_sigterm, variant

HEALTH_PATH = "/api/health/"


def host_allowed(host_header, allowed_hosts):
    """Django's rule: the Host without its port equals an entry, ends with a '.domain' entry, or '*' is listed."""
    host = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
    host = host.lower().rstrip(".")
    for entry in (item.strip().lower() for item in allowed_hosts.split(",")):
        if entry == "*" or host == entry or (entry.startswith(".") and (host.endswith(entry) or host == entry[1:])):
            return True
    return False


def handler_for(env):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            host = self.headers.get("Host", "")
            if not host_allowed(host, env["ALLOWED_HOSTS"]):
                return self.answer(400, {"error": f"Invalid HTTP_HOST header: {host!r} is not in ALLOWED_HOSTS"})
            if self.path.split("?", 1)[0] != HEALTH_PATH:
                return self.answer(404, {"error": f"no such path: {self.path}"})
            try:
                school = standin_db.seeded_school(env)
            except Exception as error:  # the reason goes to the probe's answer and the log
                return self.answer(500, {"error": f"database: {type(error).__name__}: {error}"})
            if school is None:
                return self.answer(500, {"error": f"tenant {env['TENANT_SUBDOMAIN']} is not bootstrapped"})
            self.answer(200, {"status": "ok", "tenant": school[0], "seeded_at": school[1], "version": variant().get("version")})

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):
            print(f"stand-in backend: {self.address_string()} {format % args}", flush=True)

    return Handler


def serve(env, address):
    host, _, port = address.rpartition(":")
    server = ThreadingHTTPServer((host or "0.0.0.0", int(port)), handler_for(env))
    print(f"stand-in backend: serving tenant {env['TENANT_SUBDOMAIN']} on {address}", flush=True)
    exit_on_sigterm()
    server.serve_forever()
