# Tells the core that this tenant is migrated and bootstrapped: POST CORE_BOOTSTRAP_READY_URL with
# the shared TENANT_BOOTSTRAP_SECRET (as the X-Tenant-Bootstrap-Secret header and in the body),
# the subdomain and the school id. A 5xx, a timeout or a refused connection is retried with
# doubling delays, bounded by BOOTSTRAP_READY_ATTEMPTS and BOOTSTRAP_READY_DEADLINE_SECONDS; any
# other refusal (a wrong secret, an unknown school, 404) fails at once, as retrying cannot help.
# It exits non-zero when the core never accepts, which fails the pod (Kubernetes) or the task (ECS)
# and so the rollout. Python standard library only: the backend image has Python, maybe no curl.
import json
import os
import sys
import time
import urllib.error
import urllib.request

RETRIED_STATUSES = {408, 425, 429}
MAX_DELAY_SECONDS = 60.0
REQUEST_TIMEOUT_SECONDS = 10.0


def main():
    url = os.environ["CORE_BOOTSTRAP_READY_URL"]
    secret = os.environ["TENANT_BOOTSTRAP_SECRET"]
    subdomain = os.environ["TENANT_SUBDOMAIN"]
    school_id = os.environ["TENANT_SCHOOL_ID"]
    attempts = max(1, int(os.environ.get("BOOTSTRAP_READY_ATTEMPTS", "8")))
    deadline = time.monotonic() + float(os.environ.get("BOOTSTRAP_READY_DEADLINE_SECONDS", "300"))
    delay = float(os.environ.get("BOOTSTRAP_READY_FIRST_DELAY_SECONDS", "2"))
    body = json.dumps({"subdomain": subdomain, "school_id": school_id, "bootstrap_secret": secret}).encode()
    headers = {"Content-Type": "application/json", "X-Tenant-Bootstrap-Secret": secret}

    for attempt in range(1, attempts + 1):
        remaining = deadline - time.monotonic()
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=max(0.1, min(REQUEST_TIMEOUT_SECONDS, remaining))) as response:
                print(f"core accepted tenant {subdomain} (school {school_id}) as bootstrapped: HTTP {response.status}", flush=True)
                return 0
        except urllib.error.HTTPError as error:
            if error.code < 500 and error.code not in RETRIED_STATUSES:
                return fail(f"the core refused tenant {subdomain} (school {school_id}) at {url}: HTTP {error.code}{hint(error.code)}")
            reason = f"HTTP {error.code}"
        except (urllib.error.URLError, OSError) as error:
            reason = str(getattr(error, "reason", error))
        remaining = deadline - time.monotonic()
        if attempt == attempts or remaining <= delay:
            return fail(f"the core did not accept tenant {subdomain} at {url} after {attempt} attempt{'s' if attempt > 1 else ''}: last answer {reason}")
        print(f"attempt {attempt}/{attempts} to reach the core at {url}: {reason}; retrying in {delay:g}s", flush=True)
        time.sleep(delay)
        delay = min(delay * 2, MAX_DELAY_SECONDS)
    return 1


def hint(status):
    if status in (401, 403):
        return " (TENANT_BOOTSTRAP_SECRET does not match the core's: check aims:core.bootstrapSecret)"
    if status == 404:
        return " (no such endpoint, or the core has no school with this subdomain and id: check aims:core.url and the tenant's schoolId)"
    return ""


def fail(message):
    print(message, file=sys.stderr, flush=True)
    return 1


sys.exit(main())
