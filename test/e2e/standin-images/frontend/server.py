"""The stand-in of the Next.js frontend: one page that shows what the chart told it."""
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from contract import exit_on_sigterm, fail, require_environment

SHOWN = ["TENANT_SUBDOMAIN", "PUBLIC_URL", "BACKEND_INTERNAL_URL", "NEXT_PUBLIC_API_BASE_URL"]


def main():
    env = require_environment("frontend")
    try:
        port = int(env["PORT"])
    except ValueError:
        fail(f"stand-in frontend: PORT is not a number: {env['PORT']!r}")
    page = json.dumps({"app": "stand-in frontend", **{name: env[name] for name in SHOWN}}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            found = self.path.split("?", 1)[0] == "/"
            body = page if found else json.dumps({"error": f"no such path: {self.path}"}).encode()
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            print(f"stand-in frontend: {self.address_string()} {format % args}", flush=True)

    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    print(f"stand-in frontend: serving tenant {env['TENANT_SUBDOMAIN']} on port {port}", flush=True)
    exit_on_sigterm()
    server.serve_forever()


if __name__ == "__main__":
    main()
