# Waits until CORE_BOOTSTRAP_READY_URL answers, then runs the bootstrap command given as arguments.
# Python, because the backend image has it; it may have no shell or curl.
import os
import sys
import time
import urllib.request

url = os.environ["CORE_BOOTSTRAP_READY_URL"]
deadline = time.monotonic() + int(os.environ["BOOTSTRAP_WAIT_SECONDS"])
while True:
    try:
        urllib.request.urlopen(url, timeout=5).close()
        break
    except Exception as error:
        if time.monotonic() > deadline:
            sys.exit(f"core is not ready at {url}: {error}")
        print(f"waiting for core at {url}: {error}", flush=True)
        time.sleep(5)
os.execvp(sys.argv[1], sys.argv[1:])
